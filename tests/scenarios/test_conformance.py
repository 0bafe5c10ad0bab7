"""Conformance scenarios 1-46 of spec/aos-behaviour.md section 8, driven through the public API.

Each test builds a fresh `Network()` (fixtures in conftest.py) and uses only what docs/api.md
documents. Tags are compared as maps; exact strings (with ANSI colours) where the spec gives them.
"""

from __future__ import annotations

import re
import time

from scenario_helpers import (
    BLUE,
    GRAY,
    MT19937,
    PATTERN_INVALID,
    RED,
    RESET,
    TOTAL_SUPPLY,
    WARN_NO_TARGET,
    addr,
    aos_seed,
    assert_tags_include,
    blueprint,
    hash_chain_seed,
    lua_number,
    mu_send,
    new_message_line,
    prompt,
    replies,
)

from ao_kernel import Network

# ------------------------------------------------------------------------------------------
# Spawn, boot, ownership
# ------------------------------------------------------------------------------------------


def test_s01_spawn(net, owner):
    p = net.spawn("N", owner=owner)
    first = p.log[0]
    assert first.slot == 0
    assert first.id == p.id
    assert first.result.error is None
    assert first.result.output == ""
    assert first.result.messages == []
    assert p.get("#Inbox") == 1
    assert p.get("Inbox[1].Id") == p.id
    assert p.get("Owner") == owner.address
    assert p.get("Name") == "N"
    unnamed = net.spawn(owner=owner)
    assert unnamed.get("Name") == "aos"


def test_s02_on_boot_data(net, owner):
    p = net.spawn("N", owner=owner, tags={"On-Boot": "Data"}, data='X=1 print("booting")')
    res = p.log[0].result
    assert res.error is None
    assert res.output == "booting"
    assert p.get("X") == 1


def test_s03_from_process_sets_owner(net, owner):
    q = net.wallet("Q")
    # Pushed by the MU on behalf of Q (as when Q spawns P): From = Q, Owner = MU.
    p = net.spawn("N", owner=net.mu, tags={"From-Process": q.address})
    assert p.get("Owner") == q.address
    inbox = p.get("#Inbox")
    m = net.send(p, action="Eval", data="Touched = true", sender=owner)
    assert m.result.error is None
    assert m.result.output == new_message_line(owner.address, action="Eval")
    assert p.get("Touched") is None
    assert p.get("#Inbox") == inbox + 1
    assert p.get("Inbox[#Inbox].Id") == m.id


def test_s04_eval_expression(proc, owner):
    r = proc.eval("1+1", sender=owner)
    assert r.error is None
    assert r.output == "2"
    assert "[Inbox:" in r.prompt
    assert r.prompt == prompt("N", 1)


def test_s05_print(proc):
    assert proc.eval('print("one") print("two")').output == "one\ntwo"
    assert proc.eval('print("a","b")').output == "a"
    assert proc.eval("print(5)").output == "\x1b[32m5\x1b[0m"
    # spec 2.2: booleans BLUE, nil RED "nil"
    assert proc.eval("print(true)").output == f"{BLUE}true{RESET}"
    assert proc.eval("print(nil)").output == f"{RED}nil{RESET}"


# ------------------------------------------------------------------------------------------
# Errors and rollback
# ------------------------------------------------------------------------------------------


def test_s06_eval_syntax_error(proc, install):
    install("Keep = 1")
    inbox = proc.get("#Inbox")
    r = proc.eval("x = (")
    assert r.error is not None
    assert r.error.startswith('[string "aos"]:1:'), r.error
    assert r.messages == []
    assert proc.get("x") is None
    assert proc.get("Keep") == 1
    assert proc.get("#Inbox") == inbox


def test_s07_eval_runtime_error(proc):
    r = proc.eval("100 < nil")
    assert r.error is not None
    assert "error:" in r.error
    assert "attempt to compare number with nil" in r.error
    # logs, a blank line, red "error:" on its own line, reset, then the message
    assert re.search(
        re.escape(f"\n\n{RED}error:\n{RESET}") + ".*attempt to compare number with nil",
        r.error,
        re.S,
    ), repr(r.error)


def test_s08_eval_returns_error(proc):
    r = proc.eval('return nil,"oops"')
    assert r.error == "oops"


def test_s09_handler_error_rolls_back(net, proc, install):
    q = net.spawn("Q")
    install(
        f"""
        G = "orig"
        Handlers.add("Bad", "Bad", function(msg)
          G = "changed"
          Send({{Target = "{q.id}", Action = "Hi"}})
          error("boom")
        end)
        """
    )
    q_log = len(q.log)
    m = net.send(proc, action="Bad")
    r = m.result
    assert r.error is not None and "boom" in r.error
    assert r.messages == []
    assert r.spawns == []
    assert r.assignments == []
    assert r.output == ""
    assert proc.get("G") == "orig"
    assert len(q.log) == q_log


# ------------------------------------------------------------------------------------------
# Outbox: Send, Spawn, Assign
# ------------------------------------------------------------------------------------------


def test_s10_send_tags_and_reference(net, proc, owner, module_id):
    m = net.send(
        proc,
        action="Eval",
        sender=owner,
        data='Send({Target="T",Action="Ping",Data="hi",Tags={X="1"}}) '
        "print(ao.outbox.Messages[1].Anchor)",
    )
    r = m.result
    assert r.error is None
    assert r.output == "0" * 31 + "1"
    assert len(r.messages) == 1
    out = r.messages[0]
    assert out.target == "T"
    assert out.data == "hi"
    assert out.anchor == "0" * 31 + "1"
    # the outbox entry as the process made it (the CU's result, spec 1.4)
    assert out.tags == {
        "Data-Protocol": "ao",
        "Variant": "ao.TN.1",
        "Type": "Message",
        "Reference": "1",
        "Action": "Ping",
        "X": "1",
    }
    # the message the MU signed and carried (spec 1.3)
    pushed = out.pushed
    assert pushed.from_ == proc.id
    assert pushed.owner == net.mu
    assert pushed.tags == {
        "Data-Protocol": "ao",
        "Variant": "ao.TN.1",
        "Type": "Message",
        "Reference": "1",
        "Action": "Ping",
        "X": "1",
        "From-Process": proc.id,
        "From-Module": module_id,
        "Pushed-For": m.id,
    }
    r2 = proc.eval('Send({Target="T",Action="Ping"})')
    assert r2.messages[0].tags["Reference"] == "2"


def test_s11_send_table_data_is_json(proc):
    r = proc.eval('Send({Target="T", Data={a=1}})')
    assert r.error is None
    out = r.messages[0]
    assert out.data == '{"a":1}'
    assert out.tags["Content-Type"] == "application/json"


def test_s12_send_without_target(net, proc):
    rows = len(net.messages())
    r = proc.eval('Send({Data="lost"})')
    assert r.error is None
    assert WARN_NO_TARGET in r.output
    # nothing is delivered: the MU drops Target-less messages (none gets a target or a slot)
    for m in r.messages:
        assert not m.target
        assert m.slot is None
        assert m.result is None
    assert len(net.messages()) == rows + 1  # only the Eval itself was evaluated


def test_s13_spawn_tags(net, proc, owner, module_id):
    m = net.send(proc, action="Eval", data='Spawn("MODX", {Name="c"})', sender=owner)
    r = m.result
    assert r.error is None
    assert len(r.spawns) == 1
    assert r.spawns[0].tags["From-Process"] == proc.id  # set by ao.spawn itself
    assert_tags_include(
        r.spawns[0].pushed.tags,
        {
            "Data-Protocol": "ao",
            "Type": "Process",
            "From-Process": proc.id,
            "From-Module": module_id,
            "Module": "MODX",
            "Name": "c",
            "Variant": "ao.TN.1",
            "Pushed-For": m.id,
        },
    )
    r2 = proc.eval("Spawn({})")
    assert r2.error is None
    assert len(r2.spawns) == 1
    assert r2.spawns[0].tags["Module"] == module_id
    assert r2.spawns[0].tags["Type"] == "Process"
    assert r2.spawns[0].data == "NODATA"


def test_s14_assign(proc):
    r = proc.eval('Assign({Processes={"p1"},Message="m1"})')
    assert r.error is None
    assert r.assignments == [{"processes": ["p1"], "message": "m1"}]
    assert "Assignment added to outbox." in r.output


# ------------------------------------------------------------------------------------------
# Trust
# ------------------------------------------------------------------------------------------


def test_s15_untrusted_message(net, proc, install):
    install("Hit = false Handlers.add('All', function() return true end, function() Hit = 1 end)")
    x = net.wallet("X")
    y = net.wallet("Y")
    inbox = proc.get("#Inbox")
    m = net.send(proc, action="Hello", tags={"From-Process": x.address}, sender=y)
    assert m.from_ == x.address
    assert m.owner == y.address
    assert m.result.error is None
    assert m.result.output == f"Message is not trusted! From: {x.address} - Owner: {y.address}"
    assert m.result.messages == []
    assert proc.get("Hit") is False  # the handler would set it to 1
    assert proc.get("#Inbox") == inbox


def test_s16_authority_list(net, owner):
    a, b, q = net.wallet("A"), net.wallet("B"), net.wallet("Q")
    p = net.spawn("N", owner=owner, tags={"Authority": f"{a.address},{b.address}"})
    auths = p.get("ao.authorities")
    assert isinstance(auths, list)
    assert sorted(x for x in auths if x != net.mu) == sorted([a.address, b.address])
    assert len(auths) == len(set(auths))
    inbox = p.get("#Inbox")
    m = net.send(p, action="Hi", tags={"From-Process": q.address}, sender=b)
    assert m.result.error is None
    assert m.result.output == new_message_line(q.address, action="Hi")
    assert p.get("#Inbox") == inbox + 1

    # A process whose only Authority tag is "A,B" (spawned by P, so no MU authority).
    r = p.eval(f'Spawn({{Name = "ab", Authority = "{a.address},{b.address}"}})')
    assert r.error is None
    child = net.process(r.spawns[0].pushed.id)
    assert child.get("#ao.authorities") == 2
    assert child.get("ao.authorities") == [a.address, b.address]
    m = net.send(child, action="Hi", tags={"From-Process": q.address}, sender=b)
    assert m.result.error is None
    assert m.result.output == new_message_line(q.address, action="Hi")
    assert child.get("Inbox[#Inbox].Id") == m.id


# ------------------------------------------------------------------------------------------
# Handlers
# ------------------------------------------------------------------------------------------


def test_s17_unmatched_goes_to_inbox(net, proc, user):
    inbox = proc.get("#Inbox")
    action = "AnExtremelyLongActionNameForTesting"
    m = net.send(proc, action=action, sender=user)
    assert m.result.output == new_message_line(user.address, action=action)
    assert action[:20] in m.result.output and action[:21] not in m.result.output
    n = net.send(proc, data="ping", sender=user)
    u = user.address
    assert n.result.output == (
        f"{GRAY}New Message From \x1b[32m{u[:3]}...{u[-3:]}{GRAY}: {GRAY}Data = {BLUE}ping{RESET}"
    )
    assert proc.get("#Inbox") == inbox + 2
    assert proc.get("Inbox[#Inbox].Data") == "ping"


def test_s18_table_pattern_case_insensitive(net, proc, install, user):
    install("Handlers.add('Hello', {Action = 'hello'}, function(msg) print('hit') end)")
    assert net.send(proc, action="HELLO", sender=user).result.output == "hit"
    m = net.send(proc, tags={"action": "hello"}, sender=user)
    assert m.result.output == "hit"


def test_s19_string_pattern_exact(net, proc, install, user):
    install("Handlers.add('Shout', 'Shout', function(msg) print('loud') end)")
    assert net.send(proc, action="Shout", sender=user).result.output == "loud"
    m = net.send(proc, action="shout", sender=user)
    assert m.result.output == new_message_line(user.address, action="shout")


def test_s20_pattern_returning_nil(net, proc, install, user):
    install("Handlers.add('Nil', function(msg) return nil end, function(msg) end)")
    m = net.send(proc, action="Anything", sender=user)
    assert m.result.error is not None
    assert PATTERN_INVALID in m.result.error


def test_s21_continue_handler(net, proc, install, user):
    install("Handlers.add('Log', function() return 'continue' end, function() print('log') end)")
    inbox = proc.get("#Inbox")
    m = net.send(proc, action="Other", sender=user)
    assert m.result.output == "log\n" + new_message_line(user.address, action="Other")
    assert proc.get("#Inbox") == inbox + 1


def test_s22_max_runs(net, proc, install, user):
    install("Handlers.add('Twice', 'Twice', function() print('ran') end, 2)")
    inbox = proc.get("#Inbox")
    assert net.send(proc, action="Twice", sender=user).result.output == "ran"
    assert net.send(proc, action="Twice", sender=user).result.output == "ran"
    assert proc.get("#Inbox") == inbox
    third = net.send(proc, action="Twice", sender=user)
    assert third.result.output == new_message_line(user.address, action="Twice")
    assert proc.get("#Inbox") == inbox + 1


def test_s23_once_then_after(net, proc, install, user):
    install(
        """
        Handlers.once("A", function() return "continue" end, function() print("A") end)
        Handlers.after("A").add("B", function() return "continue" end, function() print("B") end)
        """
    )
    line = new_message_line(user.address, action="Go")
    first = net.send(proc, action="Go", sender=user)
    assert first.result.output == "A\n" + line
    second = net.send(proc, action="Go", sender=user)
    assert second.result.output == "B\n" + line


def test_s24_resolver_table(net, proc, install, user):
    install(
        """
        Handlers.add("Res", "Res", {
          [function(msg) return msg.Tags.Kind == "a" end] = function(msg) print("kind a") end,
          [function(msg) return msg.Tags.Kind == "b" end] = function(msg) print("kind b") end,
        })
        """
    )
    inbox = proc.get("#Inbox")
    assert net.send(proc, action="Res", tags={"Kind": "a"}, sender=user).result.output == "kind a"
    assert net.send(proc, action="Res", tags={"Kind": "b"}, sender=user).result.output == "kind b"
    m = net.send(proc, action="Res", tags={"Kind": "c"}, sender=user)
    assert m.result.error is None
    assert m.result.output == ""
    assert proc.get("#Inbox") == inbox


# ------------------------------------------------------------------------------------------
# reply / forward / receive
# ------------------------------------------------------------------------------------------


def test_s25_reply(net, proc, install, user):
    install("Handlers.add('Rep', 'Rep', function(msg) msg.reply({Data = 'pong'}) end)")
    m = net.send(proc, action="Rep", tags={"Reference": "7"}, sender=user)
    assert m.result.error is None
    assert len(m.result.messages) == 1
    out = m.result.messages[0]
    assert out.target == user.address
    assert out.data == "pong"
    assert out.tags["X-Reference"] == "7"
    r = net.wallet("R")
    m2 = net.send(
        proc, action="Rep", tags={"Reply-To": r.address, "X-Reference": "3"}, sender=user
    )
    out2 = m2.result.messages[0]
    assert out2.target == r.address
    assert out2.tags["X-Reference"] == "3"


def test_s26_forward(net, proc, install, user):
    n = net.wallet("N-target")
    install(
        f"Handlers.add('Fwd', 'Fwd', function(msg) msg.forward('{n.address}', {{Extra = 'e'}}) end)"
    )
    m = net.send(proc, action="Fwd", tags={"Reference": "9", "Custom": "c"}, sender=user)
    assert m.result.error is None
    assert len(m.result.messages) == 1
    out = m.result.messages[0]
    assert out.target == n.address
    assert_tags_include(
        out.tags,
        {
            "X-Reference": "9",
            "X-Origin": user.address,
            "Reply-To": user.address,
            "Custom": "c",
            "Action": "Fwd",
            "Extra": "e",
            "Reference": "1",
        },
    )
    for dropped in ("Nonce", "Timestamp", "Block-Height", "Hash-Chain", "Epoch", "Id", "Cron"):
        assert dropped not in out.tags, dropped


def test_s27_send_receive(net, proc, install, user):
    o2 = net.wallet("O2")
    install(
        f"""
        Handlers.add("Ask", "Ask", function(msg)
          local answer = ao.send({{Target = "{o2.address}", Action = "Question"}}).receive()
          print("got " .. answer.Data)
          msg.reply({{Data = "answer " .. answer.Data}})
        end)
        """
    )
    ask = net.send(proc, action="Ask", sender=user)
    assert ask.result.error is None
    assert len(ask.result.messages) == 1
    q = ask.result.messages[0]
    assert q.target == o2.address
    assert q.tags["Action"] == "Question"
    ref = q.tags["Reference"]

    inbox = proc.get("#Inbox")
    wrong = net.send(proc, data="nope", tags={"X-Reference": ref + "999"}, sender=o2)
    assert "got" not in wrong.result.output
    assert wrong.result.messages == []
    assert proc.get("#Inbox") == inbox + 1

    right = net.send(proc, data="42", tags={"X-Reference": ref}, sender=o2)
    assert right.result.error is None
    assert "got 42" in right.result.output
    answers = [m for m in right.result.messages if m.target == user.address]
    assert len(answers) == 1
    assert answers[0].data == "answer 42"
    assert proc.get("#Inbox") == inbox + 1


def test_s28_eval_receive(net, proc, user):
    r = proc.eval('local m=Receive({Action="Go"}) print(m.Data)')
    assert r.error is None
    assert r.output == ""
    m = net.send(proc, action="Go", data="D", sender=user)
    assert m.result.error is None
    assert m.result.output == "D"


# ------------------------------------------------------------------------------------------
# Message normalisation, time, JSON, RNG
# ------------------------------------------------------------------------------------------


def test_s29_duplicate_tags(net, proc, install, user):
    install("Handlers.add('Dup', 'Dup', function(msg) print(msg.Foo .. '|' .. msg.Tags.Foo) end)")
    m = net.send(proc, action="Dup", tags=[("Foo", "first"), ("Foo", "second")], sender=user)
    assert m.result.output == "second|first"


def test_s30_os_time(net, proc, install, user):
    install("Handlers.add('Time', 'Time', function(msg) print(tostring(os.time())) end)")
    m = net.send(proc, action="Time", tags={"Timestamp": "123"}, sender=user)
    assert m.result.output == "123"
    n = net.send(proc, action="Time", sender=user)
    assert n.result.output == str(n.timestamp)


def test_s31_json_content_type(net, proc, install, user):
    install(
        "Handlers.add('Json', 'Json', function(msg) "
        "print(tostring(msg.Data.a) .. ' ' .. math.type(msg.Data.a)) end)"
    )
    ct = {"Content-Type": "application/json"}
    m = net.send(proc, action="Json", data='{"a":5}', tags=ct, sender=user)
    assert m.result.error is None
    assert m.result.output == "5 integer"
    bad = net.send(proc, action="Json", data="notjson", tags=ct, sender=user)
    assert bad.result.error is not None


RNG_EVAL = (
    'return tostring(math.random(1,100)) .. "," .. tostring(math.random(10)) '
    '.. "," .. tostring(math.random())'
)


def test_s32_rng(owner):
    # The spec's golden vector, through the reference generator used below.
    golden = MT19937(aos_seed(1500000, "OWNER", "MOD", "PID"))
    assert aos_seed(1500000, "OWNER", "MOD", "PID") == 1500000840
    assert [golden.random(1, 100), golden.random(10), lua_number(golden.random())] == [
        40,
        8,
        "0.5361057613045",
    ]

    def run():
        net = Network()
        o = net.wallet("O")
        p = net.spawn("N", owner=o)
        first = p.log[0]
        seed = aos_seed(first.block_height, first.owner, first.tags["Module"], p.id)
        return p.eval(RNG_EVAL), seed

    r, seed = run()
    assert r.error is None
    ref = MT19937(seed)
    assert r.output == f"{ref.random(1, 100)},{ref.random(10)},{lua_number(ref.random())}"
    again, _ = run()
    assert again.output == r.output


# ------------------------------------------------------------------------------------------
# Cron
# ------------------------------------------------------------------------------------------

CRON_RECORDER = """
CronSeen = {}
Handlers.add("Rec", function(msg) return msg.Cron and "continue" or false end, function(msg)
  table.insert(CronSeen, {
    cron = msg.Cron, id = msg.Id or "nil", from = msg.From, action = msg.Action or "nil",
    ts = msg.Timestamp,
  })
end)
"""


def test_s33_time_cron(net, owner):
    p = net.spawn(
        "N",
        owner=owner,
        tags=[("Cron-Interval", "10-seconds"), ("Cron-Tag-Action", "Cron")],
    )
    r = p.eval(CRON_RECORDER)
    assert r.error is None
    origin = p.log[0].timestamp
    fired = net.advance("35-seconds")
    assert len(fired) == 3
    assert [m.timestamp for m in fired] == [origin + 10_000, origin + 20_000, origin + 30_000]
    for m in fired:
        assert m.cron is True
        assert m.id is None
        assert m.target == p.id
        assert m.from_ == owner.address
        assert m.owner == owner.address
        assert m.tags == {"Action": "Cron"}
        assert m.result is not None and m.result.error is None
    nxt = net.send(p, action="Next", sender=owner)
    assert origin + 35_000 <= nxt.timestamp < origin + 40_000
    assert [m.cron for m in p.log] == [False, False, True, True, True, False]
    seen = p.get("CronSeen")
    assert [s["ts"] for s in seen] == [origin + 10_000, origin + 20_000, origin + 30_000]
    for s in seen:
        assert s["cron"] is True
        assert s["id"] == "nil"
        assert s["from"] == owner.address
        assert s["action"] == "Cron"


def test_s34_block_cron(net, owner):
    p = net.spawn(
        "N",
        owner=owner,
        tags=[
            ("Cron-Interval", "2-blocks"),
            ("Cron-Tag-Action", "BlockCron"),
            ("Cron-Interval", "4-minutes"),
            ("Cron-Tag-Action", "TimeCron"),
        ],
    )
    h0 = p.log[0].block_height
    t0 = p.log[0].timestamp
    fired = net.advance("9-minutes")
    assert [m.tags.get("Action") for m in fired] == ["BlockCron", "TimeCron"] * 2
    assert [m.block_height for m in fired] == [h0 + 2, h0 + 2, h0 + 4, h0 + 4]
    assert [m.timestamp for m in fired] == [t0 + 240_000] * 2 + [t0 + 480_000] * 2
    assert all(m.cron for m in fired)


# ------------------------------------------------------------------------------------------
# Assignments, dry-run, MU spawn
# ------------------------------------------------------------------------------------------


def test_s35_assignment_trust(net, proc, install, user):
    install("Handlers.add('Foo', 'Foo', function(msg) print('foo handled') end)")
    other = net.spawn("P2")
    m = net.send(other, action="Foo", sender=user)
    net.assign(m, proc)
    last = proc.log[-1]
    assert last.id == m.id
    assert last.target == other.id
    res = last.result
    assert res.output == f"Assignment is not trusted! From: {user.address} - Owner: {user.address}"
    assert len(res.messages) == 1
    assert res.messages[0].target == user.address
    assert res.messages[0].data == "Assignment is not trusted by this process!"

    install('ao.addAssignable({Action = "Foo"})')
    m2 = net.send(other, action="Foo", sender=user)
    net.assign(m2, proc)
    last = proc.log[-1]
    assert last.id == m2.id
    assert last.result.error is None
    assert last.result.output == "foo handled"


def test_s36_dryrun(net, proc, install, user):
    install(
        """
        Calls = 0
        Handlers.add("Balance", "Balance", function(msg)
          Calls = Calls + 1
          msg.reply({Data = tostring(msg["Read-Only"])})
        end)
        """
    )
    slots = len(proc.log)
    rows = len(net.messages())
    r = net.dryrun(proc, action="Balance", sender=user)
    assert r.error is None
    assert len(r.messages) == 1
    assert r.messages[0].target == user.address
    assert r.messages[0].data == "true"
    assert proc.get("Calls") == 0
    assert len(proc.log) == slots
    assert len(net.messages()) == rows
    nxt = net.send(proc, action="Balance", sender=user)
    assert nxt.slot == slots
    assert proc.get("Calls") == 1


def test_s37_mu_spawn(net, proc, install, owner):
    r = proc.eval(f'Spawn({{Name = "kid", Authority = "{net.mu}"}})')
    assert r.error is None
    assert len(r.spawns) == 1
    spawn = r.spawns[0]
    child = net.process(spawn.pushed.id)
    assert child.id == spawn.pushed.id
    assert child.log[0].slot == 0
    assert child.log[0].result.error is None
    assert child.get("Owner") == proc.id
    assert child.get("#Inbox") == 1

    spawned = [m for m in proc.log if m.tags.get("Action") == "Spawned"]
    assert len(spawned) == 1
    note = spawned[0]
    assert note.from_ == proc.id
    assert_tags_include(
        note.tags,
        {
            "Action": "Spawned",
            "Type": "Message",
            "Process": child.id,
            "Reference": spawn.tags["Reference"],
        },
    )

    install(
        f"""
        Handlers.add("Make", "Make", function(msg)
          local s = Spawn({{Name = "kid2", Authority = "{net.mu}"}}).receive()
          print("child " .. s.Process)
        end)
        """
    )
    make = net.send(proc, action="Make", sender=owner)
    assert make.result.error is None
    assert len(make.result.spawns) == 1
    kid2 = net.process(make.result.spawns[0].pushed.id)
    notes = [m for m in proc.log if m.tags.get("Action") == "Spawned"]
    assert len(notes) == 2
    assert notes[-1].tags["Process"] == kid2.id
    assert notes[-1].result.output == f"child {kid2.id}"

    r3 = proc.eval('Spawn({Name = "orphan"})')
    orphan = net.process(r3.spawns[0].pushed.id)
    assert orphan.log[0].result.output == (
        f"Message is not trusted! From: {proc.id} - Owner: {net.mu}"
    )
    assert orphan.get("#Inbox") == 0


# ------------------------------------------------------------------------------------------
# Blueprints
# ------------------------------------------------------------------------------------------


def _token(net, owner):
    return net.spawn("N", owner=owner, code=blueprint("token.lua"))


def test_s38_token_info(net, owner, user):
    p = _token(net, owner)
    m = net.send(p, action="Info", sender=user)
    assert m.result.error is None
    infos = replies(m.result, target=user)
    assert len(infos) == 1
    t = infos[0].tags
    if "name" in t:  # HEAD
        assert_tags_include(
            t, {"name": "N", "ticker": "PNTS", "denomination": "12", "supply": TOTAL_SUPPLY}
        )
        assert "logo" in t
    else:  # eea71b6
        assert_tags_include(t, {"Name": "N", "Ticker": "PNTS", "Denomination": "12"})
        assert "Logo" in t


def test_s39_token_balance(net, owner, user):
    p = _token(net, owner)
    m = net.send(p, action="Balance", tags={"Recipient": p.id}, sender=user)
    assert m.result.error is None
    out = replies(m.result, target=user)
    assert len(out) == 1
    assert_tags_include(
        out[0].tags, {"Balance": TOTAL_SUPPLY, "Account": p.id, "Ticker": "PNTS"}
    )
    assert out[0].data == TOTAL_SUPPLY
    m2 = net.send(p, action="Balance", sender=user)
    out2 = replies(m2.result, target=user)
    assert len(out2) == 1
    assert out2[0].tags["Balance"] == "0"
    assert out2[0].tags["Account"] == user.address
    assert out2[0].data == "0"


def test_s40_token_transfer_errors(net, owner):
    p = _token(net, owner)
    a, b = net.wallet("A"), net.wallet("B")
    m = net.send(p, action="Transfer", tags={"Recipient": b.address, "Quantity": "10"}, sender=a)
    assert m.result.error is None
    errs = replies(m.result, action="Transfer-Error", target=a)
    assert len(errs) == 1
    assert errs[0].tags["Error"] == "Insufficient Balance!"
    assert errs[0].tags["Message-Id"] == m.id
    no_q = net.send(p, action="Transfer", tags={"Recipient": b.address}, sender=a)
    assert no_q.result.error is not None
    assert "Quantity is required!" in no_q.result.error
    zero = net.send(p, action="Transfer", tags={"Recipient": b.address, "Quantity": "0"}, sender=a)
    assert zero.result.error is not None
    assert "Quantity must be greater than 0" in zero.result.error


def test_s41_token_transfer(net, owner):
    p = _token(net, owner)
    a = net.wallet("A")
    m = mu_send(
        net,
        p,
        p,
        action="Transfer",
        tags={"Recipient": a.address, "Quantity": "1000", "X-Note": "hi", "Reference": "4"},
    )
    assert m.result.error is None
    debit = replies(m.result, action="Debit-Notice")
    credit = replies(m.result, action="Credit-Notice")
    assert len(debit) == 1 and len(credit) == 1
    assert debit[0].target == p.id
    assert_tags_include(
        debit[0].tags,
        {"Recipient": a.address, "Quantity": "1000", "X-Note": "hi", "X-Reference": "4"},
    )
    assert credit[0].target == a.address
    assert_tags_include(credit[0].tags, {"Sender": p.id, "Quantity": "1000", "X-Note": "hi"})
    assert str(p.get(f'Balances["{a.address}"]')) == "1000"

    cast = mu_send(
        net, p, p, action="Transfer",
        tags={"Recipient": a.address, "Quantity": "1000", "Cast": "true"},
    )
    assert cast.result.error is None
    assert replies(cast.result, action="Debit-Notice") == []
    assert replies(cast.result, action="Credit-Notice") == []
    assert str(p.get(f'Balances["{a.address}"]')) == "2000"


def test_s42_token_mint_and_supply(net, owner):
    p = _token(net, owner)
    a = net.wallet("A")
    bad = net.send(p, action="Mint", tags={"Quantity": "100"}, sender=a)
    assert bad.result.error is None
    errs = replies(bad.result, action="Mint-Error", target=a)
    assert len(errs) == 1
    assert errs[0].tags["Error"] == "Only the Process Id can mint new PNTS tokens!"
    assert errs[0].tags["Message-Id"] == bad.id

    ok = mu_send(net, p, p, action="Mint", tags={"Quantity": "100"})
    assert ok.result.error is None
    minted = replies(ok.result, target=p)
    assert len(minted) == 1
    assert "Successfully minted" in minted[0].data and "100" in minted[0].data

    supply = net.send(p, action="Total-Supply", sender=a)
    assert supply.result.error is None
    out = replies(supply.result, action="Total-Supply", target=a)
    assert len(out) == 1
    assert out[0].data == "10000000000000100"
    assert out[0].tags["Ticker"] == "PNTS"

    own = mu_send(net, p, p, action="Total-Supply")
    assert own.result.error is not None
    assert "Cannot call Total-Supply from the same process!" in own.result.error


def test_s43_chatroom(net, owner):
    p = net.spawn("N", owner=owner, code=blueprint("chatroom.lua"))
    a, b = net.wallet("A"), net.wallet("B")

    def reply_data(m, who):
        assert m.result.error is None, m.result.error
        out = replies(m.result, target=who)
        assert len(out) == 1, out
        return out[0].data

    assert reply_data(net.send(p, action="Register", sender=a), a) == "Registered."
    assert reply_data(net.send(p, action="Register", sender=a), a) == "Already registered."
    assert reply_data(net.send(p, action="Register", sender=b), b) == "Registered."

    cast = net.send(p, action="Broadcast", data="hello all", sender=a)
    assert cast.result.error is None
    msgs = cast.result.messages
    assert [(m.target, m.tags.get("Action"), m.data) for m in msgs[:2]] == [
        (a.address, "Broadcast-Notice", "hello all"),
        (b.address, "Broadcast-Notice", "hello all"),
    ]
    assert len(msgs) == 3
    assert msgs[2].target == a.address
    assert msgs[2].data == "Broadcasted."

    assert reply_data(net.send(p, action="Unregister", sender=a), a) == "Unregistered"
    assert reply_data(net.send(p, action="Unregister", sender=a), a) == "Not registered"


def test_s44_staking(net, owner):
    p = _token(net, owner)
    r = p.eval(blueprint("staking.lua"))
    assert r.error is None, r.error
    a, b = net.wallet("A"), net.wallet("B")
    fund = mu_send(
        net, p, p, action="Transfer", tags={"Recipient": a.address, "Quantity": "1000"}
    )
    assert fund.result.error is None

    stake = net.send(p, action="Stake", tags={"Quantity": "400"}, sender=a)
    assert stake.result.error is None, stake.result.error
    h = stake.block_height
    out = replies(stake.result, target=a)
    assert len(out) == 1
    assert out[0].data == "Successfully Staked 400"
    assert p.get(f'Stakers["{a.address}"].amount') == "400"
    assert p.get(f'Stakers["{a.address}"].unstake_at') == h + 670
    assert str(p.get(f'Balances["{a.address}"]')) == "600"

    b_stake = net.send(p, action="Stake", tags={"Quantity": "400"}, sender=b)
    assert b_stake.result.error is not None
    assert "Insufficient balance to stake" in b_stake.result.error

    unstake = net.send(p, action="Unstake", tags={"Quantity": "100"}, sender=a)
    assert unstake.result.error is None, unstake.result.error
    out = replies(unstake.result, target=a)
    assert len(out) == 1
    assert out[0].data == "Successfully unstaked 100"

    too_much = net.send(p, action="Unstake", tags={"Quantity": "1000"}, sender=a)
    assert too_much.result.error is not None
    assert "Insufficient staked amount" in too_much.result.error

    early = net.send(p, action="Ping", sender=a)
    assert early.block_height < h + 670
    assert str(p.get(f'Balances["{a.address}"]')) == "600"

    net.advance("670-blocks")
    late = net.send(p, action="Ping", sender=a)
    assert late.block_height >= h + 670
    assert str(p.get(f'Balances["{a.address}"]')) == "700"


def test_s45_voting(net, owner):
    p = _token(net, owner)
    for name in ("staking.lua", "voting.lua"):
        r = p.eval(blueprint(name))
        assert r.error is None, (name, r.error)
    a, b = net.wallet("A"), net.wallet("B")
    r = p.eval(f'Stakers["{a.address}"] = {{ amount = "400", unstake_at = 0 }}')
    assert r.error is None
    vote = {"Target": "proposal-1", "Side": "yay", "Deadline": "10"}
    m = net.send(p, action="Vote", tags=vote, sender=a)
    assert m.result.error is not None
    assert "attempt to compare number with string" in m.result.error
    n = net.send(p, action="Vote", tags=vote, sender=b)
    assert n.result.error is not None
    assert "attempt to index a nil value" in n.result.error


# ------------------------------------------------------------------------------------------
# Inbox cap, nonces, timestamps, hash chain
# ------------------------------------------------------------------------------------------


def test_s46_inbox_cap_and_nonces(net, proc, user):
    started = time.perf_counter()
    for i in range(10001):
        net.send(proc, action="Fill", data=str(i), sender=user)
    elapsed = time.perf_counter() - started
    assert proc.get("#Inbox") == 10000
    # 10002 entries went in (the Process message, then Fill 0..10000): the oldest two dropped
    assert proc.get("Inbox[#Inbox].Data") == "10000"
    assert proc.get("Inbox[1].Data") == "1"

    log = proc.log
    assert [m.slot for m in log] == list(range(10002))
    stamps = [m.timestamp for m in log]
    assert all(a <= b for a, b in zip(stamps, stamps[1:], strict=False))
    chains = [m.hash_chain for m in log]
    assert chains[0] == hash_chain_seed(proc.id)
    assert len(set(chains)) == len(chains)
    for c in chains:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", c), c
    assert elapsed < 20, f"10001 messages took {elapsed:.1f}s"


def test_s46_hash_chain_is_deterministic():
    def chain():
        net = Network()
        p = net.spawn("N", owner=net.wallet("O"))
        u = net.wallet("U")
        for i in range(5):
            net.send(p, action="Fill", data=str(i), sender=u)
        return [m.hash_chain for m in p.log], [addr(m.id) for m in p.log]

    assert chain() == chain()
