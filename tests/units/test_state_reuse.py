"""A Lua state whose process has left boots the next process (see `Runtime.release`): the new
process finds the same fresh globals, libraries and modules as in a state of its own."""

import pytest

from ao_kernel import Network
from ao_kernel.lua import runtime as runtime_module
from ao_kernel.lua.runtime import DEFAULT_MEMORY_LIMIT, Runtime

MODULES = {"greet": "local seen = Leak\n"
                    "return { hi = function() return 'hi' end, seen = function() return seen end,"
                    " now = function() return Leak end }"}

# Everything a process can change that is not a global of its own.
MUTATE = """
Leak = "left behind"
local greet = require("greet")
greet.hi = nil
string.leak = function() return "leak" end
getmetatable("").__add = function() return 1 end
getmetatable("").__index.trim = "x"
os.time = function() return 1 end
table.insert = nil
math.floor = nil
utf8.char = nil
package.loaded.leak = {}
package.preload.leak2 = function() return {} end
math.randomseed(42)
math.random()
collectgarbage("setpause", 1000)
collectgarbage("stop")
coroutine.wrap = nil
debug.traceback = nil
setmetatable(_G, { __index = function() return "from the metatable" end })
pairs = nil
"""

# What a process sees of its environment, as one text.
FINGERPRINT = """
local out = {}
local function keys(t)
  local list = {}
  for k, v in next, t do list[#list + 1] = tostring(k) .. ":" .. type(v) end
  table.sort(list)
  return table.concat(list, ",")
end
out[#out + 1] = keys(_G)
for _, name in ipairs({ "string", "table", "math", "os", "utf8", "coroutine", "debug",
                         "package", "package.loaded", "package.preload" }) do
  local t = _G
  for part in name:gmatch("[^.]+") do t = t[part] end
  out[#out + 1] = name .. "=" .. keys(t)
end
out[#out + 1] = keys(getmetatable(""))
out[#out + 1] = tostring(getmetatable("").__index == string)
out[#out + 1] = tostring(getmetatable(_G))
out[#out + 1] = ("abc"):upper() .. tostring(("x").trim)
out[#out + 1] = tostring(math.random()) .. "," .. tostring(math.random(1, 1000))
out[#out + 1] = tostring(os.time())
out[#out + 1] = tostring(collectgarbage("isrunning"))
local greet = require("greet")
out[#out + 1] = tostring(greet.hi and greet.hi()) .. "," .. tostring(greet.seen()) .. ","
  .. tostring(greet.now())
return table.concat(out, "\\n")
"""


@pytest.fixture(autouse=True)
def no_spares(monkeypatch):
    monkeypatch.setattr(runtime_module, "_spare", type(runtime_module._spare)())


def test_a_released_state_boots_the_next_runtime_as_if_it_were_new():
    fresh = Runtime(MODULES).execute(FINGERPRINT)
    used = Runtime(MODULES)
    state = used.lua
    used.execute(MUTATE)
    used.release()
    again = Runtime(MODULES)
    assert again.lua is state  # the state was reused
    assert again.execute(FINGERPRINT) == fresh
    again.execute("Leak = 'mine'")
    assert again.execute("return require('greet').now()") == "mine"


def test_a_released_runtime_refuses_to_run():
    rt = Runtime(MODULES)
    rt.release()
    with pytest.raises(RuntimeError, match="released"):
        rt.execute("return 1")
    rt.release()  # twice is harmless


def test_states_with_their_own_memory_limit_or_much_memory_are_not_kept():
    small = Runtime(MODULES, memory_limit=16 << 20)
    small.release()
    assert not runtime_module._spare
    big = Runtime(MODULES)
    big.execute("Big = string.rep('x', 8 * 1024 * 1024)")
    big.release()
    assert not runtime_module._spare
    kept = Runtime(MODULES)
    kept.release()
    assert len(runtime_module._spare) == 1
    state = runtime_module._spare[0][0]
    assert Runtime(MODULES, memory_limit=16 << 20).lua is not state
    assert Runtime(MODULES, memory_limit=DEFAULT_MEMORY_LIMIT).lua is state
    assert not runtime_module._spare


def test_a_state_keeps_the_memory_limit_of_its_new_process():
    rt = Runtime(MODULES, memory_limit=None)
    state = rt.lua
    rt.release()
    limited = Runtime(MODULES, memory_limit=DEFAULT_MEMORY_LIMIT)
    assert limited.lua is state
    assert state.get_max_memory() == DEFAULT_MEMORY_LIMIT


def test_another_library_in_a_used_state_loads_its_own_modules():
    rt = Runtime(MODULES)
    rt.execute("return require('greet').hi()")
    rt.release()
    other = Runtime({"greet": "return { hi = function() return 'other' end }"})
    assert other.execute("return require('greet').hi()") == "other"
    other.release()
    back = Runtime(MODULES)
    assert back.execute("return require('greet').hi()") == "hi"


COUNTER = """
Count = 0
string.shout = function(s) return s:upper() .. "!" end
Handlers.add("Inc", "Inc", function(msg)
  Count = Count + 1
  msg.reply({ Action = "Counted", Data = ("n" .. Count):shout() .. math.random(1, 100) })
end)
"""


def _network() -> Network:
    net = Network(resident=2)
    procs = [net.spawn(f"c{i}", code=COUNTER) for i in range(6)]
    for k in range(30):
        net.send(procs[k % 6], "Inc")
    return net


def test_networks_give_the_same_log_and_states_with_or_without_reused_states(monkeypatch):
    reused = _network()
    monkeypatch.setattr(runtime_module, "SPARE_MAX", 0)
    fresh = _network()
    assert reused.messages().equals(fresh.messages())
    for a, b in zip(reused.processes, fresh.processes, strict=True):
        assert a.state_digest() == b.state_digest()
    assert all(r.ok for r in reused.verify())
