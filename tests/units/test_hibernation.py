"""Idle processes hibernate: only some keep a Lua state (see ComputeUnit._admit); results
unchanged."""

from ao_kernel import Network

COUNTER = """
Count = 0
Handlers.add("Inc", "Inc", function(msg)
  Count = Count + 1
  if msg.Peer then Send({ Target = msg.Peer, Action = "Inc" }) end
  msg.reply({ Action = "Counted", Data = tostring(Count) })
end)
Handlers.add("Ask", "Ask", function(msg)
  Send({ Target = msg.Peer, Action = "Inc" })
  Answered = Receive({ Action = "Answer" }).Data
end)
"""


def _run(resident):
    net = Network(resident=resident)
    procs = [net.spawn(f"c{i}", code=COUNTER) for i in range(8)]
    for k in range(60):
        target, peer = procs[k % 8], procs[(k * 3 + 1) % 8]
        net.send(target, "Inc", tags={"Peer": peer.id})
    bad = procs[2].eval("Count = -1; error('rolled back')")
    assert bad.error is not None
    return net, procs


def test_results_and_states_do_not_depend_on_how_many_stay_resident():
    small, procs = _run(resident=2)
    big, _ = _run(resident=1000)
    asleep = [small.compute.runtimes[p.id].asleep for p in procs]
    assert sum(not a for a in asleep) <= 2 and any(asleep)
    assert small.messages().equals(big.messages())
    for a, b in zip(small.processes, big.processes, strict=True):
        assert a.get("Count") == b.get("Count")
    assert [p.get("Count") for p in procs] == [p.get("Count") for p in big.processes]
    assert all(r.ok for r in small.verify())


def test_a_long_history_is_snapshotted_before_sleeping_and_wakes_exactly():
    net = Network(resident=1)
    a = net.spawn("a", code=COUNTER)
    for _ in range(40):
        net.send(a, "Inc")
    digest = a.state_digest()
    net.spawn("b", code=COUNTER)  # a becomes the least recently used: it hibernates
    runtime = net.compute.runtimes[a.id]
    assert runtime.asleep
    assert runtime.recent is not None and runtime.recent[0] == len(runtime.history)
    assert a.get("Count") == 40 and not runtime.asleep
    assert a.state_digest() == digest
    assert a.at(a.log[-1].slot).get("Count") == 40


def test_a_young_process_sleeps_without_its_extra_snapshot():
    """Waking boots a runtime anyway, and then replaying a few messages costs less than loading
    a snapshot: a young process drops the one its first dry-run kept, and wakes exactly."""
    net = Network(resident=1)
    a = net.spawn("a", code=COUNTER)
    net.send(a, "Inc")
    assert net.dryrun(a, "Inc").messages[0].data == "2"
    runtime = net.compute.runtimes[a.id]
    assert runtime.recent is not None
    digest = a.state_digest()
    net.spawn("b", code=COUNTER)
    assert runtime.asleep and runtime.recent is None
    assert a.state_digest() == digest and a.get("Count") == 1


def _ask_and_crowd(incs_before):
    net = Network(resident=1)
    asker = net.spawn("asker", code=COUNTER)
    silent = net.spawn("silent", code='Handlers.add("Inc", "Inc", function() end)')
    for _ in range(incs_before):
        net.send(asker, "Inc")
    net.send(asker, "Ask", tags={"Peer": silent.id})  # silent never answers: Receive pending
    for i in range(3):
        net.spawn(f"other{i}", code=COUNTER)
    return net, asker, silent


def _answer_late(net, asker, silent):
    code = f'Send({{ Target = "{asker.id}", Action = "Answer", Data = "late" }})'
    answer = net.send(silent, "Eval", data=code, sender=silent.owner)
    assert answer.result.error is None
    assert asker.get("Answered") == "late"


def test_a_short_history_waiting_in_receive_sleeps_and_replays_the_wait():
    net, asker, silent = _ask_and_crowd(incs_before=0)
    assert net.compute.runtimes[asker.id].asleep
    _answer_late(net, asker, silent)


def test_a_long_history_waiting_in_receive_stays_awake():
    """A suspended coroutine cannot be snapshotted, and the replay would be long."""
    net, asker, silent = _ask_and_crowd(incs_before=30)
    assert not net.compute.runtimes[asker.id].asleep
    _answer_late(net, asker, silent)


def test_hibernated_processes_use_little_memory():
    net = Network(resident=4)
    procs = [net.spawn(f"c{i}", code=COUNTER) for i in range(40)]
    awake = [p for p in procs if not p.asleep]
    assert len(awake) <= 4 and procs[0].asleep
    assert procs[0].get("Count") == 0  # wakes the oldest; another one goes to sleep
    assert not procs[0].asleep
    assert sum(not p.asleep for p in procs) <= 4


def _count_wakes(monkeypatch):
    from ao_kernel.units.process_runtime import ProcessRuntime

    wakes = {"n": 0}
    rebuild = ProcessRuntime.rebuild

    def counting(self, *args, **kwargs):
        if self.asleep:
            wakes["n"] += 1
        return rebuild(self, *args, **kwargs)

    monkeypatch.setattr(ProcessRuntime, "rebuild", counting)
    return wakes


def _rounds(net, procs, count):
    """`count` rounds of one Inc to each process, in turn."""
    for _ in range(count):
        for p in procs:
            net.send(p, "Inc")


def test_messages_going_round_more_processes_than_stay_resident_find_most_awake(monkeypatch):
    """A process that comes into memory is the next to leave until used again, so a round of
    12 processes with 8 resident wakes about 12 - 8 + 1 of them, not all 12."""
    net = Network(resident=8)
    procs = [net.spawn(f"c{i}", code=COUNTER) for i in range(12)]
    _rounds(net, procs, 3)
    wakes = _count_wakes(monkeypatch)
    _rounds(net, procs, 1)
    assert wakes["n"] <= 6
    assert sum(not p.asleep for p in procs) <= 8
    assert [p.get("Count") for p in procs] == [4] * 12


def test_a_new_working_set_takes_over(monkeypatch):
    net = Network(resident=4)
    old = [net.spawn(f"old{i}", code=COUNTER) for i in range(4)]
    new = [net.spawn(f"new{i}", code=COUNTER) for i in range(4)]
    _rounds(net, old, 3)
    _rounds(net, new, 3)
    wakes = _count_wakes(monkeypatch)
    _rounds(net, new, 1)
    assert wakes["n"] == 0
    assert all(p.asleep for p in old) and not any(p.asleep for p in new)
