"""Sequence-diagram data: lanes and arrows in evaluation order, filters and windows."""

from views_world import build

from ao_kernel import Network
from ao_kernel.views import sequence
from ao_kernel.views._log import CRON


def labels(seq):
    return [lane.label for lane in seq.lanes]


def test_arrows_follow_the_log_and_deliveries_follow_their_cause(world):
    seq = sequence(world, limit=None)
    evaluated = [h for h in seq.arrows if h.kind != "delivery"]
    seqs = [h.seq for h in evaluated]
    assert seqs == sorted(set(seqs)) and len(evaluated) == len(world.messages())
    logged = [i for i in world.messages()["id"] if isinstance(i, str)]
    assert [h.id for h in evaluated if h.id] == logged
    for i, hop in enumerate(seq.arrows):
        if hop.kind == "delivery":  # right after the message whose result sent it
            cause = seq.arrows[i - 1]
            assert cause.receiver == hop.sender and cause.seq == hop.seq
    deliveries = [(h.action, seq.lanes[seq.lane_index(h.receiver)].label)
                  for h in seq.arrows if h.kind == "delivery"]
    assert deliveries == [("Deposited", "alice"), ("Deposited", "bob"),
                          ("Deposited", "alice"), (None, "user")]
    assert seq.total == len(seq.arrows) == 25 and seq.truncated == 0


def test_lanes_in_order_of_appearance_and_crons_have_no_lane(world):
    seq = sequence(world, limit=None)
    assert labels(seq) == ["alice", "bank", "user", "ping", "pong", "bob", "child"]
    crons = [h for h in seq.arrows if h.kind == "cron"]
    assert len(crons) == 1 and crons[0].sender == CRON and crons[0].slot is None
    assert seq.lane_index(CRON) is None
    assert [h.kind for h in seq.arrows[:2]] == ["spawn", "message"]


def test_processes_filter_puts_them_first(world):
    seq = sequence(world, processes=["pong"], limit=None)
    assert labels(seq) == ["pong", "user", "ping"]
    pong = world.process("pong").id
    assert all(pong in (h.sender, h.receiver) for h in seq.arrows)
    assert [h.action for h in seq.arrows] == [None, "Eval", "Go", "Ping", "Pong", "Go", "Ping",
                                             "Pong"]
    by_object = sequence(world, processes=world.process("pong"), limit=None)
    assert [h.index for h in by_object.arrows] == [h.index for h in seq.arrows]


def test_limit_start_and_filters(world):
    seq = sequence(world, limit=5, start=3)
    assert [h.index for h in seq.arrows] == [3, 4, 5, 6, 7]
    assert seq.total == 25 and seq.truncated == 17
    assert all(h.kind != "cron" for h in sequence(world, crons=False, limit=None).arrows)
    deposits = sequence(world, action="Deposit")
    assert [h.slot for h in deposits.arrows] == [2, 3, 4]
    frame = deposits.frame()
    assert list(frame["slot"]) == [2, 3, 4] and list(frame["kind"]) == ["message"] * 3


def test_hundreds_of_messages_stay_in_order():
    net = Network()
    counter = net.spawn("counter", code='Handlers.add("Inc", "Inc", function() N = (N or 0) + 1 '
                                        "end)")
    for _ in range(300):
        net.send(counter, action="Inc")
    seq = sequence(net, limit=200)
    assert len(seq.arrows) == 200 and seq.total == 302 and seq.truncated == 102
    slots = [h.slot for h in seq.arrows]
    assert slots == list(range(200))
    tail = sequence(net, start=250, limit=200)
    assert [h.slot for h in tail.arrows] == list(range(250, 302))


def test_same_log_same_sequence(world):
    a, b = sequence(world, limit=None), sequence(build(), limit=None)
    assert a.arrows == b.arrows and a.lanes == b.lanes
