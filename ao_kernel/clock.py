"""The virtual clock: milliseconds and block heights that move only when the network says so."""

from __future__ import annotations

import re

DEFAULT_START_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z
DEFAULT_START_HEIGHT = 1_500_000
BLOCK_MS = 120_000  # Arweave aims at a block about every two minutes

_UNIT_MS = {
    "ms": 1, "msec": 1, "msecs": 1, "millisecond": 1, "milliseconds": 1,
    "s": 1000, "sec": 1000, "secs": 1000, "second": 1000, "seconds": 1000,
    "m": 60_000, "min": 60_000, "mins": 60_000, "minute": 60_000, "minutes": 60_000,
    "h": 3_600_000, "hr": 3_600_000, "hrs": 3_600_000, "hour": 3_600_000, "hours": 3_600_000,
    "d": 86_400_000, "day": 86_400_000, "days": 86_400_000,
    "w": 604_800_000, "week": 604_800_000, "weeks": 604_800_000,
    "y": 31_557_600_000, "yr": 31_557_600_000, "yrs": 31_557_600_000,
    "year": 31_557_600_000, "years": 31_557_600_000,
}
_BLOCK_UNITS = {"block", "blocks"}
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[- ]?\s*([A-Za-z]+)\s*$")


class Interval:
    """A span of virtual time: either milliseconds or a number of blocks."""

    __slots__ = ("ms", "blocks", "text")

    def __init__(self, ms: int | None = None, blocks: int | None = None, text: str = "") -> None:
        self.ms = ms
        self.blocks = blocks
        self.text = text

    def __repr__(self) -> str:
        return f"Interval({self.text!r})"


def parse_interval(value: int | str, *, for_cron: bool = False) -> Interval:
    """Parse `5000`, "35-seconds", "10 minutes" or "2-blocks"; raise ValueError if malformed.

    Cron intervals follow ao: only lower-case `block(s)` counts blocks, and a cron must be at
    least one second.
    """
    if isinstance(value, bool):
        raise ValueError(f"interval must be milliseconds or text like '10-seconds', not {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"interval must not be negative: {value}")
        return Interval(ms=value, text=f"{value}-ms")
    if not isinstance(value, str):
        raise ValueError(f"interval must be milliseconds or text like '10-seconds', not {value!r}")
    match = _INTERVAL.match(value)
    if not match:
        raise ValueError(
            f"malformed interval {value!r}: expected '<number>-<unit>', e.g. '10-seconds', "
            "'5-minutes', '2-blocks'"
        )
    amount_text, unit = match.groups()
    amount = float(amount_text)
    if unit in _BLOCK_UNITS or (not for_cron and unit.lower() in _BLOCK_UNITS):
        if amount != int(amount):
            raise ValueError(f"malformed interval {value!r}: blocks must be a whole number")
        return Interval(blocks=int(amount), text=value)
    scale = _UNIT_MS.get(unit.lower())
    if scale is None:
        known = "ms, seconds, minutes, hours, days, weeks, years, blocks"
        raise ValueError(f"malformed interval {value!r}: unknown unit {unit!r} (use {known})")
    ms = int(amount * scale)
    if for_cron and ms < 1000:
        raise ValueError(f"cron interval {value!r} is shorter than one second")
    return Interval(ms=ms, text=value)


class VirtualClock:
    """Network time in ms; block height follows time at one block per BLOCK_MS."""

    def __init__(self, start_ms: int = DEFAULT_START_MS, start_height: int = DEFAULT_START_HEIGHT,
                 block_ms: int = BLOCK_MS) -> None:
        self.start_ms = start_ms
        self.start_height = start_height
        self.block_ms = block_ms
        self.now = start_ms
        self._height = (start_ms, self.height_at(start_ms))  # (instant, height) last asked

    @property
    def height(self) -> int:
        """The block height at the current instant (one int object per instant: every message
        of the log stores it)."""
        at, height = self._height
        if at != self.now:
            self._height = (self.now, height := self.height_at(self.now))
        return height

    def height_at(self, ms: int) -> int:
        """The block height at instant `ms`."""
        return self.start_height + (ms - self.start_ms) // self.block_ms

    def time_of_height(self, height: int) -> int:
        """The first instant of block `height`."""
        return self.start_ms + (height - self.start_height) * self.block_ms

    def target_of(self, interval: Interval) -> int:
        """The instant reached by moving `interval` forward from now."""
        if interval.blocks is not None:
            return max(self.now, self.time_of_height(self.height + interval.blocks))
        return self.now + (interval.ms or 0)
