"""MU: carries messages, spawns and assignments to their targets, first in first out.

A message enters here, is sequenced by the SU, evaluated by the CU, and the result's outbox comes
back here to be pushed (re-signed by the MU with From-Process, From-Module and Pushed-For).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..ids import IdFactory
from ..lua.runtime import LuaInterrupted
from ..message import Message, Result, TagList, first_tag
from ..store import LogStore
from .compute import ComputeUnit
from .result import RawResult
from .scheduler import Scheduler, parse_crons

INTERRUPTED = "interrupted by the user: the message was stopped and its effects rolled back"
_PUSH_DROP = {"Data-Protocol", "Type", "From-Process", "From-Module", "Assignments"}
# The tags the MU signs onto every pushed message or spawn (shared tuples: the log keeps them).
_SIGNED = {kind: (("Data-Protocol", "ao"), ("Type", kind)) for kind in ("Message", "Process")}
STRIP_FOR_CU = {"From", "Owner"}  # tags the CU never sees (they are message fields)


@dataclass
class ProcessInfo:
    """What the network knows about a process besides its Lua state."""

    id: str
    name: str | None
    owner: str
    module: str
    tags: TagList
    parent: str | None = None
    log: list[Message] = field(default_factory=list)
    # The From-Process and From-Module tags the MU signs onto this process's outbox.
    signed_from: tuple[tuple[str, str], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.signed_from = (("From-Process", self.id), ("From-Module", self.module))


class Work(NamedTuple):
    """One item in the MU queue (a tuple: one is made for every message carried)."""

    kind: str  # "deliver", "spawn", "cron" or "assign"
    msg: Message
    pid: str | None = None


class Messenger:
    """The MU queue and crank loop."""

    def __init__(self, address: str, ids: IdFactory, scheduler: Scheduler, compute: ComputeUnit,
                 store: LogStore, libraries: Callable[[str], Mapping[str, str]],
                 module_tags: Callable[[str], TagList]) -> None:
        self.address = address
        self.ids = ids
        self.su = scheduler
        self.cu = compute
        self.store = store
        self.libraries = libraries
        self.module_tags = module_tags
        self.queue: deque[Work] = deque()
        self.processes: dict[str, ProcessInfo] = {}
        self.named: dict[str, list[str]] = {}  # process name -> ids, in spawn order
        self.messages: dict[str, Message] = {}
        self.wallet_inbox: dict[str, list[Message]] = {}
        self.forced_interrupts: set[int] = set()
        self.observers: list[Callable[[Message], None]] = []  # told of every evaluated message

    # -- entering the network -------------------------------------------------------------
    def submit(self, msg: Message) -> None:
        """Queue a signed message for its target (a process) or a wallet."""
        if msg.id:
            self.messages[msg.id] = msg
        if msg.kind == "process":
            self._register(msg)
            self.queue.append(Work("spawn", msg))
        elif msg.target in self.processes:
            self.queue.append(Work("deliver", msg, msg.target))
        else:
            msg.kind = "wallet"
            msg.timestamp, msg.block_height = self.su.clock.now, self.su.clock.height
            self.wallet_inbox.setdefault(msg.target or "", []).append(msg)
            self.store.append(msg)

    def submit_cron(self, msg: Message, pid: str) -> None:
        """Queue a cron message generated for `pid`."""
        self.queue.append(Work("cron", msg, pid))

    def submit_assignment(self, msg: Message, pid: str) -> None:
        """Queue an assignment of an existing message to another process."""
        self.queue.append(Work("assign", msg, pid))

    # -- the crank ----------------------------------------------------------------------------
    def step(self) -> Message | None:
        """Take one item off the queue and carry it through SU and CU; None if idle."""
        if not self.queue:
            return None
        work = self.queue.popleft()
        if work.kind == "spawn":
            return self._spawn(work.msg)
        if work.kind == "cron":
            return self._evaluate(work.msg, work.pid or "")
        if work.kind == "assign":
            copy = _assignment_copy(work.msg)
            self.su.assign(work.pid or "", copy)
            return self._evaluate(copy, work.pid or "")
        self.su.assign(work.pid or "", work.msg)
        return self._evaluate(work.msg, work.pid or "")

    def _register(self, msg: Message) -> None:
        """Make a process known as soon as its spawn is queued, so messages can follow it."""
        pid = msg.id or ""
        msg.target = pid
        parent = msg.from_ if msg.from_ in self.processes else None
        info = self.processes[pid] = ProcessInfo(
            id=pid, name=msg.tag("Name"), owner=msg.tag("From-Process") or msg.owner,
            module=msg.tag("Module") or "", tags=msg.tag_list, parent=parent)
        if info.name is not None:
            self.named.setdefault(info.name, []).append(pid)

    def _spawn(self, msg: Message) -> Message:
        info = self.processes[msg.id or ""]
        pid, parent, module = info.id, info.parent, info.module
        try:
            crons = parse_crons(msg.tag_list)
        except ValueError:
            crons = []
        self.su.register(pid, [])
        self.su.set_crons(pid, crons)
        env = (pid, msg.owner, msg.tag_list, module, self.address, self.module_tags(module))
        self.cu.boot(pid, self.libraries(module), env, parse_memory(msg.tag("Memory-Limit")))
        self.su.assign(pid, msg)
        self._evaluate(msg, pid)
        if parent is not None:
            notice = [(n, v) for n, v in msg.tag_list if n not in ("Type", "Action", "Process")]
            notice += [("Type", "Message"), ("Process", pid), ("Action", "Spawned")]
            self.submit(Message(id=self.ids.next("spawned", pid), target=parent,
                                owner=self.address, from_=parent, tag_list=notice, data="",
                                pushed_for=msg.pushed_for))
        return msg

    def cu_args(self, msg: Message, read_only: bool = False) -> tuple[Any, ...]:
        """The positional message fields the CU's loader expects."""
        tags, forwarded = cu_tags(msg.tag_list)
        return (msg.id, msg.owner, msg.from_, msg.target, msg.data, msg.timestamp,
                msg.block_height, msg.slot, msg.hash_chain, msg.cron, read_only,
                msg.owner if forwarded else None, tags)

    def _evaluate(self, msg: Message, pid: str) -> Message:
        if self.store.count() + 1 in self.forced_interrupts:
            return self._commit(msg, pid, RawResult(error=INTERRUPTED))
        try:
            raw: RawResult | LuaInterrupted = self.cu.evaluate(pid, self.cu_args(msg))
        except LuaInterrupted as exc:
            raw = exc
        return self._commit(msg, pid, raw)

    def _commit(self, msg: Message, pid: str, raw: RawResult | LuaInterrupted) -> Message:
        """Log an evaluated message and push its outbox (raise if it was interrupted)."""
        interrupted = isinstance(raw, LuaInterrupted)
        if isinstance(raw, LuaInterrupted):
            raw = RawResult(error=INTERRUPTED)
        msg.process = pid
        msg.result = self.build_result(raw, pid, msg, push=True)
        self.processes[pid].log.append(msg)
        self.store.append(msg)
        for observer in self.observers:
            observer(msg)
        if interrupted:
            raise LuaInterrupted(msg)
        return msg

    # -- side by side -------------------------------------------------------------------------
    def step_many(self, limit: int, until: Message | None = None) -> int:
        """Carry up to `limit` queued items; returns how many were carried.

        The front of the queue up to the first spawn or the second item for one process is
        evaluated as a batch: messages for different processes, each already in the queue,
        do not depend on each other's results, so the CU may evaluate them side by side.
        Slots are stamped before, and ids minted after, in queue order, and outboxes are
        pushed in that order too: the log, ids and queue are those of one-by-one steps.
        The batch ends after `until` when given (so `run_until` stops where a step would).
        Messages too small to be worth a thread (see `ComputeUnit.pays_side_by_side`) are
        carried one by one instead, which costs less than the batch's bookkeeping.
        """
        if len(self.queue) < 2 or limit < 2 or self.forced_interrupts:
            return 1 if self.step() is not None else 0
        batch: list[Work] = []
        seen: set[str] = set()
        limit = min(limit, self.cu.batch_limit)
        for work in self.queue:
            if len(batch) >= limit or work.kind == "spawn" or work.pid in seen:
                break
            batch.append(work)
            seen.add(work.pid or "")
            if until is not None and work.msg is until:
                break
        if len(batch) < 2:
            return 1 if self.step() is not None else 0
        if not self.cu.pays_side_by_side([work.pid or "" for work in batch]):
            for _ in batch:  # small messages: one by one costs less than a batch
                self.step()
            return len(batch)
        for _ in batch:
            self.queue.popleft()
        jobs: list[tuple[Message, str, bytes | None]] = []
        for work in batch:
            pid = work.pid or ""
            msg = _assignment_copy(work.msg) if work.kind == "assign" else work.msg
            chain = None if work.kind == "cron" else self.su.stamp(pid, msg)
            jobs.append((msg, pid, chain))
        outcomes = self.cu.evaluate_many([(pid, self.cu_args(msg)) for msg, pid, _ in jobs])
        for i, ((msg, pid, chain), raw) in enumerate(zip(jobs, outcomes, strict=True)):
            if isinstance(raw, LuaInterrupted):
                self._put_back(batch[i + 1:], jobs[i + 1:], outcomes[i + 1:])
            if chain is not None:
                self.su.seal(pid, msg, chain)
            self._commit(msg, pid, raw)
        return len(batch)

    def _put_back(self, works: list[Work], jobs: list[tuple[Message, str, bytes | None]],
                  outcomes: list[RawResult | LuaInterrupted]) -> None:
        """After an interruption inside a batch, undo what ran after it and requeue it."""
        for (_, pid, _), raw in zip(jobs, outcomes, strict=True):
            if isinstance(raw, RawResult) and raw.error is None:
                self.cu.runtimes[pid].forget_last()
        self.queue.extendleft(reversed(works))

    # -- pushing results ------------------------------------------------------------------------
    def build_result(self, raw: RawResult, pid: str, origin: Message, push: bool) -> Result:
        """Turn a CU result into a Result; with `push`, sign and queue each outbox entry."""
        if raw.error is not None:
            return Result(output="", prompt=raw.prompt, error=raw.error)
        res = Result(output=raw.output, prompt=raw.prompt)
        if raw.messages or raw.spawns:
            pushed_for = origin.pushed_for or origin.id
            for target, data, anchor, tags in raw.messages:
                entry = Message(id=None, target=target, owner="", from_=pid, tag_list=tags,
                                data=data, kind="outbox", anchor=anchor)
                res.messages.append(entry)
                if push and target:
                    ident = self.ids.next("push", pid, target, data)
                    self._push(entry, ident, "Message", pid, pushed_for)
            for data, anchor, tags in raw.spawns:
                entry = Message(id=None, target=None, owner="", from_=pid, tag_list=tags,
                                data=data, kind="outbox", anchor=anchor)
                res.spawns.append(entry)
                if push:
                    self._push(entry, self.ids.next("spawn", pid, data), "Process", pid,
                               pushed_for)
        for message_id, processes in raw.assignments:
            res.assignments.append({"processes": list(processes), "message": message_id})
            if not push:
                continue
            original = self.messages.get(message_id or "")
            for target in processes:
                if original is not None and target in self.processes:
                    self.submit_assignment(original, target)
        return res

    def _push(self, entry: Message, ident: str, kind: str, pid: str,
              pushed_for: str | None) -> None:
        """Sign an outbox entry as the MU (ao's protocol tags added) and queue it."""
        signed = [tag for tag in entry.tag_list if tag[0] not in _PUSH_DROP]
        signed += _SIGNED[kind]
        signed += self.processes[pid].signed_from
        if pushed_for:
            signed.append(("Pushed-For", pushed_for))
        process = kind == "Process"
        entry.pushed = Message(id=ident, target=ident if process else entry.target,
                               owner=self.address, from_=pid, tag_list=signed, data=entry.data,
                               pushed_for=pushed_for, kind="process" if process else "message")
        self.submit(entry.pushed)


def cu_tags(tags: Sequence[Sequence[str]]) -> tuple[list[tuple[str, str]], bool]:
    """A message's tags as the CU sees them (From and Owner are message fields, not tags), and
    whether it was forwarded (its first From-Process tag has a value: the loader then sets
    Forwarded-By to the signer)."""
    if tags and type(tags[0]) is tuple:  # the message's own tuples, shared (a log keeps both)
        kept = [tag for tag in tags if tag[0] not in STRIP_FOR_CU]
    else:
        kept = [(n, v) for n, v in tags if n not in STRIP_FOR_CU]
    return kept, bool(first_tag(tags, "From-Process"))


_SIZES = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}


def parse_memory(text: str | None) -> int | None:
    """A `Memory-Limit` tag such as "16-mb" or "1-gb" in bytes; None when absent or unreadable."""
    if not text:
        return None
    amount, _, unit = text.strip().lower().partition("-")
    scale = _SIZES.get(unit or "b")
    if not amount.isdigit() or scale is None:
        return None
    return int(amount) * scale


def _assignment_copy(msg: Message) -> Message:
    """The same message, to be scheduled on another process (its Target stays the original)."""
    return Message(id=msg.id, target=msg.target, owner=msg.owner, from_=msg.from_,
                   tag_list=list(msg.tag_list), data=msg.data, kind="assignment",
                   pushed_for=msg.pushed_for)
