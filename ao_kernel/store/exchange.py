"""JSON Lines export and import of a network's journal and log.

The file is UTF-8 text, one JSON object per line, each with a "type":

* line 1, `{"type": "ao_kernel-log", "schema": 1, "seed": ..., "start": ..., "library": ...}`;
* `{"type": "op", "op": "spawn" | "send" | "assign" | "advance" | "run" | "run_until" | "cut",
  "args": {...}}`: the journal, in order (replaying it rebuilds the network);
* `{"type": "assignment", "seq", "id", "process", "slot", "timestamp", "block_height",
  "hash_chain", "assignment_id", "target", "owner", "from", "action", "tags": [[name, value],
  ...], "data", "cron", "kind", "pushed_for", "result": {"output", "prompt", "error", "messages",
  "spawns", "assignments"}}`: one line per evaluated message (and per delivery to a wallet,
  kind "wallet"), in log order.

Strings that carry raw bytes (binary Data) are written with JSON `\\udcXX` escapes for each byte
that is not UTF-8.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .jsontext import dumps, loads_all
from .sqlite import FORMAT, SCHEMA_VERSION, LogFileError, LogStore


def write_jsonl(store: LogStore, path: str | Path) -> int:
    """Write the journal and the log to `path`; returns the number of lines."""
    store.flush()
    meta = store.meta()
    lines = 0
    with open(path, "w", encoding="utf-8") as out:
        header = {"type": FORMAT, "schema": SCHEMA_VERSION, "seed": meta.get("seed"),
                  "start": meta.get("start"), "library": meta.get("library")}
        out.write(dumps(header) + "\n")
        lines += 1
        for op, args in store.ops():
            out.write(dumps({"type": "op", "op": op, "args": args}) + "\n")
            lines += 1
        rows = store.rows(evaluated=False)
        tags = loads_all(row["tags"] for row in rows)
        results = loads_all(row["result"] for row in rows)
        for row, row_tags, result in zip(rows, tags, results, strict=True):
            record = {"type": "assignment", **row}
            record["from"] = record.pop("from_")
            record["tags"] = row_tags
            record["result"] = result
            record["cron"] = bool(row["cron"])
            del record["output"], record["error"]
            out.write(dumps(record) + "\n")
            lines += 1
    return lines


def read_jsonl(path: str | Path) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]],
                                          list[dict[str, Any]]]:
    """Read an export: (header, journal, assignment records); raise LogFileError if malformed."""
    records = list(_records(path))
    if not records or records[0].get("type") != FORMAT:
        raise LogFileError(f"{path} is not an ao_kernel JSON Lines export (no header line)")
    header = records[0]
    if int(header.get("schema", 0)) > SCHEMA_VERSION:
        raise LogFileError(f"{path} was written by a newer ao_kernel (schema "
                           f"{header.get('schema')}); upgrade ao_kernel to load it")
    ops = [(r["op"], r["args"]) for r in records[1:] if r.get("type") == "op"]
    rows = [r for r in records[1:] if r.get("type") == "assignment"]
    return header, ops, rows


def _records(path: str | Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as src:
        for number, line in enumerate(src, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise LogFileError(f"{path}, line {number}: not JSON ({exc.args[0]})") from None
            if not isinstance(record, dict) or "type" not in record:
                raise LogFileError(f"{path}, line {number}: expected an object with a 'type'")
            yield record
