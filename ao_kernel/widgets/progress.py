"""Live progress while the network cranks: a bar and counts during `net.run()` / `net.advance()`.

The engine has no progress hook, so `Progress` wraps the MU's `step` on that one network
instance for the duration of a `with` block and puts it back afterwards. Nothing else changes:
the same operations are journaled, so results, ids and slots are exactly what a bare call gives.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..clock import parse_interval
from ._html import FONT, esc, num

if TYPE_CHECKING:
    from ..message import Message
    from ..network import Network


class ProgressBar(widgets.HBox):
    """The bar and a line of counts (text repr kept constant for nbval)."""

    def __init__(self, description: str) -> None:
        self.bar = widgets.FloatProgress(value=0.0, min=0.0, max=1.0, description=description,
                                         bar_style="info",
                                         layout=widgets.Layout(width="360px"))
        self.counts = widgets.HTML(value="")
        super().__init__(children=[self.bar, self.counts])
        self.add_class("ao-progress")

    def __repr__(self) -> str:
        return f"<Progress {self.bar.description}>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict):
            data["text/plain"] = repr(self)
        return bundle


class Progress:
    """`with Progress(net): net.run()` shows how many messages were evaluated and how many are
    queued (and, with `until=` a target time in ms, how far the virtual clock has gone).

    `show=None` displays the bar only inside IPython; `every` is the minimum number of seconds
    between two redraws (a redraw costs far more than a message).
    """

    def __init__(self, net: Network, description: str = "ao", until: int | None = None,
                 show: bool | None = None, every: float = 0.1) -> None:
        self.net = net
        self.until = until
        self.every = every
        self.evaluated = 0
        self.crons = 0
        self.errors = 0
        self.widget = ProgressBar(description)
        self._show = show
        self._start_time = net.now
        self._last_draw = 0.0
        self._patched = False

    # -- counting --
    def _count(self, msg: Message) -> None:
        """Told by the MU of every evaluated message (batches included)."""
        self.evaluated += 1
        self.crons += bool(msg.cron)
        if msg.result is not None and msg.result.error is not None:
            self.errors += 1
        now = time.monotonic()
        if now - self._last_draw >= self.every:
            self._last_draw = now
            self.draw()

    @property
    def queued(self) -> int:
        """Items still waiting in the MU queue."""
        return len(self.net.messenger.queue)

    @property
    def fraction(self) -> float:
        """How far along: virtual time towards `until`, or evaluated / (evaluated + queued)."""
        if self.until is not None and self.until > self._start_time:
            span = self.until - self._start_time
            return max(0.0, min(1.0, (self.net.now - self._start_time) / span))
        total = self.evaluated + self.queued
        return self.evaluated / total if total else 1.0

    def text(self) -> str:
        """The counts line."""
        parts = [f"{self.evaluated:,} evaluated", f"{self.queued:,} queued"]
        if self.crons:
            parts.append(f"{self.crons:,} crons")
        if self.errors:
            parts.append(f"{self.errors:,} failed")
        if self.until is not None:
            parts.append(f"clock +{num((self.net.now - self._start_time) / 1000)} s")
        return " · ".join(parts)

    def draw(self) -> None:
        """Redraw the bar and the counts."""
        self.widget.bar.value = round(self.fraction, 4)
        self.widget.counts.value = (f'<span style="{FONT};font-size:12px;padding-left:8px">'
                                    f"{esc(self.text())}</span>")

    # -- context manager --
    def __enter__(self) -> Progress:
        self.net.messenger.observers.append(self._count)
        self._patched = True
        show = self._show
        if show is None:
            show = _in_ipython()
        if show:
            from IPython.display import display

            display(self.widget)
        self.draw()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._patched:
            self.net.messenger.observers.remove(self._count)
            self._patched = False
        self.draw()
        failed = exc[0] is not None
        self.widget.bar.bar_style = "danger" if failed else "success"
        if not failed:
            self.widget.bar.value = 1.0


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return False
    return get_ipython() is not None


def run_with_progress(net: Network, advance: int | str | None = None, limit: int | None = None,
                      show: bool | None = None, every: float = 0.1) -> Any:
    """`net.advance(advance)` (when given) or `net.run(limit)`, with a live progress bar.

    Returns what the wrapped call returns (the crons fired, or how many items were carried).
    """
    if advance is not None:
        until = net.clock.target_of(parse_interval(advance))
        with Progress(net, description="advance", until=until, show=show, every=every):
            return net.advance(advance)
    with Progress(net, description="run", show=show, every=every):
        return net.run(limit)
