"""Checkpoints: a process's whole Lua state as bytes, restored into a freshly booted runtime.

The persister (`ao_kernel/lua/persist.lua`) is host-only Lua installed in a runtime right after
boot, before any message: it numbers the boot-time objects so that a snapshot can refer to them.
A runtime booted without it (e.g. by `ProcessRuntime.rebuild`) gets it from `attach`, which boots
afresh and replays the history once.

    blob = snapshot(pr)          # bytes, or None when the state holds a suspended coroutine
    blob, why = capture(pr)      # the same, with the reason when it is None
    restore(pr, blob)            # pr.runtime becomes a fresh runtime holding that state
    digest(pr)                   # sha256 hex of the state (works even with coroutines pending)

`digest` is sha256(snapshot) whenever a snapshot exists; it leaves out only sandbox internals
(the clock the host sets before each message, the instruction budget, host-side table ids).

To avoid the one replay in `attach`, call `boot(pr)` instead of `pr._boot()` when the CU boots.
Restore does not touch `pr.history`: the caller keeps it consistent with the state it restores
(replaying the messages after the checkpoint with `pr.evaluate` or `pr._call`).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from ..lua.runtime import Runtime

if TYPE_CHECKING:
    from .compute import ProcessRuntime

_persisters: WeakKeyDictionary[Runtime, Any] = WeakKeyDictionary()


def _install(pr: ProcessRuntime) -> Any:
    rt = pr.runtime
    persister = rt.run_host_chunk("persist", args=(rt.host.persist_tools, pr.cu))
    _persisters[rt] = persister
    return persister


def boot(pr: ProcessRuntime) -> None:
    """Give `pr` a freshly booted runtime (no messages evaluated) with a persister."""
    pr._boot()
    _install(pr)


def attach(pr: ProcessRuntime) -> Any:
    """Make sure `pr.runtime` has a persister; if it has none, reboot and replay the history."""
    persister = _persisters.get(pr.runtime)
    if persister is None:
        boot(pr)
        for args in pr.history:
            pr._run(args)
        persister = _persisters[pr.runtime]
    return persister


def capture(pr: ProcessRuntime, digest: bool = False) -> tuple[bytes | None, str | None]:
    """The snapshot bytes and None, or None and why the state cannot be checkpointed.

    With `digest=True`, what cannot be restored (suspended coroutines, C functions made after
    boot) is written as a marker instead, so the result always exists but may not restore.
    """
    persister = attach(pr)
    mode = "digest" if digest else "snapshot"
    try:
        res = pr.runtime.call(persister.snapshot, mode, instructions=0)
    except UnicodeDecodeError:  # a piece Lua judged UTF-8 that Python does not: escape all
        res = pr.runtime.call(persister.snapshot, mode, True, instructions=0)
    text, why = res
    if text is None:
        return None, str(why)
    return text.encode("utf-8"), None


def snapshot(pr: ProcessRuntime) -> bytes | None:
    """The process's state as bytes (deterministic), or None when it cannot be checkpointed."""
    return capture(pr)[0]


def digest(pr: ProcessRuntime) -> str:
    """sha256 (hex) of the process's state: the snapshot bytes, with markers for coroutines."""
    blob, _ = capture(pr, digest=True)
    assert blob is not None
    return hashlib.sha256(blob).hexdigest()


def restore(pr: ProcessRuntime, blob: bytes) -> None:
    """Replace `pr.runtime` by a fresh runtime holding the state `blob` was taken from.

    The blob must come from a runtime booted with the same library modules and env.
    """
    boot(pr)
    persister = _persisters[pr.runtime]
    pr.runtime.call(persister.restore, blob, instructions=0)
