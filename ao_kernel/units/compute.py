"""CU: holds each process's runtime (see `process_runtime.py`), keeps the most recently used
ones in memory, and evaluates what the scheduler hands it, side by side when that pays.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from . import parallel
from .process_runtime import MsgArgs, ProcessRuntime, RawResult

RESIDENT = 256  # processes whose Lua state stays in memory (the most recently used ones)


def count_setting(name: str, value: Any) -> int:
    """A setting that counts something: a whole number, at least 1 (0 and below mean 1)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    return max(1, value)


def _woken(unit: weakref.ref[ComputeUnit], pid: str) -> None:
    """A hibernated process was rebuilt: its unit marks it as just used."""
    cu = unit()
    if cu is not None:
        cu._mark(pid)


class ComputeUnit:
    """Holds a ProcessRuntime per process and evaluates what the scheduler hands it."""

    def __init__(self, memory_limit: int | None, instruction_limit: int | None,
                 workers: int | None = None, resident: int | None = None) -> None:
        self.memory_limit = memory_limit
        self.instruction_limit = instruction_limit
        self.workers = parallel.default_workers() if workers is None else count_setting(
            "workers", workers)
        self.resident = RESIDENT if resident is None else count_setting("resident", resident)
        self.runtimes: dict[str, ProcessRuntime] = {}
        self._live: OrderedDict[str, None] = OrderedDict()  # least recently used first
        self._live_lock = threading.Lock()

    @property
    def batch_limit(self) -> int:
        """The most messages `evaluate_many` takes at once (they must all stay resident)."""
        return max(1, self.resident // 2)

    def boot(self, pid: str, modules: Mapping[str, str], env: tuple[Any, ...],
             memory_limit: int | None = None) -> None:
        """Create the runtime of a new process (before its Process message is evaluated)."""
        pr = ProcessRuntime(modules, env, memory_limit or self.memory_limit,
                            self.instruction_limit)
        pr.on_wake = partial(_woken, weakref.ref(self), pid)  # weak: no reference cycle
        self.runtimes[pid] = pr
        self._touch([pid])

    def _mark(self, pid: str) -> None:
        with self._live_lock:
            self._live[pid] = None
            self._live.move_to_end(pid)

    def _touch(self, pids: list[str]) -> None:
        """Mark processes as just used and hibernate the least recently used ones beyond
        `resident` (never one of `pids`). Called on the host's thread only."""
        for pid in pids:
            self._mark(pid)
        keep = set(pids)
        tries = len(self._live)
        while len(self._live) > self.resident and tries > 0:
            tries -= 1
            with self._live_lock:
                pid, _ = self._live.popitem(last=False)
            if pid in keep or not self.runtimes[pid].hibernate():
                self._mark(pid)  # in use, or cannot sleep now (a pending Receive)

    def evaluate(self, pid: str, args: MsgArgs) -> RawResult:
        """Evaluate a scheduled message (or cron) and keep its effects unless it errors."""
        live = self._live
        if not live or next(reversed(live)) != pid:  # not already the most recently used
            self._touch([pid])
        return self.runtimes[pid].evaluate(args)

    def evaluate_many(self, jobs: list[tuple[str, MsgArgs]]) -> list[parallel.Outcome]:
        """Evaluate messages for DISTINCT processes, side by side on threads when there is
        more than one core and the batch is worth it; outcomes in job order.

        Processes share nothing, so each outcome is exactly what a sequential evaluation
        gives (lupa releases the GIL while Lua runs). An interrupted job gives its
        LuaInterrupted instead of a result (its process is already rolled back).
        """
        self._touch([pid for pid, _ in jobs])
        return parallel.evaluate([self.runtimes[pid] for pid, _ in jobs],
                                 [args for _, args in jobs], self.workers)

    def pays_side_by_side(self, pids: list[str]) -> bool:
        """Whether messages for these processes are worth evaluating on threads (by each
        process's running mean cost); when not, one by one is cheaper than a batch."""
        runtimes = self.runtimes
        return parallel.pays([runtimes[p].cost if p in runtimes else 0.0 for p in pids],
                             self.workers)

    def side_by_side(self, tasks: list[Callable[[], Any]]) -> list[Any]:
        """Run independent tasks (replays of different runtimes) on the pool and this thread;
        results in task order. One task, or one worker, runs here alone."""
        return parallel.run(tasks, self.workers)

    def dryrun(self, pid: str, args: MsgArgs) -> RawResult:
        """Evaluate a read-only message and then forget it."""
        self._touch([pid])
        return self.runtimes[pid].evaluate(args, keep=False)

    def get(self, pid: str, expression: str) -> Any:
        """Read a Lua expression from a process's live state."""
        self._touch([pid])
        return self.runtimes[pid].get(expression)
