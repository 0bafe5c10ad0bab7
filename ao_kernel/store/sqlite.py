"""SQLite behind a small interface: the journal of operations and the log of evaluations.

Two append-only tables. `ops` journals what users asked the network to do (spawn, send,
advance, ...), each committed before it runs; replaying it rebuilds the whole network
deterministically. `log` holds every evaluated message (and every delivery to a wallet) with its
assignment and its result, committed step by step when the store is a file, so a crash loses at
most the step being evaluated.
"""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Any

from ..errors import AoError
from ..message import Message, Result
from .jsontext import dumps, loads_all

FORMAT = "ao_kernel-log"
SCHEMA_VERSION = 1
_COLUMNS = (
    "seq", "id", "process", "slot", "timestamp", "block_height", "hash_chain", "assignment_id",
    "target", "owner", "from_", "action", "tags", "data", "cron", "kind", "pushed_for",
    "output", "error", "result",
)
_TEXT_COLUMNS = ("data", "output", "error")  # may hold raw bytes (stored as BLOBs)
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ops (n INTEGER PRIMARY KEY, op TEXT NOT NULL, args TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY, id TEXT, process TEXT, "
    "slot INTEGER, timestamp INTEGER, block_height INTEGER, hash_chain TEXT, assignment_id TEXT, "
    "target TEXT, owner TEXT, from_ TEXT, action TEXT, tags TEXT NOT NULL, data, "
    "cron INTEGER NOT NULL, kind TEXT NOT NULL, pushed_for TEXT, output, error, result TEXT)",
    "CREATE INDEX IF NOT EXISTS log_process ON log (process, seq)",
)


class LogFileError(AoError):
    """The file is not an ao_kernel log this version can open; nothing was changed."""


def _text(value: str | None) -> str | bytes | None:
    """Text for SQLite; strings carrying raw bytes (surrogate escapes) are stored as BLOBs."""
    if value is None or value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape")
    return value


def _untext(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return value


def result_record(res: Result | None) -> str | None:
    """A Result as JSON (outbox entries with the ids of the messages they became)."""
    if res is None:
        return None

    def entry(m: Message) -> dict[str, Any]:
        return {"target": m.target, "data": m.data, "anchor": m.anchor, "tags": m.tag_list,
                "pushed": m.pushed.id if m.pushed else None}

    return dumps({
        "output": res.output, "prompt": res.prompt, "error": res.error,
        "messages": [entry(m) for m in res.messages], "spawns": [entry(m) for m in res.spawns],
        "assignments": res.assignments,
    })


def _row(msg: Message) -> tuple[Any, ...]:
    res = msg.result
    return (
        msg.seq, msg.id, msg.process, msg.slot, msg.timestamp, msg.block_height,
        msg.hash_chain, msg.assignment_id, msg.target, msg.owner, msg.from_, msg.action,
        dumps(msg.tag_list), _text(msg.data), int(msg.cron),
        msg.kind, msg.pushed_for, _text(res.output) if res else None,
        _text(res.error) if res else None, result_record(res),
    )


def check_log_file(path: str) -> dict[str, str]:
    """Validate an existing log file read-only; return its meta, or raise LogFileError."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise LogFileError(f"cannot open {path}: {exc}") from None
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"meta", "ops", "log"} <= tables:
            raise LogFileError(f"{path} is an SQLite database but not an ao_kernel log")
        meta = dict(db.execute("SELECT key, value FROM meta"))
        if meta.get("format") != FORMAT:
            raise LogFileError(f"{path} is an SQLite database but not an ao_kernel log")
        schema = int(meta.get("schema", "0"))
        if schema > SCHEMA_VERSION:
            raise LogFileError(
                f"{path} was written by a newer ao_kernel (log schema {schema}; this version "
                f"reads schema {SCHEMA_VERSION}); upgrade ao_kernel to open it")
        check = db.execute("PRAGMA quick_check").fetchone()
        if not check or check[0] != "ok":
            raise LogFileError(f"{path} is damaged (SQLite says: {check[0] if check else '?'})")
        return meta
    except sqlite3.DatabaseError as exc:
        raise LogFileError(f"{path} is not a readable ao_kernel log ({exc})") from None
    finally:
        db.close()


class LogStore:
    """The journal and the log: in the file at `path`, else in SQLite's private temporary
    database (deleted on close)."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path or ""
        self.durable = path is not None
        self.existing_meta: dict[str, str] = {}
        if self.durable and os.path.exists(self.path) and os.path.getsize(self.path) > 0:
            self.existing_meta = check_log_file(self.path)
        # Without a path, "": SQLite's private temporary database, which keeps a small page
        # cache in memory and the rest in a temporary file deleted on close, so that a long
        # log's rows do not stay in this process's memory next to its message objects.
        self.db = sqlite3.connect(self.path)
        if self.durable:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        with self.db:
            for statement in _SCHEMA:
                self.db.execute(statement)
            self.db.executemany("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                                [("format", FORMAT), ("schema", str(SCHEMA_VERSION))])
        self._seq = self.db.execute("SELECT COUNT(*) FROM log").fetchone()[0]
        self._ops = self.db.execute("SELECT COUNT(*) FROM ops").fetchone()[0]
        self._pending: list[Message] = []
        self._pending_ops: list[tuple[int, str, dict[str, Any]]] = []
        self._stored_ids: list[str | None] | None = None
        self.mismatches: list[tuple[int, str | None, str | None]] = []

    # -- meta and journal --
    def set_meta(self, values: dict[str, Any]) -> None:
        """Record network settings (seed, start, limits, library fingerprint)."""
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                [(k, json.dumps(v)) for k, v in values.items()])

    def meta(self) -> dict[str, Any]:
        """Every meta value, JSON-decoded where it was written as JSON."""
        out: dict[str, Any] = {}
        for key, value in self.db.execute("SELECT key, value FROM meta"):
            try:
                out[key] = json.loads(value)
            except ValueError:
                out[key] = value
        return out

    def journal(self, op: str, args: dict[str, Any]) -> None:
        """Commit one operation before it runs (a durable log); an in-memory log only queues
        it (encoded at the next flush: `args` is fresh for each operation and never changed),
        since there is no crash to survive."""
        self._ops += 1
        if not self.durable:
            self._pending_ops.append((self._ops, op, args))
            return
        with self.db:
            self.db.execute("INSERT INTO ops (n, op, args) VALUES (?, ?, ?)",
                            (self._ops, op, dumps(args)))

    def ops(self) -> list[tuple[str, dict[str, Any]]]:
        """The journal, oldest first."""
        self.flush()
        rows = self.db.execute("SELECT op, args FROM ops ORDER BY n").fetchall()
        decoded = loads_all(args for _, args in rows)
        return [(op, args) for (op, _), args in zip(rows, decoded, strict=True)]

    @property
    def op_count(self) -> int:
        """How many operations are journaled."""
        return self._ops

    # -- the log --
    def begin_replay(self) -> None:
        """Rows appended from now on that already exist are compared, not written again."""
        self.flush()
        self._stored_ids = [r[0] for r in self.db.execute("SELECT id FROM log ORDER BY seq")]
        self._seq = 0

    def end_replay(self) -> None:
        """Back to normal appending (rows past the stored ones were written)."""
        self.flush()
        self._seq = max(self._seq, len(self._stored_ids or []))
        self._stored_ids = None

    def append(self, msg: Message) -> int:
        """Queue one evaluated message (or wallet delivery) for the next flush; returns its seq."""
        self._seq += 1
        msg.seq = self._seq
        stored = self._stored_ids
        if stored is not None and self._seq <= len(stored):
            if stored[self._seq - 1] != msg.id:
                self.mismatches.append((self._seq, stored[self._seq - 1], msg.id))
            return self._seq
        self._pending.append(msg)
        return self._seq

    def flush(self) -> None:
        """Write queued rows in one transaction (rows are encoded here, off the hot path)."""
        if not self._pending and not self._pending_ops:
            return
        marks = ",".join("?" * len(_COLUMNS))
        with self.db:
            if self._pending_ops:
                self.db.executemany(
                    "INSERT INTO ops (n, op, args) VALUES (?, ?, ?)",
                    ((n, op, dumps(args)) for n, op, args in self._pending_ops))
            # Rows encoded one at a time as SQLite takes them: a long unflushed log never has
            # all its rows encoded in memory at once.
            self.db.executemany(f"INSERT INTO log VALUES ({marks})",
                                (_row(msg) for msg in self._pending))
        self._pending.clear()
        self._pending_ops.clear()

    def rows(self, process: str | None = None, evaluated: bool = True,
             columns: tuple[str, ...] = _COLUMNS) -> list[dict[str, Any]]:
        """Rows in order, optionally for one process; `evaluated` leaves out wallet deliveries.
        `columns` picks fewer columns (SQLite decoding text is most of the cost)."""
        out = []
        text_columns = [key for key in _TEXT_COLUMNS if key in columns]
        for row in self._select(process, evaluated, columns):
            record = dict(zip(columns, row, strict=True))
            for key in text_columns:
                if type(record[key]) is bytes:
                    record[key] = _untext(record[key])
            out.append(record)
        return out

    def records(self, process: str | None = None, evaluated: bool = True,
                columns: tuple[str, ...] = _COLUMNS,
                seqs: tuple[int, int] | None = None) -> list[tuple[Any, ...]]:
        """`rows` as tuples of the `columns` values (cheaper to build, and what a DataFrame
        is made from); `seqs` keeps the rows whose seq lies in that closed range."""
        out = self._select(process, evaluated, columns, seqs).fetchall()
        for key in _TEXT_COLUMNS:  # text holding raw bytes was stored as a BLOB: back to text
            if key not in columns:
                continue
            k = columns.index(key)
            for i in [i for i, row in enumerate(out) if type(row[k]) is bytes]:
                row = out[i]
                out[i] = (*row[:k], _untext(row[k]), *row[k + 1:])
        return out

    def _select(self, process: str | None, evaluated: bool, columns: tuple[str, ...],
                seqs: tuple[int, int] | None = None) -> sqlite3.Cursor:
        """The cursor over the chosen log rows, in order (see `rows`)."""
        unknown = set(columns) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"unknown log columns: {', '.join(sorted(unknown))}")
        self.flush()
        sql = f"SELECT {', '.join(columns)} FROM log"
        where, args = [], []
        if process is not None:
            where.append("process = ?")
            args.append(process)
        if evaluated:
            where.append("kind != 'wallet'")
        if seqs is not None:
            where.append("seq BETWEEN ? AND ?")
            args += seqs
        if where:
            sql += " WHERE " + " AND ".join(where)
        return self.db.execute(sql + " ORDER BY seq", args)

    def count(self) -> int:
        """How many log rows are stored (flushed or not)."""
        return self._seq

    def close(self) -> None:
        """Flush and close the database."""
        self.flush()
        self.db.close()

    def __del__(self) -> None:
        # sqlite3 connections sit in a reference cycle of their own (their statement cache), so
        # without this an in-memory log would outlive its store until the cyclic collector ran.
        db = getattr(self, "db", None)
        if db is None:
            return
        try:
            if self.durable:
                self.flush()
            db.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown, or an already broken file
            pass
