"""The workshop lessons (`lessons/NN-slug.ipynb`) and their solutions (`lessons/solutions/`):

- every notebook replays with nbval on the `ao` kernel (one nbval run for all of them, on copies
  in a temporary folder), so the stored outputs are exactly what the notebook prints;
- every lesson follows docs/lesson-style.md: the `ao` kernel, a title, "What you will learn" with
  3-5 goals, `%ao reset` first, 2-4 exercises each with a check cell, a "Recap", no `NBVAL`
  comments, and a solution twin whose check cells print ✅ where the lesson's print "Not yet".

Parametrised by the notebooks that exist, so new lessons are picked up without edits here.
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
LESSONS_DIR = ROOT / "lessons"
LESSONS = sorted(LESSONS_DIR.glob("[0-9][0-9]-*.ipynb"))
SOLUTIONS = sorted((LESSONS_DIR / "solutions").glob("[0-9][0-9]-*.ipynb"))
NOTEBOOKS = LESSONS + SOLUTIONS
KERNELSPEC = {"name": "ao", "display_name": "ao (Lua)", "language": "lua"}
PASS, FAIL = "✅", "❌ Not yet:"


def _rel(path: Path) -> str:
    return path.relative_to(LESSONS_DIR.parent).as_posix()


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _text(output: dict[str, Any]) -> str:
    """The text an output shows (stream text, or text/plain of a result)."""
    if "text" in output:
        text = output["text"]
    else:
        text = output.get("data", {}).get("text/plain", "")
    return "".join(text) if isinstance(text, list) else str(text)


def _is_check(cell: dict[str, Any]) -> bool:
    src = _source(cell)
    return (cell["cell_type"] == "code" and src.lstrip().startswith("%%python")
            and re.search(r"\b(check|check_all|expect_equal)\(", src) is not None)


def _checks(nb: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in nb["cells"] if _is_check(c)]


# ---------------------------------------------------------------------------------------------
# nbval: one subprocess for every notebook


@pytest.fixture(scope="module")
def nbval_run(jupyter_env: dict[str, str], tmp_path_factory: Any) -> dict[str, Any]:
    """Run nbval once over copies of all notebooks; per notebook: cell outcomes and failures."""
    return run_nbval(NOTEBOOKS, ROOT, tmp_path_factory.mktemp("lessons-nbval"), "ao")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_rel)
def test_notebook_replays_with_nbval(nbval_run: dict[str, Any], notebook: Path) -> None:
    rel = _rel(notebook)
    outcomes = nbval_run["outcomes"].get(rel)
    assert outcomes, f"nbval did not run {rel}:\n{nbval_run['output'][-4000:]}"
    code_cells = sum(c["cell_type"] == "code" for c in _load(notebook)["cells"])
    bad = [o for o in outcomes if o != "PASSED"]
    assert not bad, failures_of(nbval_run["output"], rel)
    assert len(outcomes) == code_cells, f"{rel}: {len(outcomes)} of {code_cells} cells ran"


# ---------------------------------------------------------------------------------------------
# structure (docs/lesson-style.md)


def _goals(nb: dict[str, Any]) -> list[str]:
    for cell in nb["cells"]:
        src = _source(cell)
        if cell["cell_type"] == "markdown" and "what you will learn" in src.lower():
            return [line for line in src.splitlines() if re.match(r"\s*([-*]|\d+\.)\s+\S", line)]
    return []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_rel)
def test_notebook_structure(notebook: Path) -> None:
    nb = _load(notebook)
    rel = _rel(notebook)
    assert re.fullmatch(r"\d\d-[a-z0-9-]+\.ipynb", notebook.name), f"{rel}: name NN-slug.ipynb"
    spec = nb.get("metadata", {}).get("kernelspec", {})
    assert {k: spec.get(k) for k in KERNELSPEC} == KERNELSPEC, f"{rel}: kernelspec {spec}"
    cells = nb["cells"]
    assert cells and cells[0]["cell_type"] == "markdown", f"{rel}: starts with a title cell"
    assert _source(cells[0]).lstrip().startswith("# "), f"{rel}: the first cell is a # title"
    goals = _goals(nb)
    assert 3 <= len(goals) <= 5, f"{rel}: 'What you will learn' lists 3-5 goals, has {goals}"
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code and _source(code[0]).strip().splitlines()[0].strip() == "%ao reset", \
        f"{rel}: the first code cell starts with %ao reset"
    for i, cell in enumerate(code):
        assert "NBVAL" not in _source(cell), f"{rel}: code cell {i} has an NBVAL comment (use tags)"
        assert cell.get("execution_count") is not None, \
            f"{rel}: code cell {i} has no stored output (run the notebook and save it)"
        for out in cell.get("outputs", []):
            assert not re.search(r"0x[0-9a-f]{6,}", _text(out)), \
                f"{rel}: code cell {i} prints a memory address"
    markdown = " ".join(_source(c) for c in cells if c["cell_type"] == "markdown").lower()
    assert "recap" in markdown, f"{rel}: has a Recap cell"
    checks = _checks(nb)
    assert 2 <= len(checks) <= 4, f"{rel}: 2-4 exercises with check cells, found {len(checks)}"
    # every check cell follows an exercise statement (since the previous check cell)
    seen_exercise = False
    for cell in cells:
        if cell["cell_type"] == "markdown" and "exercise" in _source(cell).lower():
            seen_exercise = True
        elif _is_check(cell):
            assert seen_exercise, f"{rel}: a check cell without an exercise statement before it"
            assert "ao_kernel.workshop" in _source(cell) or "workshop" in _source(cell), \
                f"{rel}: check cells call ao_kernel.workshop.check"
            seen_exercise = False


def _check_lines(cell: dict[str, Any]) -> str:
    return "".join(_text(o) for o in cell.get("outputs", []))


@pytest.mark.parametrize("lesson", LESSONS, ids=_rel)
def test_lesson_checks_say_not_yet_and_solution_passes(lesson: Path) -> None:
    solution = LESSONS_DIR / "solutions" / lesson.name
    assert solution.exists(), f"{_rel(lesson)} has no solution notebook {_rel(solution)}"
    lesson_checks = _checks(_load(lesson))
    solution_checks = _checks(_load(solution))
    assert len(lesson_checks) == len(solution_checks), \
        f"{lesson.name}: {len(lesson_checks)} check cells in the lesson, " \
        f"{len(solution_checks)} in the solution"
    for i, cell in enumerate(lesson_checks):
        text = _check_lines(cell)
        assert FAIL in text and PASS not in text, \
            f"{_rel(lesson)}: check {i + 1} should store the 'Not yet' message, has {text!r}"
    for i, cell in enumerate(solution_checks):
        text = _check_lines(cell)
        assert PASS in text and "❌" not in text, \
            f"{_rel(solution)}: check {i + 1} should print ✅, has {text!r}"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=_rel)
def test_every_solution_has_a_lesson(solution: Path) -> None:
    assert (LESSONS_DIR / solution.name).exists(), f"{_rel(solution)} has no lesson"


def test_workshop_readme_links_every_lesson() -> None:
    """README.md links every lesson, and every link to a notebook points at a real file once
    lessons with that number exist (the timetable names lessons before they are written)."""
    readme = LESSONS_DIR / "README.md"
    assert readme.exists()
    text = readme.read_text(encoding="utf-8")
    links = set(re.findall(r"\]\(((?:solutions/)?\d\d-[^)\s]+\.ipynb)\)", text))
    for lesson in LESSONS:
        assert lesson.name in links, f"lessons/README.md does not link {lesson.name}"
    numbers = {p.name[:2] for p in LESSONS}
    for link in links:
        if Path(link).name[:2] in numbers:
            assert (LESSONS_DIR / link).exists(), f"lessons/README.md links a missing {link}"


def test_check_prints_one_plain_line(capsys: Any) -> None:
    from ao_kernel.workshop import check, expect_equal

    assert check(True, "done", "hint") is True
    assert check(0, "done", "send Inc first") is False
    assert check(lambda: {}["x"], "done", "no x yet") is False
    assert expect_equal(2, 3, "Count") is False
    assert capsys.readouterr().out.splitlines() == [
        "✅ done", "❌ Not yet: send Inc first", "❌ Not yet: no x yet (KeyError: 'x')",
        "❌ Not yet: Count is 2, expected 3."]
