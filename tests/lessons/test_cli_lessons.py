"""`ao-kernel lessons DEST` copies the workshop into a folder, with trusted notebooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.sign import NotebookNotary

from ao_kernel.cli import main
from ao_kernel.workshop import lessons_source


def _notebook(text: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "ao", "display_name": "ao (Lua)", "language": "lua"}
    cell = nbformat.v4.new_code_cell("%%python\nprint(1)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": f"<b>{text}</b>"})]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {text}"), cell]
    return nb


@pytest.fixture()
def workshop(tmp_path: Path, monkeypatch: Any) -> Path:
    src = tmp_path / "src"
    (src / "solutions").mkdir(parents=True)
    (src / "README.md").write_text("# Workshop\n", encoding="utf-8")
    nbformat.write(_notebook("one"), src / "01-one.ipynb")
    nbformat.write(_notebook("one solved"), src / "solutions" / "01-one.ipynb")
    (src / "notes.txt").write_text("not copied", encoding="utf-8")
    monkeypatch.setenv("AO_KERNEL_LESSONS", str(src))
    return src


def test_lessons_copies_trusted_notebooks_with_outputs(workshop: Path, tmp_path: Path,
                                                      capsys: Any) -> None:
    dest = tmp_path / "mine"
    assert main(["lessons", str(dest)]) == 0
    assert f"copied 3 files into {dest}" in capsys.readouterr().out
    assert (dest / "README.md").read_text(encoding="utf-8") == "# Workshop\n"
    assert not (dest / "notes.txt").exists()
    notary = NotebookNotary()
    for rel in ["01-one.ipynb", "solutions/01-one.ipynb"]:
        nb = nbformat.read(dest / rel, as_version=4)
        assert nb.cells[1].outputs, "outputs are kept"
        assert notary.check_signature(nb), f"{rel} is trusted"


def test_lessons_keeps_student_work_unless_forced(workshop: Path, tmp_path: Path,
                                                  capsys: Any) -> None:
    dest = tmp_path / "mine"
    assert main(["lessons", str(dest)]) == 0
    edited = dest / "01-one.ipynb"
    edited.write_text(edited.read_text(encoding="utf-8").replace("# one", "# my notes"),
                      encoding="utf-8")
    assert main(["lessons", str(dest)]) == 0
    assert "# my notes" in edited.read_text(encoding="utf-8")
    assert "copied 0 files" in capsys.readouterr().out
    assert main(["lessons", str(dest), "--force"]) == 0
    assert "# my notes" not in edited.read_text(encoding="utf-8")


def test_lessons_clear_outputs(workshop: Path, tmp_path: Path) -> None:
    dest = tmp_path / "clean"
    assert main(["lessons", str(dest), "--clear-outputs"]) == 0
    nb = nbformat.read(dest / "01-one.ipynb", as_version=4)
    code = nb.cells[1]
    assert code.outputs == [] and code.execution_count is None
    assert NotebookNotary().check_signature(nb)


def test_lessons_without_a_workshop_fails_clearly(tmp_path: Path, monkeypatch: Any,
                                                  capsys: Any) -> None:
    monkeypatch.setenv("AO_KERNEL_LESSONS", str(tmp_path / "nowhere"))
    assert main(["lessons", str(tmp_path / "x")]) == 1
    assert "no lessons found" in capsys.readouterr().err


def test_default_source_is_the_repository_lessons(monkeypatch: Any) -> None:
    monkeypatch.delenv("AO_KERNEL_LESSONS", raising=False)
    assert lessons_source() == Path(__file__).resolve().parents[2] / "lessons"
