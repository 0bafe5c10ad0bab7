"""Engine benchmark: wallet->process ping with reply, and spawns, in messages (spawns) per second.

Run with `make bench`. Each figure is the median of several timed rounds in this process; the
baseline line times a bare Lua call through lupa in the same run, so ratios compare like with like.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from ao_kernel import Network
from ao_kernel.lua.runtime import Runtime

PING = """
Handlers.add("Ping", "Ping", function(msg) msg.reply({ Action = "Pong", Data = "pong" }) end)
"""


def _median_rate(fn, count: int, rounds: int = 5) -> float:
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn(count)
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def bench_baseline(count: int) -> float:
    rt = Runtime(modules={})
    fn = rt.execute("return function(x) return x + 1 end")

    def run(n: int) -> None:
        for i in range(n):
            fn(i)
    return _median_rate(run, count)


def bench_ping(count: int) -> float:
    net = Network()
    proc = net.spawn("ping", code=PING)
    alice = net.wallet("alice")

    def run(n: int) -> None:
        for _ in range(n):
            net.send(proc, action="Ping", sender=alice)
    return _median_rate(run, count)


def bench_spawn(count: int) -> float:
    net = Network()

    def run(n: int) -> None:
        for _ in range(n):
            net.spawn()
    return _median_rate(run, count, rounds=3)


def bench_time_travel(count: int) -> float:
    """Median latency (ms) of `process.at(slot)` on a `count`-message log."""
    net = Network()
    proc = net.spawn("counter", code='N = 0 Handlers.add("Inc", "Inc", function() N = N + 1 end)')
    for _ in range(count):
        net.send(proc, action="Inc")
    latencies = []
    for slot in range(count // 7, count, count // 7):
        start = time.perf_counter()
        proc.at(slot).get("N")
        latencies.append((time.perf_counter() - start) * 1000)
    return statistics.median(latencies)


def main() -> None:
    quick = "--quick" in sys.argv
    n = 200 if quick else 2000
    results = {
        "baseline_lua_calls_per_s": bench_baseline(n * 50),
        "ping_with_reply_msgs_per_s": bench_ping(n),
        "spawns_per_s": bench_spawn(max(50, n // 10)),
        f"time_travel_ms_{n * 50}_messages": bench_time_travel(n * 50),
    }
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key:<{width}}  {value:>12,.0f}")
    out = Path(__file__).with_name("results.json")
    out.write_text(json.dumps({k: round(v, 1) for k, v in results.items()}, indent=2) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
