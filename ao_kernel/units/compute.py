"""CU: holds each process's runtime (see `process_runtime.py`), keeps some of them in memory
(see ADMIT_AT_TOP), and evaluates what the scheduler hands it, side by side when that pays.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from . import parallel
from .process_runtime import MsgArgs, ProcessRuntime
from .result import RawResult

RESIDENT = 256  # processes whose Lua state stays in memory
# A process whose state comes (back) into memory joins the resident set as the next to leave,
# and moves up only when it is used again; one in ADMIT_AT_TOP comes in at the top instead.
# This is "bimodal insertion" (Qureshi et al., ISCA 2007): messages going round more processes
# than stay resident then keep most of them in memory (about resident/N of the uses hit, where
# least-recently-used order keeps none), and a working set that changes still takes over.
ADMIT_AT_TOP = 32


def count_setting(name: str, value: Any) -> int:
    """A setting that counts something: a whole number, at least 1 (0 and below mean 1)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    return max(1, value)


def _woken(unit: weakref.ref[ComputeUnit], pid: str) -> None:
    """A hibernated process was rebuilt: it is resident again."""
    cu = unit()
    if cu is not None:
        cu._admit(pid)


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
        # Resident processes, next to leave first; the value says whether the process was
        # used since it came in (see ADMIT_AT_TOP).
        self._live: OrderedDict[str, bool] = OrderedDict()
        self._live_lock = threading.Lock()
        self._admitted = 0

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
        self._admit(pid)
        self._make_room([pid])

    def _admit(self, pid: str, used: bool = False) -> None:
        """A process's Lua state is in memory (again): it joins the resident set, as the next
        to leave, or one time in ADMIT_AT_TOP as the most recently used."""
        with self._live_lock:
            if pid in self._live:
                return
            self._admitted += 1
            self._live[pid] = used
            if self._admitted % ADMIT_AT_TOP:
                self._live.move_to_end(pid, last=False)

    def _use(self, pid: str) -> None:
        """A process is used: the first use since it came in leaves it where it joined, a
        later one makes it the most recently used."""
        with self._live_lock:
            used = self._live.get(pid)
            if used is not None:
                if used:
                    self._live.move_to_end(pid)
                else:
                    self._live[pid] = True
                return
        self._admit(pid, used=True)  # asleep: the use about to come wakes it

    def _touch(self, pids: list[str]) -> None:
        """Mark processes as used and hibernate others beyond `resident` (never one of
        `pids`). Called on the host's thread only."""
        for pid in pids:
            self._use(pid)
        self._make_room(pids)

    def _make_room(self, keep: list[str]) -> None:
        """Hibernate processes, next to leave first, until at most `resident` stay (never one
        of `keep`; one that cannot sleep now, with a pending Receive, moves to the top)."""
        if len(self._live) <= self.resident:
            return
        spared = set(keep)
        with self._live_lock:
            order = list(self._live)
        for pid in order:
            if len(self._live) <= self.resident:
                return
            if pid in spared:
                continue
            if self.runtimes[pid].hibernate():
                with self._live_lock:
                    self._live.pop(pid, None)
            else:
                with self._live_lock:
                    self._live.move_to_end(pid)

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
