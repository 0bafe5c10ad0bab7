"""SU: gives each message a slot in its target's log, with timestamp, block height, hash chain.

Also keeps each process's cron schedule (ao's CU derives crons from the Process message tags;
here the scheduler answers "which crons fall before instant T").
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass, field

from ..clock import VirtualClock, parse_interval
from ..ids import IdFactory, b64url, b64url_decode
from ..message import Message, TagList


@dataclass
class CronSpec:
    """One `Cron-Interval` with the `Cron-Tag-*` tags that follow it."""

    ms: int | None
    blocks: int | None
    tags: TagList = field(default_factory=list)


@dataclass
class ProcessSchedule:
    """Per-process SU state: the next nonce and the last link of the hash chain."""

    pid: str
    next_nonce: int = 0
    last_assignment: bytes | None = None  # raw bytes of the last assignment id
    last_chain: bytes = b""  # raw bytes of the last hash-chain link
    crons: list[CronSpec] = field(default_factory=list)
    origin_ms: int = 0
    origin_height: int = 0
    cron_cursor: int = 0  # crons at instants <= cursor have fired


def first_link(pid: str) -> bytes:
    """The hash chain's link for a process's first slot: sha256 of its id's bytes."""
    return hashlib.sha256(b64url_decode(pid)).digest()


def next_link(assignment: bytes, chain: bytes) -> bytes:
    """The link after a slot: sha256 of that slot's assignment id and link (raw bytes)."""
    return hashlib.sha256(assignment + chain).digest()


def parse_crons(tags: TagList) -> list[CronSpec]:
    """Cron specs from Process tags: each Cron-Tag-X attaches to the Cron-Interval before it."""
    specs: list[CronSpec] = []
    for name, value in tags:
        if name == "Cron-Interval":
            unit = value.split("-", 1)[-1].strip().lower()
            if unit in ("month", "months"):
                warnings.warn(f"Cron-Interval {value!r}: months never fire in ao", stacklevel=4)
                specs.append(CronSpec(ms=None, blocks=None))
                continue
            interval = parse_interval(value, for_cron=True)
            specs.append(CronSpec(ms=interval.ms, blocks=interval.blocks))
        elif name.startswith("Cron-Tag-"):
            if not specs:
                raise ValueError(f"tag {name!r} comes before any Cron-Interval tag")
            specs[-1].tags.append((name[len("Cron-Tag-"):], value))
    return specs


class Scheduler:
    """Assigns slots; one instance serves every process of the network."""

    def __init__(self, clock: VirtualClock, ids: IdFactory, address: str) -> None:
        self.clock = clock
        self.ids = ids
        self.address = address
        self.schedules: dict[str, ProcessSchedule] = {}
        # The schedules with crons, in spawn order: the clock asks only these (most processes
        # have none, and a day of 1-second crons asks 86,400 times).
        self.with_crons: dict[str, ProcessSchedule] = {}

    def register(self, pid: str, tags: TagList) -> ProcessSchedule:
        """Open the log of a new process (its Process message will take nonce 0)."""
        sched = ProcessSchedule(pid=pid, last_chain=first_link(pid),
                                origin_ms=self.clock.now, origin_height=self.clock.height,
                                cron_cursor=self.clock.now)
        self.schedules[pid] = sched
        self.set_crons(pid, parse_crons(tags))
        return sched

    def set_crons(self, pid: str, crons: list[CronSpec]) -> None:
        """Give a registered process its crons (from its Process message's tags)."""
        sched = self.schedules[pid]
        sched.crons = crons
        if crons:
            self.with_crons[pid] = sched
        else:
            self.with_crons.pop(pid, None)

    def knows(self, pid: str) -> bool:
        """True when `pid` is a process scheduled here."""
        return pid in self.schedules

    def assign(self, pid: str, msg: Message) -> None:
        """Stamp `msg` with the next slot of `pid`: nonce, time, height, hash chain."""
        self.seal(pid, msg, self.stamp(pid, msg))

    def stamp(self, pid: str, msg: Message) -> bytes:
        """Give `msg` the next slot of `pid` without taking it yet; returns the chain link.

        The CU can evaluate a stamped message before `seal` commits the slot, which is how
        messages for different processes are evaluated side by side (see `Messenger.step_many`)
        while every id is still minted in the sequential order.
        """
        sched = self.schedules[pid]
        chain = sched.last_chain
        if sched.last_assignment is not None:
            chain = next_link(sched.last_assignment, chain)
        msg.process = pid
        msg.slot = sched.next_nonce
        msg.timestamp = self.clock.now
        msg.block_height = self.clock.height
        msg.hash_chain = b64url(chain)
        return chain

    def seal(self, pid: str, msg: Message, chain: bytes) -> None:
        """Take the slot `stamp` gave `msg`: mint its assignment id and advance the chain."""
        sched = self.schedules[pid]
        assignment, raw = self.ids.next_raw("assignment", pid, sched.next_nonce, msg.id or "")
        sched.next_nonce += 1
        sched.last_assignment = raw
        sched.last_chain = chain
        msg.assignment_id = assignment

    def next_cron_time(self, until: int) -> int | None:
        """The earliest instant in (cursor, until] at which some process has a cron due."""
        best: int | None = None
        for sched in self.with_crons.values():
            for spec in sched.crons:
                t = self._next_fire(sched, spec)
                if t is not None and t <= until and (best is None or t < best):
                    best = t
        return best

    def crons_at(self, t: int) -> list[tuple[str, CronSpec]]:
        """Crons due at instant t, process by process; blocks first, then by interval."""
        due: list[tuple[str, CronSpec]] = []
        for pid, sched in self.with_crons.items():
            mine = [s for s in sched.crons if self._next_fire(sched, s) == t]
            mine.sort(key=lambda s: (0, 0) if s.blocks is not None else (1, s.ms or 0))
            due.extend((pid, s) for s in mine)
        return due

    def mark_fired(self, t: int) -> None:
        """Record that every cron at instants <= t has fired."""
        for sched in self.with_crons.values():
            if sched.cron_cursor < t:
                sched.cron_cursor = t

    def _next_fire(self, sched: ProcessSchedule, spec: CronSpec) -> int | None:
        after = sched.cron_cursor
        if spec.ms:
            k = (after - sched.origin_ms) // spec.ms + 1
            return sched.origin_ms + k * spec.ms
        if spec.blocks:
            height = self.clock.height_at(after) + 1
            offset = (height - sched.origin_height) % spec.blocks
            if offset:
                height += spec.blocks - offset
            return self.clock.time_of_height(height)
        return None
