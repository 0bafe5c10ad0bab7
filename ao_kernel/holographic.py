"""Holographic state: a process's state is the replay of its log.

Time travel (`Process.at`), state over time (`Process.history`) and verification
(`Network.verify`) all rebuild a process in a fresh runtime from its log, never from the live one.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import pandas as pd

from .errors import LuaError
from .gcpolicy import paused
from .ids import b64url, b64url_decode
from .message import Message, Result
from .store.jsontext import dumps, loads_all
from .units.messenger import INTERRUPTED, cu_tags
from .units.process_runtime import CHECKPOINT_EVERY, ProcessRuntime
from .units.scheduler import first_link, next_link

if TYPE_CHECKING:
    from .network import Network


@dataclass
class _LogIndex:
    """Running facts about one process's log, which only grows: where each slot is, how many
    kept (successful) messages each prefix holds, and the timestamps (which never go back: the
    SU stamps the virtual clock, which only moves forward). A view at a slot or an instant then
    finds its place without walking a long log again."""

    seen: int = 0
    # Machine integers (8 bytes an entry): position in the log of slot k (slots count from 0
    # without gaps), kept messages among the first i + 1 entries, and entry i's timestamp.
    slots: array[int] = field(default_factory=lambda: array("q"))
    kept: array[int] = field(default_factory=lambda: array("q"))
    times: array[int] = field(default_factory=lambda: array("q"))
    other_slots: dict[int, int] = field(default_factory=dict)

    def update(self, log: list[Message]) -> None:
        kept = self.kept[-1] if self.kept else 0
        for i in range(self.seen, len(log)):
            msg = log[i]
            if msg.slot is not None:
                if msg.slot == len(self.slots):
                    self.slots.append(i)
                else:  # not seen: a log's slots count from 0 without gaps
                    self.other_slots[msg.slot] = i
            if msg.result is not None and msg.result.error is None:
                kept += 1
            self.kept.append(kept)
            self.times.append(msg.timestamp or 0)
        self.seen = len(log)


_indexes: WeakKeyDictionary[Any, dict[str, _LogIndex]] = WeakKeyDictionary()


def _log_index(net: Network, pid: str) -> _LogIndex:
    index = _indexes.setdefault(net.messenger, {}).setdefault(pid, _LogIndex())
    index.update(net.messenger.processes[pid].log)
    return index


def _prefix(net: Network, pid: str, slot: int | None = None, time: int | None = None) -> int:
    """How many entries of `pid`'s log come up to (and including) a slot or an instant."""
    index = _log_index(net, pid)
    if slot is not None:
        at = None
        if isinstance(slot, int):
            at = index.slots[slot] if 0 <= slot < len(index.slots) else index.other_slots.get(slot)
        if at is None:
            log = net.messenger.processes[pid].log
            raise ValueError(
                f"process {pid} has no slot {slot} (its slots are 0..{_last_slot(log)})")
        return at + 1
    if time is not None:
        return bisect.bisect_right(index.times, time)
    return index.seen


def _last_slot(log: list[Message], end: int | None = None) -> int:
    """The last slot among the first `end` entries of a log (all by default); -1 if none."""
    for i in range((len(log) if end is None else end) - 1, -1, -1):
        if log[i].slot is not None:
            return log[i].slot
    return -1


class ProcessView:
    """A read-only view of a process as it was right after one slot, rebuilt by replay."""

    def __init__(self, net: Network, pid: str, count: int) -> None:
        """The view after the first `count` entries of the process's log (errored messages
        change nothing): the nearest checkpoint, then a replay of what follows it."""
        self._net = net
        self.id = pid
        log = net.messenger.processes[pid].log
        self.slot = _last_slot(log, count) if count else None
        self.timestamp = log[count - 1].timestamp if count else None
        kept = _log_index(net, pid).kept[count - 1] if count else 0
        self._runtime = net.compute.runtimes[pid].state_at(kept)

    def get(self, expression: str) -> Any:
        """Read a Lua expression from the past state."""
        return self._runtime.get(expression)

    @property
    def inbox(self) -> list[dict[str, Any]]:
        """The Inbox as it was then."""
        value = self.get("Inbox")
        return value if isinstance(value, list) else []

    def eval(self, code: str, sender: Any = None) -> Result:
        """Evaluate Lua against the past state as an Eval from the owner; nothing is kept."""
        info = self._net.messenger.processes[self.id]
        owner = self._net._address(sender, info.owner)
        msg = self._net._user_message(self.id, "Eval", code, None, owner)
        msg.id = "view-eval"
        msg.timestamp = self.timestamp
        msg.block_height = self._net.clock.height_at(self.timestamp or self._net.now)
        raw = self._runtime.evaluate(self._net.messenger.cu_args(msg, read_only=True), keep=False)
        return self._net.messenger.build_result(raw, self.id, msg, push=False)

    def __repr__(self) -> str:
        return f"<ProcessView {self.id[:8]}… slot={self.slot} timestamp={self.timestamp}>"


def view_at(net: Network, pid: str, slot: int | None = None,
            time: int | None = None) -> ProcessView:
    """The process right after `slot` (or after the last message at or before `time`)."""
    if (slot is None) == (time is None):
        raise TypeError("give either a slot or time=<ms>")
    return ProcessView(net, pid, _prefix(net, pid, slot=slot, time=time))


def history(net: Network, pid: str, expression: str) -> pd.Series:
    """`expression` evaluated after every message of the log, in one replay pass.

    Where the expression cannot be read yet (say, before the code defining it was loaded) the
    value is None. Long logs are replayed in segments that start at checkpoints, side by side
    on the CU's threads; the expression should only read (a read that changes state would
    change what later reads see differently in each segment).
    """
    live = net.compute.runtimes[pid]
    log = net.messenger.processes[pid].log
    kept_after: list[int] = []
    kept = 0
    for msg in log:
        if msg.result is not None and msg.result.error is None:
            kept += 1
        kept_after.append(kept)
    kept = min(kept, len(live.history))
    parts = live.segments(kept, net.compute.workers)
    runs = net.compute.side_by_side(
        [lambda a=a, b=b: live.values_along(expression, a, b) for a, b in parts])
    by_count: list[Any] = [None] + [v for run in runs for v in run]
    if kept_after and kept_after[0] == 0:  # the log starts with failures: read the boot state
        try:
            by_count[0] = live.state_at(0).get(expression)
        except LuaError:
            by_count[0] = None
    values = [by_count[min(n, kept)] for n in kept_after]
    slots = [msg.slot for msg in log]
    stamps = [msg.timestamp for msg in log]
    index = pd.MultiIndex.from_arrays(
        [pd.array(slots, dtype="Int64"), stamps], names=["slot", "timestamp"])
    return pd.Series(values, index=index, name=expression, dtype=object)


@dataclass
class Verification:
    """What `verify` found for one process: ok, or the first slot where things differ."""

    process: str
    ok: bool = True
    slot: int | None = None
    problem: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        if self.ok:
            return f"<Verification {self.process[:8]}… ok>"
        return f"<Verification {self.process[:8]}… slot={self.slot}: {self.problem}>"


# What verification reads of each row (fewer columns read faster), as tuples in this order.
_VERIFY_COLUMNS = ("seq", "id", "slot", "timestamp", "block_height", "hash_chain",
                   "assignment_id", "target", "owner", "from_", "tags", "data", "cron", "output",
                   "error", "result")
(_SEQ, _ID, _SLOT, _TIMESTAMP, _HEIGHT, _CHAIN, _ASSIGNMENT, _TARGET, _OWNER, _FROM, _TAGS,
 _DATA, _CRON, _OUTPUT, _ERROR, _RESULT) = range(len(_VERIFY_COLUMNS))
Row = tuple[Any, ...]
VERIFY_BATCH = 64  # rows recomputed per evaluate_many call (one Lua call)
# A recomputation snapshots itself this often, so that rolling back an erroring row replays at
# most this many messages (after the first error, each rollback also keeps a recent snapshot).
VERIFY_CHECKPOINT_EVERY = 10 * CHECKPOINT_EVERY


# Tags as stored (JSON text) -> (the tags the CU sees, whether the message was forwarded).
TagCache = dict[str, tuple[list[tuple[str, str]], bool]]
TAG_CACHE_MAX = 4096


def _rows_args(rows: list[Row], cache: TagCache) -> list[tuple[Any, ...]]:
    """What `Messenger.cu_args` gives for the messages stored rows record. Many messages carry
    the same tags (crons, repeated actions), so each distinct text is decoded once (`cache`,
    read-only lists shared between rows); new ones by one JSON call for the whole batch."""
    texts = [row[_TAGS] for row in rows]
    new = [text for text in dict.fromkeys(texts) if text not in cache]
    if new:
        if len(cache) + len(new) > TAG_CACHE_MAX:
            cache.clear()
        for text, stored in zip(new, loads_all(new), strict=True):
            cache[text] = cu_tags(stored)
    out = []
    for row, text in zip(rows, texts, strict=True):
        owner = row[_OWNER]
        tags, forwarded = cache[text]
        out.append((row[_ID], owner, row[_FROM], row[_TARGET], row[_DATA] or "",
                    row[_TIMESTAMP], row[_HEIGHT], row[_SLOT], row[_CHAIN], bool(row[_CRON]),
                    False, owner if forwarded else None, tags))
    return out


_ADDRESS = re.compile(r"(function|table|thread|userdata): (?:builtin: )?0x[0-9a-fA-F]+")


def _unaddressed(text: str) -> str:
    """Lua prints objects with memory addresses, which differ between runs; compare without."""
    return _ADDRESS.sub(r"\1: 0x?", text or "")


def _outcome(raw: Any) -> dict[str, Any]:
    return {"error": raw.error is not None,
            "output": _unaddressed(raw.output) if raw.error is None else "",
            "messages": [[t, d, sorted(map(tuple, tags))] for t, d, _a, tags in raw.messages],
            "spawns": [[d, sorted(map(tuple, tags))] for d, _a, tags in raw.spawns]}


def _plainly_same(raw: Any, row: Row) -> bool:
    """A quick yes for the common case, read off the stored result's JSON text without parsing
    it: nothing sent then or now, the same error state and exactly the same output (in the
    row's output column and in the result record). False means "compare in full"."""
    if raw.messages or raw.spawns:
        return False
    stored = row[_RESULT] or ""
    if '"messages": []' not in stored or '"spawns": []' not in stored:
        return False
    ok_then = row[_ERROR] is None and '"error": null' in stored
    if raw.error is not None:
        return row[_ERROR] is not None and '"error": null' not in stored
    if not ok_then or raw.output != row[_OUTPUT]:
        return False
    return f'"output": {dumps(raw.output)}, "prompt"' in stored


def _stored_outcome(res: dict[str, Any]) -> dict[str, Any]:
    """`_outcome` of a stored result record (the row's `result` JSON, decoded)."""
    failed = res.get("error") is not None
    return {"error": failed, "output": _unaddressed(res.get("output", "")) if not failed else "",
            "messages": [[m["target"], m["data"], sorted(map(tuple, m["tags"]))]
                         for m in res.get("messages", [])],
            "spawns": [[m["data"], sorted(map(tuple, m["tags"]))]
                       for m in res.get("spawns", [])]}


def verify_process(net: Network, pid: str) -> Verification:
    """Recompute `pid` from the STORED log in a fresh runtime and compare with what was recorded.

    Checks the hash chain, every recomputed result against the stored one, and finally the
    state digest of the replay against the live process. A long log is recomputed in segments
    side by side, each from one of the live process's checkpoints; every segment must end in
    exactly the state of the next checkpoint (its digest), and the first starts from boot, so
    the checkpoints are verified too and the outcome is that of one pass from the start.
    Each segment also checks its part of the hash chain, from the stored link of the slotted
    row before it (which the segment before checks), so the first problem found is the one a
    single pass would find.
    """
    with paused():  # rows and arguments by the hundred thousand, and no reference cycles
        return _verify(net, pid)


def _verify(net: Network, pid: str) -> Verification:
    report = Verification(process=pid)
    marks = net.store.records(process=pid, columns=("seq", "slot", "error"))
    live_runtime = net.compute.runtimes[pid]
    kept_before, kept = [], 0
    for _, _, error in marks:
        kept_before.append(kept)
        if error is None:
            kept += 1
    cuts = [a for a, _ in live_runtime.segments(kept, net.compute.workers)][1:]
    starts = [0, *cuts]
    ends = [*cuts, None]
    firsts = [bisect.bisect_left(kept_before, a) for a in starts]  # each segment's first row
    spans = list(zip(firsts, [*firsts[1:], len(marks)], strict=True))

    def rows_of(j: int) -> tuple[int, list[Row]]:
        """Segment j's rows, after the slotted row before it (where its part of the chain
        starts); returns the log index of the first row read, and the rows."""
        lo, hi = spans[j]
        first = lo
        if j:
            first = lo - 1
            while first > 0 and marks[first][1] is None:
                first -= 1
            first = max(first, 0)
        if hi <= first:
            return first, []
        return first, net.store.records(process=pid, columns=_VERIFY_COLUMNS,
                                         seqs=(marks[first][0], marks[hi - 1][0]))

    def segment(j: int, fetched: tuple[int, list[Row]] | None) -> Any:
        first, rows = fetched if fetched is not None else rows_of(j)
        skip = spans[j][0] - first
        found, runtime = _recompute(net, pid, rows, skip, first, starts[j], ends[j])
        return found, _chain_problem(pid, rows, skip, first), runtime

    # The pool cannot read the log (its connection belongs to this thread): the later segments
    # get their rows now, and the first reads its own while the pool recomputes the others.
    fetched = {j: rows_of(j) for j in range(1, len(spans))}
    runs = net.compute.side_by_side([
        lambda j=j: segment(j, fetched.pop(j, None)) for j in range(len(spans))])
    problems = [found for found, _, _ in runs if found is not None]
    problems += [chain for _, chain, _ in runs if chain is not None]
    if problems:
        _, slot, what, details = min(problems, key=lambda p: p[0])
        return _fail(report, slot, what, details)
    replayed = runs[-1][2]
    live = state_digest(live_runtime)
    if live != replayed.digest():
        return _fail(report, _last_slot(net.messenger.processes[pid].log),
                     "replayed state differs from the live state",
                     {"live": live, "replayed": replayed.digest(),
                      "globals": _differing_globals(live_runtime, replayed)})
    return report


def _chain_problem(pid: str, rows: list[Row], skip: int, first: int
                   ) -> tuple[int, int | None, str, dict[str, Any]] | None:
    """The first of `rows[skip:]` whose stored hash-chain link is not the one its predecessors
    give (log indexes count from `first`, the index of `rows[0]`). With `skip`, the chain
    starts from the stored link of `rows[0]`, the slotted row before them."""
    link, previous = first_link(pid), None
    if skip and rows and rows[0][_SLOT] is not None:
        previous = rows[0]
        link = b64url_decode(previous[_CHAIN])
    for i in range(skip, len(rows)):
        row = rows[i]
        if row[_SLOT] is None:
            continue
        if previous is not None:  # the previous link is the one checked equal to its row's
            link = next_link(b64url_decode(previous[_ASSIGNMENT]), link)
        chain = b64url(link)
        if row[_CHAIN] != chain:
            return (first + i, row[_SLOT], "hash chain broken",
                    {"stored": row[_CHAIN], "expected": chain})
        previous = row
    return None


def _recompute(net: Network, pid: str, rows: list[Row], skip: int, first: int, start: int,
               end: int | None
               ) -> tuple[tuple[int, int | None, str, dict[str, Any]] | None, ProcessRuntime]:
    """Recompute `rows[skip:]` (log indexes count from `first`) from the state after `start`
    kept messages (boot when 0, else the live checkpoint there); with `end`, the state must
    then equal checkpoint `end`. Returns (the first problem or None, the runtime at the end)."""
    live = net.compute.runtimes[pid]
    runtime = live.state_at(start)
    runtime.checkpoint_every = VERIFY_CHECKPOINT_EVERY  # its own, to keep rollbacks short
    # Stopped by the user: nothing to recompute, and it changed nothing.
    todo = [i for i in range(skip, len(rows)) if rows[i][_ERROR] != INTERRUPTED]
    tags: TagCache = {}
    done = 0
    while done < len(todo):
        batch = todo[done:done + VERIFY_BATCH]
        results = runtime.evaluate_many(_rows_args([rows[i] for i in batch], tags))
        for i, raw in zip(batch, results, strict=False):
            problem = _compare(raw, rows[i], first + i)
            if problem is not None:
                return problem, runtime
        done += len(results)
    if end is not None:
        expected = hashlib.sha256(live.checkpoints[end]).hexdigest()
        if runtime.digest() != expected:
            last = rows[-1] if len(rows) > skip else None
            return ((first + len(rows) - 1 if last else 0), last[_SLOT] if last else None,
                    "replayed state differs from the checkpoint taken live",
                    {"after kept messages": end}), runtime
    return None, runtime


def _compare(raw: Any, row: Row, i: int) -> tuple[int, int | None, str, dict[str, Any]] | None:
    """The problem with row `i` given its recomputed result, or None when they agree."""
    if _plainly_same(raw, row):
        return None
    record = json.loads(row[_RESULT]) if row[_RESULT] else {}
    got, stored = _outcome(raw), _stored_outcome(record)
    if got != stored:
        what = next(k for k in got if got[k] != stored[k])
        return (i, row[_SLOT], f"recomputed {what} differs from the log",
                {"stored": stored[what], "recomputed": got[what], "seq": row[_SEQ]})
    column = row[_OUTPUT]
    if isinstance(column, bytes):
        column = column.decode("utf-8", "surrogateescape")
    if row[_ERROR] is None and column != record.get("output"):
        return (i, row[_SLOT], "the log's output column differs from its result record",
                {"column": column, "record": record.get("output"), "seq": row[_SEQ]})
    return None


_GLOBAL_NAMES = "local n = {} for k in pairs(_G) do n[#n + 1] = tostring(k) end return n"


def _differing_globals(a: ProcessRuntime, b: ProcessRuntime) -> list[str]:
    """Names of globals whose values (as Python sees them) differ between two states."""
    names = set(a.get(f"(function() {_GLOBAL_NAMES} end)()") or []) | set(
        b.get(f"(function() {_GLOBAL_NAMES} end)()") or [])
    differ = []
    for name in sorted(names - {"_G", "package"}):
        expr = f"_G[{json.dumps(name)}]"
        try:
            if a.get(expr) != b.get(expr):
                differ.append(name)
        except LuaError:
            differ.append(name)
    return differ


def _fail(report: Verification, slot: int | None, problem: str,
          details: dict[str, Any]) -> Verification:
    report.ok, report.slot, report.problem, report.details = False, slot, problem, details
    return report


def state_digest(runtime: ProcessRuntime) -> str:
    """A deterministic digest of a process's Lua state (globals and everything they reach)."""
    return runtime.digest()
