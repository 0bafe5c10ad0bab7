"""The facade: a whole ao network (MU, SU, CU, log) behind a few calls."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from functools import cache, partial
from typing import Any

import pandas as pd

from .clock import DEFAULT_START_MS, VirtualClock, parse_interval
from .errors import AoError, LuaError, UnknownProcess
from .gcpolicy import collect_less_often
from .holographic import Verification, verify_process
from .ids import IdFactory, digest_id, wallet_address
from .journal import Journaled
from .lua.runtime import (
    DEFAULT_INSTRUCTION_LIMIT,
    DEFAULT_MEMORY_LIMIT,
    LuaCodeError,
    Runtime,
    interrupts,
    library_sources,
)
from .message import Message, Result, TagList, first_tag, normalize_tags
from .process import Process, Wallet
from .store import LogStore
from .units.compute import ComputeUnit, count_setting
from .units.messenger import Messenger
from .units.scheduler import Scheduler, parse_crons
from .views import messages_frame, results_frame

MU_ADDRESS = "fcoN_xJeisVsPXA-trzVAuIiqO3ydLQxM-L4XbrQKzY"
AOS_VERSION = "2.0.4"
AOS_MODULE = digest_id("module", "ao_kernel aos", AOS_VERSION)
MAX_AUTO_STEPS = 100_000

_USER_PROTOCOL = [("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Message"),
                  ("SDK", "aoconnect")]


def _library_of(modules: Mapping[str, Mapping[str, str]], module: str) -> Mapping[str, str]:
    """The library a Module id names; unknown modules get aos's."""
    return modules.get(module, modules[AOS_MODULE])


def module_tags(module: str) -> TagList:
    """The tags of the Module message a process's env carries (aos's module)."""
    return [("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Module"),
            ("Module-Format", "wasm64-unknown-emscripten-draft_2024_02_15"),
            ("Input-Encoding", "JSON-1"), ("Output-Encoding", "JSON-1"),
            ("Memory-Limit", "1-gb"), ("Compute-Limit", "9000000000000"),
            ("Name", f"aos-{AOS_VERSION}")]


def _tag_tuples(tags: list[Any]) -> TagList:
    """A journaled operation's tags as the message's own list of (name, value) tuples: tuples
    as `send` made them are shared, not copied (a long log keeps every message's tags); a
    replay's come from JSON as lists."""
    if tags and type(tags[0]) is tuple:
        return list(tags)
    return [(n, v) for n, v in tags]


@cache
def _syntax_checker() -> Runtime:
    """One bare runtime that only compiles (never runs) code, to check it before a spawn."""
    return Runtime(modules={}, memory_limit=None)


def library_fingerprint(modules: Mapping[str, str]) -> str:
    """A short digest of a library's sources, stored with a log to spot replays on other code."""
    return digest_id("library", *(f"{name}\n{src}" for name, src in sorted(modules.items())))


class Network(Journaled):
    """A deterministic ao network with a virtual clock; durable when given a path.

    `workers` is how many threads may evaluate messages for different processes side by side
    (default: one per core, at most 8; 1 evaluates one message at a time). The log, ids and
    states are the same for any number of workers.

    `resident` is how many processes keep their Lua state in memory (default 256; one that
    comes into memory is the next to leave until it is used again); the others hibernate and
    are rebuilt from their latest snapshot when next used, so idle processes cost little
    memory. Results do not depend on it.
    """

    def __init__(self, path: str | None = None, seed: int | None = None, start: int | None = None,
                 auto_run: bool = True, memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
                 instruction_limit: int | None = DEFAULT_INSTRUCTION_LIMIT,
                 library: Mapping[str, str] | None = None, workers: int | None = None,
                 resident: int | None = None) -> None:
        for setting, value in (("workers", workers), ("resident", resident)):
            if value is not None:
                count_setting(setting, value)  # a bad value fails before a file is opened
        collect_less_often()
        self.store = LogStore(path)
        saved = self.store.meta()
        if "seed" not in saved:
            saved = {}
        for key, given in (("seed", seed), ("start", start)):
            if saved and given is not None and saved.get(key) != given:
                self.store.close()
                raise AoError(f"{path} was written with {key}={saved.get(key)!r}, not {given!r}")
        self.seed = int(saved.get("seed", seed or 0))
        self.auto_run = auto_run
        start_ms = saved.get("start", DEFAULT_START_MS if start is None else start)
        self.clock = VirtualClock(start_ms=int(start_ms))
        self.ids = IdFactory(self.seed)
        self.mu = MU_ADDRESS
        self.su_address = wallet_address("scheduler-unit", self.seed)
        self.scheduler = Scheduler(self.clock, self.ids, self.su_address)
        self.compute = ComputeUnit(memory_limit, instruction_limit, workers, resident)
        self.library = library if library is not None else library_sources("aos")
        self.modules: dict[str, Mapping[str, str]] = {AOS_MODULE: self.library}
        # No unit holds the Network (plain functions, not bound methods), so a dropped Network
        # is freed at once, Lua states and all, without waiting for the cyclic collector.
        self.messenger = Messenger(self.mu, self.ids, self.scheduler, self.compute, self.store,
                                   partial(_library_of, self.modules), module_tags)
        self._wallets: dict[str, str] = {}  # name -> address, in the order asked for
        self._dry_runs = 0
        self._journaling = True
        self._stop_seq: int | None = None
        self.wallet("user")
        fingerprint = library_fingerprint(self.library)
        if saved and saved.get("library") != fingerprint:
            warnings.warn(f"{path} was written with another version of the process library; "
                          "replay may differ (net.verify() will tell)", stacklevel=2)
        if not saved:
            self.store.set_meta({"seed": self.seed, "start": self.clock.start_ms,
                                 "library": fingerprint})
        elif self.store.op_count:
            self._replay(self.store.ops(), compare=True)

    @classmethod
    def open(cls, path: str, **options: Any) -> Network:
        """Reopen a network saved at `path`: every process is rebuilt by replay."""
        if not os.path.exists(path) or os.path.getsize(path) == 0:
            raise FileNotFoundError(f"no ao_kernel log at {path}")
        return cls(path=path, **options)

    # -- identities --
    def wallet(self, name: str) -> Wallet:
        """The wallet called `name`; its address is the same on every run with this seed."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"wallet name must be a non-empty string, got {name!r}")
        if name not in self._wallets:
            self._wallets[name] = wallet_address(name, self.seed)
        return Wallet(self, name, self._wallets[name])

    @property
    def user(self) -> Wallet:
        """The wallet that signs what Python sends when no sender is given."""
        return self.wallet("user")

    @property
    def wallets(self) -> list[Wallet]:
        """The wallets asked for so far (by `net.wallet(name)`), in that order."""
        return [Wallet(self, name, address) for name, address in self._wallets.items()]

    @property
    def processes(self) -> list[Process]:
        """Every process, in spawn order."""
        return [Process(self, pid) for pid in self.messenger.processes]

    def process(self, ref: Any) -> Process:
        """The process with this id or name (a Process is returned as is)."""
        pid = self._pid(ref)
        return Process(self, pid)

    def _pid(self, ref: Any) -> str:
        procs = self.messenger.processes
        key = ref.id if isinstance(ref, Process) else str(ref) if ref is not None else ""
        if key in procs:
            return key
        named = self.messenger.named.get(key, [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise UnknownProcess(f"more than one process is named {key!r}; use its id")
        known = ", ".join(sorted({i.name for i in procs.values() if i.name})) or "none"
        raise UnknownProcess(f"unknown process {key!r} (known names: {known})")

    def _address(self, ref: Any, default: str | None = None) -> str:
        """The address a wallet, process or address names; None: `default`, else net.user's."""
        if ref is None:
            return self.user.address if default is None else default
        if isinstance(ref, (Wallet, Process)):
            return ref.id
        if isinstance(ref, str) and ref:
            return ref
        raise TypeError(f"expected a wallet, a process or an address, got {ref!r}")

    # -- clock --
    @property
    def now(self) -> int:
        """Virtual time in ms since the epoch."""
        return self.clock.now

    @property
    def block_height(self) -> int:
        """The current block height."""
        return self.clock.height

    def advance(self, interval: int | str) -> list[Message]:
        """Move the clock forward, firing every cron that falls inside; returns those crons."""
        target = self.clock.target_of(parse_interval(interval))
        return self._apply("advance", {"target": target, "crank": self.auto_run})

    def _op_advance(self, target: int, crank: bool) -> list[Message]:
        fired: list[Message] = []
        while True:
            t = self.scheduler.next_cron_time(target)
            if t is None:
                break
            self.clock.now = t
            for pid, spec in self.scheduler.crons_at(t):
                owner = self.messenger.processes[pid].owner
                cron = Message(id=None, target=pid, owner=owner, from_=owner,
                               tag_list=list(spec.tags), data="", kind="cron", cron=True,
                               timestamp=t, block_height=self.clock.height)
                self.messenger.submit_cron(cron, pid)
                fired.append(cron)
            self.scheduler.mark_fired(t)
            if crank:
                self._crank()
        self.clock.now = max(self.clock.now, target)
        self.scheduler.mark_fired(target)
        return fired

    # -- sending --
    def spawn(self, name: str | None = None, code: str | None = None, owner: Any = None,
              tags: Any = None, module: str | None = None, data: str | None = None) -> Process:
        """Spawn an aos process; `code`, if given, is then loaded with an Eval from the owner."""
        owner_addr = self._address(owner)
        extra = normalize_tags(tags)
        parse_crons(extra)
        if code is not None:
            self._check_syntax(code, name)
        module_id = module or AOS_MODULE
        tag_list: TagList = [("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Process"),
                             ("Module", module_id), ("Scheduler", self.su_address),
                             ("SDK", "aoconnect")]
        if name is not None:
            tag_list.append(("Name", str(name)))
        tag_list += [("App-Name", "aos"), ("Authority", self.mu), ("aos-Version", AOS_VERSION)]
        tag_list += extra
        body = "" if data is None else str(data)
        pid = self._apply("spawn", {"owner": owner_addr, "tags": tag_list, "data": body,
                                    "crank": self.auto_run})
        proc = Process(self, pid)
        if code is not None:
            res = proc.eval(code, sender=owner_addr)
            if res.error is not None:
                raise LuaError(f"loading code into process {name or pid}: "
                               f"{res.error_message}")
        return proc

    def _op_spawn(self, owner: str, tags: list[list[str]], data: str, crank: bool) -> str:
        tag_list = _tag_tuples(tags)
        pid = self.ids.next("process", owner, data, repr(tag_list))
        self.messenger.submit(Message(id=pid, target=pid, owner=owner, from_=owner,
                                      tag_list=tag_list, data=data, kind="process"))
        if crank:
            self._crank()
        return pid

    def _check_syntax(self, code: str, name: str | None) -> None:
        try:
            _syntax_checker().compile(code, "=" + (name or "code"))
        except LuaCodeError as exc:
            raise LuaError(f"syntax error in code for process {name or '?'}: {exc}") from None

    def _user_fields(self, action: str | None, data: Any, tags: Any,
                     sender: Any) -> tuple[str, TagList]:
        """The signer and tags of a message a user sends (checked, with ao's protocol tags)."""
        owner = self._address(sender)
        tag_list: TagList = []
        if action is not None:
            if not isinstance(action, str):
                raise TypeError(f"action must be a string, got {action!r}")
            tag_list.append(("Action", action))
        if tags is not None:
            tag_list += normalize_tags(tags)
        tag_list += _USER_PROTOCOL
        if not isinstance(data, str):
            raise TypeError(f"data must be a string, got {type(data).__name__}")
        return owner, tag_list

    def _user_message(self, target: str, action: str | None, data: Any, tags: Any,
                      sender: Any) -> Message:
        owner, tag_list = self._user_fields(action, data, tags, sender)
        return Message(id=None, target=target, owner=owner,
                       from_=first_tag(tag_list, "From-Process") or owner,
                       tag_list=tag_list, data=data)

    def send(self, target: Any, action: str | None = None, data: str = "", tags: Any = None,
             sender: Any = None) -> Message:
        """Send a signed message from `sender` (default `net.user`) to a process."""
        pid = self._pid(target)
        owner, tag_list = self._user_fields(action, data, tags, sender)
        return self._apply("send", {"target": pid, "owner": owner, "tags": tag_list,
                                    "data": data, "crank": self.auto_run})

    def _op_send(self, target: str, owner: str, tags: list[list[str]], data: str,
                 crank: bool) -> Message:
        tag_list = _tag_tuples(tags)
        msg = Message(id=self.ids.next("message", owner, target, data, repr(tag_list)),
                      target=target, owner=owner,
                      from_=first_tag(tag_list, "From-Process") or owner,
                      tag_list=tag_list, data=data)
        self.messenger.submit(msg)
        if crank:
            self._crank()
        return msg

    def assign(self, message: Any, *processes: Any) -> None:
        """Assign an existing message to more processes (its Target stays the original)."""
        mid = message.id if isinstance(message, Message) else str(message)
        original = self.messenger.messages.get(mid)
        if original is None:
            raise KeyError(f"unknown message {mid!r}: only messages sent in this network can "
                           "be assigned")
        pids = [self._pid(ref) for ref in processes]
        self._apply("assign", {"message": mid, "processes": pids, "crank": self.auto_run})

    def _op_assign(self, message: str, processes: list[str], crank: bool) -> None:
        original = self.messenger.messages[message]
        for pid in processes:
            self.messenger.submit_assignment(original, pid)
        if crank:
            self._crank()

    def dryrun(self, target: Any, action: str | None = None, data: str = "", tags: Any = None,
               sender: Any = None) -> Result:
        """Evaluate a Read-Only message against the current state; nothing is kept or pushed."""
        pid = self._pid(target)
        msg = self._user_message(pid, action, data, tags, sender)
        self._dry_runs += 1
        msg.id = digest_id("dryrun", self.seed, self._dry_runs)
        msg.timestamp = self.clock.now
        msg.block_height = self.clock.height
        msg.read_only = True
        with interrupts.scope():
            raw = self.compute.dryrun(pid, self.messenger.cu_args(msg, read_only=True))
        return self.messenger.build_result(raw, pid, msg, push=False)

    # -- cranking --
    def _crank(self) -> None:
        steps = self._op_run(limit=MAX_AUTO_STEPS)
        if steps >= MAX_AUTO_STEPS and self.messenger.queue:
            warnings.warn(
                f"stopped after {MAX_AUTO_STEPS:,} messages with {len(self.messenger.queue):,} "
                "still queued (a message loop?); call net.run() to go on", stacklevel=4)

    def step(self) -> Message | None:
        """Carry one queued item through SU and CU; returns the evaluated message or None."""
        if not self.messenger.queue:
            return None
        before = self.store.count()
        self._apply("run", {"limit": 1})
        return self._last_evaluated(before)

    def run(self, limit: int | None = None) -> int:
        """Crank until the queue is empty (or `limit` items); returns how many were carried."""
        if not self.messenger.queue:
            return 0
        return self._apply("run", {"limit": limit})

    def _op_run(self, limit: int | None) -> int:
        count = 0
        while self.messenger.queue and (limit is None or count < limit):
            count += self._step_batch(None if limit is None else limit - count)
        if self.store.durable:
            self.store.flush()
        return count

    def run_until(self, msg: Message) -> None:
        """Crank until `msg` has been evaluated."""
        if msg.result is None and msg.id is not None and self.messenger.queue:
            self._apply("run_until", {"message": msg.id})

    def _op_run_until(self, message: str) -> None:
        msg = self.messenger.messages.get(message)
        while msg is not None and msg.result is None and self.messenger.queue:
            self._step_batch(None, until=msg)
        if self.store.durable:
            self.store.flush()

    def _last_evaluated(self, before: int) -> Message | None:
        for info in self.messenger.processes.values():
            if info.log and (info.log[-1].seq or 0) > before:
                return info.log[-1]
        return None

    def pending(self) -> list[Message]:
        """What the MU still has to carry, in order."""
        return [work.msg for work in self.messenger.queue]

    # -- views --
    def messages(self) -> pd.DataFrame:
        """The whole log as a DataFrame: one row per evaluated message, in evaluation order."""
        return messages_frame(self.store)

    def results(self) -> pd.DataFrame:
        """What each evaluated message produced, one row each, in evaluation order."""
        return results_frame(self.store)

    def verify(self) -> list[Verification]:
        """Recompute every process from the stored log in a fresh runtime; one report each.

        A report is ok, or names the first slot where the hash chain, a recomputed result or
        the final state digest differs from what the network recorded or holds live.
        """
        self.store.flush()
        return [verify_process(self, pid) for pid in self.messenger.processes
                if pid in self.compute.runtimes]

    def close(self) -> None:
        """Write what is pending and close the log file."""
        self.store.close()

    def __enter__(self) -> Network:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"<Network processes={len(self.messenger.processes)} "
                f"now={self.clock.now} height={self.clock.height}>")

