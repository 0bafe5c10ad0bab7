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


# Short strings and tags that results repeat (the prompt, targets, protocol tags, the Action) as
# one object each: every string from Lua arrives as a new Python object, and the log keeps every
# result, so a long log would hold thousands of copies of each. Bounded: at most POOL_MAX
# strings and (name, value) pairs of at most POOL_LEN characters each, emptied when full.
POOL_MAX, POOL_LEN = 4096, 128
_pool: dict[Any, Any] = {}  # a string or (name, value) pair -> its one copy


def _pooled(text: str) -> str:
    """The pool's copy of a short string (this one, the first time it is seen)."""
    if len(text) > POOL_LEN:
        return text
    if len(_pool) >= POOL_MAX:
        _pool.clear()
    return _pool.setdefault(text, text)


def _pooled_tags(names: list[Any], values: list[Any]) -> list[tuple[str, str]]:
    """Tags as (name, value) pairs from the pool where repeated (most tags of most messages:
    the protocol tags, the Action), else new pairs of pooled names and values."""
    pool = _pool
    if len(pool) >= POOL_MAX:
        pool.clear()
    same = pool.setdefault
    tags = []
    for pair in zip(names, values, strict=True):
        known = pool.get(pair)
        if known is None:
            n, x = pair
            if len(n) <= POOL_LEN and len(x) <= POOL_LEN:
                fresh = (same(n, n), same(x, x))
                known = same(fresh, fresh)
            else:
                known = pair
        tags.append(known)
    return tags


def read_result(res: Any) -> RawResult:
    """Read the loader's flat result list (see `export_into` in loader.lua) in one pass."""
    res = flat_values(res)
    v = [from_lua(x) if type(x) is str else x for x in res] if res[-1] else res
    prompt = v[1]
    raw = RawResult(output=v[0], prompt=_pooled(prompt) if prompt else None,
                    error=v[2] if v[2] is not False else None)
    i = 4
    for _ in range(v[3]):
        end = i + 4 + v[i + 3]
        target = v[i]
        raw.messages.append((_pooled(target) if target else None, v[i + 1],
                             v[i + 2] or None, _pooled_tags(v[i + 4:end:2], v[i + 5:end:2])))
        i = end
    count, i = v[i], i + 1
    for _ in range(count):
        end = i + 3 + v[i + 2]
        tags = _pooled_tags(v[i + 3:end:2], v[i + 4:end:2])
        raw.spawns.append((v[i], v[i + 1] or None, tags))
        i = end
    count, i = v[i], i + 1
    for _ in range(count):
        end = i + 2 + v[i + 1]
        raw.assignments.append((v[i] or None, v[i + 2:end]))
        i = end
    return raw
