"""SU slots, hash chain and cron schedule; the SQLite log."""

import hashlib

import pytest

from ao_kernel.clock import VirtualClock
from ao_kernel.ids import IdFactory, b64url, b64url_decode
from ao_kernel.message import Message
from ao_kernel.store import LogStore
from ao_kernel.units.scheduler import Scheduler, parse_crons

PID = IdFactory(9).next("pid")


def _msg(i):
    return Message(id=IdFactory(3).next("m", i), target=PID, owner="o", from_="o",
                   tag_list=[("Action", "Ping")])


def test_slots_count_from_zero_and_chain_links_assignments():
    clock = VirtualClock(start_ms=1000)
    su = Scheduler(clock, IdFactory(0), "su")
    su.register(PID, [])
    msgs = [_msg(i) for i in range(4)]
    for m in msgs:
        su.assign(PID, m)
        clock.now += 10
    assert [m.slot for m in msgs] == [0, 1, 2, 3]
    assert [m.timestamp for m in msgs] == [1000, 1010, 1020, 1030]
    assert msgs[0].hash_chain == b64url(hashlib.sha256(b64url_decode(PID)).digest())
    for prev, cur in zip(msgs, msgs[1:], strict=False):
        expect = hashlib.sha256(
            b64url_decode(prev.assignment_id) + b64url_decode(prev.hash_chain)).digest()
        assert cur.hash_chain == b64url(expect)


def test_cron_tags_attach_to_the_interval_before_them():
    specs = parse_crons([("Cron-Interval", "10-seconds"), ("Cron-Tag-Action", "Tick"),
                         ("Cron-Interval", "2-blocks"), ("Cron-Tag-Action", "Blk")])
    assert [(s.ms, s.blocks, s.tags) for s in specs] == [
        (10_000, None, [("Action", "Tick")]), (None, 2, [("Action", "Blk")])]
    with pytest.raises(ValueError, match="before any Cron-Interval"):
        parse_crons([("Cron-Tag-Action", "Tick")])


def test_cron_times_and_order():
    clock = VirtualClock(start_ms=0, start_height=10)
    su = Scheduler(clock, IdFactory(0), "su")
    su.register(PID, [("Cron-Interval", "10-seconds"), ("Cron-Tag-Action", "T"),
                      ("Cron-Interval", "1-blocks"), ("Cron-Tag-Action", "B")])
    su.schedules[PID].crons = parse_crons([
        ("Cron-Interval", "60-seconds"), ("Cron-Tag-Action", "T60"),
        ("Cron-Interval", "10-seconds"), ("Cron-Tag-Action", "T10"),
        ("Cron-Interval", "1-blocks"), ("Cron-Tag-Action", "B")])
    fired = []
    while (t := su.next_cron_time(120_000)) is not None:
        fired += [(t, s.tags[0][1]) for _, s in su.crons_at(t)]
        su.mark_fired(t)
    assert fired[:2] == [(10_000, "T10"), (20_000, "T10")]
    assert (60_000, "T10") in fired and (60_000, "T60") in fired
    assert fired.index((60_000, "T10")) < fired.index((60_000, "T60"))
    at_block = [f for f in fired if f[0] == 120_000]
    assert [a for _, a in at_block] == ["B", "T10", "T60"]


def test_store_appends_in_batches_and_reads_back(tmp_path):
    path = tmp_path / "log.ao"
    store = LogStore(str(path))
    m = _msg(1)
    m.process, m.slot = PID, 0
    store.append(m)
    assert store.rows() and store.rows()[0]["action"] == "Ping"
    store.close()
    again = LogStore(str(path))
    assert len(again.rows(PID)) == 1



def test_store_reads_chosen_columns_and_names_unknown_ones():
    store = LogStore()
    m = _msg(1)
    m.process, m.slot, m.data = PID, 0, "caf\udce9"  # raw bytes travel as a BLOB and come back
    store.append(m)
    plain = _msg(2)
    plain.process, plain.slot, plain.data = PID, 1, "plain"
    store.append(plain)
    rows = store.rows(PID, columns=("seq", "data", "slot"))
    assert rows == [{"seq": 1, "data": "caf\udce9", "slot": 0},
                    {"seq": 2, "data": "plain", "slot": 1}]
    assert store.records(PID, columns=("seq", "data", "slot")) == [(1, "caf\udce9", 0),
                                                                   (2, "plain", 1)]
    assert store.records(PID, columns=("seq", "slot"), seqs=(2, 9)) == [(2, 1)]
    assert store.records(PID, columns=("seq", "slot"), seqs=(1, 1)) == [(1, 0)]
    with pytest.raises(ValueError, match="unknown log columns: nope"):
        store.rows(PID, columns=("seq", "nope"))
    with pytest.raises(ValueError, match="unknown log columns: nope"):
        store.records(columns=("nope",))


def test_only_processes_with_crons_are_asked_when_the_clock_moves():
    clock = VirtualClock(start_ms=0)
    su = Scheduler(clock, IdFactory(0), "su")
    idle = [IdFactory(5).next("idle", i) for i in range(50)]
    for pid in idle[:25]:
        su.register(pid, [])
    su.register(PID, [("Cron-Interval", "10-seconds"), ("Cron-Tag-Action", "T")])
    for pid in idle[25:]:
        su.register(pid, [])
        su.set_crons(pid, [])
    assert list(su.with_crons) == [PID]  # what next_cron_time, crons_at and mark_fired walk
    fired = []
    while (t := su.next_cron_time(60_000)) is not None:
        fired += [(t, pid) for pid, _ in su.crons_at(t)]
        su.mark_fired(t)
    assert fired == [(t, PID) for t in range(10_000, 60_001, 10_000)]
