"""CU and MU on their own, with a tiny stand-in process library instead of aos."""

import pytest

from ao_kernel import Network
from ao_kernel.units.process_runtime import ProcessRuntime

# A minimal library: `process.handle` keeps a counter, echoes Send/Spawn/Assign requests from
# the message Data, and fails on demand. It lets the units be tested without aos.
TINY = {
    "json": "return { encode = function(v) return tostring(v) end }",
    "process": """
local process = {}
Count = 0
function process.handle(msg, env)
  local out = { Messages = {}, Spawns = {}, Assignments = {}, Output = "" }
  Count = Count + 1
  local action
  for _, t in ipairs(msg.Tags) do if t.name == "Action" then action = t.value end end
  if action == "Fail" then return { Error = "failed on purpose" } end
  if action == "Raise" then error("raised on purpose") end
  if action == "Loop" then while true do end end
  if action == "Send" then
    out.Messages[1] = { Target = msg.Data, Data = "hello", Anchor = "1",
      Tags = { { name = "Action", value = "Hello" }, { name = "Type", value = "Message" } } }
  end
  if action == "Spawn" then
    out.Spawns[1] = { Data = "child", Anchor = "2",
      Tags = { { name = "Module", value = env.Module.Id }, { name = "Name", value = "kid" } } }
  end
  if action == "Assign" and msg.Target == env.Process.Id then
    out.Assignments[1] = { Processes = { msg.Data }, Message = msg.Id }
  end
  out.Output = { data = action or "", prompt = "> " }
  return out
end
return process
""",
}


@pytest.fixture
def net():
    return Network(library=TINY)


def test_process_runtime_rolls_back_every_kind_of_error():
    env = ("P" * 43, "O" * 43, [("Type", "Process")], "M" * 43, "O" * 43, [])
    rt = ProcessRuntime(TINY, env, memory_limit=16 << 20, instruction_limit=1_000_000)

    def args(action):
        return (None, "O", "O", "P", "", 0, 1, 0, None, False, False, None, [("Action", action)])

    assert rt.evaluate(args("Ok")).output == "Ok"
    assert rt.get("Count") == 1
    for action, text in [("Fail", "failed on purpose"), ("Raise", "raised on purpose"),
                         ("Loop", "instruction limit")]:
        res = rt.evaluate(args(action))
        assert text in res.error
        assert res.messages == [] and res.output == ""
        assert rt.get("Count") == 1
    assert rt.evaluate(args("Ok"), keep=False).output == "Ok"
    assert rt.get("Count") == 1
    assert len(rt.history) == 1


def test_get_converts_lua_values(net):
    p = net.spawn("p")
    p.eval("x")  # a message, so the library state exists
    rt = net.compute.runtimes[p.id]
    rt.runtime.execute("T = { 1, 2, { a = true } }; T.self = T; S = { [1] = 'a', [3] = 'c' }")
    assert p.get("T[3]") == {"a": True}
    assert p.get("T")["self"] == "<lua table (cycle)>"
    assert p.get("S") == {1: "a", 3: "c"}
    assert p.get("function() end") == "<lua function>"


def test_mu_pushes_with_provenance_tags(net):
    a, b = net.spawn("a"), net.spawn("b")
    m = net.send(a, action="Send", data=b.id)
    entry = m.result.messages[0]
    assert entry.tags == {"Action": "Hello", "Type": "Message"} and entry.anchor == "1"
    pushed = entry.pushed
    assert pushed.owner == net.mu and pushed.from_ == a.id and pushed.target == b.id
    tags = pushed.tags
    assert tags["From-Process"] == a.id and tags["Pushed-For"] == m.id
    assert tags["Type"] == "Message" and tags["Data-Protocol"] == "ao"
    assert pushed.slot == b.log[-1].slot and b.log[-1] is pushed
    assert a.tags["Authority"] == net.mu


def test_mu_is_first_in_first_out(net):
    net.auto_run = False
    a, b = net.spawn("a"), net.spawn("b")
    first = net.send(a, action="Send", data=b.id)
    second = net.send(b, action="Ok")
    assert [w.id for w in net.pending()][-2:] == [first.id, second.id]
    net.run()
    hello = first.result.messages[0].pushed
    assert second.slot < hello.slot  # queued before the push it made


def test_mu_spawns_children_and_tells_the_parent(net):
    parent = net.spawn("parent")
    m = net.send(parent, action="Spawn")
    child_msg = m.result.spawns[0].pushed
    child = net.process(child_msg.id)
    assert child.parent == parent.id and child.name == "kid"
    assert child.log[0].slot == 0 and child.log[0].data == "child"
    notice = parent.log[-1]
    assert notice.action == "Spawned" and notice.tags["Process"] == child.id
    assert notice.from_ == parent.id and notice.owner == net.mu


def test_mu_carries_assignments(net):
    a, b = net.spawn("a"), net.spawn("b")
    m = net.send(a, action="Assign", data=b.id)
    assigned = b.log[-1]
    assert assigned.id == m.id and assigned.target == a.id and assigned.kind == "assignment"
    assert m.result.assignments == [{"processes": [b.id], "message": m.id}]


def test_messages_frame_lists_every_evaluation(net):
    a = net.spawn("a")
    net.send(a, action="Fail")
    frame = net.messages()
    assert list(frame["kind"]) == ["process", "message"]
    assert frame["error"].iloc[-1] == "failed on purpose"


def test_reading_a_process_whose_spawn_is_queued_explains_itself(net):
    from ao_kernel import AoError

    net.auto_run = False
    p = net.spawn("later")
    with pytest.raises(AoError, match="spawn is still queued"):
        p.get("Count")
    net.run()
    assert p.get("Count") == 1


def test_error_message_is_the_plain_last_line():
    net = Network()
    p = net.spawn("p")
    res = p.eval("error('boom')")
    assert "\x1b[" in res.error
    assert res.error_message == '[string ".handlers"]:' + res.error_message.split(":", 2)[1] + \
        ': [string "aos"]:1: boom'
    assert "boom" in repr(res) and "\x1b" not in repr(res)


def test_deliveries_to_wallets_are_timestamped(net):
    a = net.spawn("a")
    alice = net.wallet("alice")
    net.advance("1-minute")
    net.send(a, action="Send", data=alice.address)
    delivered = alice.inbox[-1]
    assert delivered.timestamp == net.now and delivered.block_height == net.block_height


def test_tables_convert_to_dicts_in_a_fixed_key_order():
    orders = set()
    for _ in range(4):
        net = Network()
        p = net.spawn("p", code="T = { zeta = 1, alpha = 2, [3] = 'x', mid = { b = 1, a = 2 } }")
        value = p.get("T")
        orders.add((tuple(value), tuple(value["mid"])))
    assert orders == {((3, "alpha", "mid", "zeta"), ("a", "b"))}


def test_results_of_every_size_reach_the_host_intact():
    """The loader hands small results over as values and big ones as a table: same reading."""
    net = Network()
    code = """
Handlers.add("Many", "Many", function(msg)
  local n = tonumber(msg.Count)
  for i = 1, n do
    Send({ Target = msg.From, Action = "Item", Index = tostring(i), Data = "d" .. i })
  end
  Assign({ Processes = { "p1", "p2" }, Message = "m" .. n })
end)
"""
    proc = net.spawn("many", code=code)
    for count in (0, 1, 3, 600):
        res = proc.send("Many", tags={"Count": str(count)}).result
        assert res.error is None
        assert len(res.messages) == count
        for i, out in enumerate(res.messages, start=1):
            assert out.target == net.user.address
            assert out.data == f"d{i}"
            assert out.tag("Index") == str(i) and out.tag("Action") == "Item"
        assert res.assignments == [{"processes": ["p1", "p2"], "message": f"m{count}"}]


def test_evaluate_many_matches_one_by_one_evaluation():
    """Batches (many messages per Lua call) give the results, state, history and checkpoints
    of evaluating one by one; they stop after an error, which is rolled back."""
    env = ("P" * 43, "O" * 43, [("Type", "Process")], "M" * 43, "O" * 43, [])

    def runtime():
        return ProcessRuntime(TINY, env, memory_limit=16 << 20, instruction_limit=1_000_000,
                              checkpoint_every=50)

    def args(i, action):
        return (f"id{i}", "O", "O", "P", "Q" * (i % 3), i, 1, i, None, False, False, None,
                [("Action", action), ("N", str(i))])

    actions = ["Send" if i % 7 == 0 else "Ok" for i in range(140)]
    actions[90], actions[95], actions[120] = "Fail", "Raise", "Loop"
    batch = [args(i, a) for i, a in enumerate(actions)]

    one = runtime()
    singles = [one.evaluate(a) for a in batch]
    many = runtime()
    got, at = [], 0
    while at < len(batch):
        part = many.evaluate_many(batch[at:])
        assert part and all(r.error is None for r in part[:-1])  # stops only at an error
        got += part
        at += len(part)
    assert [(r.output, r.error is not None, r.messages) for r in got] == \
        [(r.output, r.error is not None, r.messages) for r in singles]
    assert [r.error for r in got if r.error] and \
        [r.error for r in got if r.error] == [r.error for r in singles if r.error]
    assert many.get("Count") == one.get("Count") == 137
    assert many.history == one.history
    assert sorted(many.checkpoints) == sorted(one.checkpoints) == [50, 100]
    assert many.digest() == one.digest()


def test_evaluate_many_with_aos_equals_live_results():
    net = Network()
    code = """
Handlers.add("Add", "Add", function(msg)
  Total = (Total or 0) + tonumber(msg.Amount)
  if Total % 5 == 0 then error("multiple of five") end
  msg.reply({ Action = "Added", Data = tostring(Total) })
end)
"""
    proc = net.spawn("adder", code=code)
    for i in range(40):
        proc.send("Add", tags={"Amount": str(i % 4 + 1)})
    live = net.compute.runtimes[proc.id]
    twin = live.state_at(0)
    rows = [m for m in proc.log]
    results = []
    todo = [net.messenger.cu_args(m) for m in rows]
    while len(results) < len(todo):
        results += twin.evaluate_many(todo[len(results):])
    assert [(r.error is None, r.output if r.error is None else "") for r in results] == \
        [(m.result.error is None, m.result.output if m.result.error is None else "")
         for m in rows]
    assert [t[:2] for r in results for t in r.messages] == \
        [(o.target, o.data) for m in rows for o in m.result.messages]
    assert twin.digest() == live.digest()
