"""A runnable tour of the engine: spawn, send, reply, eval, cron, dry-run and the log."""

from __future__ import annotations

from . import Network

COUNTER = """
Count = Count or 0
Handlers.add("Inc", "Inc", function(msg)
  Count = Count + tonumber(msg.Tags.By or 1)
  msg.reply({ Action = "Count", Data = tostring(Count) })
end)
Handlers.add("Tick", "Tick", function(msg)
  Ticks = (Ticks or 0) + 1
end)
"""


def main() -> None:
    """Print what a small network does, step by step."""
    net = Network()
    alice = net.wallet("alice")
    print(f"alice's wallet: {alice.address}")
    counter = net.spawn("counter", owner=alice, code=COUNTER,
                        tags={"Cron-Interval": "10-seconds", "Cron-Tag-Action": "Tick"})
    print(f"spawned {counter.name}: {counter.id}")
    m = net.send(counter, action="Inc", tags={"By": "2"}, sender=alice)
    assert m.result is not None
    print(f"Inc -> slot {m.slot}, reply {m.result.messages[0].action}: {m.result.messages[0].data}")
    print(f"eval Count -> {counter.eval('Count').output}")
    crons = net.advance("35-seconds")
    print(f"advanced 35 s: {len(crons)} crons fired, Ticks = {counter.get('Ticks')}")
    dry = net.dryrun(counter, action="Inc", sender=alice)
    print(f"dry-run Inc would reply {dry.messages[0].data}; Count is still {counter.get('Count')}")
    bad = counter.eval("error('oops')")
    print(f"an error rolls back: {bad.error_message}; Count = {counter.get('Count')}")
    frame = net.messages()
    print()
    print(frame[["slot", "kind", "action", "from", "output"]].to_string(max_colwidth=40))


if __name__ == "__main__":
    main()
