"""Fewer and shorter garbage collections while networks live in this interpreter.

A network keeps every message it carried (its log), so the live Python objects grow with the
log, and CPython's collector walks them again and again: with the default young-generation
threshold (700 allocations) about a third of the time of a small message, and, once the log
holds a few hundred thousand messages, full collections cost as much as the messages themselves
(every full collection walks the whole log, and one comes each time the old generation grew by
a quarter). The engine makes almost no cyclic garbage, so the first Network:

- raises the young-generation threshold to OPERATION_THRESHOLD (a common tuning for
  allocation-heavy programs); a threshold the user set higher (or 0, collection off) is left
  alone;
- after each collection, young or old, moves the survivors to the permanent generation
  (`gc.freeze`), so later collections walk only what is new: nearly every object a message
  leaves behind is kept (the log), and walking it again in the middle generation cost more than
  the young collections themselves (about 6 of 8 microseconds per ping). Frozen objects are still
  freed by reference counting; only cycles among them would wait, and the engine's messages
  leave none.

So that dead cycles (user code can make them) are not kept forever, everything is thawed for
one full collection once the frozen objects have grown THAW_GROWTH-fold since the last such
collection, at an idle moment: after a notebook cell (`%load_ext ao_kernel` and the ao kernel
register `idle`). A full collection walks every live object, about half a microsecond each once
the log is big, and as the log keeps growing each collection walks more than all the objects
made since the previous one, so each object is walked about once more in its life however far
apart they are: measured, 15% of the time of 300,000 pings. Between cells that
costs a pause instead of message throughput. Without cells (a script), or when a single cell
lets the frozen objects grow BUSY_THAW_GROWTH-fold, the collection runs at the end of the
Network operation that saw the growth (`settle`), never from inside the collector. The growth
is judged by a running count of survivors, and confirmed there (or after the cell) by a real
count, which walks every frozen object: inside the collector it would stall a message. Memory
held by dead cycles stays within those factors. An explicit `gc.collect()` thaws everything first,
so it still frees every dead cycle. A Network itself holds no reference cycle, so a dropped one
(its Lua states, its in-memory log) is freed at once by reference counting, frozen or not.

Work that reads a whole log into fresh objects and makes no cycles (a verification) runs with
the collector `paused`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

OPERATION_THRESHOLD = 10_000
THAW_GROWTH = 4  # at an idle moment (after a cell)
BUSY_THAW_GROWTH = 64  # in the middle of work (the end of a Network operation)
THAW_FLOOR = 250_000  # below this many frozen objects, never bother thawing
RECOUNT_GAP = 4  # see `_confirmed`

_state = {"installed": False, "walked": 0, "frozen": 0, "thawing": False, "due": False,
          "urgent": False, "recount_at": 0}


def collect_less_often() -> None:
    """Raise the young-generation threshold and install the freeze-after-full-collection hook."""
    first, *rest = gc.get_threshold()
    if 0 < first < OPERATION_THRESHOLD:
        gc.set_threshold(OPERATION_THRESHOLD, *rest)
    if not _state["installed"]:
        _state["installed"] = True
        gc.callbacks.append(_after_collection)


def _after_collection(phase: str, info: dict[str, Any]) -> None:
    """After a collection: freeze the survivors, and once the frozen objects seem to have grown
    THAW_GROWTH-fold (BUSY_THAW_GROWTH-fold) mark a full collection as due (urgent) for `idle`
    (`settle`), which first count them for real.

    Survivors sit in the generations after the one collected (the oldest for a full
    collection), which the last freeze left empty, so counting them is cheap; the real count
    of frozen objects walks every one of them, so it is never taken here, inside a message."""
    generation = info.get("generation", 0)
    if phase == "start":
        # CPython starts a full collection by itself only once the oldest generation's count
        # has passed its threshold; below it, this is an explicit gc.collect(), which should
        # free every dead cycle, so it walks everything.
        if generation == 2 and gc.get_count()[2] <= gc.get_threshold()[2]:
            gc.unfreeze()
            _state["thawing"] = True
        return
    if _state["thawing"]:
        if generation != 2:
            return  # wait for the full collection that walks what was thawed
        _state["thawing"] = _state["due"] = _state["urgent"] = False
        _state["walked"] = _state["frozen"] = _state["recount_at"] = 0
    survivors = sum(len(gc.get_objects(g)) for g in range(min(generation + 1, 2), 3))
    _state["frozen"] = frozen = _state["frozen"] + survivors
    if not _state["walked"]:
        _state["walked"] = survivors
    _flag(frozen)
    gc.freeze()


def _flag(frozen: int) -> int:
    """Mark a full collection due / urgent by a count of frozen objects; returns the limit
    the growth factors apply to."""
    limit = max(_state["walked"], THAW_FLOOR)
    _state["due"] = frozen > THAW_GROWTH * limit
    _state["urgent"] = frozen > BUSY_THAW_GROWTH * limit
    return limit


def _confirmed(growth: int) -> bool:
    """Whether the frozen objects still alive have grown `growth`-fold: the running count also
    holds frozen objects freed since (a dropped network), so it is checked against the real
    one, which walks every frozen object (~0.1 s per million). After a count that finds too
    few, the next waits until 1/RECOUNT_GAP of the limit more were frozen: a count that stays
    just under the threshold (objects that survive young collections and die later) would
    otherwise be walked again after every operation."""
    if _state["frozen"] < _state["recount_at"]:
        return False
    _state["frozen"] = frozen = gc.get_freeze_count()
    limit = _flag(frozen)
    _state["recount_at"] = frozen + limit // RECOUNT_GAP
    return frozen > growth * limit


def settle() -> None:
    """At the end of a Network operation: the full collection of everything (thawed) when
    the frozen objects have grown BUSY_THAW_GROWTH-fold, else nothing (a dict lookup)."""
    if _state["urgent"] and _confirmed(BUSY_THAW_GROWTH):
        _collect_all()


def idle(*_: Any) -> None:
    """At an idle moment (IPython's post_run_cell): the full collection of everything when
    the frozen objects have grown THAW_GROWTH-fold."""
    if _state["due"] and _confirmed(THAW_GROWTH):
        _collect_all()


def _collect_all() -> None:
    gc.unfreeze()
    _state["thawing"] = True
    gc.collect()


@contextmanager
def paused() -> Iterator[None]:
    """No collection inside: for work that makes many objects and no reference cycles (a
    verification reads the whole log into rows and message arguments), which young
    collections would only walk and freeze again and again (verify measured ~6% faster).
    Nests; the collector is enabled again on the way out only if it was enabled on the way in."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
