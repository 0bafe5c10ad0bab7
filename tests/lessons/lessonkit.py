"""Build workshop notebooks from Python descriptions and store real outputs.

A lesson module (see make_lessons.py) lists cells made with `md`, `code` and `exercise`; `build`
writes `lessons/NN-slug.ipynb` (exercise skeletons) and `lessons/solutions/NN-slug.ipynb`
(exercises filled in), executes both on the `ao` kernel (installed into a temporary prefix, with
a temporary HOME, like the tests) and checks that a second execution gives the same outputs.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
KERNELSPEC = {"name": "ao", "display_name": "ao (Lua)", "language": "lua"}


@dataclass
class Exercise:
    """Cells that differ between the lesson (`start`) and the solution (`solution`)."""

    start: str
    solution: str
    tags: tuple[str, ...] = ()


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(text.strip("\n"))


def code(text: str, *tags: str) -> nbformat.NotebookNode:
    cell = new_code_cell(text.strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def exercise(start: str, solution: str, *tags: str) -> Exercise:
    return Exercise(start.strip("\n"), solution.strip("\n"), tags)


def _notebook(cells: list, solved: bool) -> nbformat.NotebookNode:
    out = []
    for cell in cells:
        if isinstance(cell, Exercise):
            out.append(code(cell.solution if solved else cell.start, *cell.tags))
        else:
            out.append(copy.deepcopy(cell))
    nb = new_notebook(cells=out)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "lua", "file_extension": ".lua",
                                    "mimetype": "text/x-lua"}
    return nb


@contextmanager
def jupyter_world() -> Iterator[None]:
    from ao_kernel.jupyter.install import install

    root = tempfile.mkdtemp(prefix="ao-lessons-")
    saved = dict(os.environ)
    try:
        for key, sub in [("HOME", "home"), ("JUPYTER_DATA_DIR", "data"),
                         ("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                         ("IPYTHONDIR", "ipython")]:
            os.environ[key] = os.path.join(root, sub)
            os.makedirs(os.environ[key])
        install(prefix=os.path.join(root, "prefix"))
        os.environ["JUPYTER_PATH"] = os.path.join(root, "prefix", "share", "jupyter")
        os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(root, ignore_errors=True)


def execute(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory() as cwd:
        NotebookClient(nb, kernel_name="ao", timeout=120, allow_errors=True,
                       resources={"metadata": {"path": cwd}}).execute()
    return nb


def _texts(nb: nbformat.NotebookNode) -> list[list[str]]:
    """What nbval compares, roughly: the text of every output of every code cell."""
    result = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        texts: list[str] = []
        last_stream = None
        for out in cell.get("outputs", []):
            if "text" in out:
                if last_stream == out.get("name") and texts:
                    texts[-1] += out["text"]      # streams may arrive in several chunks
                else:
                    texts.append(out["text"])
                last_stream = out.get("name")
                continue
            last_stream = None
            if out.get("output_type") == "error":
                texts.append(out["ename"] + ": " + out["evalue"])
            else:
                texts.append(out.get("data", {}).get("text/plain", ""))
        result.append(texts)
    return result


def problems(nb: nbformat.NotebookNode) -> list[str]:
    """Unexpected errors and stderr in an executed notebook."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and "raises-exception" not in tags:
                found.append(f"cell {i}: {out['ename']}: {out['evalue']}")
            if out.get("name") == "stderr":
                found.append(f"cell {i}: stderr {out['text']!r}")
    return found


def build(cells: list, name: str, write: bool = True) -> tuple[nbformat.NotebookNode, ...]:
    """Execute lesson and solution twice each; write them when both runs agree."""
    built = []
    with jupyter_world():
        for solved, folder in [(False, LESSONS), (True, LESSONS / "solutions")]:
            nb = execute(_notebook(cells, solved))
            again = execute(_notebook(cells, solved))
            if _texts(nb) != _texts(again):
                diff = [(i, a, b) for i, (a, b) in enumerate(zip(_texts(nb), _texts(again),
                                                                  strict=True)) if a != b]
                raise SystemExit(f"{folder.name}/{name}: outputs differ between runs: {diff}")
            trouble = problems(nb)
            if trouble:
                raise SystemExit(f"{folder.name}/{name}: " + "\n".join(trouble))
            if write:
                folder.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, str(folder / name))
            built.append(nb)
    return tuple(built)


def show(nb: nbformat.NotebookNode) -> str:
    """A plain-text rendering of an executed notebook's code cells and outputs."""
    lines = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        lines.append(f"---- [{i}] {cell.metadata.get('tags', [])}\n{cell.source}")
        for out in cell.get("outputs", []):
            if "text" in out:
                lines.append(f"  [{out['name']}] {out['text']!r}")
            elif out.get("output_type") == "error":
                lines.append(f"  [error] {out['ename']}: {out['evalue']}")
            else:
                lines.append(f"  [{out['output_type']}] {out.get('data', {}).get('text/plain')!r}")
    return "\n".join(lines)


def scratch(sources: list[str]) -> str:
    """Execute a list of cell sources once, return `show` of the result (for exploring)."""
    with jupyter_world():
        nb = execute(_notebook([code(s) for s in sources], False))
    return show(nb)
