"""The permanent log ("Arweave"): every evaluated message and its result, in order."""

from .sqlite import LogStore

__all__ = ["LogStore"]
