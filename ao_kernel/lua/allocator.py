"""The pooling allocator for new Lua states (`_pool.pyx`), installed when it is built.

lupa allocates every Lua object with glibc's realloc/free; a message makes and frees a few
hundred small objects, and a pool of small blocks per state makes a ping's Lua call ~15% faster.
The pool keeps lupa's memory accounting: it updates and obeys the same fields of lupa's
MemoryStatus, whose layout is checked against lupa's own answers before anything is installed.
Without the build (no Cython or C compiler), under AO_KERNEL_PURE=1, or when a check fails, a
state keeps lupa's allocator; results never depend on which one runs.
"""

from __future__ import annotations

import ctypes
import re
from functools import cache
from typing import Any

import lupa.lua53 as lua53

from ..compiled import pure

LUA_EXTRASPACE = ctypes.sizeof(ctypes.c_void_p)  # Lua 5.3's default: the main block starts here
_STATUS = ctypes.c_size_t * 3  # lupa's MemoryStatus: used, base_usage, limit


@cache
def _load() -> tuple[Any, Any, int, Any] | None:
    """lua_getallocf / lua_setallocf from lupa's module, and the pool (None: not available)."""
    if pure():
        return None
    try:
        from . import _pool  # type: ignore[attr-defined]
    except ImportError:
        return None
    lib = ctypes.CDLL(lua53.__file__)
    get, put = lib.lua_getallocf, lib.lua_setallocf
    get.restype, get.argtypes = ctypes.c_void_p, [ctypes.c_void_p,
                                                  ctypes.POINTER(ctypes.c_void_p)]
    put.restype, put.argtypes = None, [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    return get, put, _pool.alloc_address(), _pool


def _state_address(lua: Any) -> int | None:
    """The address of the main lua_State, from `tostring(coroutine.running())`."""
    match = re.fullmatch(r"thread: 0x([0-9a-f]+)", str(lua.eval("tostring(coroutine.running())")))
    return int(match.group(1), 16) if match else None


def _layout_ok(lua: Any, status: int) -> bool:
    """Whether the memory at `status` holds what lupa reports as used, base and limit."""
    fields = _STATUS.from_address(status)
    used, base, limit = fields[0], fields[1], fields[2]
    total, own = lua.get_memory_used(total=True), lua.get_memory_used()
    return used == total and used - base == own and (limit == 0 or limit > base)


def install(lua: Any) -> bool:
    """Give a freshly made LuaRuntime the pooling allocator; True when it now runs on it."""
    hooks = _load()
    if hooks is None:
        return False
    get, put, alloc, pool = hooks
    state = _state_address(lua)
    if state is None:
        return False
    status = ctypes.c_void_p()
    get(state, ctypes.byref(status))
    if not status.value or not _layout_ok(lua, status.value):
        return False
    ud = pool.new_pool(status.value, state - LUA_EXTRASPACE)
    if not ud:
        return False
    put(state, alloc, ud)
    return True


def live_pools() -> int | None:
    """How many Lua states run on a pool right now (None: the pool is not available)."""
    hooks = _load()
    return None if hooks is None else hooks[3].live_pools()
