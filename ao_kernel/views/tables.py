"""The log as pandas DataFrames, for analysis in a notebook."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..message import first_tag_map
from ..store import LogStore
from ..store.jsontext import loads_all

MESSAGE_COLUMNS = ["id", "slot", "timestamp", "block_height", "process", "target", "from", "owner",
                   "action", "data", "tags", "output", "error", "cron", "kind", "hash_chain",
                   "pushed_for"]
RESULT_COLUMNS = ["id", "process", "slot", "timestamp", "action", "output", "error", "messages",
                  "spawns", "assignments", "targets"]


_STORED = tuple("from_" if c == "from" else c for c in MESSAGE_COLUMNS)  # the log's names


def messages_frame(store: LogStore) -> pd.DataFrame:
    """One row per evaluated message (scheduled messages and crons), in evaluation order."""
    records = store.records(columns=_STORED)
    if not records:
        return pd.DataFrame(columns=MESSAGE_COLUMNS)
    frame = pd.DataFrame.from_records(records, columns=MESSAGE_COLUMNS)
    frame["tags"] = [first_tag_map(tags) for tags in loads_all(frame["tags"])]
    frame["cron"] = frame["cron"].astype(bool)
    frame["slot"] = frame["slot"].astype("Int64")
    return frame


def results_frame(store: LogStore) -> pd.DataFrame:
    """One row per evaluated message with what it produced: counts and the targets it sent to."""
    rows = store.records(columns=("id", "process", "slot", "timestamp", "action", "output",
                                  "error", "result"))
    records = []
    for row, res in zip(rows, loads_all(row[7] for row in rows), strict=True):
        res = res or {}
        sent = res.get("messages", [])
        records.append((*row[:7], len(sent), len(res.get("spawns", [])),
                        len(res.get("assignments", [])),
                        [m["target"] for m in sent if m.get("target")]))
    frame = pd.DataFrame.from_records(records, columns=RESULT_COLUMNS)
    frame["slot"] = frame["slot"].astype("Int64")
    return frame


INBOX_COLUMNS = ["position", "id", "from", "action", "data", "slot", "timestamp", "block_height",
                 "cron", "tags"]


def inbox_frame(process: Any) -> pd.DataFrame:
    """A process's aos `Inbox` (messages no handler took), oldest first, one row each.

    `process` is a `Process` or a time-travel view (`process.at(slot)`); anything with an
    `inbox` list of message tables. `position` is the Lua index (from 1); `tags` is a dict.
    """
    rows = []
    for position, entry in enumerate(process.inbox, start=1):
        if not isinstance(entry, dict):
            continue
        tags = entry.get("Tags")
        rows.append({
            "position": position, "id": entry.get("Id"), "from": entry.get("From"),
            "action": entry.get("Action") or (tags.get("Action") if isinstance(tags, dict)
                                              else None),
            "data": entry.get("Data"), "slot": entry.get("Nonce"),
            "timestamp": entry.get("Timestamp"), "block_height": entry.get("Block-Height"),
            "cron": bool(entry.get("Cron")),
            "tags": dict(sorted(tags.items())) if isinstance(tags, dict) else {},
        })
    frame = pd.DataFrame(rows, columns=INBOX_COLUMNS)
    frame["slot"] = pd.array([_int(v) for v in frame["slot"]], dtype="Int64")
    return frame


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
