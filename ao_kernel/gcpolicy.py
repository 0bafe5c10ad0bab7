"""Fewer garbage collections while networks live in this interpreter.

A network keeps every message it carried (its log), so the live Python objects grow with the
log, and CPython's default young-generation threshold (700 allocations) makes the collector walk
them again and again: about a third of the time of a small message. The engine makes almost no
cyclic garbage, so the first Network raises the threshold to OPERATION_THRESHOLD (a common
tuning for allocation-heavy programs). Raising it only during each operation does not help:
putting it back makes the deferred collection happen at the end of the operation instead.
A threshold the user set higher (or 0, collection off) is left alone.
"""

from __future__ import annotations

import gc

OPERATION_THRESHOLD = 10_000


def collect_less_often() -> None:
    """Raise the young-generation GC threshold to at least OPERATION_THRESHOLD."""
    first, *rest = gc.get_threshold()
    if 0 < first < OPERATION_THRESHOLD:
        gc.set_threshold(OPERATION_THRESHOLD, *rest)
