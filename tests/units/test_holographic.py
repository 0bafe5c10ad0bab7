"""Time travel, history and verification by replay."""

import json

import pytest

from ao_kernel import LuaError, Network

BANK = """
Balances = Balances or {}
Handlers.add("Deposit", "Deposit", function(msg)
  Balances[msg.From] = (Balances[msg.From] or 0) + tonumber(msg.Quantity)
  msg.reply({ Action = "Deposited", Data = tostring(Balances[msg.From]) })
end)
Handlers.add("Fail", "Fail", function() Balances.broken = true; error("nope") end)
Handlers.add("Tick", "Tick", function() Ticks = (Ticks or 0) + 1 end)
"""


@pytest.fixture
def world():
    net = Network()
    bank = net.spawn("bank", code=BANK,
                     tags={"Cron-Interval": "1-minute", "Cron-Tag-Action": "Tick"})
    alice, bob = net.wallet("alice"), net.wallet("bob")
    for i, who in enumerate([alice, bob, alice, bob, alice]):
        net.send(bank, action="Deposit", tags={"Quantity": str(i + 1)}, sender=who)
        if i == 2:
            net.send(bank, action="Fail")
        net.advance("30-seconds")
    return net, bank, alice, bob


def test_at_slot_and_time_match_the_live_state_then(world):
    net, bank, alice, _ = world
    seen = {}
    fresh = Network()
    twin = fresh.spawn("bank", code=BANK,
                       tags={"Cron-Interval": "1-minute", "Cron-Tag-Action": "Tick"})
    seen[twin.log[-1].slot] = twin.get("Balances")
    for i, who in enumerate(["alice", "bob", "alice", "bob", "alice"]):
        m = fresh.send(twin, action="Deposit", tags={"Quantity": str(i + 1)},
                       sender=fresh.wallet(who))
        seen[m.slot] = twin.get("Balances")
        if i == 2:
            fresh.send(twin, action="Fail")
        fresh.advance("30-seconds")
    for slot, balances in seen.items():
        assert bank.at(slot).get("Balances") == balances
    view = bank.at(2)
    assert view.get("Balances") == {alice.address: 1}
    assert view.slot == 2 and view.timestamp == bank.log[2].timestamp
    first_tick = next(m for m in bank.log if m.cron)
    assert bank.at(time=first_tick.timestamp).get("Ticks") == 1
    assert bank.at(time=first_tick.timestamp - 1).get("Ticks") is None
    assert view.eval("Balances.extra = 1 return 7").output == "7"
    assert view.get("Balances.extra") is None
    assert view.inbox == bank.at(2).inbox
    with pytest.raises(ValueError, match="has no slot 999"):
        bank.at(999)
    with pytest.raises(TypeError, match="either a slot or time"):
        bank.at()


def test_views_keep_up_with_a_growing_log(world):
    """A view finds its slot or instant from an index of the log, kept up to date as the log
    grows (crons take no slot, failed messages change nothing)."""
    net, bank, alice, _ = world
    before = bank.at(3).get("Balances")
    total = sum(bank.get("Balances").values())
    for _ in range(3):
        m = net.send(bank, action="Deposit", tags={"Quantity": "10"}, sender=alice)
        net.send(bank, action="Fail")
        net.advance("1-minute")
        total += 10
        assert sum(bank.at(m.slot).get("Balances").values()) == total
        assert bank.at(m.slot).slot == m.slot
        assert bank.at(time=net.now).get("Ticks") == bank.get("Ticks")
    assert bank.at(3).get("Balances") == before
    last = bank.log[-1]
    assert last.cron and last.slot is None
    assert bank.at(time=last.timestamp).timestamp == last.timestamp
    top = max(m.slot for m in bank.log if m.slot is not None)
    with pytest.raises(ValueError, match=f"has no slot {top + 100} \\(its slots are 0..{top}\\)"):
        bank.at(top + 100)


def test_history_is_one_value_per_message(world):
    net, bank, alice, _ = world
    series = bank.history(f'Balances["{alice.address}"]')
    assert len(series) == len(bank.log)
    assert list(series.index.names) == ["slot", "timestamp"]
    values = [v for v in series if v is not None]
    assert values == sorted(values) and values[-1] == 1 + 3 + 5
    failed = next(i for i, m in enumerate(bank.log) if m.result.error)
    assert series.iloc[failed] == series.iloc[failed - 1]
    ticks = bank.history("Ticks")
    assert ticks.iloc[-1] == bank.get("Ticks")


def test_verify_passes_on_an_honest_log_and_digests_are_stable(world):
    net, bank, *_ = world
    reports = net.verify()
    assert all(r.ok for r in reports), reports
    assert bank.verify().ok
    assert bank.state_digest() == bank.state_digest()
    twin = net.fork()
    assert twin.process("bank").state_digest() == bank.state_digest()
    net.send(bank, action="Deposit", tags={"Quantity": "1"})
    assert twin.process("bank").state_digest() != bank.state_digest()


def test_verify_catches_a_tampered_message(world):
    net, bank, alice, _ = world
    row = next(r for r in net.store.rows(process=bank.id) if r["action"] == "Deposit")
    tags = [[n, "100" if n == "Quantity" else v] for n, v in json.loads(row["tags"])]
    net.store.db.execute("UPDATE log SET tags = ? WHERE seq = ?", (json.dumps(tags), row["seq"]))
    net.store.db.commit()
    report = bank.verify()
    assert not report.ok
    assert report.slot == row["slot"]
    assert "differs" in report.problem


def test_verify_catches_a_broken_hash_chain(world):
    net, bank, *_ = world
    row = [r for r in net.store.rows(process=bank.id) if r["slot"] is not None][4]
    net.store.db.execute("UPDATE log SET hash_chain = ? WHERE seq = ?", ("x" * 43, row["seq"]))
    net.store.db.commit()
    report = bank.verify()
    assert not report.ok and report.problem == "hash chain broken" and report.slot == row["slot"]


def test_verify_catches_a_live_state_changed_behind_the_logs_back(world):
    net, bank, *_ = world
    net.compute.runtimes[bank.id].runtime.execute("Balances.sneaky = 1")
    report = bank.verify()
    assert not report.ok and "live state" in report.problem
    assert report.details["globals"] == ["Balances"]


def count_evaluations(monkeypatch):
    """Counts messages evaluated in Lua from now on, one by one or replayed in batches."""
    from ao_kernel.units.process_runtime import ProcessRuntime

    calls = {"n": 0}
    run, replay = ProcessRuntime._run, ProcessRuntime._replay_batches

    def counting_run(self, args):
        calls["n"] += 1
        return run(self, args)

    def counting_replay(self, history):
        calls["n"] += len(history)
        return replay(self, history)

    monkeypatch.setattr(ProcessRuntime, "_run", counting_run)
    monkeypatch.setattr(ProcessRuntime, "_replay_batches", counting_replay)
    return calls


def test_checkpoints_bound_the_replay_for_rollback_dryrun_and_time_travel(monkeypatch):
    net = Network()
    p = net.spawn("p", code="""
      N = 0
      Handlers.add("Add", "Add", function(msg) N = N + 1; msg.reply({ Data = tostring(N) }) end)
      Handlers.add("Bad", "Bad", function() N = -1; error("bad") end)
    """)
    live = net.compute.runtimes[p.id]
    live.checkpoint_every = 100
    for _ in range(450):
        net.send(p, action="Add")
    assert sorted(live.checkpoints) == [100, 200, 300, 400]

    calls = count_evaluations(monkeypatch)
    assert net.send(p, action="Bad").result.error is not None
    assert calls["n"] <= 1 + 60 and p.get("N") == 450
    calls["n"] = 0
    assert net.dryrun(p, action="Add").messages[0].data == "451"
    assert calls["n"] <= 1 + 60 and p.get("N") == 450
    calls["n"] = 0
    slot = next(m.slot for m in p.log if m.result.messages and m.result.messages[0].data == "250")
    assert p.at(slot).get("N") == 250
    assert calls["n"] <= 60
    assert p.at(slot).eval("N").output == "250"
    assert net.verify()[0].ok


def test_repeated_dryruns_do_not_replay_the_log_again(monkeypatch):
    """A dry-run snapshots a long replay tail first, so the dry-runs after it restore that
    snapshot instead of replaying every message since the last checkpoint."""
    net = Network()
    p = net.spawn("p", code="""
      N = 0
      Handlers.add("Add", "Add", function() N = N + 1 end)
      Handlers.add("Get", "Get", function(msg) N = N + 100; msg.reply({ Data = tostring(N) }) end)
    """)
    for _ in range(300):
        net.send(p, action="Add")
    calls = count_evaluations(monkeypatch)
    for _ in range(3):
        assert net.dryrun(p, action="Get").messages[0].data == "400"
    net.send(p, action="Add")
    assert net.dryrun(p, action="Get").messages[0].data == "401"
    assert calls["n"] <= 3 + 1 + 1 + 1 and p.get("N") == 301  # the last replays the Add
    assert net.verify()[0].ok


def test_a_young_process_boots_once_for_many_dryruns_and_errors(monkeypatch):
    """With no snapshot yet, undoing a dry-run or an error boots a fresh runtime; the first
    one snapshots the state, so the ones after it restore into the live runtime instead."""
    from ao_kernel.units.process_runtime import ProcessRuntime

    net = Network()
    p = net.spawn("p", code="""
      N = 0
      Handlers.add("Get", "Get", function(msg) N = N + 100; msg.reply({ Data = tostring(N) }) end)
      Handlers.add("Bad", "Bad", function() N = -1; error("bad") end)
    """)
    boots = {"n": 0}
    boot = ProcessRuntime._boot

    def counting(self, then=None):
        boots["n"] += 1
        return boot(self, then)

    monkeypatch.setattr(ProcessRuntime, "_boot", counting)
    for _ in range(3):
        assert net.dryrun(p, action="Get").messages[0].data == "100"
        assert net.send(p, action="Bad").result.error is not None
    assert boots["n"] <= 1 and p.get("N") == 0
    assert net.compute.runtimes[p.id].recent is not None
    assert net.verify()[0].ok


def test_time_travel_in_a_young_process_replays_rather_than_loading_its_snapshot(monkeypatch):
    """A view at a slot boots a fresh runtime; for a young process, replaying its few messages
    then costs less than loading the extra snapshot its dry-run kept (the view is the same)."""
    from ao_kernel.units import checkpoint

    net = Network()
    p = net.spawn("p", code='N = 0 Handlers.add("Inc", "Inc", function() N = N + 1 end)')
    for _ in range(3):
        net.send(p, action="Inc")
    net.dryrun(p, action="Inc")
    assert net.compute.runtimes[p.id].recent is not None
    loads = {"n": 0}
    restore = checkpoint.restore

    def counting(pr, blob, in_place=False):
        loads["n"] += 1
        return restore(pr, blob, in_place)

    monkeypatch.setattr(checkpoint, "restore", counting)
    assert p.at(p.log[-1].slot).get("N") == 3 and p.at(p.log[-2].slot).get("N") == 2
    assert loads["n"] == 0


def test_a_state_that_cannot_be_snapshotted_is_walked_once(monkeypatch):
    """A pending Receive makes the state impossible to snapshot. Dry-runs and rollbacks keep
    coming back to that same state, so the walk that found it out is not repeated."""
    from ao_kernel.units import checkpoint

    net = Network()
    p = net.spawn("p", code="""
      Handlers.add("Ask", "Ask", function() Got = Receive({ Action = "Answer" }).Data end)
      Handlers.add("Get", "Get", function(msg) msg.reply({ Data = tostring(Got) }) end)
      Handlers.add("Bad", "Bad", function() Got = "no"; error("bad") end)
    """)
    net.send(p, action="Ask")
    walks = {"n": 0}
    snapshot = checkpoint.snapshot

    def counting(pr):
        walks["n"] += 1
        return snapshot(pr)

    monkeypatch.setattr(checkpoint, "snapshot", counting)
    for _ in range(3):
        assert net.dryrun(p, action="Get").messages[0].data == "nil"
        assert net.send(p, action="Bad").result.error is not None
    assert walks["n"] <= 1
    net.send(p, action="Answer", data="yes")
    assert p.get("Got") == "yes"
    assert net.dryrun(p, action="Get").messages[0].data == "yes"
    assert net.verify()[0].ok


def test_checkpoints_of_a_big_state_are_further_apart():
    """Snapshots cost time in proportion to their size: a big state is checkpointed less often
    (one `checkpoint_every` per CHECKPOINT_BYTES of the latest checkpoint), and rollback, time
    travel and verify stay exact."""
    from ao_kernel.units.process_runtime import CHECKPOINT_BYTES

    net = Network()
    p = net.spawn("p", code="""
      Big = {} for i = 1, 20000 do Big["k" .. i] = i end
      N = 0
      Handlers.add("Add", "Add", function() N = N + 1 end)
      Handlers.add("Bad", "Bad", function() N = -1; error("bad") end)
    """)
    live = net.compute.runtimes[p.id]
    live.checkpoint_every = 20
    for _ in range(150):
        net.send(p, action="Add")
    first = min(live.checkpoints)
    factor = len(live.checkpoints[first]) // CHECKPOINT_BYTES
    assert factor >= 2
    assert sorted(live.checkpoints) == list(range(first, 151, 20 * factor))
    assert net.send(p, action="Bad").result.error is not None
    assert p.get("N") == 150
    adds = [m for m in p.log if m.action == "Add"]
    assert p.at(adds[118].slot).get("N") == 119
    assert net.verify()[0].ok


def test_checkpoint_spacing_grows_at_most_checkpoint_spread_fold():
    from ao_kernel.units.process_runtime import CHECKPOINT_BYTES, CHECKPOINT_SPREAD

    net = Network()
    p = net.spawn("p", code="""
      Big = {} for i = 1, 150000 do Big[i] = "item " .. i end
      Handlers.add("Add", "Add", function() N = (N or 0) + 1 end)
    """)
    live = net.compute.runtimes[p.id]
    live.checkpoint_every = 4
    for _ in range(140):
        net.send(p, action="Add")
    first = min(live.checkpoints)
    assert len(live.checkpoints[first]) // CHECKPOINT_BYTES > CHECKPOINT_SPREAD
    assert sorted(live.checkpoints) == list(range(first, 141, 4 * CHECKPOINT_SPREAD))
    assert p.at(p.log[-3].slot).get("N") == 138


def test_time_travel_and_rollback_with_a_pending_receive():
    net = Network()
    p = net.spawn("p", code="""
      Handlers.add("Wait", "Wait", function(msg)
        local r = Receive({ Action = "Go" })
        Got = r.Data
      end)
      Handlers.add("Bad", "Bad", function() Got = "broken"; error("bad") end)
    """)
    live = net.compute.runtimes[p.id]
    live.checkpoint_every = 2
    net.send(p, action="Wait")
    net.send(p, action="Bad")
    for _ in range(3):
        net.send(p, action="Noise")
    assert p.get("Got") is None
    net.send(p, action="Go", data="yes")
    assert p.get("Got") == "yes"
    assert p.at(p.log[-2].slot).get("Got") is None
    assert net.verify()[0].ok


def test_errors_close_together_replay_only_what_follows_the_last_rollback(monkeypatch):
    from ao_kernel.units.process_runtime import ProcessRuntime

    net = Network()
    p = net.spawn("p", code="""
      N = 0
      Handlers.add("Add", "Add", function() N = N + 1 end)
      Handlers.add("Bad", "Bad", function() N = -1; error("bad") end)
    """)
    for _ in range(300):
        net.send(p, action="Add")
    net.send(p, action="Bad")
    assert net.compute.runtimes[p.id].recent is not None
    for _ in range(5):
        net.send(p, action="Add")
    calls = {"n": 0}
    original = ProcessRuntime._run

    def counting(self, args):
        calls["n"] += 1
        return original(self, args)

    monkeypatch.setattr(ProcessRuntime, "_run", counting)
    net.send(p, action="Bad")
    assert calls["n"] <= 1 + 5
    assert p.get("N") == 305 and net.verify()[0].ok


def test_verify_ignores_memory_addresses_in_outputs():
    net = Network()
    p = net.spawn("a", code="X = 1")
    res = p.eval('Send({Target = ao.id, Action = "Hi"})')
    assert "function: 0x" in res.output
    assert all(r.ok for r in net.verify())


def _segmented(workers):
    net = Network(workers=workers)
    p = net.spawn("p", code='Handlers.add("Inc", "Inc", function(msg) '
                            'N = (N or 0) + 1; if msg.Fail then error("no") end end)')
    net.compute.runtimes[p.id].checkpoint_every = 100
    for i in range(450):
        net.send(p, "Inc", tags={"Fail": "1"} if i % 37 == 5 else None)
    return net, p


def test_long_history_is_replayed_in_segments_with_the_same_values():
    """Segments start at checkpoints and run side by side: same series as one pass."""
    series = {}
    for workers in (1, 2):
        net, p = _segmented(workers)
        p.eval("Doubled = N * 2")
        for _ in range(30):
            net.send(p, "Inc")
        runtime = net.compute.runtimes[p.id]
        assert len(runtime.checkpoints) >= 4
        if workers == 2:
            assert len(runtime.segments(len(runtime.history), 2)) == 2
        series[workers] = (p.history("N"), p.history("Doubled"), p.history("(("))
    (n1, d1, bad1), (n2, d2, bad2) = series[1], series[2]
    assert n1.equals(n2) and d1.equals(d2) and bad1.equals(bad2)
    assert n2.iloc[-1] == 450 - 13 + 30 and d2.iloc[-1] == 2 * (450 - 13)
    assert d2.isna().sum() == len(d2) - 31
    assert bad2.isna().all()


def test_segments_end_at_the_checkpoints_nearest_their_share():
    """Side-by-side replays cut the history at checkpoints; the first run (the calling thread
    also reads the log and gathers results) is ideally LEAD_SHARE times as long as the others."""
    from ao_kernel.units.process_runtime import LEAD_SHARE, ProcessRuntime

    runtime = ProcessRuntime.__new__(ProcessRuntime)
    runtime.checkpoints = {k: b"" for k in range(100, 1000, 100)}
    assert runtime.segments(1000, 1) == [(0, 1000)]
    two = runtime.segments(1000, 2)
    assert two == [(0, 400), (400, 1000)] and LEAD_SHARE == 0.8  # ideal first end: 444
    assert runtime.segments(1000, 4) == [(0, 200), (200, 500), (500, 700), (700, 1000)]
    runtime.checkpoints = {900: b""}
    assert runtime.segments(1000, 2) == [(0, 900), (900, 1000)]
    runtime.checkpoints = {}
    assert runtime.segments(1000, 2) == [(0, 1000)]


def test_segmented_verify_passes_and_catches_tampering_in_a_late_segment():
    net, p = _segmented(workers=2)
    runtime = net.compute.runtimes[p.id]
    assert len(runtime.segments(len(runtime.history), 2)) == 2
    assert p.verify().ok
    rows = [r for r in net.store.rows(process=p.id) if r["error"] is None]
    late = rows[400]
    tags = [[n, v] for n, v in json.loads(late["tags"])] + [["Fail", "1"]]
    net.store.db.execute("UPDATE log SET tags = ? WHERE seq = ?", (json.dumps(tags), late["seq"]))
    net.store.db.commit()
    report = p.verify()
    assert not report.ok and report.slot == late["slot"] and "differs" in report.problem


def test_segmented_verify_reports_the_earliest_of_a_chain_break_and_a_difference():
    """The hash chain is checked while the segments are recomputed; the report is still the
    first problem in log order, whichever check found it."""
    net, p = _segmented(workers=2)
    rows = [r for r in net.store.rows(process=p.id) if r["error"] is None]
    early, late = rows[120], rows[400]
    net.store.db.execute("UPDATE log SET hash_chain = ? WHERE seq = ?", ("x" * 43, late["seq"]))
    net.store.db.commit()
    report = p.verify()
    assert not report.ok and report.problem == "hash chain broken" and report.slot == late["slot"]
    tags = [[n, v] for n, v in json.loads(early["tags"])] + [["Fail", "1"]]
    net.store.db.execute("UPDATE log SET tags = ? WHERE seq = ?", (json.dumps(tags), early["seq"]))
    net.store.db.commit()
    report = p.verify()
    assert not report.ok and report.slot == early["slot"] and "differs" in report.problem


@pytest.mark.parametrize("column", ["hash_chain", "assignment_id"])
def test_segmented_verify_checks_the_chain_across_the_segment_boundary(column):
    """Each segment checks its part of the hash chain from the stored link of the row before
    it. Tampering with that row is found where one pass from the start finds it: its link at
    that row (which the recomputation sees too: the message carries its link), the assignment
    id that the next link hashes at the first row of the next segment."""
    results = {}
    for workers in (1, 2):
        net, p = _segmented(workers=workers)
        runtime = net.compute.runtimes[p.id]
        cut = runtime.segments(len(runtime.history), 2)[1][0]
        rows = net.store.rows(process=p.id)
        kept, boundary = 0, None
        for i, row in enumerate(rows):
            if kept == cut:
                boundary = i
                break
            kept += row["error"] is None
        before = rows[boundary - 1]
        net.store.db.execute(f"UPDATE log SET {column} = ? WHERE seq = ?",
                             (before[column][::-1], before["seq"]))
        net.store.db.commit()
        report = p.verify()
        assert not report.ok
        results[workers] = report
    assert results[1].slot == results[2].slot
    if column == "assignment_id":
        assert results[1].slot == before["slot"] + 1
        assert results[1].problem == results[2].problem == "hash chain broken"
        assert results[1].details == results[2].details
    else:
        assert results[1].slot == before["slot"]


def test_verify_decodes_each_distinct_tag_text_once_and_still_sees_every_row(monkeypatch):
    """Rows with the same stored tags share one decoded list; a row whose tags differ (here,
    tampered with) is decoded on its own and caught; a full cache starts again."""
    from ao_kernel import holographic

    monkeypatch.setattr(holographic, "TAG_CACHE_MAX", 3)
    net = Network()
    p = net.spawn("p", code='Handlers.add("Inc", "Inc", function(msg) '
                            'N = (N or 0) + tonumber(msg.Tags.By or 1); '
                            'msg.reply({ Data = tostring(N) }) end)')
    for i in range(40):
        net.send(p, "Inc", tags={"By": str(i % 5)} if i % 2 else None)
    assert p.verify().ok
    row = [r for r in net.store.rows(process=p.id) if r["action"] == "Inc"][7]
    tags = [[n, "4" if n == "By" else v] for n, v in json.loads(row["tags"])]
    net.store.db.execute("UPDATE log SET tags = ? WHERE seq = ?", (json.dumps(tags), row["seq"]))
    net.store.db.commit()
    report = p.verify()
    assert not report.ok and report.slot == row["slot"]


def test_segmented_verify_checks_the_checkpoints_it_starts_from():
    net, p = _segmented(workers=2)
    runtime = net.compute.runtimes[p.id]
    cut = runtime.segments(len(runtime.history), 2)[1][0]
    good = runtime.checkpoints[cut]
    runtime.checkpoints[cut] = good.replace(b"N=", b"N=1+", 1) if b"N=" in good else good + b" "
    report = p.verify()
    assert not report.ok and "checkpoint" in report.problem
    runtime.checkpoints[cut] = good
    assert p.verify().ok


def test_history_values_of_every_kind_come_back_as_get_gives_them():
    net = Network()
    p = net.spawn("p", code='Handlers.add("Set", "Set", function(msg) '
                            'N = (N or 0) + 1; Raw = string.char(255, 65); T = { n = N, "x" } '
                            'F = N / 2 end)')
    for _ in range(3):
        net.send(p, "Set")
    for expr in ("N", "Raw", "T", "F", "N > 1", "Missing"):
        series = p.history(expr)
        assert series.iloc[-1] == p.get(expr), expr
    assert p.history("Raw").iloc[-1].encode("utf-8", "surrogateescape") == b"\xffA"


@pytest.mark.parametrize("where", ["column", "record", "error"])
def test_verify_catches_a_tampered_output_or_error_in_either_place(where):
    net = Network()
    p = net.spawn("p", code='Handlers.add("Say", "Say", function() print("said " .. (N or 0)) '
                            'N = (N or 0) + 1 end)')
    for _ in range(5):
        net.send(p, "Say")
    assert p.verify().ok
    row = [r for r in net.store.rows(process=p.id) if r["action"] == "Say"][2]
    assert "said 2" in row["output"]
    if where == "column":
        net.store.db.execute("UPDATE log SET output = ? WHERE seq = ?",
                             (row["output"].replace("said 2", "said 9"), row["seq"]))
    else:
        record = json.loads(row["result"])
        if where == "record":
            record["output"] = record["output"].replace("said 2", "said 9")
        else:
            record["error"] = "made up"
        net.store.db.execute("UPDATE log SET result = ? WHERE seq = ?",
                             (json.dumps(record, ensure_ascii=True), row["seq"]))
    net.store.db.commit()
    report = p.verify()
    assert not report.ok and report.slot == row["slot"]


def test_history_of_an_endless_expression_explains_itself():
    net = Network(instruction_limit=10**6)
    p = net.spawn("p", code='Handlers.add("Inc", "Inc", function() N = (N or 0) + 1 end)')
    for _ in range(3):
        net.send(p, "Inc")
    with pytest.raises(LuaError, match=r"ran out of instructions \(1,000,000 instructions\)"):
        p.history("(function() while true do end end)()")
    assert p.history("N").tolist() == [None, None, 1, 2, 3]
