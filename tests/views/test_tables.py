"""The inbox as a DataFrame."""

from ao_kernel import Network
from ao_kernel.views import inbox_frame
from ao_kernel.views.tables import INBOX_COLUMNS


def test_inbox_frame_lists_unhandled_messages():
    net = Network()
    alice = net.wallet("alice")
    p = net.spawn("quiet", code="X = 1")
    first = net.send(p, action="Hello", data="hi", tags={"Mood": "good"}, sender=alice)
    net.send(p, action="Bye", sender=alice)
    frame = inbox_frame(p)
    assert list(frame.columns) == INBOX_COLUMNS
    hello = frame[frame["action"] == "Hello"].iloc[0]
    assert hello["id"] == first.id and hello["from"] == alice.address
    assert hello["data"] == "hi" and hello["slot"] == first.slot
    assert hello["tags"]["Mood"] == "good" and list(hello["tags"]) == sorted(hello["tags"])
    assert hello["timestamp"] == first.timestamp and not hello["cron"]
    assert list(frame["action"])[-2:] == ["Hello", "Bye"]
    assert list(frame["position"]) == list(range(1, len(frame) + 1))
    then = inbox_frame(p.at(first.slot))  # a time-travel view works too
    assert list(then["action"])[-1] == "Hello" and len(then) == len(frame) - 1


def test_empty_inbox_has_the_columns():
    net = Network()
    p = net.spawn("h", code='Handlers.add("A", "A", function() end)')
    frame = inbox_frame(p)
    assert list(frame.columns) == INBOX_COLUMNS
    assert str(frame["slot"].dtype) == "Int64"
