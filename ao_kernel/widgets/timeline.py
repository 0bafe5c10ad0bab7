"""The holographic-state timeline widget: move over a process's slots and watch its state.

Everything is computed once by `ao_kernel.views.timeline.state_timeline` (one replay pass); the
slider only looks steps up and renders a little HTML, so moving it is instant. The plot is a small
hand-written SVG (no matplotlib: one dependency less, and the bytes are stable for nbval).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..views.timeline import Step, Timeline, compact, state_timeline
from ._html import COLOURS, FONT, clip, clock, element_id, esc, num

if TYPE_CHECKING:
    from ..process import Process

MAX_ROWS = 200
_STATUS_STYLE = {
    "added": f"background:{COLOURS['added']}",
    "changed": f"background:{COLOURS['changed']}",
    "removed": f"background:{COLOURS['removed']};text-decoration:line-through;color:#888",
    "": "",
}


def _number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}"


class Plot:
    """A step chart of the numbers over the steps, with a movable cursor."""

    def __init__(self, numbers: list[float | None], label: str, width: int = 560,
                 height: int = 150) -> None:
        self.numbers, self.label = numbers, label
        self.width, self.height = width, height
        self.left, self.right, self.top, self.bottom = 56, 12, 20, 22
        present = [v for v in numbers if v is not None]
        self.empty = not present
        low, high = (min(present), max(present)) if present else (0.0, 1.0)
        if low == high:
            low, high = low - 1, high + 1
        self.low, self.high = low, high
        self._base = self._draw()

    def x(self, index: float) -> float:
        span = max(len(self.numbers) - 1, 1)
        return self.left + index / span * (self.width - self.left - self.right)

    def y(self, value: float) -> float:
        inner = self.height - self.top - self.bottom
        return self.top + (self.high - value) / (self.high - self.low) * inner

    def _draw(self) -> str:
        w, h = self.width, self.height
        out = [f'<rect width="{w}" height="{h}" fill="#fff"/>',
               f'<text x="{self.left}" y="13" font-size="11" fill="#444">{esc(self.label)}</text>']
        base = h - self.bottom
        out.append(f'<line x1="{self.left}" y1="{num(base)}" x2="{num(w - self.right)}" '
                   f'y2="{num(base)}" stroke="#ccc"/>')
        for value in (self.low, self.high):
            yy = self.y(value)
            out.append(f'<text x="{self.left - 6}" y="{num(yy + 4)}" text-anchor="end" '
                       f'font-size="10" fill="#777">{esc(_number(value))}</text>')
            out.append(f'<line x1="{self.left}" y1="{num(yy)}" x2="{num(w - self.right)}" '
                       f'y2="{num(yy)}" stroke="#eee"/>')
        if self.empty:
            out.append(f'<text x="{num(w / 2)}" y="{num(h / 2)}" text-anchor="middle" '
                       f'font-size="11" fill="#888">no numeric values</text>')
            return "".join(out)
        runs: list[list[str]] = []
        current: list[str] = []
        last = len(self.numbers) - 1
        for i, value in enumerate(self.numbers):
            if value is None:
                if current:
                    runs.append(current)
                current = []
                continue
            yy = num(self.y(value))
            current.append(f"{num(self.x(i))},{yy}")
            current.append(f"{num(self.x(min(i + 1, last) if last else i))},{yy}")
        if current:
            runs.append(current)
        for run in runs:
            out.append(f'<polyline points="{" ".join(run)}" fill="none" '
                       f'stroke="{COLOURS["process"]}" stroke-width="2"/>')
        return "".join(out)

    def svg(self, index: int | None = None, slot_text: str = "") -> str:
        """The chart with a cursor at step `index`."""
        cursor = ""
        if index is not None and self.numbers:
            xx = self.x(index)
            cursor = (f'<line x1="{num(xx)}" y1="{self.top}" x2="{num(xx)}" '
                      f'y2="{num(self.height - self.bottom)}" stroke="{COLOURS["wallet"]}" '
                      f'stroke-width="1.5"/>')
            value = self.numbers[index]
            if value is not None:
                cursor += (f'<circle cx="{num(xx)}" cy="{num(self.y(value))}" r="4" '
                           f'fill="{COLOURS["wallet"]}"/>')
            anchor = "end" if xx > self.width / 2 else "start"
            shift = -5 if anchor == "end" else 5
            text = slot_text + (f" = {_number(value)}" if value is not None else "")
            cursor += (f'<text x="{num(xx + shift)}" y="{num(self.height - 6)}" '
                       f'text-anchor="{anchor}" font-size="10" fill="#444">{esc(text)}</text>')
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" '
                f'height="{self.height}" viewBox="0 0 {self.width} {self.height}" '
                f'style="{FONT}">{self._base}{cursor}</svg>')


def _slot_text(step: Step) -> str:
    return f"slot {step.slot}" if step.slot is not None else f"{step.kind} (no slot)"


def message_html(t: Timeline, index: int) -> str:
    """What was evaluated at a step."""
    step = t.steps[index]
    first = t.steps[0].timestamp if t.steps else None
    sender = t.names.get(step.sender, clip(step.sender or "?", 12))
    what = step.action or ("spawn (Process message)" if step.kind == "process" else step.kind)
    lines = [f"<b>{esc(_slot_text(step))}</b> · {esc(what)} from {esc(sender)}"
             f" · {esc(clock(step.timestamp))}"]
    if step.timestamp is not None and first is not None and step.timestamp != first:
        lines[0] += f" (+{num((step.timestamp - first) / 1000)} s)"
    if step.error is not None:
        lines.append(f'<span style="color:{COLOURS["error"]}">✗ {esc(clip(step.error, 160))} '
                     "(rolled back: the state is unchanged)</span>")
    elif step.output:
        lines.append(f'<span style="color:#555">output: {esc(clip(step.output, 160))}</span>')
    summary = _diff_summary(step)
    lines.append(f'<span style="color:#555">{esc(summary)}</span>')
    return f'<div class="ao-tl-message" style="{FONT};font-size:13px">' + "<br>".join(
        lines) + "</div>"


def _diff_summary(step: Step) -> str:
    d = step.diff
    if not d.any:
        return "no change"
    parts = []
    for name, keys in (("added", d.added), ("changed", d.changed), ("removed", d.removed)):
        if keys:
            parts.append(f"{len(keys)} {name}")
    return ", ".join(parts) if parts else "value changed"


def state_html(t: Timeline, index: int, max_rows: int = MAX_ROWS) -> str:
    """The state at a step as a table; rows that changed since the previous step are coloured."""
    rows = t.rows(index)
    body = []
    for key, value, status in rows[:max_rows]:
        label = key
        if key in t.names:
            label = f"{t.names[key]} · {key[:8]}…"
        style = _STATUS_STYLE[status]
        mark = {"added": "+", "changed": "~", "removed": "−"}.get(status, "")
        body.append(f'<tr style="{style}"><td style="color:#888;padding:1px 6px">{mark}</td>'
                    f'<td style="padding:1px 8px" title="{esc(key)}">{esc(clip(label, 40))}</td>'
                    f'<td style="padding:1px 8px;font-family:monospace">'
                    f"{esc(compact(value, 80))}</td></tr>")
    if len(rows) > max_rows:
        body.append(f'<tr><td></td><td colspan="2" style="color:#888;padding:1px 8px">… '
                    f"{len(rows) - max_rows} more rows</td></tr>")
    return (f'<div class="ao-tl-state" style="{FONT};font-size:12px;max-height:320px;'
            f'overflow:auto"><table style="border-collapse:collapse">'
            f'<thead><tr><th></th><th style="text-align:left;padding:1px 8px">key</th>'
            f'<th style="text-align:left;padding:1px 8px">{esc(t.expr)}</th></tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


class TimelineWidget(widgets.VBox):
    """Slider (and play button) over a process's steps, the message there, the state as a table
    with changes highlighted, and a plot with a cursor."""

    def __init__(self, timeline: Timeline, index: int | None = None, **kwargs: Any) -> None:
        self.timeline = timeline
        n = len(timeline)
        last = max(n - 1, 0)
        start = last if index is None else max(0, min(index, last))
        title = f"{timeline.label} · {timeline.expr}"
        self.uid = element_id("ao-timeline", f"{timeline.process}|{timeline.expr}|{timeline.plot}")
        self.title = widgets.HTML(f'<b style="{FONT}">{esc(title)}</b>')
        self.play = widgets.Play(value=start, min=0, max=last, step=1, interval=600,
                                 description="play")
        self.slider = widgets.IntSlider(value=start, min=0, max=last, step=1, readout=False,
                                        continuous_update=True, description="step",
                                        layout=widgets.Layout(width="420px"))
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.prev = widgets.Button(description="◀", layout=widgets.Layout(width="36px"),
                                   tooltip="previous message")
        self.next = widgets.Button(description="▶", layout=widgets.Layout(width="36px"),
                                   tooltip="next message")
        self.position = widgets.HTML()
        self.message = widgets.HTML()
        self.state = widgets.HTML()
        label = timeline.plot or timeline.expr
        self._plot = Plot(timeline.numbers, label)
        self.plot = widgets.HTML()
        self.prev.on_click(lambda _b: self._move(-1))
        self.next.on_click(lambda _b: self._move(1))
        self.slider.observe(self._changed, names="value")
        controls = widgets.HBox([self.play, self.prev, self.slider, self.next, self.position])
        children = [self.title, controls, self.message, widgets.HBox([self.state, self.plot])]
        super().__init__(children=children, **kwargs)
        self.add_class("ao-timeline")
        self.add_class(self.uid)
        self.show(start)

    @property
    def index(self) -> int:
        """The step shown."""
        return int(self.slider.value)

    def _move(self, by: int) -> None:
        self.slider.value = max(self.slider.min, min(self.slider.max, self.slider.value + by))

    def _changed(self, change: dict[str, Any]) -> None:
        self.show(int(change["new"]))

    def show(self, index: int) -> None:
        """Render step `index` (the slider calls this)."""
        t = self.timeline
        if not t.steps:
            self.message.value = "<i>no messages yet</i>"
            return
        step = t.steps[index]
        self.position.value = f'<span style="{FONT};font-size:12px">{esc(_slot_text(step))} ' \
                              f"({index + 1}/{len(t)})</span>"
        self.message.value = message_html(t, index)
        self.state.value = state_html(t, index)
        if any(v is not None for v in t.numbers):
            self.plot.value = self._plot.svg(index, _slot_text(step))
        else:
            self.plot.value = ""

    def snapshot_html(self) -> str:
        """A static rendering of the step shown (for exports, where widgets do not run)."""
        t = self.timeline
        if not t.steps:
            return f'<div id="{self.uid}">no messages</div>'
        plot = self.plot.value
        return (f'<div id="{self.uid}" class="ao-timeline-static" style="{FONT}">'
                f"{self.title.value}{self.message.value}"
                f'<div style="display:flex;gap:12px;align-items:flex-start">{self.state.value}'
                f"{plot}</div></div>")

    def __repr__(self) -> str:
        t = self.timeline
        where = _slot_text(t.steps[self.index]) if t.steps else "empty"
        return f"<Timeline {t.label} {t.expr!r}: {len(t)} messages, at {where}>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):
            data = bundle[0]
        else:
            data = bundle or {}
        data["text/plain"] = repr(self)
        data["text/html"] = self.snapshot_html()
        return bundle if isinstance(bundle, tuple) else data


def timeline(process: Process, expr: str, plot: str | None = None,
             index: int | None = None) -> TimelineWidget:
    """A timeline of `expr` over `process`'s log (one replay pass); `plot` is a numeric
    expression to chart (default: `expr` itself when it is numeric)."""
    return TimelineWidget(state_timeline(process, expr, plot), index=index)
