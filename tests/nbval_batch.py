"""Run nbval once over copies of many notebooks and report per notebook (shared by tests)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

_CELL = re.compile(r"^(\S+?)(?:\.ipynb|::ipynb)::Cell \d+ (PASSED|FAILED|ERROR|SKIPPED)",
                   re.MULTILINE)


def run_nbval(notebooks: list[Path], root: Path, work: Path, kernel: str,
              timeout: int = 1500) -> dict[str, Any]:
    """nbval on copies of `notebooks` (kept at their paths relative to `root`) in `work`.

    Returns {"outcomes": {relative path: [PASSED|FAILED|...] per code cell}, "output": text}.
    """
    copies = []
    for nb in notebooks:
        rel = nb.relative_to(root).as_posix()
        dest = work / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(nb, dest)
        copies.append(rel)
    if not copies:
        return {"outcomes": {}, "output": ""}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-v", "--color=no", "--nbval",
         "--nbval-kernel-name", kernel, "--nbval-cell-timeout", "120", "--rootdir", str(work),
         *copies],
        capture_output=True, text=True, env=dict(os.environ), cwd=work, timeout=timeout)
    outcomes: dict[str, list[str]] = {}
    # nbval's node ids read `dir/name.ipynb::Cell N` (or `dir/name::ipynb::Cell N` in some
    # pytest versions)
    for match in _CELL.finditer(proc.stdout):
        outcomes.setdefault(match.group(1) + ".ipynb", []).append(match.group(2))
    return {"outcomes": outcomes, "output": proc.stdout + proc.stderr,
            "returncode": proc.returncode}


def failures_of(output: str, rel: str) -> str:
    """The FAILURES sections of nbval's report that belong to one notebook."""
    parts = re.split(r"^_{3,} (.+?) _{3,}$", output, flags=re.MULTILINE)
    found = [f"{parts[i]}\n{parts[i + 1][-3000:]}" for i in range(1, len(parts) - 1, 2)
             if parts[i].startswith(rel + "::")]
    return "\n".join(found)[-6000:] or output[-4000:]
