"""One process's live Lua state: evaluation with rollback, checkpoints, hibernation, replays.

Rollback follows ao: a message that ends in error leaves the process as it was before. lupa
cannot snapshot a Lua state itself, so a ProcessRuntime evaluates speculatively and, on error,
refills the runtime from its nearest snapshot and replays the successful inputs after it
(deterministic, so the state is exact). The ComputeUnit (`compute.py`) holds one per process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from time import perf_counter
from typing import Any

from ..errors import LuaError
from ..lua.codec import to_lua
from ..lua.convert import to_python
from ..lua.runtime import LuaCodeError, LuaInterrupted, LuaLimitError, Runtime, interrupts
from .result import RawResult, flat_values, read_result

MsgArgs = tuple[Any, ...]
CHECKPOINT_EVERY = 1000
RECENT_MIN = 32  # after a rollback, snapshot if the replay since the last snapshot was longer
# Rebuilding without any snapshot boots a fresh runtime first (~0.6 ms, the replay of about this
# many messages), where restoring a snapshot into the live runtime takes ~0.2 ms.
BOOT_REPLAYS = 40
REPLAY_BATCH = 64  # messages per Lua call when `history` replays
# Replays side by side (history, verify): the first run's length against each other run's.
# The calling thread replays it and also reads the log, hands out work and gathers results;
# with 2 cores, 0.8 (the first run ~44% of the messages) was measured fastest for both (history
# ~68k -> ~80k msg/s, verify ~53k -> ~59k, against the 38% it used to get; an even split
# gave ~75k and ~54k).
LEAD_SHARE = 0.8
HIBERNATE_TAIL = 16  # a process hibernates without a new snapshot if its replay is this short
# Taking a snapshot costs about 50 ns per byte of it. So that a process with a big state (a
# full Inbox holds ~12 MB) does not spend most of its time snapshotting, checkpoints are
# `checkpoint_every` messages apart for each whole CHECKPOINT_BYTES of the latest one (their
# cost stays about a tenth of the messages'), up to CHECKPOINT_SPREAD times (so that time
# travel and rollback replay at most that many times more), and the extra snapshots after a
# rollback or before hibernating wait for one replayed message per TAIL_BYTES bytes (a snapshot
# costs about as much as replaying that many messages would). Snapshots are deterministic, so
# the positions are too.
CHECKPOINT_BYTES = 100_000
CHECKPOINT_SPREAD = 16
TAIL_BYTES = 2000


class ProcessRuntime:
    """One process's live Lua state, the inputs that built it, and checkpoints along the way.

    `history` holds the inputs of every successful message; `checkpoints` maps a history length
    to a snapshot of the state at that point (see `checkpoint.py`), taken every
    `checkpoint_every` messages, or further apart when the state is big (see CHECKPOINT_BYTES);
    `recent` is one more snapshot, taken after a rollback or before hibernating. Rollback,
    dry-runs, time travel and waking restore the nearest one and replay only what follows it.
    """

    def __init__(self, modules: Mapping[str, str], env: tuple[Any, ...],
                 memory_limit: int | None, instruction_limit: int | None,
                 checkpoint_every: int = CHECKPOINT_EVERY) -> None:
        self.modules = modules
        self.env = env
        self.memory_limit = memory_limit
        self.instruction_limit = instruction_limit
        self.checkpoint_every = checkpoint_every
        self.history: list[MsgArgs] = []
        self.cost = 0.0  # running mean of seconds per evaluation (for parallel scheduling)
        self.checkpoints: dict[int, bytes] = {}
        self.recent: tuple[int, bytes] | None = None
        self.snapshot_size = 0  # bytes of the last snapshot taken (see TAIL_BYTES)
        self._last_checkpoint = (0, 0)  # (history length, bytes) of the latest checkpoint
        self._failed_at = 0  # history length of the last checkpoint that could not be taken
        # (history length, last kept message) of the last state that could not be snapshotted
        self._unsnapshottable: tuple[int, Any] | None = None
        self._due: tuple[int, int] | None = None  # (checkpoint_every, _checkpoint_due()) cached
        self.on_wake: Callable[[], None] | None = None
        self._runtime: Runtime | None = None
        from .checkpoint import boot

        boot(self)

    # -- the Lua state, possibly hibernated -------------------------------------------------
    @property
    def runtime(self) -> Runtime:
        """The live Lua state; a hibernated process is rebuilt here first (see `hibernate`)."""
        if self._runtime is None:
            self.rebuild()
            if self.on_wake is not None:
                self.on_wake()
        assert self._runtime is not None
        return self._runtime

    @runtime.setter
    def runtime(self, value: Runtime) -> None:
        self._runtime = value

    @property
    def cu(self) -> Any:
        """The loader's table in the live state (`handle`, `read`, `set_env`)."""
        self.runtime  # noqa: B018 - wakes the process if it hibernates
        return self._cu

    @property
    def asleep(self) -> bool:
        """True while the process is hibernated (no Lua state in memory)."""
        return self._runtime is None

    def hibernate(self) -> bool:
        """Free the Lua state of an idle process; the next use rebuilds it from the nearest
        snapshot plus a short replay. A long replay tail is snapshotted first; False (the
        process stays in memory) when that is impossible, as with a pending Receive."""
        if self._runtime is None:
            return True
        n = len(self.history)
        if n - self._nearest_snapshot(n)[0] > self._tail(HIBERNATE_TAIL):
            blob = self._snapshot()
            if blob is None:
                return False
            self.recent = (n, blob)
        elif self.recent is not None and self._young(n):
            self.recent = None  # waking boots anyway: a short replay beats loading it
        self._drop_runtime()
        return True

    def _drop_runtime(self) -> None:
        """Let go of the live Lua state for good: its state goes to the next process to boot."""
        runtime = self._runtime
        self._runtime = self._cu = self._handle = None
        if runtime is not None:
            runtime.release()

    def _boot(self, then: Callable[[ProcessRuntime], None] | None = None) -> None:
        """A fresh runtime with the process library loaded and the env set (no message yet).

        `then(self)` runs last, still inside the boot (`checkpoint.boot` records the boot-time
        state with it), so that the one garbage collection at the end covers its work too.
        """
        self._drop_runtime()
        self.runtime = runtime = Runtime(self.modules, self.memory_limit, self.instruction_limit)
        with runtime.booting():
            host = runtime.host
            self._cu = runtime.run_host_chunk("loader", args=(host.safe, host.set_now,
                                                              host.set_budget, host.is_text))
            pid, owner, ptags, mid, mowner, mtags = self.env
            self._cu.set_env(pid, owner, self._flat(ptags), mid, mowner, self._flat(mtags))
            self._handle = self._cu.handle
            if then is not None:
                then(self)

    def _flat(self, tags: list[tuple[str, str]]) -> Any:
        """Tags as a Lua list name1, value1, ...; strings holding escaped bytes (surrogates,
        which lupa refuses to encode) are turned back into their bytes."""
        flat = [x for pair in tags for x in pair]
        try:
            return self.runtime.lua.table_from(flat)
        except UnicodeEncodeError:
            return self.runtime.lua.table_from([to_lua(x) for x in flat])

    def _call(self, args: MsgArgs) -> RawResult:
        return read_result(self._run(args))

    def _run(self, args: MsgArgs) -> Any:
        """Evaluate one message in Lua and return the raw Lua result table."""
        flat = [x for pair in args[-1] for x in pair]
        try:
            return self.runtime.call(self._handle, *args[:4], to_lua(args[4]), *args[5:-1], *flat)
        except UnicodeEncodeError:  # tags holding escaped bytes: back to their bytes
            return self.runtime.call(self._handle, *args[:4], to_lua(args[4]), *args[5:-1],
                                     *[to_lua(x) for x in flat])

    def evaluate(self, args: MsgArgs, keep: bool = True) -> RawResult:
        """Evaluate one message; on error (or when not kept) restore the state before it.

        Before a message that is not kept (a dry-run), the state is snapshotted when the replay
        since the nearest snapshot is long, so that restoring it after is quick."""
        if not keep:
            self._remember_recent()
        started = perf_counter()
        try:
            raw = self._call(args)
            spent = perf_counter() - started
            self.cost = spent if not self.cost else self.cost + (spent - self.cost) / 8
        except (LuaCodeError, LuaLimitError) as exc:
            raw = RawResult(error=str(exc))
        except LuaInterrupted:
            self.rebuild()
            raise
        if raw.error is not None:
            return self._rolled_back(raw.error)
        if keep:
            self._kept(args)
        else:
            self.rebuild()
        return raw

    def _rolled_back(self, error: str) -> RawResult:
        """After a message ended in error: the state before it, and the error's result."""
        self.rebuild()
        self._remember_recent()
        return RawResult(error=error)

    def _kept(self, args: MsgArgs) -> None:
        """A message was kept: remember its inputs, and take a checkpoint when one is due."""
        self.history.append(args)
        every = self.checkpoint_every
        if every:
            due = self._due
            if due is None or due[0] != every:
                due = self._due = (every, self._checkpoint_due())
            if len(self.history) >= due[1]:
                self.checkpoint()

    def _checkpoint_due(self) -> int:
        """The history length at which the next checkpoint is taken: `checkpoint_every` after
        the latest one, times its size in CHECKPOINT_BYTES (at most CHECKPOINT_SPREAD) when it
        was big; after a failed one (a pending Receive), `checkpoint_every` after the failure."""
        at, size = self._last_checkpoint
        due = at + self.checkpoint_every * min(max(1, size // CHECKPOINT_BYTES),
                                               CHECKPOINT_SPREAD)
        if self._failed_at >= due:
            due = self._failed_at + self.checkpoint_every
        return due

    def _latest_checkpoint(self) -> None:
        """Find the latest checkpoint again after checkpoints were dropped or copied."""
        at = max(self.checkpoints, default=0)
        self._last_checkpoint = (at, len(self.checkpoints[at]) if at else 0)
        self._due = None

    def _young(self, n: int) -> bool:
        """True when the state at history length `n` is a short replay from boot (no checkpoint
        on the way), so an extra snapshot of it saves nothing once the runtime must boot."""
        return not any(k <= n for k in self.checkpoints) and n <= self._tail(HIBERNATE_TAIL)

    def _tail(self, floor: int) -> int:
        """How many messages a replay may hold before an extra snapshot pays (TAIL_BYTES)."""
        return max(floor, self.snapshot_size // TAIL_BYTES)

    def _snapshot(self) -> bytes | None:
        """A snapshot of the current state (None when impossible), its size remembered. A state
        that could not be snapshotted (a pending Receive) is not walked again: the state after
        the same kept messages is the same, and rollbacks and dry-runs keep coming back to it."""
        from .checkpoint import snapshot

        at = (len(self.history), self.history[-1] if self.history else None)
        failed = self._unsnapshottable
        if failed is not None and failed[0] == at[0] and failed[1] is at[1]:
            return None
        blob = snapshot(self)
        if blob is None:
            self._unsnapshottable = at
        else:
            self.snapshot_size = len(blob)
        return blob

    def evaluate_many(self, batch: list[MsgArgs]) -> list[RawResult]:
        """Evaluate messages in order and keep them, as `evaluate` would one by one, with up to
        REPLAY_BATCH in one Lua call. Stops after the first message that errors (rolled back):
        returns the results of the messages evaluated, which may be fewer than `batch`."""
        out: list[RawResult] = []
        while len(out) < len(batch):
            room = REPLAY_BATCH
            if self.checkpoint_every:  # never past a checkpoint: the state must be there
                room = max(1, min(room, self._checkpoint_due() - len(self.history)))
            chunk = batch[len(out):len(out) + room]
            try:
                flat = self.runtime.call(self._cu.handle_many, self.instruction_limit or 0,
                                         self._lua_batch(chunk), len(chunk), instructions=0)
            except (LuaCodeError, LuaLimitError):
                self.rebuild()  # a limit inside the call: go again one by one, as evaluate does
                for args in chunk:
                    out.append(self.evaluate(args))
                    if out[-1].error is not None:
                        return out
                continue
            except LuaInterrupted:
                self.rebuild()
                raise
            flat = flat_values(flat)
            at = 0
            for args in chunk:
                size = flat[at]
                raw = read_result(flat[at + 1:at + 1 + size])
                at += 1 + size
                if raw.error is not None:
                    out.append(self._rolled_back(raw.error))
                    return out
                out.append(raw)
                self._kept(args)
        return out

    def _nearest_snapshot(self, n: int) -> tuple[int, bytes | None]:
        """The latest snapshot (checkpoint or recent) at or before history length `n`:
        (its length, its bytes), or (0, None) when the replay must start from boot."""
        base = max((k for k in self.checkpoints if k <= n), default=0)
        best = (base, self.checkpoints[base]) if base else (0, None)
        if self.recent is not None and best[0] < self.recent[0] <= n:
            best = self.recent
        return best

    def forget_last(self) -> None:
        """Undo the last kept message (one evaluated ahead of an interruption, see
        `ComputeUnit.evaluate_many`): the state goes back to before it."""
        n = len(self.history)
        self.history.pop()
        self.checkpoints.pop(n, None)
        self._latest_checkpoint()
        self._failed_at = min(self._failed_at, n - 1)
        self._due = None
        if self.recent is not None and self.recent[0] >= n:
            self.recent = None
        self.rebuild()

    def _remember_recent(self) -> None:
        """After a rollback, keep one extra snapshot of the current state (replacing the last
        such one) so that the next error nearby replays a few messages, not up to a thousand.
        With no snapshot at all the rebuild boots first, which counts as BOOT_REPLAYS more."""
        n = len(self.history)
        base, blob = self._nearest_snapshot(n)
        if n - base + (BOOT_REPLAYS if blob is None else 0) < self._tail(RECENT_MIN):
            return
        blob = self._snapshot()
        if blob is not None:
            self.recent = (n, blob)

    def checkpoint(self) -> bool:
        """Snapshot the current state; False when it cannot be (a pending Receive, say)."""
        n = len(self.history)
        blob = self._snapshot()
        self._due = None
        if blob is None:
            self._failed_at = n
            return False
        self.checkpoints[n] = blob
        self._last_checkpoint = (n, len(blob))
        return True

    def rebuild(self, upto: int | None = None, in_place: bool = True) -> None:
        """The state at history length `upto` (default: all of it), from the nearest
        checkpoint plus a replay of what follows; the current runtime is refilled in place
        when a checkpoint applies (see `checkpoint.restore`)."""
        from .checkpoint import boot, restore

        n = len(self.history) if upto is None else upto
        base, blob = self._nearest_snapshot(n)
        with interrupts.suspend():
            if blob is not None:
                restore(self, blob, in_place=in_place)
            else:
                boot(self)
            self._replay_batches(self.history[base:n])

    def _replay_batches(self, history: list[MsgArgs]) -> None:
        """Evaluate again kept messages, `REPLAY_BATCH` per Lua call, each under the
        per-message instruction budget; nothing comes back to Python."""
        if not history:
            return
        runtime = self.runtime
        budget = self.instruction_limit or 0
        for at in range(0, len(history), REPLAY_BATCH):
            part = history[at:at + REPLAY_BATCH]
            runtime.call(self._cu.replays, budget, self._lua_batch(part), len(part),
                         instructions=0)

    def _lua_batch(self, history: list[MsgArgs]) -> Any:
        """Messages' CU arguments as one flat Lua list (see `message_at` in loader.lua): per
        message the fields before the tags, the number of tags, then names and values."""
        flat: list[Any] = []
        for a in history:
            tags = a[-1]
            flat += a[:-1]
            flat.append(len(tags))
            for pair in tags:
                flat += pair
        try:
            return self.runtime.lua.table_from(flat)
        except UnicodeEncodeError:  # strings holding escaped bytes: back to their bytes
            return self.runtime.lua.table_from([to_lua(x) if type(x) is str else x
                                                for x in flat])

    def state_at(self, n: int) -> ProcessRuntime:
        """An independent copy of this process as it was after its first `n` kept messages."""
        twin = ProcessRuntime.__new__(ProcessRuntime)
        twin.modules, twin.env = self.modules, self.env
        twin.memory_limit, twin.instruction_limit = self.memory_limit, self.instruction_limit
        twin.checkpoint_every = 0
        twin.cost = self.cost
        twin.snapshot_size = self.snapshot_size
        twin.on_wake, twin._runtime = None, None
        twin.history = self.history[:n]
        twin.checkpoints = {k: v for k, v in self.checkpoints.items() if k <= n}
        recent = self.recent
        # A twin boots anyway: from a young snapshot, a short replay costs less than loading it.
        twin.recent = recent if recent is not None and recent[0] <= n and not self._young(
            recent[0]) else None
        twin._failed_at = 0
        twin._unsnapshottable = None
        twin._latest_checkpoint()
        twin.rebuild()
        return twin

    def digest(self) -> str:
        """SHA-256 of the process's state (its snapshot; see `checkpoint.digest`)."""
        from .checkpoint import digest

        return digest(self)

    def values_along(self, expression: str, start: int, end: int) -> list[Any]:
        """`expression` read after each kept message start+1..end, replayed in a twin of this
        process built at `start` (None where it cannot be read). Leaves this one untouched.

        Messages go to Lua in batches (one call each, `REPLAY_BATCH` messages), which keeps the
        GIL free for other threads replaying other segments."""
        history = self.history[start:end]
        twin = self.state_at(start)
        try:
            fn = twin._compile_read(expression)
        except LuaError:  # not Lua at all: no state can make it readable
            return [None] * len(history)
        values: list[Any] = []
        runtime = twin.runtime  # a replay of kept messages never rolls back: it stays the same
        replay_reads, table_id = twin._cu.replay_reads, runtime.host.table_id
        budget = self.instruction_limit or 0
        for at in range(0, len(history), REPLAY_BATCH):
            part = history[at:at + REPLAY_BATCH]
            try:
                out = runtime.call(replay_reads, fn, budget, twin._lua_batch(part), len(part),
                                   instructions=0)
            except LuaLimitError as exc:
                limit = f"{budget:,} instructions" if budget else "the host's budget"
                reason = "memory" if "memory" in str(exc) else f"instructions ({limit})"
                raise LuaError(f"cannot read {expression!r} after every message: it ran out "
                               f"of {reason}") from None
            if not isinstance(out, tuple):
                out = (out,)
            for i in range(0, len(out), 2):
                values.append(to_python(out[i + 1], table_id) if out[i] else None)
        return values

    def segments(self, end: int, parts: int) -> list[tuple[int, int]]:
        """Cut history 0..end at checkpoints into at most `parts` runs, so that each can be
        replayed on its own (from the checkpoint where it starts), side by side. Each run ends
        at the checkpoint nearest its ideal end; the first, which the calling thread replays
        while it also does the host's share of the work, is ideally LEAD_SHARE times as long
        as each of the others."""
        cuts = sorted(k for k in self.checkpoints if 0 < k < end)
        if parts <= 1 or not cuts:
            return [(0, end)]
        other = end / (parts - 1 + LEAD_SHARE)
        bounds = [0]
        for i in range(parts - 1):
            ideal = other * (LEAD_SHARE + i)
            later = [k for k in cuts if k > bounds[-1]]
            if not later:
                break
            bounds.append(min(later, key=lambda k: abs(k - ideal)))
        bounds.append(end)
        return list(zip(bounds, bounds[1:], strict=False))

    def _compile_read(self, expression: str) -> Any:
        try:
            return self.runtime.compile("return " + expression, "=get")
        except LuaCodeError:
            try:
                return self.runtime.compile(expression, "=get")
            except LuaCodeError as exc:
                raise LuaError(f"cannot read {expression!r}: {exc}") from None

    def get(self, expression: str) -> Any:
        """Evaluate a Lua expression against the live state and convert the value to Python."""
        fn = self._compile_read(expression)
        try:
            value = self.runtime.call(self.cu.read, fn)
        except (LuaCodeError, LuaLimitError) as exc:
            raise LuaError(f"cannot read {expression!r}: {exc}") from None
        return to_python(value, self.runtime.host.table_id)
