"""Rebuild notebooks/ao-kernel-tour.ipynb with fresh stored outputs (run it when the displays
of the engine or the widgets change): `.venv/bin/python tests/jupyter/make_tour.py`.

The notebook is executed on the `ao` kernel installed into a temporary prefix, with a
temporary HOME and Jupyter directories, like the tests do.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "ao-kernel-tour.ipynb"


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(text)


def code(text: str, *tags: str) -> nbformat.NotebookNode:
    cell = new_code_cell(text)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


CELLS = [
    md("# A tour of the ao kernel\n\n"
       "In this notebook (kernel **ao (Lua)**) a cell is Lua, evaluated in the *current* "
       "process as an `Eval` from its owner, like the aos REPL: printed lines and the value of "
       "the last expression are shown. Lines starting with `%` are commands (`%ao help` lists "
       "them), and a cell starting with `%%python` is Python. Everything is deterministic: the "
       "same notebook gives the same ids, slots and outputs on every run."),
    code('%ao spawn counter\nCount = 0\nHandlers.add("Inc", "Inc", function(msg)\n'
         '  Count = Count + tonumber(msg.Tags.By or 1)\n  print("count is " .. Count)\n'
         '  msg.reply({ Action = "Count", Data = tostring(Count) })\nend);'),
    md("`%ao spawn` made `counter` the current process, and the rest of the cell ran in it. "
       "(A trailing `;` hides the value of the last expression, as in IPython.) Now send it a "
       "message: what the handler printed is shown, then the messages it sent, then the "
       "`Message` itself."),
    code("%ao send counter Inc -t By=2"),
    code("Count * 10"),
    md("Errors show the Lua message with the line of the cell, and roll the process back (this "
       "cell is tagged `raises-exception` for nbval)."),
    code("Count = 1000\nlocal account = nil\nreturn account.balance", "raises-exception"),
    code("Count"),
    md("Blueprints ship with ao_kernel: `token`, `chatroom`, `staking`, `voting`."),
    code("%ao spawn bank --blueprint token\n%ao send bank Balance"),
    code("%ao inbox --wallet"),
    md("Python and Lua share the session: `net` is the `Network`, `_` the last result, and "
       "`$name` in a command is a Python value."),
    code("%%python\nreply = net.user.inbox[-1]\namount = int(reply.tags['Balance']) + 5\n"
         "reply.tags['Ticker'], amount"),
    code("%ao send counter Inc -t By=$amount"),
    md("The clock is virtual: `%ao advance` moves it and fires the crons that fall inside."),
    code('%%ao spawn ticker --cron 10-seconds --cron-action Tick\n'
         'Handlers.add("Tick", "Tick", function() Ticks = (Ticks or 0) + 1 end);'),
    code("%ao advance 35-seconds\nTicks"),
    md("A dry-run evaluates a read-only message: nothing changes."),
    code("%ao dryrun counter Inc -t By=100"),
    code("%ao use counter\nCount"),
    code("%ao log counter"),
    md("Pictures of the network come from `ao_kernel.widgets` (their outputs are not compared "
       "by nbval)."),
    code("%ao graph --static", "nbval-ignore-output"),
    code("%ao timeline counter Count", "nbval-ignore-output"),
]


def build(path: Path = NOTEBOOK) -> None:
    from nbclient import NotebookClient

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lessons"))
    from lessonkit import jupyter_world  # the same temporary Jupyter world the lessons use

    nb = new_notebook(cells=CELLS)
    nb.metadata["kernelspec"] = {"name": "ao", "display_name": "ao (Lua)", "language": "lua"}
    nb.metadata["language_info"] = {"name": "lua", "file_extension": ".lua",
                                    "mimetype": "text/x-lua"}
    with jupyter_world():
        NotebookClient(nb, kernel_name="ao", timeout=60, allow_errors=True).execute()
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and "raises-exception" not in tags:
                raise SystemExit(f"unexpected error in cell {cell.source!r}: {output}")
    nbformat.write(nb, str(path))


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else NOTEBOOK)
