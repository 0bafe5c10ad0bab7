"""The user-facing Python API of docs/api.md: the issue's example and the edge cases."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from scenario_helpers import addr

from ao_kernel import LuaError, Network

ADDRESS = re.compile(r"[A-Za-z0-9_-]{43}")

COUNTER = """
  Count = Count or 0
  Handlers.add("Inc", "Inc", function(msg)
    Count = Count + tonumber(msg.Tags.By or 1)
    msg.reply({ Action = "Count", Data = tostring(Count) })
  end)
"""


# ------------------------------------------------------------------------------------------
# The issue's example, as written
# ------------------------------------------------------------------------------------------


def test_issue_example():
    net = Network()
    alice = net.wallet("alice")
    counter = net.spawn("counter", owner=alice, code=COUNTER)
    m = net.send(counter, action="Inc", tags={"By": "2"}, sender=alice)
    assert m.result.ok
    assert m.result.messages[0].data == "2"
    assert m.result.messages[0].tags["Action"] == "Count"
    assert m.result.messages[0].target == alice.address
    r = counter.eval("Count")
    assert r.output == "2"
    assert counter.get("Count") == 2
    fired = net.advance("35-seconds")
    assert fired == []
    dry = net.dryrun(counter, action="Inc", sender=alice)
    assert dry.messages[0].data == "3"
    assert counter.get("Count") == 2
    df = net.messages()
    assert isinstance(df, pd.DataFrame)
    # Process message, the spawn code's Eval, Inc, Eval "Count"; the dry-run is not logged
    assert list(df["action"])[-2:] == ["Inc", "Eval"]
    assert len(df) == 4


def test_wallet_and_process_basics():
    net = Network()
    alice = net.wallet("alice")
    assert alice.name == "alice"
    assert ADDRESS.fullmatch(alice.address)
    assert str(alice) == alice.address
    assert net.wallet("alice").address == alice.address
    assert net.wallet("bob").address != alice.address
    assert net.user.address == net.wallet("user").address
    assert net.mu == "fcoN_xJeisVsPXA-trzVAuIiqO3ydLQxM-L4XbrQKzY"

    p = net.spawn("p")  # default owner: net.user
    assert ADDRESS.fullmatch(p.id)
    assert p.name == "p"
    assert addr(p.owner) == net.user.address
    assert net.process("p").id == p.id
    assert net.process(p.id).id == p.id
    assert [x.id for x in net.processes] == [p.id]
    first = p.log[0]
    assert first.tags["Type"] == "Process"
    assert first.tags["Name"] == "p"
    assert first.tags["Authority"] == net.mu
    assert first.owner == net.user.address
    m = net.send(p, action="Hi")  # default sender: net.user
    assert m.owner == net.user.address
    assert m.from_ == net.user.address
    assert m.target == p.id
    assert m.slot == 1
    assert net.now == 1735689600000 or net.now >= 1735689600000
    assert net.block_height >= 1_500_000


def test_process_send_and_inbox():
    net = Network()
    p = net.spawn("p")
    m = p.send(action="Hi", data="hello")
    assert m.target == p.id
    assert m.result is not None
    inbox = p.inbox
    assert isinstance(inbox, list)
    assert len(inbox) == 2
    assert isinstance(inbox[-1], dict)
    assert inbox[-1]["Data"] == "hello"


# ------------------------------------------------------------------------------------------
# Determinism
# ------------------------------------------------------------------------------------------


def _build(seed):
    net = Network(seed=seed)
    w = net.wallet("alice")
    p = net.spawn("p", owner=w, code=COUNTER)
    m = net.send(p, action="Inc", sender=w)
    out = m.result.messages[0].pushed
    return {
        "wallet": w.address,
        "process": p.id,
        "message": m.id,
        "pushed": out.id,
        "chain": [x.hash_chain for x in p.log],
        "stamps": [x.timestamp for x in p.log],
    }


def test_deterministic_ids_same_seed():
    assert _build(0) == _build(0)
    assert _build(7) == _build(7)


def test_ids_differ_with_another_seed():
    a, b = _build(0), _build(1)
    assert a["wallet"] != b["wallet"]
    assert a["process"] != b["process"]
    assert a["message"] != b["message"]
    assert a["pushed"] != b["pushed"]


def test_default_seed_is_zero():
    assert Network().wallet("alice").address == Network(seed=0).wallet("alice").address


# ------------------------------------------------------------------------------------------
# Tags
# ------------------------------------------------------------------------------------------


def test_tags_as_dict_and_as_pairs():
    net = Network()
    p = net.spawn("p")
    m = net.send(p, action="Go", tags={"A": "1", "N": 5})
    assert m.tags["A"] == "1"
    assert m.tags["N"] == "5"  # ints are converted
    assert m.tags["Action"] == "Go"
    assert isinstance(m.tags, dict)

    d = net.send(p, tags=[("Foo", "first"), ("Bar", "x"), ("Foo", "second")])
    assert d.tags["Foo"] == "first"  # first duplicate wins in the map
    pairs = [tuple(t) for t in d.tag_list]
    assert [v for k, v in pairs if k == "Foo"] == ["first", "second"]
    assert pairs.index(("Foo", "first")) < pairs.index(("Bar", "x")) < pairs.index(
        ("Foo", "second")
    )


def test_non_string_tag_value_raises_type_error_naming_the_tag():
    net = Network()
    p = net.spawn("p")
    n = len(p.log)
    with pytest.raises(TypeError, match="Weird"):
        net.send(p, action="Go", tags={"Weird": {"a": 1}})
    with pytest.raises(TypeError, match="Listy"):
        net.send(p, action="Go", tags=[("Listy", ["x"])])
    assert len(p.log) == n


# ------------------------------------------------------------------------------------------
# Clear errors
# ------------------------------------------------------------------------------------------


def test_unknown_process_names_it():
    net = Network()
    net.spawn("known")
    with pytest.raises(KeyError) as exc:
        net.process("no-such-process")
    assert "no-such-process" in str(exc.value)


def test_malformed_interval():
    net = Network()
    with pytest.raises(ValueError):
        net.advance("ten-seconds")


def test_spawn_syntax_error_names_the_line():
    net = Network()
    code = "x = 1\ny = 2\nz = = 3\nw = 4\n"
    with pytest.raises(LuaError) as exc:
        net.spawn("bad", code=code)
    assert re.search(r"(:3:|line 3)", str(exc.value)), str(exc.value)
    assert net.processes == []  # nothing was spawned


def test_spawn_runtime_error_raises():
    net = Network()
    with pytest.raises(LuaError) as exc:
        net.spawn("bad", code="x = 1\nerror('nope')\n")
    assert "nope" in str(exc.value)
    assert re.search(r"(:2:|line 2)", str(exc.value)), str(exc.value)


# ------------------------------------------------------------------------------------------
# Limits
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "loop",
    [
        "while true do end",
        "while true do pcall(function() while true do end end) end",
        "local co = coroutine.wrap(function() while true do end end) co()",
    ],
)
def test_instruction_limit(loop):
    net = Network(instruction_limit=2_000_000)
    p = net.spawn("p")
    r = p.eval(f'Spins = 0 Handlers.add("Spin", "Spin", function() Spins = 1 {loop} end)')
    assert r.error is None
    m = net.send(p, action="Spin")
    assert m.result.error is not None
    assert "instruction" in m.result.error.lower()
    assert "limit" in m.result.error.lower()
    assert p.get("Spins") == 0  # rolled back
    assert p.eval("1+1").output == "2"
    assert net.send(p, action="Spin").result.error is not None


def test_memory_limit():
    net = Network(memory_limit=64 * 1024 * 1024)
    p = net.spawn("p")
    r = p.eval(
        """
        Kept = "yes"
        Handlers.add("Hog", "Hog", function()
          Kept = "no"
          Hoard = {}
          local i = 0
          while true do i = i + 1 Hoard[i] = string.rep("x", 4096) .. i end
        end)
        """
    )
    assert r.error is None
    m = net.send(p, action="Hog")
    assert m.result.error is not None
    assert "memory" in m.result.error.lower()
    assert p.get("Kept") == "yes"
    assert p.get("Hoard") is None
    assert p.eval("1+1").output == "2"


# ------------------------------------------------------------------------------------------
# Rollback
# ------------------------------------------------------------------------------------------

ROLLBACK = """
G = "orig"
Handlers.add("Bad", "Bad", function(msg)
  G = "changed"
  math.random() math.random() math.random(1, 10)
  Send({{Target = "{q}", Action = "Hi"}})
  error("boom")
end)
Handlers.add("Good", "Good", function(msg)
  Send({{Target = "{q}", Action = "Hi"}})
  print(tostring(math.random(1, 1000000000)) .. " " .. tostring(math.random()))
end)
"""


def _rollback_run(with_bad: bool):
    net = Network()
    q = net.spawn("q")
    p = net.spawn("p", code=ROLLBACK.format(q=q.id))
    q_len = len(q.log)
    bad = None
    if with_bad:
        bad = net.send(p, action="Bad")
        assert len(q.log) == q_len  # nothing pushed
    good = net.send(p, action="Good")
    return p, bad, good


def test_rollback_restores_globals_reference_and_rng():
    p, bad, good = _rollback_run(with_bad=True)
    assert bad.result.error is not None and "boom" in bad.result.error
    assert bad.result.messages == []
    assert bad.result.output == ""
    assert p.get("G") == "orig"
    _, _, control = _rollback_run(with_bad=False)
    assert good.result.error is None
    assert good.result.output == control.result.output
    assert good.result.messages[0].tags["Reference"] == "1"
    assert control.result.messages[0].tags["Reference"] == "1"


# ------------------------------------------------------------------------------------------
# Manual cranking
# ------------------------------------------------------------------------------------------

PING = 'Handlers.add("Ping", "Ping", function(msg) msg.reply({Action = "Pong", Data = "pong"}) end)'
GO = """
Handlers.add("Go", "Go", function(msg) Send({{Target = "{p}", Action = "Ping"}}) end)
Handlers.add("Pong", "Pong", function(msg) GotPong = msg.Data end)
"""


def test_manual_crank():
    net = Network(auto_run=False)
    p = net.spawn("p")
    q = net.spawn("q")
    assert len(net.pending()) >= 2
    assert net.run() >= 2
    assert net.pending() == []
    net.send(p, action="Eval", data=PING)
    net.send(q, action="Eval", data=GO.format(p=p.id))
    assert net.run() == 2

    m = net.send(q, action="Go")
    assert m.result is None
    assert len(net.pending()) == 1
    s = net.step()
    assert s is not None and s.id == m.id
    assert s.result is not None and s.result.error is None
    assert m.result is not None
    assert len(net.pending()) == 1  # the Ping pushed to p waits
    assert q.get("GotPong") is None
    assert net.run() == 2  # Ping at p, Pong at q
    assert net.step() is None
    assert q.get("GotPong") == "pong"


def test_run_limit():
    net = Network(auto_run=False)
    net.spawn("a")
    net.spawn("b")
    net.spawn("c")
    assert net.run(limit=2) == 2
    assert len(net.pending()) == 1
    assert net.run() == 1


# ------------------------------------------------------------------------------------------
# Dry-run, messages(), process-to-process, spawn
# ------------------------------------------------------------------------------------------


def test_dryrun_changes_nothing():
    net = Network()
    alice = net.wallet("alice")
    c = net.spawn("counter", owner=alice, code=COUNTER)
    net.send(c, action="Inc", sender=alice)
    slots = len(c.log)
    rows = len(net.messages())
    now = net.now
    r = net.dryrun(c, action="Inc", tags={"By": "10"}, sender=alice)
    assert r.error is None
    assert r.messages[0].data == "11"
    assert len(c.log) == slots
    assert len(net.messages()) == rows
    assert c.get("Count") == 1
    assert net.now == now
    m = net.send(c, action="Inc", sender=alice)
    assert m.slot == slots
    assert m.result.messages[0].data == "2"


def test_messages_dataframe():
    net = Network()
    p = net.spawn("p", tags=[("Cron-Interval", "10-seconds"), ("Cron-Tag-Action", "Tick")])
    net.send(p, action="Hi", data="hello")
    net.advance("25-seconds")
    df = net.messages()
    documented = [
        "id", "slot", "timestamp", "block_height", "target", "from", "owner", "action",
        "data", "tags", "output", "error", "cron", "kind",
    ]
    # every documented column, in the documented order (extra columns are allowed)
    assert [c for c in df.columns if c in documented] == documented
    assert len(df) == 4
    assert list(df["slot"])[:2] == [0, 1]
    assert list(df["action"])[1:] == ["Hi", "Tick", "Tick"]
    assert list(df["cron"]) == [False, False, True, True]
    assert df.iloc[1]["data"] == "hello"
    assert df.iloc[1]["target"] == p.id
    assert df.iloc[0]["id"] == p.id
    assert sum(len(x.log) for x in net.processes) == len(df)


def test_process_to_process_ping_pong():
    net = Network()
    p = net.spawn("p", code=PING)
    q = net.spawn("q", code=GO.format(p=p.id))
    go = net.send(q, action="Go")
    assert go.result.error is None
    assert go.result.messages[0].tags["Action"] == "Ping"
    ping = go.result.messages[0].pushed
    assert ping.target == p.id
    assert ping.from_ == q.id
    assert ping.owner == net.mu
    assert ping.tags["From-Process"] == q.id
    assert ping.tags["From-Module"] == q.log[0].tags["Module"]
    assert ping.tags["Pushed-For"] == go.id
    assert ping.pushed_for == go.id
    assert ping.slot is not None
    assert ping.result is not None and ping.result.error is None

    at_p = p.log[-1]
    assert at_p.id == ping.id
    assert at_p.tags["Action"] == "Ping"
    assert at_p.from_ == q.id
    pong = at_p.result.messages[0].pushed
    assert pong.target == q.id
    assert pong.from_ == p.id
    assert pong.tags["From-Process"] == p.id
    assert pong.tags["Pushed-For"] == go.id
    assert pong.tags["X-Reference"] == ping.tags["Reference"]
    assert q.log[-1].id == pong.id
    assert q.get("GotPong") == "pong"


def test_messages_to_wallets_are_not_scheduled():
    net = Network()
    alice = net.wallet("alice")
    c = net.spawn("counter", owner=alice, code=COUNTER)
    m = net.send(c, action="Inc", sender=alice)
    reply = m.result.messages[0]
    assert reply.target == alice.address
    assert reply.slot is None
    assert reply.result is None


def test_spawn_from_a_process():
    net = Network()
    parent = net.spawn("parent")
    r = parent.eval(f'Spawn({{Name = "child", Authority = "{net.mu}"}})')
    assert r.error is None
    assert len(r.spawns) == 1
    child = net.process(r.spawns[0].pushed.id)
    assert child.log[0].slot == 0
    assert child.log[0].tags["Type"] == "Process"
    assert child.log[0].tags["From-Process"] == parent.id
    assert child.get("Owner") == parent.id
    assert child in net.processes
    notes = [m for m in parent.log if m.tags.get("Action") == "Spawned"]
    assert len(notes) == 1
    assert notes[0].tags["Process"] == child.id
    assert notes[0].from_ == parent.id


# ------------------------------------------------------------------------------------------
# Clock and cron
# ------------------------------------------------------------------------------------------


def test_advance_moves_clock_and_blocks():
    net = Network()
    t0, h0 = net.now, net.block_height
    assert net.advance("2-blocks") == []
    assert net.block_height == h0 + 2
    assert net.now == t0 + 240_000
    assert net.advance(5000) == []
    assert net.now == t0 + 245_000
    net.advance("10-minutes")
    assert net.now == t0 + 845_000
    assert net.block_height == h0 + 845_000 // 120_000


def test_time_cron():
    net = Network()
    p = net.spawn("p", tags=[("Cron-Interval", "1-minute"), ("Cron-Tag-Action", "Tick")])
    t0 = p.log[0].timestamp
    fired = net.advance("330-seconds")
    assert [m.timestamp - t0 for m in fired] == [60_000 * k for k in range(1, 6)]
    assert all(m.cron and m.tags["Action"] == "Tick" and m.result is not None for m in fired)
    assert all(m.target == p.id for m in fired)
    assert [m.timestamp for m in p.log if m.cron] == [m.timestamp for m in fired]
    assert net.advance("20-seconds") == []


def test_block_cron():
    net = Network()
    p = net.spawn("p", tags=[("Cron-Interval", "3-blocks"), ("Cron-Tag-Action", "Blk")])
    h0 = p.log[0].block_height
    fired = net.advance("10-blocks")
    assert [m.block_height - h0 for m in fired] == [3, 6, 9]
    assert all(m.tags["Action"] == "Blk" for m in fired)


def test_cron_handler_runs():
    net = Network()
    p = net.spawn(
        "p",
        tags=[("Cron-Interval", "10-seconds"), ("Cron-Tag-Action", "Tick")],
        code='Ticks = 0 Handlers.add("Tick", "Tick", function() Ticks = Ticks + 1 end)',
    )
    net.advance("1-minute")
    assert p.get("Ticks") == 6 or p.get("Ticks") == 5
    fired = net.advance("30-seconds")
    assert len(fired) == 3


# ------------------------------------------------------------------------------------------
# Sandbox
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expr",
    [
        "type(io)",
        "type(os.execute)",
        "type(os.exit)",
        "type(os.remove)",
        "type(python)",
        "type(debug.getregistry)",
        "type(debug.sethook)",
        "type(loadfile)",
        "type(dofile)",
    ],
)
def test_sandbox_globals_unavailable(expr):
    p = Network().spawn("p")
    r = p.eval(expr)
    assert r.error is None
    assert r.output == "nil"


def test_sandbox_require_os():
    p = Network().spawn("p")
    r = p.eval(
        'local ok, m = pcall(require, "os") '
        "return tostring(ok and type(m) == 'table' and m.execute ~= nil)"
    )
    assert r.error is None
    assert r.output == "false"
    r2 = p.eval('local ok = pcall(require, "io") return tostring(ok)')
    assert r2.output == "false"
    r3 = p.eval('require("os").execute("echo hacked")')
    assert r3.error is not None


def test_sandbox_no_binary_chunks():
    p = Network().spawn("p")
    r = p.eval('local f, err = load("\\27Lua") return tostring(f)')
    assert r.error is None
    assert r.output == "nil"


def test_memory_limit_tag_sets_a_per_process_limit():
    net = Network()
    small = net.spawn("small", tags={"Memory-Limit": "8-mb"}, code="X = 1")
    big = net.spawn("big", code="X = 1")
    hog = "local t = {} for i = 1, 4e5 do t[i] = string.rep('x', 40) .. i end Kept = #t"
    assert "memory limit" in small.eval(hog).error
    assert big.eval(hog).error is None
    assert small.get("X") == 1 and big.get("Kept") == 400000


def test_binary_and_invalid_utf8_survive_the_round_trip():
    net = Network()
    echo = net.spawn("echo", code="""
      Handlers.add("Echo", "Echo", function(msg)
        msg.reply({ Action = "Echoed", Data = msg.Data, Size = tostring(#msg.Data) })
      end)
      Handlers.add("Bin", "Bin", function(msg)
        Blob = string.char(0, 200, 255, 65) .. json.decode('"\\\\ud83d"')
        msg.reply({ Action = "Blob", Data = Blob })
      end)
      json = require("json")
    """)
    m = net.send(echo, action="Bin")
    blob = m.result.messages[0].data
    assert blob.encode("utf-8", "surrogateescape") == b"\x00\xc8\xffA\xed\xa0\xbd"
    r = net.send(echo, action="Echo", data=blob)
    assert r.result.messages[0].data == blob and r.result.messages[0].tags["Size"] == "7"
    assert echo.get("Blob") == blob
    assert echo.eval("error(Blob)").error.endswith(blob)
    assert net.send(echo, action="Echo", data="héllo ✓").result.messages[0].data == "héllo ✓"
    # Hangul syllables are encoded with an ED lead byte too, but they are not surrogates
    assert net.send(echo, action="Echo", data="한국어").result.messages[0].data == "한국어"


def test_tag_values_with_raw_bytes_reach_the_process_byte_for_byte():
    net = Network()
    echo = net.spawn("echo", code="""
      Handlers.add("Tag", "Tag", function(msg)
        msg.reply({ Action = "Tagged", Bytes = tostring(#msg.Raw), Raw = msg.Raw })
      end)
    """)
    raw = b"\xff\x00ok\xc3".decode("utf-8", "surrogateescape")
    reply = net.send(echo, action="Tag", tags={"Raw": raw, "Plain": "é"}).result.messages[0]
    assert reply.tags["Bytes"] == "5" and reply.tags["Raw"] == raw


def test_raw_bytes_that_would_join_into_text_stay_raw_bytes():
    """A result's strings are checked for raw bytes all at once: a string ending in half of a
    UTF-8 sequence, followed by one starting with its other half, must not pass as text."""
    net = Network()
    p = net.spawn("p", code="""
      Handlers.add("Split", "Split", function(msg)
        msg.reply({ Action = "Halves", Z = string.char(195), [string.char(169)] = "v" })
      end)
    """)
    reply = net.send(p, action="Split").result.messages[0]
    half, other = (b"\xc3".decode("utf-8", "surrogateescape"),
                   b"\xa9".decode("utf-8", "surrogateescape"))
    assert reply.tags["Z"] == half and reply.tags[other] == "v"
    assert net.verify()[0].ok  # the live state after such an export equals its replay


def test_raw_bytes_in_long_results_and_in_batches_come_back_as_bytes():
    """Bytes that are not text come back as bytes in a long result (read from a Lua table
    rather than as values) and in a batch of messages evaluated in one call (verify), next to
    results that are text."""
    net = Network()
    p = net.spawn("p", code="""
      Handlers.add("Many", "Many", function(msg)
        local out = { Action = "Many" }
        for i = 1, 2100 do out["T" .. i] = "v" .. i end
        out.T7 = "x" .. string.char(255)
        msg.reply(out)
      end)
      Handlers.add("Plain", "Plain", function(msg) msg.reply({ Action = "Plain" }) end)
      Handlers.add("Raw", "Raw", function(msg) msg.reply({ Data = string.char(200) }) end)
    """)
    reply = net.send(p, action="Many").result.messages[0]
    assert reply.tags["T7"] == b"x\xff".decode("utf-8", "surrogateescape")
    assert reply.tags["T2100"] == "v2100"
    for action in ["Plain", "Raw", "Plain"] * 3:
        net.send(p, action=action)
    raws = [m.result.messages[0].data for m in p.log if m.tags.get("Action") == "Raw"]
    assert raws == [b"\xc8".decode("utf-8", "surrogateescape")] * 3
    assert net.verify()[0].ok


def test_changes_to_the_non_extractable_tags_apply_from_the_next_message():
    net = Network()
    p = net.spawn("p", code="""
      Handlers.add("Look", "Look", function(msg) Seen = msg.Colour or "-" end)
    """)
    net.send(p, action="Look", tags={"Colour": "red"})
    assert p.get("Seen") == "red"
    p.eval('table.insert(ao.nonExtractableTags, "Colour")')
    net.send(p, action="Look", tags={"Colour": "blue"})
    assert p.get("Seen") == "-"
    p.eval('ao.nonExtractableTags = { "Data-Protocol" }')
    net.send(p, action="Look", tags={"Colour": "green"})
    assert p.get("Seen") == "green"


def test_processes_are_found_by_name_and_shared_names_explain_themselves():
    from ao_kernel import UnknownProcess

    net = Network()
    first = net.spawn("twin")
    net.spawn("twin")
    solo = net.spawn("solo")
    assert net.process("solo").id == solo.id
    assert net.send("solo", action="Ping").process == solo.id
    with pytest.raises(UnknownProcess, match="more than one process is named 'twin'; use its id"):
        net.process("twin")
    assert net.process(first.id).id == first.id
    known = r"unknown process 'nobody' \(known names: solo, twin\)"
    with pytest.raises(UnknownProcess, match=known):
        net.process("nobody")
