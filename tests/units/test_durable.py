"""The durable log: reopen by replay, crash safety, bad files, forks."""

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from ao_kernel import Network
from ao_kernel.store.sqlite import LogFileError

COUNTER = """
Count = Count or 0
Handlers.add("Inc", "Inc", function(msg)
  Count = Count + 1
  msg.reply({ Action = "Count", Data = tostring(Count) })
end)
Handlers.add("Ask", "Ask", function(msg)
  local answer = Send({ Target = msg.Tags.Peer, Action = "Question" }).receive()
  Answer = answer.Data
end)
Handlers.add("Tick", "Tick", function() Ticks = (Ticks or 0) + 1 end)
Handlers.add("Boom", "Boom", function() Count = 999; error("boom") end)
"""


def build(net):
    """A small history with replies, crons, an error and a pending Receive."""
    alice = net.wallet("alice")
    c = net.spawn("counter", code=COUNTER,
                  tags={"Cron-Interval": "10-seconds", "Cron-Tag-Action": "Tick"})
    peer = net.spawn("peer")
    for _ in range(3):
        net.send(c, action="Inc", sender=alice)
    net.send(c, action="Boom")
    net.advance("25-seconds")
    net.send(c, action="Ask", tags={"Peer": peer.id})
    return c, peer


def state(net):
    return [(p.id, p.get("Count"), p.get("Ticks"), p.get("#Inbox"), p.get("Answer"),
             [m.id for m in p.log]) for p in net.processes]


def test_reopen_rebuilds_everything_and_continues_identically(tmp_path):
    path = str(tmp_path / "w.ao")
    disk = Network(path=path)
    build(disk)
    twin = Network()
    build(twin)
    disk.close()

    again = Network.open(path)
    assert state(again) == state(twin)
    assert (again.now, again.block_height) == (twin.now, twin.block_height)
    assert list(again.messages()["id"]) == list(twin.messages()["id"])
    assert again.store.mismatches == []
    # the pending Receive survives: the peer's answer resumes it, on both
    for net in (again, twin):
        c, peer = net.process("counter"), net.process("peer")
        question = peer.inbox[-1]
        peer.eval(f'Send({{Target = "{c.id}", Action = "Answer", Data = "42", '
                  f'["X-Reference"] = "{question["Reference"]}"}})')
        net.advance("10-seconds")
    assert state(again) == state(twin)
    assert again.process("counter").get("Answer") == "42"
    again.close()
    third = Network.open(path)
    assert state(third) == state(twin)
    third.close()


def test_reopen_refuses_other_settings(tmp_path):
    path = str(tmp_path / "w.ao")
    Network(path=path, seed=3).close()
    net = Network(path=path)
    assert net.seed == 3
    net.close()
    with pytest.raises(Exception, match="seed=3"):
        Network(path=path, seed=4)


@pytest.mark.parametrize("content", [
    b"hello, this is not a database at all" * 100,
    b"",
])
def test_bad_files_explain_themselves_and_stay_untouched(tmp_path, content):
    path = tmp_path / "bad.ao"
    path.write_bytes(content)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    if content:
        with pytest.raises(LogFileError, match="not a readable ao_kernel log"):
            Network.open(str(path))
    else:
        with pytest.raises(FileNotFoundError, match="no ao_kernel log"):
            Network.open(str(path))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_other_sqlite_newer_schema_and_truncated_files(tmp_path):
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    with pytest.raises(LogFileError, match="not an ao_kernel log"):
        Network.open(str(other))

    newer = tmp_path / "newer.ao"
    net = Network(path=str(newer))
    net.spawn("p")
    net.store.db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    net.store.db.commit()
    net.close()
    before = newer.read_bytes()
    with pytest.raises(LogFileError, match="newer ao_kernel"):
        Network.open(str(newer))
    assert newer.read_bytes() == before

    whole = tmp_path / "whole.ao"
    net = Network(path=str(whole))
    build(net)
    net.close()
    data = whole.read_bytes()
    cut = tmp_path / "cut.ao"
    cut.write_bytes(data[: len(data) // 2])
    before = cut.read_bytes()
    with pytest.raises(LogFileError):
        Network.open(str(cut))
    assert cut.read_bytes() == before


PING = 'Handlers.add("Ping", "Ping", function(m) m.reply({Data = "pong"}) end)'
CRASH_SCRIPT = textwrap.dedent("""
    import sys
    from ao_kernel import Network
    net = Network(path=sys.argv[1])
    PING = 'Handlers.add("Ping", "Ping", function(m) m.reply({Data = "pong"}) end)'
    p = net.spawn("p", code=PING)
    print("ready", flush=True)
    for i in range(100000):
        net.send(p, action="Ping", data=str(i))
""")


def test_kill_9_mid_run_leaves_a_consistent_prefix(tmp_path):
    path = str(tmp_path / "crash.ao")
    proc = subprocess.Popen([sys.executable, "-c", CRASH_SCRIPT, path], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(1.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    net = Network.open(path)
    n = len(net.messages())
    assert n > 10
    assert net.store.mismatches == []
    p = net.process("p")
    slots = [m.slot for m in p.log]
    assert slots == list(range(len(slots)))
    # every stored row matches what an uninterrupted run produces at that position
    fresh = Network()
    q = fresh.spawn("p", code=PING)
    for i in range(len(slots) - 2):
        fresh.send(q, action="Ping", data=str(i))
    assert list(fresh.messages()["id"]) == list(net.messages()["id"])[: len(fresh.messages())]
    assert net.send(p, action="Ping", data="after").result.messages[0].data == "pong"
    net.close()


def test_fork_at_a_message_time_or_position_is_a_prefix():
    net = Network()
    c, _ = build(net)
    log = c.log
    third = next(m for m in log if m.action == "Inc" and m.result.messages[0].data == "2")
    fork = net.fork(at=third)
    assert fork.process("counter").get("Count") == 2
    assert list(fork.messages()["id"]) == list(net.messages()["id"])[: len(fork.messages())]
    fork.send(fork.process("counter"), action="Inc")
    assert fork.process("counter").get("Count") == 3 and c.get("Count") == 3
    assert net.fork(at=(c, third.slot)).process("counter").get("Count") == 2

    tick = next(m for m in log if m.cron)
    at_time = net.fork(at=tick.timestamp)
    assert at_time.now == tick.timestamp and at_time.process("counter").get("Ticks") == 1
    whole = net.fork()
    assert state(whole) == state(net)
    assert net.fork(at=0).processes[0].id == c.id
    with pytest.raises(TypeError, match="cannot fork"):
        net.fork(at="yesterday")


def test_export_jsonl_and_load_round_trip(tmp_path):
    net = Network()
    build(net)
    path = tmp_path / "log.jsonl"
    net.export(str(path))
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0]["type"] == "ao_kernel-log"
    assignments = [r for r in lines if r["type"] == "assignment"]
    ids = [None if not isinstance(x, str) else x for x in net.messages()["id"]]
    assert [r["id"] for r in assignments if r["kind"] != "wallet"] == ids
    assert {"slot", "timestamp", "block_height", "hash_chain", "tags", "data", "result"} <= \
        set(assignments[0])
    again = Network.load(str(path))
    assert state(again) == state(net)
    # an edited export is refused
    edited = tmp_path / "edited.jsonl"
    target = next(i for i, r in enumerate(lines) if r["type"] == "assignment" and r["data"])
    lines[target]["data"] = "tampered"
    edited.write_text("\n".join(json.dumps(r) for r in lines) + "\n")
    with pytest.raises(LogFileError, match="does not give its log"):
        Network.load(str(edited))
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"type": "ao_kernel-log", "schema": 1}\n{oops\n')
    with pytest.raises(LogFileError, match="line 2: not JSON"):
        Network.load(str(broken))


def test_parquet_export(tmp_path):
    import pandas as pd

    net = Network()
    build(net)
    path = tmp_path / "messages.parquet"
    net.export(str(path))
    frame = pd.read_parquet(path)
    assert list(frame["id"].fillna("-")) == list(net.messages()["id"].fillna("-"))
    assert json.loads(frame["tags"].iloc[0])["Type"] == "Process"
