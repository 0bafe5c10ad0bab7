"""notebooks/ao-kernel-tour.ipynb replays with nbval on the `ao` kernel installed for the tests
(its stored outputs must come out the same)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "ao-kernel-tour.ipynb"


def test_tour_uses_the_ao_kernel_and_tags_not_comments() -> None:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "ao"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c.get("outputs") is not None for c in code)
    assert not any("NBVAL" in "".join(c["source"]) for c in code)
    tags = {t for c in code for t in c.get("metadata", {}).get("tags", [])}
    assert "raises-exception" in tags


def test_tour_replays_with_nbval(jupyter_env: dict[str, str], tmp_path: Path) -> None:
    env = dict(os.environ)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval",
         "--nbval-kernel-name", "ao", "--rootdir", str(tmp_path), str(NOTEBOOK)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=180)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    code_cells = sum(c["cell_type"] == "code" for c in json.loads(NOTEBOOK.read_text())["cells"])
    assert f"{code_cells} passed" in proc.stdout, proc.stdout[-2000:]
