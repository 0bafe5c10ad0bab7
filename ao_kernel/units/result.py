"""A CU result as it comes out of Lua: the loader's flat list (see `export_into` in loader.lua)
read into a RawResult, before the MU turns its outbox entries into messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..lua.codec import from_lua


@dataclass(slots=True)
class RawResult:
    """A CU result before the MU turns outbox entries into messages."""

    output: str = ""
    prompt: str | None = None
    error: str | None = None
    messages: list[tuple[str | None, str, str | None, list[tuple[str, str]]]] = field(
        default_factory=list)
    spawns: list[tuple[str, str | None, list[tuple[str, str]]]] = field(default_factory=list)
    assignments: list[tuple[str | None, list[str]]] = field(default_factory=list)


def flat_values(res: Any) -> tuple[Any, ...]:
    """The loader's flat list as values: it comes back as values when small (see `handed_back`
    in loader.lua), else as the Lua table itself."""
    if isinstance(res, tuple):
        return res
    return tuple(res[k] for k in range(1, len(res) + 1))


def read_result(res: Any) -> RawResult:
    """Read the loader's flat result list (see `export_into` in loader.lua) in one pass."""
    res = flat_values(res)
    v = [from_lua(x) if type(x) is str else x for x in res] if res[-1] else res
    raw = RawResult(output=v[0], prompt=v[1] or None, error=v[2] if v[2] is not False else None)
    i = 4
    for _ in range(v[3]):
        end = i + 4 + v[i + 3]
        raw.messages.append((v[i] or None, v[i + 1], v[i + 2] or None,
                             list(zip(v[i + 4:end:2], v[i + 5:end:2], strict=True))))
        i = end
    count, i = v[i], i + 1
    for _ in range(count):
        end = i + 3 + v[i + 2]
        tags = list(zip(v[i + 3:end:2], v[i + 4:end:2], strict=True))
        raw.spawns.append((v[i], v[i + 1] or None, tags))
        i = end
    count, i = v[i], i + 1
    for _ in range(count):
        end = i + 2 + v[i + 1]
        raw.assignments.append((v[i] or None, v[i + 2:end]))
        i = end
    return raw
