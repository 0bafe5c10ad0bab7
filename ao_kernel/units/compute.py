"""CU: evaluates messages in each process's own Lua runtime, rolls back errors, answers reads.

Rollback follows ao: a message that ends in error leaves the process as it was before. lupa
cannot snapshot a Lua state, so the CU evaluates speculatively and, on error, rebuilds the
runtime by replaying the process's successful inputs (deterministic, so the state is exact).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import LuaError
from ..lua.codec import from_lua, to_lua
from ..lua.convert import to_python
from ..lua.runtime import LuaCodeError, LuaInterrupted, LuaLimitError, Runtime, interrupts

MsgArgs = tuple[Any, ...]
CHECKPOINT_EVERY = 1000
RECENT_MIN = 32  # after a rollback, snapshot if the replay since the last snapshot was longer


@dataclass
class RawResult:
    """A CU result before the MU turns outbox entries into messages."""

    output: str = ""
    prompt: str | None = None
    error: str | None = None
    messages: list[tuple[str | None, str, str | None, list[tuple[str, str]]]] = field(
        default_factory=list)
    spawns: list[tuple[str, str | None, list[tuple[str, str]]]] = field(default_factory=list)
    assignments: list[tuple[str | None, list[str]]] = field(default_factory=list)


def _pairs(values: list[Any], start: int) -> list[tuple[str, str]]:
    return [(values[i], values[i + 1]) for i in range(start, len(values) - 1, 2)]


def _text(value: Any) -> Any:
    return from_lua(value) if isinstance(value, str) else value


def _convert(res: Any) -> RawResult:
    out, prompt, err, messages, spawns, assigns = (_text(res[i]) for i in range(1, 7))
    raw = RawResult(output=out or "", prompt=prompt, error=err)
    for m in messages.values():
        v = [_text(x) for x in m.values()]
        raw.messages.append((v[0] or None, v[1], v[2] or None, _pairs(v, 3)))
    for s in spawns.values():
        v = [_text(x) for x in s.values()]
        raw.spawns.append((v[0], v[1] or None, _pairs(v, 2)))
    for a in assigns.values():
        v = [_text(x) for x in a.values()]
        raw.assignments.append((v[0] or None, list(v[1:])))
    return raw


class ProcessRuntime:
    """One process's live Lua state, the inputs that built it, and checkpoints along the way.

    `history` holds the inputs of every successful message; `checkpoints` maps a history length
    to a snapshot of the state at that point (see `checkpoint.py`), taken every
    `checkpoint_every` messages once a process has that many. Rollback, dry-runs and time travel
    restore the nearest checkpoint and replay only what follows it.
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
        self.checkpoints: dict[int, bytes] = {}
        self.recent: tuple[int, bytes] | None = None
        from .checkpoint import boot

        boot(self)

    def _boot(self) -> None:
        self.runtime = Runtime(self.modules, self.memory_limit, self.instruction_limit)
        self.cu = self.runtime.run_host_chunk("loader", args=(self.runtime.host.safe,))
        pid, owner, ptags, mid, mowner, mtags = self.env
        self.cu.set_env(pid, owner, self._flat(ptags), mid, mowner, self._flat(mtags))
        self._handle = self.cu.handle

    def _flat(self, tags: list[tuple[str, str]]) -> Any:
        flat: list[str | bytes] = []
        for name, value in tags:
            flat.append(to_lua(name))
            flat.append(to_lua(value))
        return self.runtime.lua.table_from(flat)

    def _call(self, args: MsgArgs) -> RawResult:
        return _convert(self._run(args))

    def _run(self, args: MsgArgs) -> Any:
        """Evaluate one message in Lua and return the raw Lua result table."""
        self.runtime.set_now(args[5])
        data = to_lua(args[4])
        return self.runtime.call(self._handle, *args[:4], data, *args[5:-1],
                                 self._flat(args[-1]))

    def evaluate(self, args: MsgArgs, keep: bool = True) -> RawResult:
        """Evaluate one message; on error (or when not kept) restore the state before it."""
        try:
            raw = self._call(args)
        except (LuaCodeError, LuaLimitError) as exc:
            raw = RawResult(error=str(exc))
        except LuaInterrupted:
            self.rebuild()
            raise
        if raw.error is not None:
            self.rebuild()
            self._remember_recent()
            return RawResult(error=raw.error)
        if keep:
            self.history.append(args)
            if self.checkpoint_every and len(self.history) % self.checkpoint_every == 0:
                self.checkpoint()
        else:
            self.rebuild()
        return raw

    def _remember_recent(self) -> None:
        """After a rollback, keep one extra snapshot of the current state (replacing the last
        such one) so that the next error nearby replays a few messages, not up to a thousand."""
        from .checkpoint import snapshot

        n = len(self.history)
        base = max((k for k in self.checkpoints if k <= n), default=0)
        if self.recent is not None and base < self.recent[0] <= n:
            base = self.recent[0]
        if n - base < RECENT_MIN:
            return
        blob = snapshot(self)
        if blob is not None:
            self.recent = (n, blob)

    def checkpoint(self) -> bool:
        """Snapshot the current state; False when it cannot be (a pending Receive, say)."""
        from .checkpoint import snapshot

        blob = snapshot(self)
        if blob is None:
            return False
        self.checkpoints[len(self.history)] = blob
        return True

    def rebuild(self, upto: int | None = None) -> None:
        """A fresh runtime at history length `upto` (default: all of it), from the nearest
        checkpoint plus a replay of what follows."""
        from .checkpoint import boot, restore

        n = len(self.history) if upto is None else upto
        saved = dict(self.checkpoints)
        if self.recent is not None and self.recent[0] <= n:
            saved.setdefault(*self.recent)
        base = max((k for k in saved if k <= n), default=0)
        with interrupts.suspend():
            if base:
                restore(self, saved[base])
            else:
                boot(self)
            for args in self.history[base:n]:
                self._run(args)  # kept messages succeeded before: no result to convert

    def state_at(self, n: int) -> ProcessRuntime:
        """An independent copy of this process as it was after its first `n` kept messages."""
        twin = ProcessRuntime.__new__(ProcessRuntime)
        twin.modules, twin.env = self.modules, self.env
        twin.memory_limit, twin.instruction_limit = self.memory_limit, self.instruction_limit
        twin.checkpoint_every = 0
        twin.history = self.history[:n]
        twin.checkpoints = {k: v for k, v in self.checkpoints.items() if k <= n}
        twin.recent = self.recent if self.recent is not None and self.recent[0] <= n else None
        twin.rebuild()
        return twin

    def digest(self) -> str:
        """SHA-256 of the process's state (its snapshot; see `checkpoint.digest`)."""
        from .checkpoint import digest

        return digest(self)

    def get(self, expression: str) -> Any:
        """Evaluate a Lua expression against the live state and convert the value to Python."""
        try:
            fn = self.runtime.compile("return " + expression, "=get")
        except LuaCodeError:
            try:
                fn = self.runtime.compile(expression, "=get")
            except LuaCodeError as exc:
                raise LuaError(f"cannot read {expression!r}: {exc}") from None
        try:
            value = self.runtime.call(self.cu.read, fn)
        except (LuaCodeError, LuaLimitError) as exc:
            raise LuaError(f"cannot read {expression!r}: {exc}") from None
        return to_python(value, self.runtime.host.table_id)


class ComputeUnit:
    """Holds a ProcessRuntime per process and evaluates what the scheduler hands it."""

    def __init__(self, memory_limit: int | None, instruction_limit: int | None) -> None:
        self.memory_limit = memory_limit
        self.instruction_limit = instruction_limit
        self.runtimes: dict[str, ProcessRuntime] = {}

    def boot(self, pid: str, modules: Mapping[str, str], env: tuple[Any, ...],
             memory_limit: int | None = None) -> None:
        """Create the runtime of a new process (before its Process message is evaluated)."""
        self.runtimes[pid] = ProcessRuntime(
            modules, env, memory_limit or self.memory_limit, self.instruction_limit)

    def evaluate(self, pid: str, args: MsgArgs) -> RawResult:
        """Evaluate a scheduled message (or cron) and keep its effects unless it errors."""
        return self.runtimes[pid].evaluate(args)

    def dryrun(self, pid: str, args: MsgArgs) -> RawResult:
        """Evaluate a read-only message and then forget it."""
        return self.runtimes[pid].evaluate(args, keep=False)

    def get(self, pid: str, expression: str) -> Any:
        """Read a Lua expression from a process's live state."""
        return self.runtimes[pid].get(expression)
