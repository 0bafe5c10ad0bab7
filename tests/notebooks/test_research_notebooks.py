"""The research notebooks in `notebooks/` (all but the tour, which tests/jupyter covers):

- they replay with nbval on the stock `python3` kernel (one nbval run for all of them, on copies
  in a temporary folder), so the stored outputs are exactly what the notebooks print; timing
  cells are tagged `nbval-ignore-output`;
- each starts with a markdown `# ` title and every code cell has stored outputs.

Parametrised by the notebooks that exist, so new ones are picked up without edits here.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from nbval_batch import failures_of, run_nbval  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = ROOT / "notebooks"
TOUR = "ao-kernel-tour.ipynb"
NOTEBOOKS = sorted(p for p in NOTEBOOKS_DIR.glob("*.ipynb") if p.name != TOUR)


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


@pytest.fixture(scope="module")
def nbval_run(tmp_path_factory: Any) -> dict[str, Any]:
    """Run nbval once over copies of all research notebooks; per notebook: cell outcomes."""
    return run_nbval(NOTEBOOKS, NOTEBOOKS_DIR, tmp_path_factory.mktemp("research-nbval"),
                     "python3", timeout=900)


def test_there_are_research_notebooks() -> None:
    names = {p.name for p in NOTEBOOKS}
    assert {"market-simulation.ipynb", "what-if-forks.ipynb", "scaling-study.ipynb"} <= names


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_replays_with_nbval(nbval_run: dict[str, Any], notebook: Path) -> None:
    outcomes = nbval_run["outcomes"].get(notebook.name)
    assert outcomes, f"nbval did not run {notebook.name}:\n{nbval_run['output'][-4000:]}"
    code_cells = sum(c["cell_type"] == "code" for c in _load(notebook)["cells"])
    assert all(o == "PASSED" for o in outcomes), failures_of(nbval_run["output"], notebook.name)
    assert len(outcomes) == code_cells, \
        f"{notebook.name}: {len(outcomes)} of {code_cells} cells ran"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_title_and_stored_outputs(notebook: Path) -> None:
    nb = _load(notebook)
    name = notebook.name
    assert nb.get("metadata", {}).get("kernelspec", {}).get("name") == "python3", \
        f"{name}: runs on the stock python3 kernel"
    cells = nb["cells"]
    assert cells and cells[0]["cell_type"] == "markdown", f"{name}: starts with a title cell"
    assert _source(cells[0]).lstrip().startswith("# "), f"{name}: the first cell is a # title"
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code, f"{name}: has code"
    for i, cell in enumerate(code):
        assert cell.get("execution_count") is not None, \
            f"{name}: code cell {i} was not executed (run scripts/refresh_notebooks.py)"
        assert cell.get("outputs"), f"{name}: code cell {i} has no stored output"
        for out in cell["outputs"]:
            assert out.get("output_type") != "error", f"{name}: code cell {i} stored an error"
            text = json.dumps(out.get("data", {}).get("text/plain", out.get("text", "")))
            assert not re.search(r"0x[0-9a-f]{6,}", text), f"{name}: cell {i} prints an address"
