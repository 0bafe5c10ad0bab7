"""Run the ping, ping-pong and token workloads on WAO (npm `wao`) with Node, for bench/bench.py.

WAO is installed from npm (pinned version) into `<repo>/.cache/peers/wao-node/` the first time
(gitignored, never committed); `wao_bench.mjs` (next to this file) is run with
`node --experimental-wasm-memory64` (the aos 2.0.6 build WAO uses is wasm64) and writes JSON.
`run()` returns that JSON as a dict, or `{"unavailable": reason}` when Node, npm or the
package cannot be had.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

WAO_VERSION = "0.35.7"  # the version tests/peer/aos_reference.py uses
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
INSTALL_DIR = REPO / ".cache" / "peers" / "wao-node"
TOKEN_LUA = REPO / "ao_kernel" / "lua" / "blueprints" / "token.lua"


def _installed_version() -> str | None:
    pkg = INSTALL_DIR / "node_modules" / "wao" / "package.json"
    if not pkg.is_file():
        return None
    return json.loads(pkg.read_text(encoding="utf-8")).get("version")


def install() -> str | None:
    """Install wao@WAO_VERSION into the cache; returns None, or why it could not."""
    if _installed_version() == WAO_VERSION:
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed"
    INSTALL_DIR.mkdir(parents=True, exist_ok=True)
    (INSTALL_DIR / "package.json").write_text(
        '{"name": "ao-kernel-bench-peers", "private": true}\n', encoding="utf-8")
    try:
        proc = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error",
             f"wao@{WAO_VERSION}"],
            cwd=INSTALL_DIR, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"npm install wao@{WAO_VERSION} failed: {exc}"
    if proc.returncode != 0 or _installed_version() != WAO_VERSION:
        return f"npm install wao@{WAO_VERSION} failed: {proc.stderr.strip()[-300:]}"
    return None


def run(rounds: int, count: int, timeout: float = 900) -> dict[str, Any]:
    """Median figures over `rounds` rounds of `count` operations, or {"unavailable": why}."""
    node = shutil.which("node")
    if node is None:
        return {"unavailable": "Node.js is not installed"}
    problem = install()
    if problem:
        return {"unavailable": problem}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "wao.json"
        try:
            proc = subprocess.run(
                [node, "--experimental-wasm-memory64", str(HERE / "wao_bench.mjs"),
                 str(INSTALL_DIR), str(out), str(rounds), str(count), str(TOKEN_LUA)],
                cwd=tmp, capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return {"unavailable": f"the WAO run failed: {exc}"}
        if proc.returncode != 0 or not out.is_file():
            tail = (proc.stderr or proc.stdout).strip()[-400:]
            return {"unavailable": f"the WAO run failed (exit {proc.returncode}): {tail}"}
        return json.loads(out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    print(json.dumps(run(3, 3), indent=2))
