"""Ctrl-C / Jupyter's Interrupt while Lua runs: a SIGINT handler sets a flag that the sandbox's
hook polls, so Lua stops at a safe point.

This module is never compiled (see `ao_kernel.compiled`): Python runs a pending signal handler
only between bytecodes, and the hook's call to `check` must execute bytecode for the handler to
run while Lua is busy.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

try:  # signal.getsignal wraps the answer in an enum: ~1.6 us on every network operation
    from _signal import getsignal as _getsignal
except ImportError:  # pragma: no cover - other Pythons
    _getsignal = signal.getsignal


class LuaInterrupted(KeyboardInterrupt):
    """Lua code was stopped because the user interrupted (Ctrl-C, Jupyter's Interrupt)."""


_MAIN = threading.main_thread()


class _Scope:
    """The context manager `_Interrupts.scope` returns (a class: cheaper than a generator on
    every message)."""

    __slots__ = ("owner",)

    def __init__(self, owner: _Interrupts) -> None:
        self.owner = owner

    def __enter__(self) -> None:
        self.owner._enter()

    def __exit__(self, kind: Any, value: Any, tb: Any) -> None:
        self.owner._exit(kind is not None)


class _Interrupts:
    """SIGINT while Lua runs: a flag the sandbox's hook polls, so Lua stops at a safe point.

    Only inside `interruptible()` scopes (the public operations of a Network) and only on the
    main thread. The handler is installed by the first scope and stays (setting a signal
    handler on every operation costs more than a small message); outside a scope it hands the
    signal to the handler it replaced, so Python's own handling is untouched there.
    """

    def __init__(self) -> None:
        self.requested = False
        self.suspended = 0
        self.depth = 0
        self.previous: Any = None
        self._installed = self._handler
        self._count_lock = threading.Lock()
        self._scope = _Scope(self)

    def check(self) -> bool:
        return self.requested and not self.suspended

    def _handler(self, signum: int, frame: Any) -> None:
        if self.depth > 0:
            self.requested = True
            return
        previous = self.previous
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.raise_signal(signal.SIGINT)

    def scope(self) -> _Scope:
        """A `with` block in which SIGINT asks running Lua to stop (main thread only)."""
        return self._scope

    def _enter(self) -> None:
        if threading.current_thread() is not _MAIN:
            return
        self.depth += 1
        if self.depth == 1:
            self.requested = False
            current = _getsignal(signal.SIGINT)
            if current != self._installed:
                self.previous = current
                signal.signal(signal.SIGINT, self._installed)

    def _exit(self, failed: bool) -> None:
        if threading.current_thread() is not _MAIN:
            return
        self.depth -= 1
        if self.depth == 0:
            pending, self.requested = self.requested, False
            if pending and not failed:
                raise KeyboardInterrupt

    @contextmanager
    def suspend(self) -> Iterator[None]:
        """No interruption inside (a rollback must finish); worker threads may nest this."""
        with self._count_lock:
            self.suspended += 1
        try:
            yield
        finally:
            with self._count_lock:
                self.suspended -= 1

    def consume(self) -> None:
        self.requested = False


interrupts = _Interrupts()
