"""The pooling allocator of Lua states (ao_kernel/lua/_pool.pyx, installed by allocator.py):
same answers as lupa's allocator, the same memory accounting and limit, and pools freed with
their states."""

from __future__ import annotations

import ctypes
import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ao_kernel import compiled
from ao_kernel.lua import allocator
from ao_kernel.lua.runtime import LuaLimitError, Runtime

ROOT = Path(__file__).resolve().parents[2]
POOLED = allocator.live_pools() is not None

needs_pool = pytest.mark.skipif(not POOLED, reason="the pooling allocator is not built")

# Tables and strings that grow past the pool's sizes and shrink back, coroutines, a collection.
WORKLOAD = """
local out = {}
for round = 1, 30 do
  local t = {}
  for i = 1, round * 40 do t[i] = string.rep("x", i % 70) .. i end
  for i = #t, 1, -3 do table.remove(t, i) end
  local co = coroutine.wrap(function() for i = 1, 1e9 do coroutine.yield(#t + i) end end)
  local m = {}
  for k = 1, round do m["k" .. k] = { co(), table.concat(t, ",", 1, math.min(#t, 20)) } end
  out[#out + 1] = #t .. ":" .. #table.concat(t) .. ":" .. m["k1"][1]
  collectgarbage("step", 50)
end
collectgarbage()
return table.concat(out, ";")
"""

SCRIPT = f"""
import json
from ao_kernel.lua import allocator
from ao_kernel.lua.runtime import Runtime
rt = Runtime()
print(json.dumps({{"pools": allocator.live_pools(), "out": rt.call(rt.compile({WORKLOAD!r}))}}))
"""


def test_the_same_answers_with_and_without_the_pool() -> None:
    runs = []
    for pure in ("1", "0"):
        env = {**os.environ, compiled.PURE_ENV: pure}
        proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                              cwd=ROOT, env=env, timeout=120, check=True)
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    plain, pooled = runs
    assert plain["pools"] is None
    if POOLED:
        assert pooled["pools"] >= 1
    assert pooled["out"] == plain["out"]


@needs_pool
def test_each_new_state_gets_a_pool_and_frees_it_when_closed() -> None:
    gc.collect()
    before = allocator.live_pools()
    # A smaller memory limit than the default: these states are closed, never kept for reuse.
    runtimes = [Runtime(memory_limit=64 * 1024 * 1024) for _ in range(5)]
    for rt in runtimes:
        rt.call(rt.compile("local t = {} for i = 1, 5000 do t[i] = {i} end return #t"))
    assert allocator.live_pools() == before + 5
    del runtimes, rt
    gc.collect()
    assert allocator.live_pools() == before


@needs_pool
def test_memory_is_counted_and_limited_as_by_lupa() -> None:
    rt = Runtime(memory_limit=16 * 1024 * 1024)
    start = rt.lua.get_memory_used()
    rt.call(rt.compile("Big = {} for i = 1, 20000 do Big[i] = { i, tostring(i) } end"))
    grown = rt.lua.get_memory_used()
    assert grown - start > 20000 * 40
    rt.call(rt.compile("Big = nil collectgarbage() collectgarbage()"))
    assert rt.lua.get_memory_used() < start + 200 * 1024
    with pytest.raises(LuaLimitError, match="memory"):
        rt.call(rt.compile("local t = {} for i = 1, 1e7 do t[i] = string.rep('y', 64) .. i end"))
    assert rt.call(rt.compile("return 6 * 7")) == 42  # the state is still usable


def test_a_layout_that_does_not_match_lupa_is_refused() -> None:
    rt = Runtime()
    wrong = (ctypes.c_size_t * 3)(1, 2, 3)
    assert not allocator._layout_ok(rt.lua, ctypes.addressof(wrong))
