"""Deterministic 43-character base64url ids and wallet addresses, derived from content and order."""

from __future__ import annotations

import binascii
import hashlib

_B64URL = bytes.maketrans(b"+/", b"-_")
_FROM_URL = bytes.maketrans(b"-_", b"+/")
_sha256 = hashlib.sha256

ID_LENGTH = 43

# Length prefixes of short ASCII parts as text (latin-1 encodes each char to its own byte).
_SHORT = 4096
_LENGTHS = [n.to_bytes(8, "big").decode("latin-1") for n in range(_SHORT)]


def b64url(raw: bytes) -> str:
    """Encode bytes as unpadded base64url (the alphabet of Arweave ids)."""
    return binascii.b2a_base64(raw, newline=False).translate(_B64URL).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url; text that is not base64url is hashed into 32 bytes instead."""
    try:  # what base64.urlsafe_b64decode does, without its Python-level wrappers (and bytes
        # translate, several times faster than str's)
        raw = text.encode("ascii").translate(_FROM_URL)
        return binascii.a2b_base64(raw + b"=" * (-len(raw) % 4))
    except (ValueError, TypeError, UnicodeEncodeError):
        return hashlib.sha256(text.encode("utf-8")).digest()


def digest_id(*parts: str | bytes | int) -> str:
    """A 43-character id: base64url of SHA-256 over the parts, each length-prefixed."""
    return _b64_id(digest_raw(*parts))


def _b64_id(digest: bytes) -> str:
    # 32 bytes give 44 base64 characters, the last one padding: 43 remain.
    return binascii.b2a_base64(digest, newline=False)[:43].translate(_B64URL).decode("ascii")


def digest_raw(*parts: str | bytes | int) -> bytes:
    """The 32 bytes behind `digest_id(*parts)` (what `b64url_decode` of the id gives back)."""
    text = _ascii_text(parts)
    if text is None:
        return _digest_bytes(parts)
    return _sha256(text.encode("latin-1")).digest()


def _ascii_text(parts: tuple[str | bytes | int, ...], start: str = "") -> str | None:
    """`start`, then each part length-prefixed, as one string, when every part is ASCII text
    or a number (the common case, hashed as one string); None otherwise."""
    chunks = [start]
    for part in parts:
        kind = type(part)
        if kind is int:
            part = str(part)
        elif kind is not str or not part.isascii() or len(part) >= _SHORT:
            return None
        chunks.append(_LENGTHS[len(part)])
        chunks.append(part)
    return "".join(chunks)


def _digest_bytes(parts: tuple[str | bytes | int, ...]) -> bytes:
    """`digest_raw` for any parts: each encoded, then length-prefixed (8 bytes, big-endian)."""
    chunks = []
    for part in parts:
        if type(part) is str:
            raw = part.encode("utf-8", "surrogateescape")
        elif isinstance(part, bytes):
            raw = part
        else:
            raw = str(part).encode("utf-8", "surrogateescape")
        chunks.append(len(raw).to_bytes(8, "big"))
        chunks.append(raw)
    return _sha256(b"".join(chunks)).digest()


def wallet_address(name: str, seed: int = 0) -> str:
    """The address of the named wallet: the same for the same name and seed on every run."""
    return digest_id("wallet", seed, name)


def is_address(text: object) -> bool:
    """True when `text` looks like an Arweave address or message id."""
    if not isinstance(text, str) or len(text) != ID_LENGTH:
        return False
    return all(c.isalnum() or c in "-_" for c in text)


class IdFactory:
    """Mints ids from a seed, a running counter and the content they name."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.counter = 0
        self._prefix = _ascii_text(("id", seed))  # what every id's hash starts with

    def next(self, *parts: str | bytes | int) -> str:
        """A fresh id: unique by position, reproducible for the same sequence of calls."""
        return _b64_id(self._next(parts))

    def next_raw(self, *parts: str | bytes | int) -> tuple[str, bytes]:
        """Like `next`, with the id's 32 raw bytes too (for hash chains, saving a decode)."""
        raw = self._next(parts)
        return _b64_id(raw), raw

    def _next(self, parts: tuple[str | bytes | int, ...]) -> bytes:
        self.counter += 1
        text = None if self._prefix is None else _ascii_text((self.counter, *parts), self._prefix)
        if text is None:
            return digest_raw("id", self.seed, self.counter, *parts)
        return _sha256(text.encode("latin-1")).digest()
