"""SQLite behind a small interface: append log rows in batches, read them back in order."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..message import Message

SCHEMA_VERSION = 1
_COLUMNS = (
    "seq", "id", "process", "slot", "timestamp", "block_height", "hash_chain", "assignment_id",
    "target", "owner", "from_", "action", "tags", "data", "cron", "kind", "pushed_for",
    "output", "error", "messages", "spawns",
)


def _text(value: str | None) -> str | bytes | None:
    """Text for SQLite; strings carrying raw bytes (surrogate escapes) are stored as BLOBs."""
    if value is None or value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape")
    return value


class LogStore:
    """Append-only log of evaluated messages; `:memory:` unless a path is given."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path or ":memory:"
        self.db = sqlite3.connect(self.path)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS log ("
            "seq INTEGER PRIMARY KEY, id TEXT, process TEXT NOT NULL, slot INTEGER, "
            "timestamp INTEGER, block_height INTEGER, hash_chain TEXT, assignment_id TEXT, "
            "target TEXT, owner TEXT, from_ TEXT, action TEXT, tags TEXT NOT NULL, data TEXT, "
            "cron INTEGER NOT NULL, kind TEXT NOT NULL, pushed_for TEXT, output TEXT, error TEXT, "
            "messages TEXT, spawns TEXT)"
        )
        self.db.execute("CREATE INDEX IF NOT EXISTS log_process ON log (process, seq)")
        self.db.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
        )
        self.db.commit()
        row = self.db.execute("SELECT MAX(seq) FROM log").fetchone()
        self._seq = row[0] or 0
        self._pending: list[tuple[Any, ...]] = []

    def append(self, msg: Message) -> int:
        """Queue one evaluated message (with its result) for the next flush; returns its seq."""
        self._seq += 1
        res = msg.result
        self._pending.append((
            self._seq, msg.id, msg.process, msg.slot, msg.timestamp, msg.block_height,
            msg.hash_chain, msg.assignment_id, msg.target, msg.owner, msg.from_, msg.action,
            json.dumps(msg.tag_list), _text(msg.data), int(msg.cron), msg.kind, msg.pushed_for,
            _text(res.output) if res else None, _text(res.error) if res else None,
            json.dumps([m.id for m in res.messages]) if res else None,
            json.dumps([m.id for m in res.spawns]) if res else None,
        ))
        return self._seq

    def flush(self) -> None:
        """Write queued rows in one transaction."""
        if not self._pending:
            return
        marks = ",".join("?" * len(_COLUMNS))
        with self.db:
            self.db.executemany(f"INSERT INTO log VALUES ({marks})", self._pending)
        self._pending.clear()

    def rows(self, process: str | None = None) -> list[dict[str, Any]]:
        """All rows in evaluation order, optionally for one process."""
        self.flush()
        sql = f"SELECT {', '.join(_COLUMNS)} FROM log"
        args: tuple[Any, ...] = ()
        if process is not None:
            sql += " WHERE process = ?"
            args = (process,)
        sql += " ORDER BY seq"
        cur = self.db.execute(sql, args)
        return [dict(zip(_COLUMNS, row, strict=True)) for row in cur]

    def count(self) -> int:
        """How many log rows are stored (flushed or not)."""
        return self._seq

    def close(self) -> None:
        """Flush and close the database."""
        self.flush()
        self.db.close()
