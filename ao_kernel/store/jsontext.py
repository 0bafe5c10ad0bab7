"""JSON text for the log: `dumps` is `json.dumps(value)` with its default settings, and
`loads_all` decodes many stored texts at once.

`json.dumps` builds a new encoder for every call, which costs more than encoding the small
values the log is made of (a message's tags, a result record); this module keeps one. Where
Python's C accelerator for JSON is missing or different, it is plain `json.dumps`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from json import encoder as _encoder
from typing import Any

try:  # the arguments json.JSONEncoder.iterencode gives it, for the default settings
    _ONE = _encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, json.JSONEncoder().default, _encoder.encode_basestring_ascii, None, ": ", ", ",
        False, False, True)
except (AttributeError, TypeError):
    _ONE = None
_text = _encoder.encode_basestring_ascii


def dumps(value: Any) -> str:
    """`json.dumps(value)`: ASCII-only JSON with the default separators. For the log's own
    plain values (no reference cycles: they are not looked for)."""
    if isinstance(value, str):
        return _text(value)
    if _ONE is None:
        return json.dumps(value)
    return "".join(_ONE(value, 0))


def loads_all(texts: Iterable[str | None]) -> list[Any]:
    """`[json.loads(t) for t in texts]` (None gives None) in one call: the texts joined into
    one JSON list, which saves the per-call cost on a log's worth of small texts."""
    return json.loads("[" + ",".join(text or "null" for text in texts) + "]")
