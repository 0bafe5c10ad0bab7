"""Exceptions raised to Python callers; each names what was wrong."""

from __future__ import annotations

from .lua.runtime import LuaCodeError, LuaLimitError

__all__ = ["AoError", "LuaError", "LuaCodeError", "LuaLimitError", "UnknownProcess"]


class AoError(Exception):
    """Base class for ao_kernel errors raised to Python code."""


class LuaError(AoError):
    """Lua code sent from Python failed (syntax or runtime); the text carries the line number."""


class UnknownProcess(AoError, KeyError):
    """No process has that id or name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown process"
