"""Shared expectations for the scenario tests: ANSI colours, aos strings, the aos RNG, hashes.

Everything here is derived from `spec/aos-behaviour.md`; nothing reads engine internals.
"""

from __future__ import annotations

import base64
import hashlib
from importlib import resources
from typing import Any

GRAY = "\x1b[90m"
GREEN = "\x1b[32m"
BLUE = "\x1b[34m"
RED = "\x1b[31m"
RESET = "\x1b[0m"

WARN_NO_TARGET = (
    "WARN: No target specified for message. Data will be stored, but no process will receive it."
)
PATTERN_INVALID = "Pattern result is not valid, it MUST be string, number, or boolean"
TOTAL_SUPPLY = "10000000000000000"


def addr(x: Any) -> str:
    """The address string of a Wallet, a Process or a plain address."""
    if isinstance(x, str):
        return x
    for attr in ("address", "id"):
        value = getattr(x, attr, None)
        if isinstance(value, str):
            return value
    return str(x)


def new_message_line(frm: str, action: str | None = None, data: str | None = None) -> str:
    """What `_default` prints for an unhandled message (spec 2.4)."""
    head = f"{GRAY}New Message From {GREEN}{frm[:3]}...{frm[-3:]}{GRAY}: "
    if action is not None:
        return f"{head}{GRAY}Action = {BLUE}{action[:20]}{RESET}"
    return f"{head}{GRAY}Data = {BLUE}{(data or '')[:20]}{RESET}"


def prompt(name: str, inbox: int) -> str:
    """The aos prompt (spec 2.2)."""
    return f"{GREEN}{name}{GRAY}@{BLUE}aos-2.0.4{GRAY}[Inbox:{RED}{inbox}{GRAY}]{RESET}> "


def blueprint(name: str) -> str:
    return resources.files("ao_kernel.lua.blueprints").joinpath(name).read_text(encoding="utf-8")


def mu_send(net, target, frm, action=None, data="", tags=None):
    """A trusted message whose From (From-Process) differs from its Owner (the MU, an authority)."""
    pairs = list(tags.items()) if isinstance(tags, dict) else list(tags or [])
    pairs.append(("From-Process", addr(frm)))
    return net.send(target, action=action, data=data, tags=pairs, sender=net.mu)


def replies(result, action=None, target=None):
    """Outbox messages of a Result, optionally filtered by Action tag and target."""
    out = []
    for m in result.messages:
        if action is not None and m.tags.get("Action") != action:
            continue
        if target is not None and m.target != addr(target):
            continue
        out.append(m)
    return out


def assert_tags_include(tags: dict, expected: dict) -> None:
    missing = {k: v for k, v in expected.items() if tags.get(k) != v}
    assert not missing, f"tags {tags!r} lack/differ on {missing!r}"


# ------------------------------------------------------------------------------------------
# aos RNG (spec 5): MT19937 (init_genrand with the seed masked to 32 bits)
# ------------------------------------------------------------------------------------------


class MT19937:
    def __init__(self, seed: int) -> None:
        self.mt = [0] * 624
        self.mt[0] = seed & 0xFFFFFFFF
        for i in range(1, 624):
            prev = self.mt[i - 1]
            self.mt[i] = (1812433253 * (prev ^ (prev >> 30)) + i) & 0xFFFFFFFF
        self.index = 624

    def _twist(self) -> None:
        mt = self.mt
        for i in range(624):
            y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7FFFFFFF)
            mt[i] = mt[(i + 397) % 624] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
        self.index = 0

    def int32(self) -> int:
        if self.index >= 624:
            self._twist()
        y = self.mt[self.index]
        self.index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        return y & 0xFFFFFFFF

    def random(self, *args: int) -> float | int:
        """Lua `math.random` as aos defines it: () -> [0,1); (n) -> [1,n]; (a,b) -> [a,b]."""
        r = self.int32() * (1.0 / 4294967296.0)
        if not args:
            return r
        lo, hi = (1, args[0]) if len(args) == 1 else args
        return int(r * (hi - lo + 1) + lo)


def aos_seed(block_height: int, owner: str, module: str, pid: str) -> int:
    total = sum((owner + module + pid).encode())
    return int(f"{block_height}{total}")


def lua_number(x: float | int) -> str:
    """`tostring` of a Lua 5.3 number."""
    if isinstance(x, int):
        return str(x)
    return f"{x:.14g}"


# ------------------------------------------------------------------------------------------
# SU hash chain (spec 4.1)
# ------------------------------------------------------------------------------------------


def b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64url_encode(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def hash_chain_seed(pid: str) -> str:
    return b64url_encode(hashlib.sha256(b64url_decode(pid)).digest())


def hash_chain_next(prev_assignment_id: str, prev_chain: str) -> str:
    digest = hashlib.sha256(b64url_decode(prev_assignment_id) + b64url_decode(prev_chain))
    return b64url_encode(digest.digest())
