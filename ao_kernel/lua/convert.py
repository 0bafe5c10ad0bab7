"""Lua values to plain Python: tables become lists (1..n keys) or dicts, recursively."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lupa import lua53

from .codec import from_lua

_MAX_DEPTH = 100


def to_python(value: Any, table_id: Callable[[Any], int] | None = None) -> Any:
    """Convert a Lua value; functions, coroutines and cycles become short descriptive strings.

    `table_id` (the runtime's `host.table_id`) identifies tables so cycles are cut.
    """
    return _convert(value, table_id, 0, frozenset())


def _convert(value: Any, table_id: Callable[[Any], int] | None, depth: int,
             seen: frozenset[int]) -> Any:
    kind = lua53.lua_type(value)
    if kind is None:
        return from_lua(value) if isinstance(value, str) else value
    if kind != "table":
        return f"<lua {kind}>"
    if depth >= _MAX_DEPTH:
        return "<lua table (too deep)>"
    if table_id is not None:
        ident = table_id(value)
        if ident in seen:
            return "<lua table (cycle)>"
        seen = seen | {ident}
    items = list(value.items())
    keys = [k for k, _ in items]
    if items and all(isinstance(k, int) and not isinstance(k, bool) for k in keys) and sorted(
            keys) == list(range(1, len(keys) + 1)):
        ordered = sorted(items, key=lambda kv: kv[0])
        return [_convert(v, table_id, depth + 1, seen) for _, v in ordered]
    items.sort(key=_key_order)
    return {_key(k): _convert(v, table_id, depth + 1, seen) for k, v in items}


def _key_order(item: tuple[Any, Any]) -> tuple[int, Any]:
    """The order of the sandbox's `pairs`: numbers, strings, booleans, then anything else.

    Lua's raw traversal order changes from run to run, so dicts are built in this fixed order.
    """
    key = item[0]
    if isinstance(key, bool):
        return (2, key)
    if isinstance(key, (int, float)):
        return (0, key)
    if isinstance(key, str):
        return (1, key)
    return (3, 0)


def _key(key: Any) -> Any:
    kind = lua53.lua_type(key)
    if kind is None:
        return from_lua(key) if isinstance(key, str) else key
    return f"<lua {kind}>"
