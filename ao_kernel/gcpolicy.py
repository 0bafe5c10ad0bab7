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
  freed by reference counting; only cycles among them would wait. So that such cycles (a dropped
  Network, say) are not kept forever, everything is thawed for one full collection whenever the
  frozen objects have grown THAW_GROWTH-fold since the last such collection. That collection
  runs at the end of the Network operation during which the growth was seen (`settle`), not
  from inside the collector, where waiting for CPython's own next full collection left the
  middle generation unfrozen and walked again and again. Each object is walked a bounded number
  of times (about 1/(THAW_GROWTH - 1) full walks instead of about seven; a full walk of a big
  log costs about half a microsecond per object, and the engine's messages leave no dead cycles
  to find) and memory held by dead cycles stays within that factor. An explicit `gc.collect()`
  thaws everything first, so it still frees every dead cycle. A Network itself holds no
  reference cycle, so a dropped one (its Lua states, its in-memory log) is freed at once by
  reference counting, frozen or not.
"""

from __future__ import annotations

import gc
from typing import Any

OPERATION_THRESHOLD = 10_000
THAW_GROWTH = 8
THAW_FLOOR = 250_000  # below this many frozen objects, never bother thawing

_state = {"installed": False, "walked": 0, "frozen": 0, "thawing": False, "due": False}


def collect_less_often() -> None:
    """Raise the young-generation threshold and install the freeze-after-full-collection hook."""
    first, *rest = gc.get_threshold()
    if 0 < first < OPERATION_THRESHOLD:
        gc.set_threshold(OPERATION_THRESHOLD, *rest)
    if not _state["installed"]:
        _state["installed"] = True
        gc.callbacks.append(_after_collection)


def _after_collection(phase: str, info: dict[str, Any]) -> None:
    """After a collection: freeze the survivors, and once the frozen objects have grown
    THAW_GROWTH-fold ask `settle` for a full collection of everything.

    Survivors sit in the generation after the one collected (the oldest for a full collection),
    which the last freeze left empty, so counting them is cheap (`gc.get_freeze_count` would
    walk every frozen object)."""
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
        _state["thawing"] = _state["due"] = False
        _state["walked"] = _state["frozen"] = 0
    elif _state["frozen"] > THAW_GROWTH * max(_state["walked"], THAW_FLOOR):
        _state["due"] = True  # `settle` collects everything once the operation is over
    survivors = len(gc.get_objects(min(generation + 1, 2)))
    _state["frozen"] += survivors
    if not _state["walked"]:
        _state["walked"] = survivors
    gc.freeze()


def settle() -> None:
    """At the end of a Network operation: the full collection of everything (thawed) that
    the growth of the frozen objects asked for, if it did; else nothing (a dict lookup)."""
    if _state["due"]:
        _state["due"] = False
        gc.unfreeze()
        _state["thawing"] = True
        gc.collect()
