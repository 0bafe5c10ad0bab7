"""Deterministic 43-character base64url ids and wallet addresses, derived from content and order."""

from __future__ import annotations

import base64
import hashlib

ID_LENGTH = 43


def b64url(raw: bytes) -> str:
    """Encode bytes as unpadded base64url (the alphabet of Arweave ids)."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url; text that is not base64url is hashed into 32 bytes instead."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        return hashlib.sha256(text.encode("utf-8")).digest()


def digest_id(*parts: str | bytes | int) -> str:
    """A 43-character id: base64url of SHA-256 over the parts, each length-prefixed."""
    chunks = []
    for part in parts:
        raw = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogateescape")
        chunks.append(len(raw).to_bytes(8, "big"))
        chunks.append(raw)
    return b64url(hashlib.sha256(b"".join(chunks)).digest())


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

    def next(self, *parts: str | bytes | int) -> str:
        """A fresh id: unique by position, reproducible for the same sequence of calls."""
        self.counter += 1
        return digest_id("id", self.seed, self.counter, *parts)
