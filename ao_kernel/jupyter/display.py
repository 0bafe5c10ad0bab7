"""Showing aos output in notebooks: ANSI colours to HTML, and deterministic plain text."""

from __future__ import annotations

import html
import re
from typing import Any

_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_ADDRESS = re.compile(r"(function|table|thread|userdata): (?:builtin: )?0x[0-9a-fA-F]+")

# The palette aos output uses (terminal colours), readable on light and dark themes.
COLOURS = {
    30: "#555555", 31: "#c0392b", 32: "#2e8b57", 33: "#b8860b", 34: "#2f6fbf", 35: "#9b59b6",
    36: "#16a0a0", 37: "#888888", 90: "#808080", 91: "#e74c3c", 92: "#27ae60", 93: "#d4ac0d",
    94: "#3498db", 95: "#af7ac5", 96: "#1abc9c", 97: "#aaaaaa",
}
RED = COLOURS[31]


def stable(text: str) -> str:
    """Memory addresses (`function: 0x55...`) change from run to run: show only the type."""
    return _ADDRESS.sub(r"<\1>", text)


def plain_text(text: str) -> str:
    """Readable, deterministic text: no colour codes, no memory addresses."""
    return stable(_SGR.sub("", text))


def ansi_to_html(text: str) -> str:
    """HTML for text with ANSI SGR colour codes (reset, bold, 30-37, 90-97, 39)."""
    out: list[str] = []
    colour: str | None = None
    bold = False
    pos = 0

    def emit(chunk: str) -> None:
        if not chunk:
            return
        if colour or bold:
            style = ";".join(s for s in (f"color:{colour}" if colour else "",
                                         "font-weight:bold" if bold else "") if s)
            out.append(f'<span style="{style}">{html.escape(chunk)}</span>')
        else:
            out.append(html.escape(chunk))

    for match in _SGR.finditer(text):
        emit(text[pos:match.start()])
        pos = match.end()
        codes = [int(c) for c in match.group(1).split(";") if c.isdigit()] or [0]
        for code in codes:
            if code == 0:
                colour, bold = None, False
            elif code == 1:
                bold = True
            elif code == 22:
                bold = False
            elif code == 39:
                colour = None
            elif code in COLOURS:
                colour = COLOURS[code]
    emit(text[pos:])
    return "".join(out)


def output_bundle(text: str) -> dict[str, str]:
    """A display bundle for aos output: coloured HTML and plain text (both deterministic)."""
    text = stable(text)
    body = ansi_to_html(text)
    return {"text/plain": plain_text(text),
            "text/html": f'<pre class="ao-output" style="margin:0">{body}</pre>'}


def error_bundle(message: str) -> dict[str, str]:
    """A red message as a display bundle."""
    return {"text/plain": message,
            "text/html": f'<pre class="ao-error" style="margin:0;color:{RED}">'
                         f"{html.escape(message)}</pre>"}


def red(text: str) -> str:
    """Text in terminal red (for tracebacks, which frontends colour from ANSI)."""
    return f"\x1b[31m{text}\x1b[0m"


def show(bundle: dict[str, Any]) -> None:
    """Display a mime bundle now (nothing outside IPython)."""
    from IPython.display import display

    display(bundle, raw=True)


def html_escape(text: str) -> str:
    """HTML-escaped text."""
    return html.escape(text)
