"""The journal side of a Network: operations recorded before they run, replays, forks, export.

A Network's state is a deterministic function of its journal, so reopening a file, loading an
export and forking at a point all replay journaled operations, stopping at a cut when asked.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .gcpolicy import settle
from .lua.runtime import LuaInterrupted, interrupts
from .message import Message
from .store.exchange import read_jsonl, write_jsonl
from .store.sqlite import LogFileError

if TYPE_CHECKING:
    from .network import Network

_MARKERS = ("cut", "interrupted")


class _Cut(Exception):
    """Raised inside a replay when the log has reached the cut point of a fork."""


class Journaled:
    """Journal, replay, fork and export for `Network` (which holds the units and the store)."""

    # -- the journal --
    def _apply(self, op: str, args: dict[str, Any]) -> Any:
        """Journal an operation (committed before it runs), then run it.

        If the user interrupts it, the step in progress is undone and a "cut" is journaled so
        that a replay stops the operation at the same point.
        """
        if self._journaling:
            self.store.journal(op, args)
        try:
            with interrupts.scope():
                out = getattr(self, "_op_" + op)(**args)
            settle()  # a full collection the collector asked for runs here, between operations
            return out
        except LuaInterrupted as exc:
            self.store.flush()
            stopped = exc.args[0] if exc.args and isinstance(exc.args[0], Message) else None
            if self._journaling and stopped is not None:
                self.store.journal("interrupted", {"seq": stopped.seq})
                self.store.journal("cut", {"seq": stopped.seq})
            raise

    def _replay(self, ops: list[tuple[str, dict[str, Any]]], compare: bool = False,
                stop_seq: int | None = None) -> None:
        """Run journaled operations again; deterministic, so ids, slots and states match."""
        journaling = self._journaling
        self._journaling = not compare
        if compare:
            self.store.begin_replay()
        try:
            for i, (op, args) in enumerate(ops):
                if op in _MARKERS:
                    continue
                end = i + 1
                while end < len(ops) and ops[end][0] in _MARKERS:
                    end += 1
                markers = ops[i + 1:end]
                cut = next((a["seq"] for m, a in markers if m == "cut"), None)
                self.messenger.forced_interrupts.update(
                    a["seq"] for m, a in markers if m == "interrupted")
                limits = [x for x in (cut, stop_seq) if x is not None]
                self._stop_seq = min(limits) if limits else None
                try:
                    self._apply(op, args)
                except _Cut:
                    pass
                if stop_seq is not None and self.store.count() >= stop_seq:
                    if self._journaling:
                        self.store.journal("cut", {"seq": stop_seq})
                    return
                if self._journaling:
                    for marker, marker_args in markers:
                        self.store.journal(marker, marker_args)
        finally:
            self._stop_seq = None
            self._journaling = journaling
            if compare:
                self.store.end_replay()

    def _step_batch(self, limit: int | None, until: Message | None = None) -> int:
        """Carry a batch of queued items (evaluated side by side where possible); returns how
        many. Near a cut (forks, replays) it goes one step at a time, as the cut needs."""
        if self._stop_seq is not None or self.compute.workers <= 1:
            return 1 if self._step_once() is not None else 0
        count = self.messenger.step_many(limit or len(self.messenger.queue), until=until)
        if self.store.durable:
            self.store.flush()
        return count

    def _step_once(self) -> Message | None:
        if self._stop_seq is not None and self.store.count() >= self._stop_seq:
            raise _Cut()
        msg = self.messenger.step()
        if self.store.durable:
            self.store.flush()
        if self._stop_seq is not None and self.store.count() >= self._stop_seq:
            raise _Cut()
        return msg

    def export(self, path: str) -> None:
        """Write the log: `.jsonl` gives the journal and every assignment as JSON Lines (see
        `ao_kernel.store.exchange`), `.parquet` gives the `messages()` table."""
        if str(path).endswith(".parquet"):
            frame = self.messages()
            frame["tags"] = [json.dumps(t) for t in frame["tags"]]
            frame.to_parquet(path, index=False)
            return
        write_jsonl(self.store, path)

    @classmethod
    def load(cls, path: str, **options: Any) -> Network:
        """Rebuild a network from a JSON Lines export by replaying its journal; the replayed log
        must match the exported one, message for message."""
        header, ops, rows = read_jsonl(path)
        net = cls(seed=int(header.get("seed") or 0), start=header.get("start"), **options)
        net._replay(ops)
        got = [(r["id"], r["data"]) for r in net.store.rows(evaluated=False)]
        want = [(r.get("id"), r.get("data")) for r in rows]
        for number, (mine, theirs) in enumerate(zip(got, want, strict=False), 1):
            if mine != theirs:
                raise LogFileError(f"{path}: replaying its journal does not give its log (first "
                                   f"difference at row {number}); was it edited?")
        if len(got) < len(want):
            raise LogFileError(f"{path}: its log has {len(want)} rows but its journal gives "
                               f"only {len(got)}")
        return net

    def fork(self, at: Any = None) -> Network:
        """An independent in-memory network whose log is a prefix of this one's.

        `at` is a Message (fork right after it was evaluated), a (process, slot) pair, a time in
        ms (every message up to that instant, and the clock moved there), a position in
        `net.messages()`, or None (everything so far).
        """
        seq, time = self._cut_point(at)
        twin = type(self)(seed=self.seed, start=self.clock.start_ms, auto_run=self.auto_run,
                       memory_limit=self.compute.memory_limit,
                       instruction_limit=self.compute.instruction_limit, library=self.library,
                       workers=self.compute.workers, resident=self.compute.resident)
        twin._replay(self.store.ops(), stop_seq=seq)
        if time is not None and time > twin.clock.now:
            twin.advance(time - twin.clock.now)
        return twin

    def _cut_point(self, at: Any) -> tuple[int | None, int | None]:
        if at is None:
            return None, None
        if isinstance(at, Message):
            if at.seq is None:
                raise ValueError("that message has not been evaluated yet, so nothing to fork at")
            return at.seq, None
        if isinstance(at, tuple) and len(at) == 2:
            pid, slot = self._pid(at[0]), at[1]
            for msg in self.messenger.processes[pid].log:
                if msg.slot == slot:
                    return msg.seq, None
            raise ValueError(f"process {pid} has no slot {slot}")
        if isinstance(at, int) and not isinstance(at, bool):
            rows = self.store.rows()
            if at >= self.clock.start_ms:
                before = [r["seq"] for r in rows if r["timestamp"] <= at]
                return (before[-1] if before else 0), at
            if not 0 <= at < len(rows):
                raise ValueError(f"position {at} is outside the log (0..{len(rows) - 1})")
            return rows[at]["seq"], None
        raise TypeError(f"cannot fork at {at!r}: give a Message, (process, slot), a time in ms "
                        "or a position in net.messages()")

