"""What makes spawning cheap: modules handed over at first `require`, a persister installed only
when a snapshot needs it (from the boot record), one garbage collection at the end of boot."""

import ao_kernel.lua.runtime as runtime_module
from ao_kernel import Network
from ao_kernel.lua.runtime import Runtime
from ao_kernel.units import checkpoint as cp
from ao_kernel.units.process_runtime import ProcessRuntime

IDLE_HEAP_KIB = 320  # an idle aos process's Lua heap (about 255 KiB; 650 before this work)


def heap_kib(rt: Runtime, collect: bool = False) -> float:
    if collect:
        rt.execute("collectgarbage()")
    return rt.execute("return collectgarbage('count')")


def idle(net: Network) -> ProcessRuntime:
    """A spawned idle process that is not its library's first (that one walks at boot)."""
    net.spawn()
    return net.compute.runtimes[net.spawn().id]


def eager_twin(pr: ProcessRuntime) -> ProcessRuntime:
    """`pr`'s messages replayed in a runtime whose persister walked its boot state at boot."""
    twin = ProcessRuntime(pr.modules, pr.env, pr.memory_limit, pr.instruction_limit)
    twin._boot(cp._install)
    assert twin.runtime in cp._persisters
    for args in pr.history:
        twin._run(args)
    twin.history = list(pr.history)
    return twin


# -- modules --------------------------------------------------------------------------------------

def test_a_runtime_holds_no_module_code_until_required():
    rt = Runtime()
    assert heap_kib(rt, collect=True) < 80  # 256 KiB when every module's bytecode was kept
    assert rt.execute("return package.loaded['.bint'] == nil and package.loaded.json == nil")
    assert rt.execute("""
local bint = require(".bint")
return package.loaded[".bint"] == bint and require("bint") == bint
  and require(".bint.init") == bint and require(".bint") == bint""")
    assert rt.execute("return require('json') == require('.json')")


def test_unknown_and_non_utf8_module_names_are_not_found():
    rt = Runtime()
    for name in (r"\255x", r"\237\160\128", "nope", ".process.extra"):
        ok, err = rt.execute(f'local ok, e = pcall(require, "{name}") '
                             'return ok, (e:gsub("[\\128-\\255]", "?"))')
        assert not ok and "not found: ao processes can only require modules" in err


def test_a_module_that_does_not_compile_fails_at_require():
    rt = Runtime(modules={"bad": "return {", "good": "return 1"})
    assert rt.require("good") == 1
    ok, err = rt.execute("return pcall(require, 'bad')")
    assert not ok and err.startswith('[string ".bad"]:1:')


def test_sandbox_runs_from_bytecode_under_the_same_chunk_name():
    rt = Runtime(modules={})
    assert rt.execute("return debug.getinfo(pairs, 'S').source") == "<python>"
    ok, err = rt.execute("return pcall(os.date, {})")
    assert not ok and err.startswith('[string "<python>"]:')


# -- boot -----------------------------------------------------------------------------------------

def test_idle_process_heap_is_small_and_collector_runs():
    pr = idle(Network())
    assert heap_kib(pr.runtime) < IDLE_HEAP_KIB
    assert pr.runtime.execute("return collectgarbage('isrunning')") is True
    assert pr.runtime not in cp._persisters  # installed on first need, not at spawn
    assert pr.runtime.host.boot_list is not None


def test_boot_record_finds_the_objects_the_walk_numbers():
    spawned = idle(Network())
    pr = ProcessRuntime(spawned.modules, spawned.env, None, None)  # booted, no message yet
    rt = pr.runtime
    assert rt.host.boot_list is not None
    recorded = cp._installed(pr)  # from the boot record
    walked = rt.run_host_chunk("persist", args=(rt.host.persist_tools, pr.cu))
    assert recorded.PERM_COUNT == walked.PERM_COUNT > 100
    same = rt.lua.eval("""function(a, b)
  for i = 1, math.max(#a, #b) do if not rawequal(a[i], b[i]) then return i end end
  return 0 end""")
    assert same(recorded.boot_objects, walked.boot_objects) == 0


MOVES = """
Saved = Handlers.list
Handlers.list = { Saved[1] }
Moved = package.loaded[".utils"]
Utils = { moved = true }
utf8 = nil
string.char, string.find = nil, nil
math.mininteger = 0
"""


def test_lazy_persister_numbers_the_boot_state_not_the_current_one():
    """Boot objects moved away from their boot place, and the library functions the persister
    once read from globals tampered with: the lazily installed persister writes the same bytes
    as one that walked at boot, and the snapshot restores."""
    net = Network()
    net.spawn()
    p = net.spawn("p", MOVES)
    net.send(p, action="Ping")
    pr = net.compute.runtimes[p.id]
    assert pr.get("utf8 == nil and Moved ~= Utils and Saved ~= Handlers.list")
    assert pr.runtime not in cp._persisters
    live = cp.snapshot(pr)
    assert live is not None and live == cp.snapshot(eager_twin(pr))
    assert cp.digest(pr) == eager_twin(pr).digest()
    restored = ProcessRuntime(pr.modules, pr.env, pr.memory_limit, pr.instruction_limit)
    cp.restore(restored, live)
    assert cp.snapshot(restored) == live
    assert restored.runtime.execute("return Moved == require('.utils') and Saved[1] ~= nil")


def test_library_without_a_boot_record_walks_at_every_boot():
    """An object used as a table key at boot cannot be found again by plain steps: no record."""
    lib = {
        "process": "Keyed = { [{}] = 1 }\nreturn { handle = function() return {} end }",
        "json": "return { encode = function() return '' end }",
    }
    env = ("p" * 43, "o" * 43, [], "m" * 43, "o" * 43, [])
    first = ProcessRuntime(lib, env, None, None)
    assert cp._records[first.runtime.library] is None
    second = ProcessRuntime(lib, env, None, None)
    assert second.runtime in cp._persisters
    blob = cp.snapshot(second)
    assert blob is not None and blob == cp.snapshot(first)


def test_a_record_that_does_not_fit_falls_back_to_the_walk():
    """The record checks what it finds; on any difference the boot walks instead."""
    pr = idle(Network())
    small = {"process": "return { handle = function() return {} end }", "json": "return {}"}
    key = runtime_module._library(tuple(small.items()))  # what its runtimes will be keyed by
    cp._records[key] = cp._records[pr.runtime.library]  # the aos library's record
    try:
        other = ProcessRuntime(small, pr.env, None, None)
        assert other.runtime in cp._persisters
        assert cp.snapshot(other) is not None
    finally:
        cp._records.pop(key, None)
