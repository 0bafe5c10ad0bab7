"""Fewer garbage collections while a network operation runs.

A network keeps every message it carried (its log), so the live Python objects grow with the
log, and CPython's default young-generation threshold (700 allocations) makes the collector walk
them again and again during a long crank (about a third of the time of a small message). The
engine makes almost no cyclic garbage, so an operation raises the threshold while it runs and
puts the previous setting back when it ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

OPERATION_THRESHOLD = 10_000
_depth = 0


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the body with the young-generation GC threshold at least OPERATION_THRESHOLD."""
    global _depth
    _depth += 1
    saved = gc.get_threshold()
    changed = _depth == 1 and 0 < saved[0] < OPERATION_THRESHOLD
    if changed:
        gc.set_threshold(OPERATION_THRESHOLD, *saved[1:])
    try:
        yield
    finally:
        _depth -= 1
        if changed:
            gc.set_threshold(*saved)
