"""Small helpers shared by the renderers: escaping, number formatting, element ids, colours."""

from __future__ import annotations

import hashlib
import html
from datetime import UTC, datetime
from typing import Any

# One palette for every picture, so a process looks the same in the graph and the sequence.
COLOURS = {
    "process": "#4c78a8", "wallet": "#f58518", "clock": "#8c8c8c",
    "message": "#4c78a8", "delivery": "#f58518", "spawn": "#54a24b", "cron": "#8c8c8c",
    "assignment": "#b279a2", "error": "#e45756",
    "added": "#e3f4df", "changed": "#fff3c4", "removed": "#fbe0e0",
}
FONT = "font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif"

_seen: dict[str, int] = {}


def esc(value: Any) -> str:
    """Text safe inside HTML/SVG text and attribute values."""
    return html.escape(str(value), quote=True)


def num(value: float) -> str:
    """A coordinate with one decimal, without a trailing .0 (stable bytes)."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def element_id(prefix: str, content: str) -> str:
    """An element id derived from the content: the same picture gets the same id in a fresh
    session, and a second identical picture in the same session gets a suffix, so ids on a page
    stay unique."""
    base = f"{prefix}-{hashlib.sha256(content.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"
    count = _seen.get(base, 0) + 1
    _seen[base] = count
    return base if count == 1 else f"{base}-{count}"


def reset_ids() -> None:
    """Forget the ids given so far (tests use it to compare two renderings byte for byte)."""
    _seen.clear()


def clock(ms: int | None) -> str:
    """A timestamp (ms) as UTC date and time."""
    if ms is None:
        return "—"
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if ms % 1000:
        text += f".{ms % 1000:03d}"
    return text + "Z"


def text_width(text: str, size: float = 12) -> float:
    """A rough width of `text` in pixels (SVG has no text metrics without a browser)."""
    return len(text) * size * 0.6


def clip(text: str, size: int) -> str:
    """`text` cut to `size` characters with an ellipsis."""
    return text if len(text) <= size else text[: max(size - 1, 0)] + "…"
