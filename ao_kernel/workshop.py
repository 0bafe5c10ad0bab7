"""Helpers for the workshop lessons (`lessons/*.ipynb`).

A lesson's check cell is a `%%python` cell that ends with `check(...)`:

    from ao_kernel.workshop import check, get
    check(get("counter", "Count") == 3,       # `net` is the notebook's Network
          "the counter counts three messages",
          "send `Inc` three times, then run this cell again")

`check` prints one plain line, `✅ <success>` or `❌ Not yet: <hint>`, and never raises: a check
that crashes (for example a process that does not exist yet) prints the "Not yet" line too.
Everything here is deterministic, so stored outputs can be compared by nbval.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["check", "check_all", "plain", "network", "process", "get", "expect_equal", "safe",
           "inbox_actions", "copy_lessons", "lessons_source"]

PASS = "✅"
_FALLBACK: dict[str, Any] = {}  # holds `net` outside IPython
FAIL = "❌ Not yet:"


def check(passed: Any, success: str, hint: str) -> bool:
    """Print `✅ success` when `passed` is true, else `❌ Not yet: hint`; return the verdict.

    `passed` may also be a callable with no arguments: it is called, and an exception it raises
    counts as "not yet" (the hint is printed, with the error appended). Never raises.
    """
    error = None
    try:
        if callable(passed):
            passed = passed()
        ok = bool(passed)
    except Exception as exc:  # noqa: BLE001 - a check cell must never raise
        ok, error = False, exc
    if ok:
        text = f"{PASS} {success}"
    else:
        text = f"{FAIL} {hint}"
        if error is not None:
            text += f" ({_describe_error(error)})"
    _say(text)
    return ok


def _say(line: str) -> None:
    """Print one line in a single write (so it reaches the notebook as one stream chunk)."""
    import sys

    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def check_all(success: str, *conditions: tuple[Any, str]) -> bool:
    """Check `(passed, hint)` pairs in order: print the hint of the first that fails (a callable
    is called; an exception counts as failing), or `✅ success` when all pass."""
    for passed, hint in conditions:
        try:
            ok = bool(passed() if callable(passed) else passed)
        except Exception as exc:  # noqa: BLE001
            return check(False, success, f"{hint} ({_describe_error(exc)})")
        if not ok:
            return check(False, success, hint)
    return check(True, success, "")


def plain(text: Any) -> str:
    """`text` as a string without ANSI colour codes (aos colours what it prints)."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", "" if text is None else str(text))


def _describe_error(exc: BaseException) -> str:
    """A short, stable description of an exception (no addresses, no tracebacks)."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def network() -> Any:
    """The notebook's `Network` (the `net` of the IPython user namespace).

    In a notebook cell you can simply use `net`; do not `from ao_kernel.workshop import net`
    there: that would replace the notebook's `net` by this function.

    Made by the `ao` kernel on first use; in a plain Python session without one, a new
    `Network` is created and stored as `net`.
    """
    from IPython import get_ipython

    shell = get_ipython()
    ns = shell.user_ns if shell is not None else _FALLBACK
    magics = None
    if shell is not None:
        manager = getattr(shell, "magics_manager", None)
        magics = getattr(manager, "registry", {}).get("AoMagics") if manager else None
    if magics is not None and hasattr(magics, "net"):
        return magics.net
    found = ns.get("net")
    if found is None:
        from .network import Network

        found = ns["net"] = Network()
    return found


def net() -> Any:
    """The same as `network()` (call it as `workshop.net()`; importing the name `net` into a
    notebook would hide the notebook's own `net`)."""
    return network()


def process(ref: str) -> Any:
    """A process of the notebook's network, by name or id (raises KeyError when missing)."""
    return network().process(ref)


def get(ref: str, expression: str, default: Any = None) -> Any:
    """The value of a Lua expression in process `ref` (converted to Python), or `default`
    when the process does not exist or the expression fails. Sends no message."""
    try:
        return process(ref).get(expression)
    except Exception:  # noqa: BLE001
        return default


def safe(fn: Callable[[], Any], default: Any = None) -> Any:
    """`fn()`, or `default` if it raises: for reading values inside a check."""
    try:
        return fn()
    except Exception:  # noqa: BLE001
        return default


def expect_equal(actual: Any, expected: Any, what: str, hint: str = "") -> bool:
    """Check `actual == expected`, with a hint saying what `what` is and what it should be."""
    ok = _equal(actual, expected)
    message = f"{what} is {expected!r}"
    tail = f" {hint}" if hint else ""
    return check(ok, message, f"{what} is {actual!r}, expected {expected!r}.{tail}")


def _equal(actual: Any, expected: Any) -> bool:
    try:
        return bool(actual == expected)
    except Exception:  # noqa: BLE001
        return False


def inbox_actions(owner: Any) -> list[str]:
    """The `Action` tags of the messages in a wallet's or process's inbox, in order."""
    inbox = getattr(owner, "inbox", None) or []
    actions = []
    for m in inbox:
        if isinstance(m, dict):
            tags = m.get("Tags") if isinstance(m.get("Tags"), dict) else {}
            actions.append(str(m.get("Action") or tags.get("Action") or ""))
        else:
            actions.append(getattr(m, "action", None) or "")
    return actions


# ---------------------------------------------------------------------------------------------
# `ao-kernel lessons DEST`: a copy of the workshop for a student


def lessons_source() -> Path:
    """The workshop folder: `$AO_KERNEL_LESSONS`, else `lessons/` of the repository checkout
    this package is installed from (the lessons are not package data)."""
    import os

    env = os.environ.get("AO_KERNEL_LESSONS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / "lessons"


def copy_lessons(dest: str | Path, clear_outputs: bool = False, force: bool = False,
                 source: str | Path | None = None) -> list[Path]:
    """Copy the lessons, their solutions and the workshop README into `dest`; sign every
    notebook as trusted (like `jupyter trust`). Outputs are kept unless `clear_outputs`.
    Files already in `dest` are left alone unless `force`. Returns the files written."""
    import nbformat
    from nbformat.sign import NotebookNotary

    src = Path(source) if source is not None else lessons_source()
    if not (src / "README.md").exists() and not any(src.glob("*.ipynb")):
        raise FileNotFoundError(f"no lessons found in {src} (set AO_KERNEL_LESSONS)")
    dest = Path(dest)
    files = sorted(src.glob("[0-9][0-9]-*.ipynb")) + sorted(
        (src / "solutions").glob("[0-9][0-9]-*.ipynb"))
    written: list[Path] = []
    notary = NotebookNotary()
    readme = src / "README.md"
    if readme.exists():
        target = dest / "README.md"
        if force or not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(readme.read_text(encoding="utf-8"), encoding="utf-8")
            written.append(target)
    for path in files:
        target = dest / path.relative_to(src)
        if target.exists() and not force:
            continue
        nb = nbformat.read(path, as_version=4)
        if clear_outputs:
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs = []
                    cell.execution_count = None
                    cell.metadata.pop("execution", None)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        notary.sign(nb)
        written.append(target)
    return written
