"""The log as pandas DataFrames, for analysis in a notebook."""

from __future__ import annotations

import json

import pandas as pd

from ..message import first_tag_map
from ..store import LogStore

MESSAGE_COLUMNS = ["id", "slot", "timestamp", "block_height", "process", "target", "from", "owner",
                   "action", "data", "tags", "output", "error", "cron", "kind", "hash_chain",
                   "pushed_for"]
RESULT_COLUMNS = ["id", "process", "slot", "timestamp", "action", "output", "error", "messages",
                  "spawns", "assignments", "targets"]


def messages_frame(store: LogStore) -> pd.DataFrame:
    """One row per evaluated message (scheduled messages and crons), in evaluation order."""
    rows = store.rows()
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=MESSAGE_COLUMNS)
    frame = frame.rename(columns={"from_": "from"})
    frame["tags"] = [first_tag_map(json.loads(t)) for t in frame["tags"]]
    frame["cron"] = frame["cron"].astype(bool)
    frame["slot"] = frame["slot"].astype("Int64")
    return frame[MESSAGE_COLUMNS].reset_index(drop=True)


def results_frame(store: LogStore) -> pd.DataFrame:
    """One row per evaluated message with what it produced: counts and the targets it sent to."""
    records = []
    for row in store.rows():
        res = json.loads(row["result"]) if row["result"] else {}
        records.append({
            "id": row["id"], "process": row["process"], "slot": row["slot"],
            "timestamp": row["timestamp"], "action": row["action"], "output": row["output"],
            "error": row["error"], "messages": len(res.get("messages", [])),
            "spawns": len(res.get("spawns", [])),
            "assignments": len(res.get("assignments", [])),
            "targets": [m["target"] for m in res.get("messages", []) if m.get("target")],
        })
    frame = pd.DataFrame(records, columns=RESULT_COLUMNS)
    frame["slot"] = frame["slot"].astype("Int64")
    return frame
