"""Checkpoints: snapshot a process's Lua state, restore it into a fresh runtime, carry on."""

from importlib import resources

import pytest

from ao_kernel import Network
from ao_kernel.units import checkpoint as cp
from ao_kernel.units.process_runtime import ProcessRuntime


def blueprint(name):
    return resources.files("ao_kernel.lua").joinpath("blueprints", f"{name}.lua").read_text()


def fresh_copy(pr):
    """A ProcessRuntime for the same process (same library and env), not yet booted state."""
    return ProcessRuntime(pr.modules, pr.env, pr.memory_limit, pr.instruction_limit)


def recorder(pr):
    """Record the messages the CU hands `pr` from now on, with their results."""
    seen = []
    evaluate = pr.evaluate

    def record(args, keep=True):
        res = evaluate(args, keep)
        seen.append((args, keep, res))
        return res

    pr.evaluate = record
    return seen


def roundtrip(net, proc, then):
    """Snapshot `proc`, restore into a fresh runtime, run `then(net, proc)` on the live process
    and the same messages on the restored twin: results and snapshots must match."""
    pr = net.compute.runtimes[proc.id]
    blob, why = cp.capture(pr)
    assert why is None and blob is not None
    twin = fresh_copy(pr)
    cp.restore(twin, blob)
    assert cp.snapshot(twin) == blob
    seen = recorder(pr)
    then(net, proc)
    assert seen, "the continuation sent no message"
    for args, keep, live in seen:
        assert twin.evaluate(args, keep) == live
    twin.history = list(pr.history)
    after = cp.snapshot(pr)
    assert after is not None
    assert cp.snapshot(twin) == after
    return pr, twin, blob


def same_reads(pr, twin, *expressions):
    for e in expressions:
        assert pr.get(e) == twin.get(e), e


@pytest.fixture
def net():
    return Network()


def ping(action="Ping", data="", **tags):
    def step(net, proc):
        net.send(proc, action=action, data=data, tags=tags or None)
    return step


def steps(*fs):
    def run(net, proc):
        for f in fs:
            f(net, proc)
    return run


# -- states ------------------------------------------------------------------------------------

def test_fresh_process_roundtrip(net):
    p = net.spawn("p")
    pr, twin, blob = roundtrip(net, p, ping())
    assert blob.startswith(b"-- ao_kernel checkpoint")
    same_reads(pr, twin, "#Inbox", "Owner", "ao.id")


def test_fresh_process_snapshots_are_identical_across_networks():
    def make():
        n = Network()
        return cp.snapshot(n.compute.runtimes[n.spawn("p").id])
    assert make() == make()


COUNTER = """
Counter = 0
Handlers.add("inc", "Inc", function(m)
  Counter = Counter + 1
  m.reply({ Data = tostring(Counter) })
end)
"""


def test_counter_handler_added_by_eval(net):
    p = net.spawn("p", COUNTER)
    net.send(p, action="Inc")
    pr, twin, _ = roundtrip(net, p, steps(ping("Inc"), ping("Inc")))
    assert pr.get("Counter") == twin.get("Counter") == 3


def test_tables_shared_cyclic_numbers_and_binary_strings(net):
    p = net.spawn("p", r"""
A = { x = { 1, 2, { 3 } }, name = "a" }
A.self = A
B = { shared = A.x, list = { "p", "q", nil, "s" } }
A.x.back = B
N = { 1, 1.0, -0.0, 1/0, -1/0, math.mininteger, math.maxinteger, 0.1, 2^53, [1.5] = "f",
      [-3] = "neg", [true] = "yes", [false] = "no" }
S = "\0\255bin\r\n\"quoted\"\\" .. string.rep("\200", 3)
K = {}
K[A] = "a"; K[B] = "b"; K[print] = "print"
Handlers.add("check", "Check", function(m)
  m.reply({ Data = table.concat({
    tostring(A.self == A), tostring(B.shared == A.x), tostring(A.x.back == B),
    math.type(N[1]), math.type(N[2]), tostring(1/N[3]), tostring(N[4]), tostring(N[6]),
    tostring(N[9]), tostring(#S), tostring(K[A]), tostring(K[print]), N[1.5], N[true],
  }, ",") })
end)
""")
    pr, twin, _ = roundtrip(net, p, ping("Check"))
    res = twin.evaluate(pr_args(pr, "Check"))
    expected = ("true,true,true,integer,float,-inf,inf,-9223372036854775808,"
                "9.007199254741e+15,19,a,print,f,yes")
    assert res.messages[0][1] == expected
    assert twin.get("S") == pr.get("S")


def test_metatables_index_and_protected(net):
    p = net.spawn("p", """
Proto = { greet = function(self) return "hi " .. self.name end }
Proto.__index = Proto
Obj = setmetatable({ name = "x" }, Proto)
Locked = setmetatable({}, { __metatable = "locked", __index = function(t, k) return k .. "!" end })
Handlers.add("greet", "Greet", function(m)
  m.reply({ Data = Obj:greet() .. " " .. Locked.boo .. " " .. tostring(getmetatable(Locked)) })
end)
""")
    pr, twin, _ = roundtrip(net, p, ping("Greet"))
    assert twin.evaluate(pr_args(pr, "Greet")).messages[0][1] == "hi x boo! locked"


def test_closures_sharing_upvalues(net):
    p = net.spawn("p", """
do
  local n = 10
  Inc = function() n = n + 1; return n end
  Get = function() return n end
end
local shared = { hits = 0 }
function Hit() shared.hits = shared.hits + 1; return shared end
Handlers.add("inc", "Inc", function(m) Inc(); Hit(); m.reply({ Data = tostring(Get()) }) end)
""")
    net.send(p, action="Inc")
    pr, twin, _ = roundtrip(net, p, ping("Inc"))
    assert twin.runtime.execute("Inc(); return Get()") == 13
    assert twin.runtime.execute("return Hit() == Hit() and Hit().hits") == 5


def test_boot_time_upvalues_and_identity_survive(net):
    # ao.reference is a counter; math.random's MT19937 state lives in the chance module's locals.
    p = net.spawn("p", """
Handlers.add("roll", "Roll", function(m)
  m.reply({ Data = tostring(math.random(1000000)) .. "/" .. tostring(ao.reference) })
  Send({ Target = ao.id, Action = "Noop" })
end)
""")
    for _ in range(3):
        net.send(p, action="Roll")
    pr, twin, _ = roundtrip(net, p, steps(ping("Roll"), ping("Roll")))
    same_reads(pr, twin, "ao.reference", "math.random(1000)")
    # boot-time objects are filled in place: library closures still see the same tables
    assert twin.runtime.execute("return Handlers == require('.handlers') and "
                                "package.loaded['.process'] ~= nil") is True


def test_handlers_list_order_changed(net):
    p = net.spawn("p", """
Handlers.add("a", "Ord", function(m) m.reply({ Data = "a" }) end)
Handlers.add("b", "Ord", function(m) m.reply({ Data = "b" }) end)
local l = Handlers.list
for i = 1, #l // 2 do l[i], l[#l + 1 - i] = l[#l + 1 - i], l[i] end
""")
    pr, twin, _ = roundtrip(net, p, ping("Ord"))
    assert twin.get("Handlers.list[1].name") == pr.get("Handlers.list[1].name")
    assert twin.evaluate(pr_args(pr, "Ord")).messages[0][1] == "b"


def test_replaced_library_table_keeps_identity(net):
    p = net.spawn("p", """
Handlers.list = { Handlers.list[1] }
package.loaded.json.extra = 7
string.shout = function(s) return s:upper() .. "!" end
""")
    pr, twin, _ = roundtrip(net, p, ping())
    assert twin.runtime.execute("return ('x'):shout(), require('json').extra") == ("X!", 7)


def test_token_and_staking_after_transfers(net):
    p = net.spawn("token", blueprint("token"))
    p.eval(blueprint("staking"))
    alice, bob = net.wallet("alice"), net.wallet("bob")
    net.send(p, action="Transfer", tags={"Recipient": alice.address, "Quantity": "5000"})
    net.send(p, action="Transfer", tags={"Recipient": bob.address, "Quantity": "300"},
             sender=net.user)
    net.send(p, action="Stake", tags={"Quantity": "100"}, sender=alice)
    pr, twin, _ = roundtrip(net, p, steps(
        ping("Transfer", Recipient=bob.address, Quantity="7"),
        ping("Balances"), ping("Stakers"),
    ))
    same_reads(pr, twin, "Balances", "Stakers", "TotalSupply")


def test_weak_tables_and_dead_coroutines(net):
    p = net.spawn("p", """
Cache = setmetatable({}, { __mode = "k" })
Keep = {}
Cache[Keep] = "kept"
Gen = coroutine.wrap(function() coroutine.yield(1) end)
Gen(); Gen()
Done = coroutine.create(function() end)
coroutine.resume(Done)
""")
    pr, twin, _ = roundtrip(net, p, ping())
    assert twin.runtime.execute("return Cache[Keep], coroutine.status(Done)") == ("kept", "dead")
    assert "dead coroutine" in twin.runtime.execute("return select(2, pcall(Gen))")


def test_restore_in_place_matches_a_network_that_never_restored():
    def run(restore_after):
        net = Network()
        p = net.spawn("token", blueprint("token"))
        out = []
        for i in range(6):
            if i == restore_after:
                pr = net.compute.runtimes[p.id]
                cp.restore(pr, cp.snapshot(pr))
            m = net.send(p, action="Transfer",
                         tags={"Recipient": net.wallet(f"w{i}").address, "Quantity": str(i + 1)})
            r = m.result
            out.append((r.output, r.error, [(x.target, x.data, x.tag_list) for x in r.messages]))
        return out, cp.digest(net.compute.runtimes[p.id])
    assert run(3) == run(-1)


# -- what cannot be checkpointed -----------------------------------------------------------------

def test_pending_receive_returns_none_with_a_reason(net):
    p = net.spawn("p", """
Handlers.add("wait", "Wait", function(m)
  local r = Receive({ Action = "Pong" })
  Got = r.Data
end)
""")
    pr = net.compute.runtimes[p.id]
    before = cp.digest(pr)
    net.send(p, action="Wait")
    blob, why = cp.capture(pr)
    assert blob is None and "suspended coroutine" in why and "Handlers.coroutines" in why
    assert cp.snapshot(pr) is None
    assert cp.digest(pr) != before  # a digest exists anyway
    net.send(p, action="Pong", data="late")
    assert p.get("Got") == "late"
    pr, twin, _ = roundtrip(net, p, ping())  # once resumed, the dead coroutine is fine
    assert twin.get("Got") == "late"


def test_digest_cannot_be_restored_when_it_holds_markers(net):
    p = net.spawn("p", "Co = coroutine.create(function() coroutine.yield() end) "
                       "coroutine.resume(Co)")
    pr = net.compute.runtimes[p.id]
    assert cp.snapshot(pr) is None
    blob, why = cp.capture(pr, digest=True)
    assert why is None
    with pytest.raises(Exception, match="digest, not a snapshot"):
        cp.restore(fresh_copy(pr), blob)


def test_snapshot_from_another_library_is_refused(net):
    p = net.spawn("p")
    blob = cp.snapshot(net.compute.runtimes[p.id])
    other = Network(library={"json": "return {}", "process": "return { handle = function() "
                                                              "return {} end }"})
    q = other.spawn("q")
    with pytest.raises(Exception, match="different library"):
        cp.restore(other.compute.runtimes[q.id], blob)


# -- digests ------------------------------------------------------------------------------------

MUTATIONS = [
    "X = 1",
    "X = 1.0",
    "X = '1'",
    "Counter = Counter + 1",
    "Counter = Counter + 0.0",
    "Nest.a.b = 3",
    "Nest.a.c = 2",
    "Nest.list[2] = 'z'",
    "Nest.list[#Nest.list + 1] = 'w'",
    "Nest.self = nil",
    "setmetatable(Nest, nil)",
    "setmetatable(Nest.a, { __index = Nest })",
    "Bump()",
    "Handlers.remove('inc')",
    "ao.reference = ao.reference + 1",
    "math.random()",
    "Nest.a, Nest.list = Nest.list, Nest.a",
    "Nest.f = function() return 1 end",
    "Nest.f = function() return 2 end",
]


def test_digest_is_the_hash_of_the_snapshot(net):
    import hashlib
    p = net.spawn("p", COUNTER)
    pr = net.compute.runtimes[p.id]
    assert cp.digest(pr) == hashlib.sha256(cp.snapshot(pr)).hexdigest()


def test_digest_changes_when_any_global_changes(net):
    p = net.spawn("p", COUNTER + """
Nest = setmetatable({ a = { b = 1, c = 2 }, list = { "x", "y" } }, { __index = Handlers })
Nest.self = Nest
do local hidden = 0; function Bump() hidden = hidden + 1 end end
""")
    pr = net.compute.runtimes[p.id]
    blob = cp.snapshot(pr)
    base = cp.digest(pr)
    seen = {base}
    for code in MUTATIONS:
        twin = fresh_copy(pr)
        cp.restore(twin, blob)
        assert cp.digest(twin) == base
        twin.runtime.execute(code)
        d = cp.digest(twin)
        if code == "Nest.a.c = 2":
            assert d == base  # no change
            continue
        assert d not in seen, code
        seen.add(d)


def test_rollback_then_attach_gives_the_state_before_the_error(net):
    p = net.spawn("p", COUNTER)
    net.send(p, action="Inc")
    pr = net.compute.runtimes[p.id]
    before = cp.snapshot(pr)
    assert p.eval("Counter = 99; error('boom')").error  # the CU rebuilt an unattached runtime
    assert cp.snapshot(net.compute.runtimes[p.id]) == before


def test_same_state_same_bytes_in_two_networks():
    def make():
        net = Network()
        p = net.spawn("p", COUNTER + """
K = {}
K[{ 1 }] = "one"; K[{ 2 }] = "two"; K[function() return 3 end] = "three"
Ring = {}; Ring.next = { prev = Ring }; Ring.next.next = Ring
""")
        net.send(p, action="Inc")
        return cp.snapshot(net.compute.runtimes[p.id])
    assert make() == make()


def pr_args(pr, action, data=""):
    """A message from the process owner, as the CU passes it to ProcessRuntime.evaluate."""
    owner = pr.env[1]
    last = pr.history[-1]
    return ("m" * 43, owner, owner, pr.env[0], data, last[5] + 1000, last[6], last[7] + 1,
            None, False, False, None, [("Action", action)])


DIRTY = """
-- everything a handler could disturb after the snapshot
Extra = { 1, 2, { deep = true } }
Count = nil
string.shout = function(s) return s:upper() end
table.insert(Handlers.list, 1, { name = "ghost", pattern = function() return false end,
  handle = function() end })
setmetatable(_G.Things, { __index = function() return "dirty" end })
Things.a = nil
package.loaded[".utils"].dirty = true
ao.id = "someone-else"
Handlers.remove("Inc")
local co = coroutine.create(function() coroutine.yield(1) end)
coroutine.resume(co)
Pending = co
math.random()
"""


def test_in_place_restore_equals_a_fresh_restore_however_dirty_the_state():
    net = Network()
    proc = net.spawn("p", code="""
      Things = { a = 1, b = { "x", "y" } }
      Count = 0
      Handlers.add("Inc", "Inc", function() Count = Count + 1 end)
    """)
    for _ in range(3):
        net.send(proc, "Inc")
    pr = net.compute.runtimes[proc.id]
    blob = cp.snapshot(pr)
    clean = cp.digest(pr)
    pr.runtime.execute(DIRTY, instructions=0)
    assert cp.digest(pr) != clean
    runtime_before = pr.runtime
    cp.restore(pr, blob, in_place=True)
    assert pr.runtime is runtime_before  # no new runtime was booted
    assert cp.digest(pr) == clean
    twin = fresh_copy(pr)
    cp.restore(twin, blob)
    assert cp.digest(twin) == clean
    # and both carry on identically
    net.send(proc, "Inc")
    assert proc.get("Count") == 4 and proc.get("string.shout") is None
    assert proc.get("Things.a") == 1 and proc.get("Extra") is None
    assert proc.get("ao.id") == proc.id


def test_a_rollback_reuses_the_runtime_and_keeps_the_state_exact():
    net = Network()
    proc = net.spawn("p", code="""
      Count = 0
      Handlers.add("Inc", "Inc", function(msg)
        Count = Count + 1
        Junk = { Count, string.rep("x", 100) }
        if msg.Fail then error("failed after changing state") end
      end)
    """)
    pr = net.compute.runtimes[proc.id]
    for i in range(200):
        net.send(proc, "Inc", tags={"Fail": "1"} if i % 10 == 9 else None)
    runtime = pr.runtime
    for i in range(200, 240):
        net.send(proc, "Inc", tags={"Fail": "1"} if i % 10 == 9 else None)
    assert pr.runtime is runtime  # rollbacks refilled the same runtime (a snapshot was near)
    assert proc.get("Count") == 216
    assert all(r.ok for r in net.verify())  # the replayed digest equals the live one


def test_repeated_snapshots_notice_every_change_to_library_tables(net):
    """A snapshot reuses what it wrote for library (boot) tables that did not change; any change
    to one, however small, must show: each snapshot equals one taken by a runtime that has never
    snapshotted before (its restored twin), and restores to the same state."""
    proc = net.spawn("lib", code='Handlers.add("Ping", "Ping", function(m) m.reply({}) end)')
    pr = net.compute.runtimes[proc.id]
    changes = [
        "Colors.red = 'RED'",                      # a string value
        "Colors.extra = 7",                        # a new key
        "Colors.extra = nil",                      # a key removed
        "Utils.answer = 1",                        # an integer...
        "Utils.answer = 1.0",                      # ...becomes the equal float
        "Utils.zero = 0.0",
        "Utils.zero = -0.0",                       # equal to 0.0, written differently
        "Handlers.utils.marker = {}",              # a table value
        "Handlers.utils.marker = {}",              # another, equal-looking table
        "string.shout = function(s) return s:upper() end",
        "ao.outbox.Output = 'changed'",
        "Colors[1] = true; Colors[2] = 'two'",     # array part
        "Colors[1] = false",
    ]
    previous = cp.snapshot(pr)
    for change in changes:
        assert proc.eval(change).error is None, change
        blob = cp.snapshot(pr)
        assert blob is not None and blob != previous, change
        twin = fresh_copy(pr)
        cp.restore(twin, blob)
        assert cp.snapshot(twin) == blob, change
        assert cp.snapshot(pr) == blob, change  # and again, with everything remembered
        previous = blob
    assert twin.get("Utils.answer") == 1.0 and twin.get("math.type(Utils.answer)") == "float"
    assert twin.get("1/Utils.zero < 0") is True


def test_a_seed_not_yet_drawn_from_survives_a_snapshot(net):
    """The first message seeds math.random, but the generator's state is only filled at the
    first draw: a snapshot taken before any draw restores to the same sequence."""
    p = net.spawn("dice", code="Handlers.add('Noop', 'Noop', function() end)")
    pr = net.compute.runtimes[p.id]
    blob = cp.snapshot(pr)
    twin = fresh_copy(pr)
    cp.restore(twin, blob)
    draws = "return math.random(1000000) .. ' ' .. math.random() .. ' ' .. math.random(5, 9)"
    restored = twin.runtime.execute(draws)
    assert restored == pr.runtime.execute(draws)
    same = Network()  # the same operations in another network: the same first draws
    again = same.spawn("dice", code="Handlers.add('Noop', 'Noop', function() end)")
    assert same.compute.runtimes[again.id].runtime.execute(draws) == restored
