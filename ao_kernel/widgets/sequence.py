"""The sequence diagram as a deterministic SVG: lanes left to right, messages top to bottom.

Processes and wallets are lanes (boxes with a dashed lifeline); every message is an arrow from its
sender to its receiver in evaluation order, labelled with its Action and the slot it got.
Spawns are dashed green, crons come from a clock mark beside the lane, deliveries to wallets
are orange, failed messages red with a ✗.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..views._log import CRON, Hop
from ..views.sequence import Sequence
from ..views.sequence import sequence as sequence_view
from ._html import COLOURS, FONT, clip, element_id, esc, num, text_width

if TYPE_CHECKING:
    from ..network import Network

GUTTER = 64
ROW = 26
HEAD = 34
_ARROW_KINDS = ["message", "delivery", "spawn", "cron", "assignment", "error"]


def _label(hop: Hop) -> str:
    if hop.kind == "spawn":
        text = "spawn"
    else:
        text = hop.action or "(no action)"
    if hop.kind == "assignment":
        text += " (assigned)"
    if hop.slot is not None:
        text += f" · slot {hop.slot}"
    if hop.error is not None:
        text += " ✗"
    return text


def _elapsed(ms: int) -> str:
    seconds = ms / 1000
    if seconds < 120:
        return f"+{num(seconds)}s"
    if seconds < 7200:
        return f"+{num(seconds / 60)}m"
    return f"+{num(seconds / 3600)}h"


def sequence_svg(seq: Sequence, uid: str | None = None) -> str:
    """The diagram as a standalone SVG document (same data, same bytes)."""
    widest = max((text_width(clip(lane.label, 22), 12) for lane in seq.lanes), default=80)
    longest = max((text_width(_label(h), 11) for h in seq.arrows), default=60)
    lane_w = max(120.0, min(220.0, max(widest + 24, longest * 0.75 + 20)))
    xs = {lane.id: GUTTER + lane_w * (i + 0.5) for i, lane in enumerate(seq.lanes)}
    width = GUTTER + lane_w * max(len(seq.lanes), 1) + 20
    rows = len(seq.arrows)
    footer = 22 if seq.truncated or seq.start else 0
    bottom_heads = rows > 24
    top = 10 + HEAD + 18
    height = top + rows * ROW + 10 + (HEAD + 10 if bottom_heads else 0) + footer
    parts: list[str] = []
    life_end = top + rows * ROW
    for i in range(1, rows, 2):
        parts.append(f'<rect x="0" y="{num(top + i * ROW)}" width="{num(width)}" '
                     f'height="{ROW}" fill="#f7f7f9"/>')
    for lane in seq.lanes:
        x = xs[lane.id]
        parts.append(f'<line x1="{num(x)}" y1="{10 + HEAD}" x2="{num(x)}" y2="{num(life_end)}" '
                     f'stroke="#bbb" stroke-dasharray="4 4"/>')
    first = next((h.timestamp for h in seq.arrows if h.timestamp is not None), None)
    last_time: int | None = None
    for i, hop in enumerate(seq.arrows):
        y = top + i * ROW + ROW / 2
        if hop.timestamp is not None and first is not None and hop.timestamp != last_time:
            parts.append(f'<text x="6" y="{num(y + 4)}" font-size="10" fill="#777">'
                         f'{esc(_elapsed(hop.timestamp - first))}</text>')
            last_time = hop.timestamp
        parts.append(_arrow(hop, xs, y))
    for lane in seq.lanes:
        parts.append(_head(lane, xs[lane.id], 10, lane_w))
        if bottom_heads:
            parts.append(_head(lane, xs[lane.id], life_end + 10, lane_w))
    if footer:
        shown = f"arrows {seq.start + 1}–{seq.start + rows} of {seq.total}"
        more = f"; {seq.truncated} more (use start= / limit=)" if seq.truncated else ""
        parts.append(f'<text x="{GUTTER}" y="{num(height - 8)}" font-size="11" fill="#555">'
                     f"{esc(shown + more)}</text>")
    if not seq.arrows:
        parts.append(f'<text x="{GUTTER}" y="{top + 14}" font-size="12" fill="#666">'
                     "no messages</text>")
    body = "".join(parts)
    uid = uid or element_id("ao-seq", body)
    body = body.replace("{MARKER}", uid)
    markers = "".join(
        f'<marker id="{uid}-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" '
        f'fill="{COLOURS[kind]}"/></marker>' for kind in _ARROW_KINDS)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" id="{uid}" width="{num(width)}" '
            f'height="{num(height)}" viewBox="0 0 {num(width)} {num(height)}" style="{FONT}">'
            f'<defs>{markers}</defs><rect width="100%" height="100%" fill="#fff"/>{body}</svg>')


def _head(lane: Any, x: float, y: float, lane_w: float) -> str:
    colour = COLOURS.get(lane.kind, COLOURS["process"])
    label = clip(lane.label, 22)
    w = min(lane_w - 10, text_width(label, 12) + 20)
    rx = 4 if lane.kind == "wallet" else 12
    return (f'<g class="ao-lane ao-{lane.kind}"><title>{esc(lane.label)} ({lane.kind})\n'
            f'{esc(lane.id)}</title><rect x="{num(x - w / 2)}" y="{num(y)}" width="{num(w)}" '
            f'height="{HEAD - 8}" rx="{rx}" fill="{colour}"/><text x="{num(x)}" '
            f'y="{num(y + HEAD / 2)}" text-anchor="middle" font-size="12" font-weight="600" '
            f'fill="#fff">{esc(label)}</text></g>')


def _arrow(hop: Hop, xs: dict[str, float], y: float) -> str:
    kind = "error" if hop.error is not None else hop.kind
    colour = COLOURS[kind]
    dash = ' stroke-dasharray="6 4"' if hop.kind == "spawn" else ""
    label = _label(hop)
    title = f"{label}\nid {hop.id or '—'}\nlog row {hop.seq}"
    x2 = xs[hop.receiver]
    marker = f'marker-end="url(#{{MARKER}}-{kind})"'
    if hop.sender == CRON:
        x1 = x2 - 44
        glyph = (f'<circle cx="{num(x1)}" cy="{num(y)}" r="6" fill="#fff" stroke="{colour}" '
                 f'stroke-width="1.5"/><path d="M{num(x1)} {num(y - 3.5)}V{num(y)}H{num(x1 + 3)}"'
                 f' stroke="{colour}" stroke-width="1.2" fill="none"/>')
        line = (f'<line x1="{num(x1 + 7)}" y1="{num(y)}" x2="{num(x2 - 2)}" y2="{num(y)}" '
                f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="2 3" {marker}/>')
        text = (f'<text x="{num(x1 - 9)}" y="{num(y + 4)}" text-anchor="end" font-size="11" '
                f'fill="{colour}">{esc(label)}</text>')
        return f'<g class="ao-arrow ao-{kind}"><title>{esc(title)}</title>{glyph}{line}{text}</g>'
    x1 = xs[hop.sender]
    if x1 == x2:
        path = (f'<path d="M{num(x1)} {num(y - 7)}h34v14h-32" fill="none" stroke="{colour}" '
                f'stroke-width="1.5"{dash} {marker}/>')
        text = (f'<text x="{num(x1 + 40)}" y="{num(y + 4)}" font-size="11" '
                f'fill="{colour}">{esc(label)}</text>')
        return f'<g class="ao-arrow ao-{kind}"><title>{esc(title)}</title>{path}{text}</g>'
    end = x2 - 3 if x2 > x1 else x2 + 3
    path = (f'<line x1="{num(x1)}" y1="{num(y + 4)}" x2="{num(end)}" y2="{num(y + 4)}" '
            f'stroke="{colour}" stroke-width="1.5"{dash} {marker}/>')
    text = (f'<text x="{num((x1 + x2) / 2)}" y="{num(y - 1)}" text-anchor="middle" '
            f'font-size="11" fill="{colour}">{esc(label)}</text>')
    return f'<g class="ao-arrow ao-{kind}"><title>{esc(title)}</title>{path}{text}</g>'


class SequenceDiagram:
    """A sequence diagram for display: rich repr with text, HTML and SVG."""

    def __init__(self, seq: Sequence, max_height: int = 640) -> None:
        self.data = seq
        self.max_height = max_height
        self._svg: str | None = None

    @property
    def svg(self) -> str:
        """The drawing."""
        if self._svg is None:
            self._svg = sequence_svg(self.data)
        return self._svg

    @property
    def html(self) -> str:
        """The drawing in a scrolling box."""
        return (f'<div class="ao-sequence" style="overflow:auto;max-height:{self.max_height}px;'
                f'border:1px solid #eee">{self.svg}</div>')

    def __repr__(self) -> str:
        seq = self.data
        more = f" of {seq.total}" if len(seq.arrows) != seq.total else ""
        return f"<SequenceDiagram {len(seq.lanes)} lanes, {len(seq.arrows)}{more} messages>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": repr(self), "text/html": self.html, "image/svg+xml": self.svg}


def sequence(net: Network, processes: Iterable[Any] | None = None, limit: int | None = 200,
             start: int = 0, action: str | Iterable[str] | None = None,
             since: int | None = None, until: int | None = None,
             crons: bool = True) -> SequenceDiagram:
    """Draw messages between processes and wallets in order (see
    `ao_kernel.views.sequence.sequence` for the options)."""
    return SequenceDiagram(sequence_view(net, processes=processes, limit=limit, start=start,
                                         action=action, since=since, until=until, crons=crons))
