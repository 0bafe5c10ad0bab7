"""Rebuild lessons 01-03 and their solutions with fresh stored outputs:
`.venv/bin/python tests/lessons/make_lessons.py [01 02 03]`.

Each notebook is executed twice on the `ao` kernel (see lessonkit.py); it is written only when
both runs give the same outputs and no cell fails unexpectedly.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lessonkit import build, code, exercise, md, show  # noqa: E402

CHECK = "%%python\nfrom ao_kernel.workshop import check_all, get, plain\n"

# ---------------------------------------------------------------------------------------------
LESSON_01 = [
    md("""
# 01 · Processes and messages

An ao network has no shared computer and no function calls between programs. It has
**processes**, and the only thing you can do to a process is send it a **message**. This lesson
shows what a process is, how its messages are put in order, and how processes talk to each other.
"""),
    md("""
## What you will learn

- what an ao process is: a Lua program whose state changes only when a message arrives
- how every message a process receives gets a **slot** (0, 1, 2, …), starting with the
  message that created it
- how to send a message with an `Action`, `Data` and tags, and where an unhandled message ends
  up (the `Inbox`)
- how one process sends a message to another with `Send`, and how to read a sequence diagram
"""),
    md("""
## A process is a program plus its log

Think of a process as a small program that sits and waits. When a message for it arrives, the
network's **scheduler unit** (SU) gives the message the next slot number of that process, and a
**compute unit** (CU) runs the process's Lua code on it. The state after slot 5 is whatever the
code made of messages 0 to 5, in that order, so the ordered list of messages *is* the process:
anyone who replays it gets the same state.

Here the whole network runs inside this notebook, on a virtual clock, so ids and outputs are the
same on every run. `%ao reset` starts a new, empty network called `net`:
"""),
    code("%ao reset"),
    code("%ao spawn hello\nName"),
    md("""
`%ao spawn hello` created a process named `hello` and made it the **current** process: the rest
of that cell, and every Lua cell after it, runs inside `hello`. `Name` is a global variable of
the process, filled in from the `Name` tag it was spawned with.

Every process has an address (`ao.id`, 43 characters) and an `Owner`, the wallet that spawned
it. Here that is your wallet, called `user`.
"""),
    code("ao.id"),
    code("Owner"),
    md("""
## Every cell is a message

When you run a Lua cell, the notebook does what the aos command line does: it sends the process
a message with `Action = "Eval"` from its owner, whose `Data` is your code. Python can show the
process's log: the slot and action of every message it has evaluated.
"""),
    code("""
%%python
hello = net.process("hello")
[(m.slot, m.action or m.tags["Type"]) for m in hello.log]
"""),
    md("""
Slot 0 is the `Process` message that created `hello`; each Lua cell you ran added an `Eval`.
Slots of one process never skip and never repeat.

## Sending a message

A message has a `Target` (the process), a `Data` string, and **tags**: name–value pairs of
strings. By convention the `Action` tag says what the sender wants. `%ao send` sends one from
your wallet:
"""),
    code("%ao send hello Ping -d hi -t Mood=happy"),
    md("""
`hello` has no code that reacts to `Ping` yet, so aos's default behaviour took over: it printed
a short notice (your wallet's address shortened to its first and last three characters) and
kept the message in the process's `Inbox`. The last line is the `Message` and its slot.
"""),
    code("%ao inbox"),
    code("""
local m = Inbox[#Inbox]
return { Action = m.Action, Data = m.Data, Mood = m.Mood, Slot = m.Nonce, FromMe = m.From == Owner }
"""),
    md("""
Notice three things. The first Inbox entry is the `Process` message itself (aos keeps it there
when a process starts). Tags are readable both as `m.Tags.Mood` and, copied onto the message,
as `m.Mood`. And `Nonce` is the message's slot.

## Processes talking to each other

Inside a process, `Send({ Target = ..., Action = ..., Data = ... })` does not deliver anything
by itself: it adds the message to the **outbox** of the message being evaluated. When that
evaluation ends, the **messenger unit** (MU) takes the outbox, signs each message and hands it to
the target's scheduler, where it gets a slot like any other message. The receiver sees `From` =
the sending process.

Let us spawn a second process. A process only knows another one by its address; in aos you
would paste it, here Python writes each address into the other process (two more `Eval`
messages):
"""),
    code("%ao spawn echo"),
    code("""
%%python
echo = net.process("echo")
hello.eval(f'Echo = "{echo.id}"').ok and echo.eval(f'Hello = "{hello.id}"').ok
"""),
    code("""
%%ao hello
Send({ Target = Echo, Action = "Hi", Data = "hello from hello" });
"""),
    code("%ao inbox echo"),
    md("""
`%%ao hello` ran that one cell in `hello` (the current process is still `echo`). The `Hi`
message reached `echo`'s Inbox with `hello` as its sender. A **sequence diagram** draws the
traffic: one lane per process or wallet, one arrow per message, time going down.
"""),
    code("%ao sequence hello echo -a Hi -a Ping"),
    md("""
Only the `Hi` and `Ping` messages are drawn (`-a` filters by Action); without the filter you
would also see every `Eval` of the cells above.

## Exercise 1: send a message

Send `hello` a message with Action `Greet`, Data `bonjour` and a tag `Lang` with the value `fr`.
Use `%ao send` (`%ao send --help` shows its options), then run the check cell.
"""),
    exercise("-- TODO: replace this line with a %ao send command",
             "%ao send hello Greet -d bonjour -t Lang=fr"),
    code(CHECK + """
greets = [m for m in net.process("hello").inbox if m.get("Action") == "Greet"]
last = greets[-1] if greets else {}
passed = check_all(
    "hello has a Greet message with Data 'bonjour' and Lang=fr in its Inbox",
    (greets, "hello has no message with Action Greet yet: `%ao send hello ACTION ...`"),
    (last.get("Data") == "bonjour", f"the Greet message's Data is {last.get('Data')!r}, "
                                    "not 'bonjour' (use -d)"),
    (last.get("Tags", {}).get("Lang") == "fr", "the Greet message has no tag Lang=fr "
                                               "(use -t NAME=VALUE)"),
)
"""),
    md("""
## Exercise 2: a message from one process to another

Make `echo` send `hello` a message with Action `Reply` and Data `got it`. The cell runs in
`echo`, where the global `Hello` holds `hello`'s address.
"""),
    exercise("""
%%ao echo
-- TODO: Send hello a message with Action "Reply" and Data "got it"
""", """
%%ao echo
Send({ Target = Hello, Action = "Reply", Data = "got it" });
"""),
    code(CHECK + """
echo_id = net.process("echo").id
replies = [m for m in net.process("hello").inbox if m.get("Action") == "Reply"]
last = replies[-1] if replies else {}
passed = check_all(
    "echo sent hello a Reply: 'got it'",
    (replies, "hello has no message with Action Reply: use Send({ Target = Hello, ... }) in echo"),
    (last.get("From") == echo_id, "the Reply did not come from echo: run the Send in echo"),
    (last.get("Data") == "got it", f"the Reply's Data is {last.get('Data')!r}, not 'got it'"),
)
"""),
    md("""
## Exercise 3: which slot?

Every message in the Inbox remembers its slot in the field `Nonce`. In `hello`, find the `Greet`
message from exercise 1 and store its slot in a global variable `GreetSlot`.
"""),
    exercise("""
%%ao hello
-- TODO: loop over Inbox (ipairs) and set GreetSlot to the Nonce of the Greet message
GreetSlot = nil
""", """
%%ao hello
for _, m in ipairs(Inbox) do
  if m.Action == "Greet" then GreetSlot = m.Nonce end
end
GreetSlot
"""),
    code(CHECK + """
slots = [m.slot for m in net.process("hello").log if m.action == "Greet"]
answer = get("hello", "GreetSlot")
passed = check_all(
    f"GreetSlot is {answer}: the slot the scheduler gave the Greet message",
    (slots, "hello has not received a Greet message yet: do exercise 1 first"),
    (answer is not None, "GreetSlot is nil in hello: set it inside the loop"),
    (str(answer) == str(slots[-1] if slots else None),
     f"GreetSlot is {answer!r}, but Greet is at slot {slots[-1] if slots else None}"),
)
"""),
    md("""
## Recap

- A process is Lua code plus an ordered log of messages; its state is what the code makes of
  that log. Slot 0 is the `Process` message that created it.
- The SU orders messages (slots), the CU evaluates them, the MU carries what processes send.
- A message is a target, `Data` and string tags; `Action` says what is wanted.
- Messages no handler takes end up in the `Inbox`. Next lesson: **handlers**, so a process can
  react to messages.
"""),
]


# ---------------------------------------------------------------------------------------------
LESSON_02 = [
    md("""
# 02 · Handlers and patterns

In lesson 01 every message ended up in the `Inbox`, because the processes had no code that
reacted to anything. In aos that code is a list of **handlers**. This lesson shows how to write
them, how a message is matched against them, and in which order they run.
"""),
    md("""
## What you will learn

- how to add a handler: a name, a **pattern** and a function
- the three kinds of pattern: an `Action` string, a table of tags, a function
- in which order handlers are tried, and how `"continue"` lets more than one run
- how to replace or remove a handler, and the built-in `_eval` and `_default` handlers
- how to try a handler with a **dry-run** that changes nothing
"""),
    md("""
## A handler reacts to matching messages

`Handlers.add(name, pattern, fn)` adds an entry to the global list `Handlers.list`. For every
message, aos walks that list from the top and asks each pattern whether it wants the message.
The first handler whose pattern says yes runs `fn(msg)`, and the search stops there. Only if no
handler took the message does aos run `_default`, which keeps it in the `Inbox`.

The simplest pattern is a string: the handler takes messages whose `Action` tag is that string.
"""),
    code("%ao reset"),
    code("""
%ao spawn counter
Count = 0
Handlers.add("Inc", "Inc", function(msg)
  Count = Count + 1
  print("count is " .. Count)
end);
"""),
    code("%ao send counter Inc"),
    code("%ao send counter Inc"),
    md("""
The handler ran for each `Inc` and printed what it did; nothing went to the Inbox. A message
with an action nobody handles still does:
"""),
    code("%ao send counter Dec"),
    md("""
## Table patterns: match on tags

A table pattern lists tags that must all match. For each tag, the value in the pattern can be:

- a plain string: the tag must have that value;
- a string with Lua pattern characters (`^ $ % . [ ] * + ? ( )`): the tag must match it as a Lua
  pattern, so `"^%d+$"` means "only digits";
- `"_"`: any value, as long as the tag is there.

Matching of values is case-insensitive in this aos version (`deposit` matches `Deposit`).
"""),
    code("""
%ao spawn bank
Total = 0
Handlers.add("Deposit", { Action = "Deposit", Amount = "^%d+$" }, function(msg)
  Total = Total + tonumber(msg.Amount)
  print("total is " .. Total)
end);
"""),
    code("%ao send bank Deposit -t Amount=5"),
    code("%ao send bank Deposit -t Amount=lots"),
    md("""
`Amount=5` matched and was added. `Amount=lots` is not a number, so the `Deposit` handler did
not want it and the message went to the Inbox: the pattern protected `tonumber` from a bad value.

## Function patterns, order and `"continue"`

A pattern can also be a function `function(msg) ... end`. What it returns decides:

| pattern returns | the handler | the search |
|---|---|---|
| `true` or `"break"` | runs | stops |
| `"continue"` | runs | goes on to the next handler |
| `false` or `"skip"` | does not run | goes on |

`Handlers.add` puts a new handler at the end of the list, `Handlers.prepend` at the front. Here
is an audit handler at the front that sees every message and lets the others run:
"""),
    code("""
Handlers.prepend("Audit", function(msg) return "continue" end, function(msg)
  print("audit: " .. tostring(msg.Action))
end)
for i, h in ipairs(Handlers.list) do print(i .. ". " .. h.name) end
"""),
    md("""
`Audit` is first. `_eval` and `_default` are aos's own handlers: `_eval` runs the code of `Eval`
messages from the owner (every cell you run), `_default` is the Inbox fallback (it is only ever
run when nothing else took the message, wherever it sits in the list).
"""),
    code("%ao send bank Deposit -t Amount=7"),
    md("""
Both handlers ran, in list order. Adding a handler with a name that already exists replaces it
in place; `Handlers.remove(name)` deletes it.
"""),
    code("""
Handlers.remove("Audit")
for i, h in ipairs(Handlers.list) do print(i .. ". " .. h.name) end
"""),
    md("""
`audit: Eval` is printed once more: this cell was itself an `Eval` message, and `Audit` saw it
before the code inside removed it.
"""),
    md("""
## Trying a handler without changing anything

A **dry-run** evaluates a message as if it arrived, shows what would happen, then throws the
result away: no slot, no state change. The check cells below use dry-runs to test your handlers.
"""),
    code("%ao dryrun bank Deposit -t Amount=100"),
    code("Total"),
    md("""
The dry-run printed a total of 112, yet `Total` is still 12.

## Exercise 1: a string pattern

Here is a new process `calc`. Add a handler named `Double` that takes messages with Action
`Double` and prints twice the number in `msg.Data` (so Data `21` prints `42`).
"""),
    exercise("""
%ao spawn calc
-- TODO: Handlers.add("Double", ...)
""", """
%ao spawn calc
Handlers.add("Double", "Double", function(msg)
  print(tostring(2 * tonumber(msg.Data)))
end);
"""),
    code(CHECK + """
calc = net.process("calc") if "calc" in [p.name for p in net.processes] else None
out = plain(net.dryrun(calc, action="Double", data="21").output) if calc else ""
passed = check_all(
    "Double 21 prints 42",
    (calc, "there is no process calc: run the cell above"),
    (get("calc", '(function() for _, h in ipairs(Handlers.list) do '
                 'if h.name == "Double" then return true end end end)()'),
     "calc has no handler named Double yet"),
    ("42" in out.splitlines(), f"a dry-run of Double with Data 21 printed {out!r}, not 42"),
)
"""),
    md("""
## Exercise 2: a table pattern

In `bank`, add a handler `Withdraw` that takes only messages with Action `Withdraw` **and** a
tag `Amount` made of digits. It subtracts the amount from `Total` and prints
`"total is " .. Total`, like `Deposit`. A `Withdraw` with `Amount=all` must go to the Inbox.
"""),
    exercise("""
%%ao bank
-- TODO: Handlers.add("Withdraw", { ... }, function(msg) ... end)
""", """
%%ao bank
Handlers.add("Withdraw", { Action = "Withdraw", Amount = "^%d+$" }, function(msg)
  Total = Total - tonumber(msg.Amount)
  print("total is " .. Total)
end);
"""),
    code(CHECK + """
bank = net.process("bank")
total = get("bank", "Total", 0)
good = plain(net.dryrun(bank, action="Withdraw", tags={"Amount": "2"}).output)
bad = plain(net.dryrun(bank, action="Withdraw", tags={"Amount": "all"}).output)
passed = check_all(
    "Withdraw subtracts numeric amounts and leaves the rest to the Inbox",
    (f"total is {total - 2}" in good,
     f"a Withdraw of 2 (Total is {total}) printed {good!r}, not 'total is {total - 2}'"),
    ("total is" not in bad and "New Message" in bad,
     "a Withdraw with Amount=all was handled: make the pattern accept digits only"),
)
"""),
    md("""
## Exercise 3: a handler that lets others run

Add a handler `Seen` at the **front** of `bank`'s list that counts every message in a global
`Seen`, prints `"seen " .. Seen`, and lets the other handlers run too.
"""),
    exercise("""
%%ao bank
Seen = 0
-- TODO: Handlers.prepend("Seen", function(msg) ... end, function(msg) ... end)
""", """
%%ao bank
Seen = 0
Handlers.prepend("Seen", function(msg) return "continue" end, function(msg)
  Seen = Seen + 1
  print("seen " .. Seen)
end);
"""),
    code(CHECK + """
bank = net.process("bank")
out = plain(net.dryrun(bank, action="Deposit", tags={"Amount": "1"}).output)
passed = check_all(
    "Seen runs first and Deposit still runs after it",
    (get("bank", "Handlers.list[1].name") == "Seen",
     "the first handler of bank is not Seen: use Handlers.prepend"),
    ("seen " in out, f"a Deposit printed {out!r}: Seen should print 'seen N'"),
    ("total is" in out, "Seen ran but Deposit did not: return \\"continue\\" from the pattern"),
)
"""),
    md("""
## Recap

- A handler is a name, a pattern and a function; `Handlers.add` appends, `Handlers.prepend` puts
  it first, the same name replaces, `Handlers.remove` deletes.
- Patterns: an `Action` string, a table of tags (plain values, Lua patterns, `"_"`), or a
  function returning `true`, `"continue"` or `false`.
- The first matching handler stops the search unless its pattern said `"continue"`; unhandled
  messages go to `_default` and the `Inbox`.
- A dry-run shows what a message would do without changing anything.
"""),
]

# ---------------------------------------------------------------------------------------------
LESSON_03 = [
    md("""
# 03 · Replies, references and `Receive`

Sending is one-way: `Send` puts a message in the outbox and the handler carries on. Real
programs ask questions and wait for answers. This lesson shows how a process answers a message,
how an answer is tied to its question, and how a handler can pause until the answer arrives.
"""),
    md("""
## What you will learn

- how to answer a message with `msg.reply`, without knowing the sender's address
- how every message a process sends is numbered (`Reference`) and how a reply points back to
  it (`X-Reference`)
- how a handler waits for the answer to its own question with `Send(...).receive()`
- how a handler waits for any matching message with `Receive(pattern)`, and what happens to the
  process while it waits
"""),
    md("""
## Answering a message

Inside a handler, `msg.reply({ ... })` sends a message back to whoever sent `msg` (its `From`,
or the `Reply-To` tag if the message carries one). An `oracle` that tells the price:
"""),
    code("%ao reset"),
    code("""
%ao spawn oracle
Price = 42
Handlers.add("Price", "Price", function(msg)
  msg.reply({ Action = "Price-Notice", Data = tostring(Price) })
end);
"""),
    code("%ao send oracle Price"),
    md("""
The line starting with `→` is the reply: it went to `user`, your wallet, with Action
`Price-Notice` and Data `'42'`. The handler never had to know who asked.

## References: which answer belongs to which question

Each process counts the messages it sends. The `n`-th one carries the tag `Reference = n`, and
`msg.reply` copies the question's number into the answer as `X-Reference`. When a process asks
several questions, the numbers tell the answers apart.

A `trader` process that asks the oracle (Python writes the oracle's address into it, as in
lesson 01):
"""),
    code("""
%ao spawn trader
Handlers.add("Ask", "Ask", function(msg)
  Send({ Target = Oracle, Action = "Price" })
end)
Handlers.add("Price-Notice", "Price-Notice", function(msg)
  print("answer to question " .. msg["X-Reference"] .. ": " .. msg.Data)
end);
"""),
    code("""
%%python
trader, oracle = net.process("trader"), net.process("oracle")
trader.eval(f'Oracle = "{oracle.id}"').ok
"""),
    code("%ao send trader Ask"),
    code("%ao send trader Ask"),
    md("""
A cell shows what the message you sent did: the trader sent a `Price` question to the oracle.
The answers arrived afterwards as **new messages** to the trader, so their output is in the
trader's log rather than in the cell. A helper to show a process's last few messages:
"""),
    code("""
%%python
from ao_kernel.workshop import plain

def recent(name, n):
    return [(m.slot, m.action, plain(m.result.output)) for m in net.process(name).log[-n:]]

recent("trader", 4)
"""),
    md("""
Each answer was handled by `Price-Notice`, and its `X-Reference` says which question it answers.
Here are the tags of the traffic between the two processes, as stored in the network's log:
"""),
    code("""
%%python
import pandas as pd

names = {p.id: p.name for p in net.processes}
log = net.messages()
hops = log[log["from"].isin([trader.id, oracle.id])]
pd.DataFrame({"from": hops["from"].map(names), "action": hops.action,
              "Reference": [t.get("Reference") for t in hops.tags],
              "X-Reference": [t.get("X-Reference", "") for t in hops.tags]})
"""),
    md("""
The oracle numbers its own messages too: its answers carry its `Reference`, and the question's
number as `X-Reference`.
"""),
    md("""
## Waiting for the answer: `.receive()`

Splitting question and answer over two handlers works, but the logic is scattered. `Send`
returns the message it queued, and its `.receive()` **pauses the handler** until a message whose
`X-Reference` matches this question arrives, then returns that message:
"""),
    code("""
Handlers.add("Check", "Check", function(msg)
  print("asking the oracle")
  local answer = Send({ Target = Oracle, Action = "Price" }).receive()
  print("the price is " .. answer.Data)
end);
"""),
    code("%ao send trader Check"),
    code('%%python\nrecent("trader", 2)'),
    md("""
The `Check` message printed `asking the oracle` and then **finished**: its slot is done and the
question went out. The oracle's answer arrived later as a new message to the trader (the last
row); instead of going to a handler, it **resumed** the paused `Check` handler, which printed
the price. The sequence diagram shows the three hops:
"""),
    code("%ao sequence trader oracle -a Check -a Price -a Price-Notice"),
    md("""
## Waiting for any message: `Receive`

`Receive(pattern)` pauses the handler until the next message that matches `pattern` (the same
patterns as `Handlers.add`), from anyone. The message that resumes it is not put in the Inbox
and does not go to other handlers.
"""),
    code("""
%ao spawn gate
Handlers.add("Open", "Open", function(msg)
  print("waiting for the key")
  local key = Receive({ Action = "Key" })
  print("opened with " .. key.Data)
end);
"""),
    code("%ao send gate Open"),
    code("%ao send gate Key -d brass"),
    md("""
Between the two messages the process kept working: a paused handler only waits for its own
match. Pausing is safe because each process runs one message at a time, in slot order.

## Exercise 1: reply

Add a handler `Ping` to the `pong` process that answers with Action `Pong` and Data
`"pong " .. msg.Data` (so Data `hi` gets the answer `pong hi`).
"""),
    exercise("""
%ao spawn pong
-- TODO: Handlers.add("Ping", "Ping", function(msg) ... end)
""", """
%ao spawn pong
Handlers.add("Ping", "Ping", function(msg)
  msg.reply({ Action = "Pong", Data = "pong " .. msg.Data })
end);
"""),
    code(CHECK + """
pong = net.process("pong") if "pong" in [p.name for p in net.processes] else None
msgs = net.dryrun(pong, action="Ping", data="hi").messages if pong else []
first = msgs[0] if msgs else None
passed = check_all(
    "pong answers Ping 'hi' with Pong 'pong hi', back to the sender",
    (pong, "there is no process pong: run the cell above"),
    (first is not None, "Ping sends no message back yet: use msg.reply({ ... })"),
    (first is not None and first.action == "Pong",
     f"the answer's Action is {getattr(first, 'action', None)!r}, not 'Pong'"),
    (first is not None and first.data == "pong hi",
     f"the answer's Data is {getattr(first, 'data', None)!r}, not 'pong hi'"),
    (first is not None and first.target == net.user.address,
     "the answer does not go back to the sender: use msg.reply"),
)
"""),
    md("""
## Exercise 2: ask and wait

Give the `trader` a handler `Quote` that asks the oracle for its `Price`, waits for the answer
with `.receive()`, and stores the price **as a number** in a global `LastPrice`. The check cell
sends `Quote` to the trader itself, then reads `LastPrice`.
"""),
    exercise("""
%%ao trader
Handlers.add("Quote", "Quote", function(msg)
  -- TODO: ask the oracle (Send ... .receive()) and set LastPrice
end);
""", """
%%ao trader
Handlers.add("Quote", "Quote", function(msg)
  local answer = Send({ Target = Oracle, Action = "Price" }).receive()
  LastPrice = tonumber(answer.Data)
end);
"""),
    code(CHECK + """
net.send(net.process("trader"), action="Quote")
price = get("oracle", "Price")
passed = check_all(
    f"after a Quote, LastPrice is {price}, the oracle's price",
    (get("trader", "LastPrice") is not None,
     "LastPrice is still nil after a Quote: did the handler ask the oracle and wait?"),
    (get("trader", "LastPrice") == price,
     f"LastPrice is {get('trader', 'LastPrice')!r}, the oracle says {price!r} "
     "(use tonumber on answer.Data)"),
)
"""),
    md("""
## Exercise 3: wait for a name

In the `door` process, add a handler `Knock` that prints `who is there?`, then waits with
`Receive` for a message with Action `Name` and stores its Data in a global `Guest`. The check
cell sends `Knock` and then `Name` with Data `ada`.
"""),
    exercise("""
%ao spawn door
Handlers.add("Knock", "Knock", function(msg)
  print("who is there?")
  -- TODO: wait for a Name message and set Guest
end);
""", """
%ao spawn door
Handlers.add("Knock", "Knock", function(msg)
  print("who is there?")
  local name = Receive({ Action = "Name" })
  Guest = name.Data
end);
"""),
    code(CHECK + """
door = net.process("door")
knock = net.send(door, action="Knock")
waiting = get("door", "Guest") is None
net.send(door, action="Name", data="ada")
passed = check_all(
    "the door waited for a Name and let ada in",
    ("who is there?" in plain(knock.result.output), "Knock does not print 'who is there?'"),
    (waiting, "Guest was set before any Name arrived: wait with Receive first"),
    (get("door", "Guest") == "ada",
     f"after Name 'ada', Guest is {get('door', 'Guest')!r}: "
     "use Receive({ Action = 'Name' }) and its Data"),
)
"""),
    md("""
## Recap

- `msg.reply({ ... })` answers the sender (or `Reply-To`) without knowing its address.
- Every sent message carries `Reference = n`; a reply carries `X-Reference = n`, tying answers
  to questions.
- `Send(...).receive()` pauses a handler until the answer to that message arrives;
  `Receive(pattern)` until any matching message arrives. The paused message finishes first; the
  resuming message continues the handler and is not put in the Inbox.
"""),
]

LESSONS = {"01": (LESSON_01, "01-processes-and-messages.ipynb"),
           "02": (LESSON_02, "02-handlers-and-patterns.ipynb"),
           "03": (LESSON_03, "03-replies-references-receive.ipynb")}


def main(which: list[str]) -> None:
    for key in which or sorted(LESSONS):
        cells, name = LESSONS[key]
        lesson, solution = build(cells, name)
        if "--show" in sys.argv:
            print(show(lesson))
            print(show(solution))
        print(f"built {name}")


if __name__ == "__main__":
    main([a for a in sys.argv[1:] if not a.startswith("--")])
