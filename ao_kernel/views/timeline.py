"""Holographic-state timeline: a state expression after every message of one process.

Pure data, computed in ONE replay pass (`process.history`) when the timeline is made, so that a
widget moving over the slots only looks things up. Each step has the message evaluated there,
the value of the state expression after it, what changed since the previous step, and a number
to plot (from a second expression, evaluated in the same pass, or the value itself).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import AoError, LuaError
from ._log import parties

if TYPE_CHECKING:
    from ..process import Process

TIMELINE_COLUMNS = ["index", "slot", "timestamp", "kind", "action", "from", "error", "changed",
                    "number", "value"]


@dataclass(frozen=True)
class Diff:
    """What changed from the previous step: keys (or list positions, from 1) of a table, or
    `replaced` for a plain value that changed."""

    added: tuple[Any, ...] = ()
    removed: tuple[Any, ...] = ()
    changed: tuple[Any, ...] = ()
    replaced: bool = False

    @property
    def any(self) -> bool:
        """Whether anything changed."""
        return bool(self.added or self.removed or self.changed or self.replaced)


@dataclass(frozen=True)
class Step:
    """One message of the process and the state right after it."""

    index: int
    slot: int | None
    timestamp: int | None
    kind: str
    action: str | None
    sender: str
    id: str | None
    error: str | None  # the short error message when the message failed (state unchanged)
    output: str
    value: Any
    diff: Diff
    number: float | None


@dataclass
class Timeline:
    """A process's state over its log: one `Step` per message, in order."""

    process: str
    label: str
    expr: str
    plot: str | None
    steps: list[Step] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # address -> process or wallet name

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def numbers(self) -> list[float | None]:
        """The plotted number at every step (None where there is none)."""
        return [s.number for s in self.steps]

    def index_of_slot(self, slot: int) -> int:
        """The step index of a slot (crons have no slot)."""
        for step in self.steps:
            if step.slot == slot:
                return step.index
        raise ValueError(f"no step has slot {slot}")

    def rows(self, index: int) -> list[tuple[str, Any, str]]:
        """The state at a step as (key, value, status) rows; see `state_rows`."""
        step = self.steps[index]
        previous = self.steps[index - 1].value if index > 0 else None
        return state_rows(step.value, previous, step.diff)

    def frame(self) -> pd.DataFrame:
        """One row per step; `value` is the Python value (dicts and lists as they came)."""
        rows = [{"index": s.index, "slot": s.slot, "timestamp": s.timestamp, "kind": s.kind,
                 "action": s.action, "from": s.sender, "error": s.error,
                 "changed": s.diff.any, "number": s.number, "value": s.value}
                for s in self.steps]
        frame = pd.DataFrame(rows, columns=TIMELINE_COLUMNS)
        frame["slot"] = frame["slot"].astype("Int64")
        return frame


def sort_key(key: Any) -> tuple[int, Any]:
    """A total, deterministic order for table keys (Lua's own order is not stable)."""
    if isinstance(key, bool):
        return (2, str(key))
    if isinstance(key, (int, float)):
        return (0, key)
    return (1, str(key))


def _entries(value: Any) -> dict[Any, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return {i + 1: v for i, v in enumerate(value)}
    return None


def diff(previous: Any, current: Any) -> Diff:
    """What changed between two values of the expression (tables key by key)."""
    before, after = _entries(previous), _entries(current)
    if before is None or after is None:
        if before is None and after is None:
            return Diff(replaced=previous != current)
        if after is not None:  # nil -> table: every key is new
            return Diff(added=tuple(sorted(after, key=sort_key)), replaced=True)
        return Diff(removed=tuple(sorted(before, key=sort_key)), replaced=True)
    added = tuple(sorted((k for k in after if k not in before), key=sort_key))
    removed = tuple(sorted((k for k in before if k not in after), key=sort_key))
    changed = tuple(sorted((k for k in after if k in before and before[k] != after[k]),
                           key=sort_key))
    return Diff(added, removed, changed)


def state_rows(value: Any, previous: Any, change: Diff) -> list[tuple[str, Any, str]]:
    """(key, value, status) rows; status is "added", "changed", "removed" or "" (same).

    Tables give a row per key (sorted), lists a row per position (from 1, as in Lua), and a plain
    value one row keyed "value".
    """
    entries = _entries(value)
    if entries is None:
        return [("value", value, "changed" if change.replaced else "")]
    old = _entries(previous) or {}
    added, changed = set(change.added), set(change.changed)
    rows = []
    for key in sorted(entries, key=sort_key):
        status = "added" if key in added else "changed" if key in changed else ""
        rows.append((str(key), entries[key], status))
    for key in change.removed:
        rows.append((str(key), old.get(key), "removed"))
    return rows


def to_number(value: Any) -> float | None:
    """A number to plot: ints, floats and numeric strings (token balances are strings)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _guarded(expr: str) -> str:
    return f"pcall(function() return ({expr}) end)"


def _combined(expr: str, plot: str) -> str:
    """One Lua expression giving both values, each read on its own (one may fail)."""
    return ("(function() local r = {} "
            f"local ok1, v1 = {_guarded(expr)} if ok1 then r.state = v1 end "
            f"local ok2, v2 = {_guarded(plot)} if ok2 then r.plot = v2 end "
            "return r end)()")


def _check(process: Process, expr: str) -> None:
    """Raise now on a syntax error (history would quietly give None everywhere)."""
    try:
        process.get(f"(function() return ({expr}) end)")
    except LuaError as exc:
        raise LuaError(f"cannot read {expr!r}: {exc}") from None
    except AoError:
        pass  # not running yet: history will tell


def state_timeline(process: Process, expr: str, plot: str | None = None) -> Timeline:
    """`expr` (and `plot`, a numeric expression) after every message, in one replay pass.

    Without `plot`, the number plotted is `expr` itself when it is numeric.
    """
    _check(process, expr)
    if plot is not None:
        _check(process, plot)
        series = process.history(_combined(expr, plot))
        pairs = [(v or {}).get("state") if isinstance(v, dict) else None for v in series]
        numbers = [to_number((v or {}).get("plot")) if isinstance(v, dict) else None
                   for v in series]
        values = pairs
    else:
        values = list(process.history(expr))
        numbers = [to_number(v) for v in values]
    log = process.log
    net = process._net
    names = {ident: p.label for ident, p in parties(net).items()}
    timeline = Timeline(process.id, process.name or process.id[:8], expr, plot, names=names)
    previous: Any = None
    for i, (msg, value, number) in enumerate(zip(log, values, numbers, strict=True)):
        res = msg.result
        error = None
        if res is not None and res.error is not None:
            error = res.error_message or "error"
        timeline.steps.append(Step(
            index=i, slot=msg.slot, timestamp=msg.timestamp, kind=msg.kind,
            action=msg.action, sender=msg.from_, id=msg.id, error=error,
            output=res.output if res is not None else "", value=value,
            diff=diff(previous, value) if i else Diff(replaced=value is not None),
            number=number))
        previous = value
    return timeline


def compact(value: Any, size: int = 80) -> str:
    """A short, deterministic text for a value (tables as JSON with sorted keys)."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, (dict, list)):
        text = json.dumps(_sortable(value), ensure_ascii=False, default=str)
    elif value is None:
        text = "nil"
    else:
        text = json.dumps(value) if isinstance(value, bool) else str(value)
    return text if len(text) <= size else text[: size - 1] + "…"


def _sortable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _sortable(value[k]) for k in sorted(value, key=sort_key)}
    if isinstance(value, list):
        return [_sortable(v) for v in value]
    return value
