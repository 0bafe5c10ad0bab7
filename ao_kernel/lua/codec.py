"""Lossless strings across the Python/Lua boundary, binary data included.

Lua strings are bytes; lupa hands them to Python decoded as strict UTF-8. The CU's loader
rewrites each byte that is not valid UTF-8 as the private-use character U+10FF00 + byte, which
`from_lua` turns into Python's surrogate escape for that byte; `to_lua` turns such escapes back
into the original bytes. Ordinary text passes through untouched.
"""

from __future__ import annotations

import re

_PRIVATE = re.compile("[\U0010ff00-\U0010ffff]")


def from_lua(text: str) -> str:
    """Undo the loader's escaping of non-UTF-8 bytes (a no-op for ordinary text)."""
    if text.isascii() or not _PRIVATE.search(text):
        return text
    return _PRIVATE.sub(lambda m: chr(0xDC00 + ord(m.group()) - 0x10FF00), text)


def to_lua(text: str) -> str | bytes:
    """A value lupa passes to Lua byte for byte (escaped bytes restored)."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape")
