"""Side by side: evaluating messages for different processes on a pool of threads.

Processes share nothing, so their messages can be evaluated at the same time; lupa releases the
GIL while Lua runs. The MU decides what may run together and in which order results are used
(see `Messenger.step_many`); this module only runs the work and hands results back in order.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ..lua.runtime import LuaInterrupted

if TYPE_CHECKING:
    from .process_runtime import MsgArgs, ProcessRuntime
    from .result import RawResult

    Outcome = RawResult | LuaInterrupted

# Handing jobs to threads costs about as much as evaluating a small message (measured with
# `make bench`: parallel pays off from ~0.1 ms per message), so smaller ones stay sequential.
PARALLEL_MIN_SECONDS = 0.0001

_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def default_workers() -> int:
    """Threads for parallel evaluation: one per core, at most 8; 1 means sequential."""
    return max(1, min(8, os.cpu_count() or 1))


def _pool(workers: int) -> ThreadPoolExecutor:
    """One shared pool per size for every network of this interpreter (threads are reused)."""
    with _pools_lock:
        if workers not in _pools:
            _pools[workers] = ThreadPoolExecutor(workers - 1, thread_name_prefix="ao-cu")
        return _pools[workers]


def evaluate(runtimes: list[ProcessRuntime], args: list[MsgArgs], workers: int) -> list[Outcome]:
    """Evaluate one message in each of `runtimes` (distinct processes); outcomes in order.

    Runs on the calling thread alone when there is one worker or the messages are small (by
    each process's running mean cost); else cut in runs of similar cost, one per thread. An
    interrupted message gives its LuaInterrupted (its process is already rolled back).
    """
    if not pays([rt.cost for rt in runtimes], workers):
        return _evaluate_chunk(runtimes, args)
    chunks = _split(runtimes, args, min(workers, len(runtimes)))
    futures = [_pool(workers).submit(_evaluate_chunk, rts, argl) for rts, argl in chunks[1:]]
    outcomes = _evaluate_chunk(*chunks[0])
    for future in futures:
        outcomes += future.result()
    return outcomes


def pays(costs: list[float], workers: int) -> bool:
    """Whether jobs with these running mean costs (seconds) are worth handing to threads."""
    return workers > 1 and len(costs) > 1 and sum(costs) / len(costs) >= PARALLEL_MIN_SECONDS


def run(tasks: list[Callable[[], Any]], workers: int) -> list[Any]:
    """Run independent tasks (replays of different runtimes) on the pool and this thread;
    results in task order. One task, or one worker, runs here alone."""
    if workers <= 1 or len(tasks) < 2:
        return [task() for task in tasks]
    futures = [_pool(workers).submit(task) for task in tasks[1:]]
    results = [tasks[0]()]
    results += [future.result() for future in futures]
    return results


def _evaluate_chunk(runtimes: list[ProcessRuntime], args: list[MsgArgs]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for runtime, one in zip(runtimes, args, strict=True):
        try:
            outcomes.append(runtime.evaluate(one))
        except LuaInterrupted as exc:
            outcomes.append(exc)
    return outcomes


def _split(runtimes: list[ProcessRuntime], args: list[MsgArgs],
           parts: int) -> list[tuple[list[ProcessRuntime], list[MsgArgs]]]:
    """Cut the jobs, in order, into `parts` runs of about equal estimated cost."""
    costs = [max(rt.cost, 1e-6) for rt in runtimes]
    share = sum(costs) / parts
    chunks: list[tuple[list[ProcessRuntime], list[MsgArgs]]] = []
    start, acc = 0, 0.0
    for i, cost in enumerate(costs):
        acc += cost
        if acc >= share * (len(chunks) + 1) and len(chunks) < parts - 1:
            chunks.append((runtimes[start:i + 1], args[start:i + 1]))
            start = i + 1
    chunks.append((runtimes[start:], args[start:]))
    return [c for c in chunks if c[0]]
