"""Checkpoints: a process's whole Lua state as bytes, restored into a freshly booted runtime.

The persister (`ao_kernel/lua/persist.lua`) is host-only Lua that numbers the boot-time objects
(as they were right after boot, before any message) so that a snapshot can refer to them.
A runtime booted without `boot` (by `pr._boot()` alone) gets it from `attach`, which boots afresh
and replays the history once.

    blob = snapshot(pr)          # bytes, or None when the state holds a suspended coroutine
    blob, why = capture(pr)      # the same, with the reason when it is None
    restore(pr, blob)            # pr.runtime becomes a fresh runtime holding that state
    digest(pr)                   # sha256 hex of the state (works even with coroutines pending)

`digest` is sha256(snapshot) whenever a snapshot exists; it leaves out only sandbox internals
(the clock the host sets before each message, the instruction budget, host-side table ids).

To avoid the one replay in `attach`, call `boot(pr)` instead of `pr._boot()` when the CU boots.
Restore does not touch `pr.history`: the caller keeps it consistent with the state it restores
(replaying the messages after the checkpoint with `pr.evaluate` or `pr._call`).

Installing the persister is lazy, because most processes are never snapshotted and its boot walk
costs more than the rest of a spawn. The first runtime booted with a library is walked at boot,
and the walk is written down as a "boot record" (see persist.lua): a chunk that finds the same
boot objects by the same steps, without sorting. Later boots with that library only run the
record and keep its list of objects in the runtime's host table; the persister is installed from
that list when a snapshot, digest or restore first needs it, so the numbering is still that of
the boot-time state.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from ..lua.runtime import LuaCodeError, LuaLimitError, Runtime, host_bytecode

if TYPE_CHECKING:
    from .process_runtime import ProcessRuntime

_persisters: WeakKeyDictionary[Runtime, Any] = WeakKeyDictionary()

# Library (the Runtime's `library`) -> the boot record's bytecode, or None when the library's boot
# state cannot be recorded that way (every boot then walks). Bounded: libraries are few.
_records: dict[Any, bytes | None] = {}
_RECORDS_MAX = 32


def _install(pr: ProcessRuntime, boot_list: Any = None, want_record: bool = False) -> Any:
    rt = pr.runtime
    persister = rt.run_host_chunk("persist", args=(rt.host.persist_tools, pr.cu, boot_list,
                                                   want_record))
    _persisters[rt] = persister
    return persister


def boot(pr: ProcessRuntime) -> None:
    """Give `pr` a freshly booted runtime (no messages evaluated) whose persister can be
    installed later (`attach`) with the numbering of this boot-time state."""
    pr._boot(_record)


def _record(pr: ProcessRuntime) -> None:
    """Right after boot: keep the boot objects' list (or walk now, for a library's first boot)."""
    rt = pr.runtime
    key = rt.library  # one object per library (cached by the runtime module)
    if key not in _records:
        persister = _install(pr, want_record=True)
        text = persister.boot_record
        if len(_records) >= _RECORDS_MAX:
            del _records[next(iter(_records))]
        _records[key] = None if text is None else host_bytecode(text, "=boot record")
        return
    code = _records[key]
    found = None
    if code is not None:
        try:  # the record only reads; it fails (or returns nil) when the state is not as recorded
            found = rt.run_host_code(code, (rt.host.persist_tools, pr.cu))
        except LuaCodeError:
            found = None
    if found is None:
        _install(pr)
    else:
        rt.host.boot_list = found


def _installed(pr: ProcessRuntime) -> Any:
    """`pr.runtime`'s persister, installed now from its boot record if need be; None if the
    runtime was booted without one (not by `boot`)."""
    rt = pr.runtime
    persister = _persisters.get(rt)
    if persister is None:
        found = rt.host.boot_list
        if found is not None:
            rt.host.boot_list = None
            persister = _install(pr, found)
    return persister


def attach(pr: ProcessRuntime) -> Any:
    """Make sure `pr.runtime` has a persister; if it has none, reboot and replay the history."""
    persister = _installed(pr)
    if persister is None:
        boot(pr)
        pr._replay_batches(pr.history)
        persister = _installed(pr)
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


def restore(pr: ProcessRuntime, blob: bytes, in_place: bool = False) -> None:
    """Replace `pr.runtime` by a fresh runtime holding the state `blob` was taken from.

    The blob must come from a runtime booted with the same library modules and env. With
    `in_place`, the current runtime is reused when it can be: the snapshot refills every boot
    object it reaches (tables are cleared first, boot closures get their upvalues back) and
    recreates everything made after boot, so what the dirty state held becomes garbage. This
    saves booting a runtime on every rollback; if it fails, a fresh runtime is used.
    """
    if in_place and not pr.asleep:
        try:
            _load_snapshot(pr, blob)
            return
        except (LuaCodeError, LuaLimitError):
            pass
    boot(pr)
    _load_snapshot(pr, blob)


def _load_snapshot(pr: ProcessRuntime, blob: bytes) -> None:
    persister = _installed(pr)
    if persister is None:
        raise LuaCodeError("this runtime has no boot record to restore against")
    code = _compiled(blob)
    if code is None:
        pr.runtime.call(persister.restore, blob, instructions=0)
    else:
        pr.runtime.call(persister.restore, code, True, instructions=0)


@lru_cache(maxsize=64)
def _compiled(blob: bytes) -> bytes | None:
    """A snapshot compiled to bytecode once: rollbacks restore the same one again and again,
    and loading bytecode is much faster than parsing the text."""
    return host_bytecode(blob.decode("utf-8"), "=checkpoint")
