"""The sandboxed Lua runtime: limits, host isolation, module loading."""

import pytest

from ao_kernel.lua.runtime import LuaCodeError, LuaLimitError, Runtime


@pytest.fixture
def rt():
    return Runtime(modules={"greet": "return { hi = function() return 'hi' end }"},
                   memory_limit=16 << 20, instruction_limit=20_000_000)


@pytest.mark.parametrize("code", [
    "while true do end",
    "while true do pcall(function() while true do end end) end",
    "while true do xpcall(function() while true do end end, function(e) return e end) end",
    "local f = coroutine.wrap(function() while true do end end) f()",
    "while true do coroutine.resume(coroutine.create(function() while true do end end)) end",
])
def test_instruction_limit_holds_in_coroutines_and_pcall(rt, code):
    with pytest.raises(LuaLimitError, match="instruction limit"):
        rt.execute(code)
    assert rt.execute("return 1 + 1") == 2


@pytest.mark.parametrize("code", [
    "local t = {} for i = 1, 1e9 do t[i] = i end",
    "local t = {} while true do pcall(function() t[#t + 1] = string.rep('x', 1e6) .. #t end) end",
])
def test_memory_limit_is_reported_and_runtime_survives(rt, code):
    with pytest.raises(LuaLimitError, match="memory limit"):
        rt.execute(code)
    assert rt.execute("return 'alive'") == "alive"


@pytest.mark.parametrize("expr", [
    "io", "python", "dofile", "loadfile", "os.execute", "os.remove", "os.exit",
    "require('os').execute", "debug.getregistry", "debug.sethook", "package.loadlib",
])
def test_host_is_unreachable(rt, expr):
    assert rt.execute(f"return {expr}") is None


def test_require_only_finds_registered_modules(rt):
    assert rt.execute("return require('.greet').hi()") == "hi"
    assert rt.execute("return require('greet') == require('.greet.init')") is True
    with pytest.raises(LuaCodeError, match="module 'socket' not found"):
        rt.execute("return require('socket')")


def test_binary_chunks_are_refused(rt):
    ok = rt.execute("return load(string.dump(function() return 1 end)) == nil")
    assert ok is True


def test_os_time_is_the_host_clock(rt):
    rt.set_now(1_735_689_600_123)
    assert rt.execute("return os.time()") == 1_735_689_600_123
    assert rt.execute("return os.date('%Y-%m-%d')") == "2025-01-01"
    assert rt.execute("return os.time{year=2025, month=1, day=1, hour=0}") == 1_735_689_600


def test_math_random_does_not_use_the_shared_c_generator():
    a, b = Runtime(modules={}), Runtime(modules={})
    seq_a = [a.execute("return math.random(1, 1000)") for _ in range(3)]
    b.execute("math.randomseed(42)")
    seq_b = [Runtime(modules={}).execute("return math.random(1, 1000)") for _ in range(1)]
    assert seq_b[0] == seq_a[0]


def test_syntax_error_names_the_line(rt):
    with pytest.raises(LuaCodeError, match=r"chunk:2:"):
        rt.compile("x = 1\ny = (", "=chunk")


def test_finalizers_are_refused(rt):
    with pytest.raises(LuaCodeError, match="__gc metamethods are not available"):
        rt.execute("setmetatable({}, { __gc = function() while true do end end })")
    assert rt.execute("return getmetatable(setmetatable({}, { __index = {} })) ~= nil") is True


def test_pairs_order_is_the_same_in_every_runtime():
    code = """
      local t = {}
      for i = 1, 200 do t["k" .. (i * 7919 % 1000)] = i end
      t[5], t[1], t[2.5], t[true] = 1, 1, 1, 1
      local out = {}
      for k in pairs(t) do out[#out + 1] = tostring(k) end
      return table.concat(out, ",")
    """
    orders = {Runtime(modules={}).execute(code) for _ in range(5)}
    assert len(orders) == 1
    first = orders.pop().split(",")
    assert first[:3] == ["1", "2.5", "5"] and first[-1] == "true"
    assert first[3:-1] == sorted(first[3:-1]) and len(first) > 100


def test_pairs_keeps_lua_semantics(rt):
    assert rt.execute("local n = 0 for _ in pairs({a=1, b=2}) do n = n + 1 end return n") == 2
    removed = "local t = {a=1, b=2, c=3} local s = '' " \
              "for k in pairs(t) do s = s .. k t.b = nil end return s"
    assert rt.execute(removed) == "ac"
    meta = "local t = setmetatable({}, {__pairs = function(t) " \
           "return function(_, k) if not k then return 'x', 1 end end, t, nil end}) " \
           "for k in pairs(t) do return k end"
    assert rt.execute(meta) == "x"
    with pytest.raises(LuaCodeError, match=r"bad argument #1 to 'pairs' \(table expected"):
        rt.execute("pairs(nil)")


def test_the_hook_stays_quiet_in_host_calls_after_a_limit(rt):
    """After the budget ran out, the host's next Lua calls (resetting the budget, reading
    results) must not be hit by the exhausted budget, whenever the count hook fires."""
    spin = rt.compile("while true do end")
    rt._set_budget(5_000)
    res = rt.host.protect(spin)  # raw: the budget stays exhausted afterwards
    assert res[0] is False and res[2] == "limit"
    busy = rt.lua.eval("function() local x = 0 for i = 1, 20000 do x = x + i end return x end")
    assert busy() == sum(range(20001))  # thousands of instructions: the hook fires several times
    assert rt.call(rt.compile("return 1 + 1")) == 2


def test_safe_text_remembers_only_valid_strings_and_forgets_when_full(rt):
    """host.safe caches short strings it found valid; invalid bytes are escaped every time,
    also after the cache has been filled and emptied many times over."""
    safe = rt.host.safe
    bad = b"\xff\xfeok"
    expected = safe(bad)
    assert expected != "\udcff\udcfeok" and expected.endswith("ok")
    for i in range(5000):
        assert safe(f"tag-{i}") == f"tag-{i}"
        assert safe(bad) == expected
    assert safe("한국어") == "한국어" and safe(b"\xed\xa0\x80") != "\ud800"
