"""Sequence-diagram data: lanes (processes, wallets) and arrows (messages) in evaluation order.

Pure data; `ao_kernel.widgets.sequence` draws it. Each arrow is a `Hop` (see `_log.py`): a spawn,
a message evaluated by a process, a cron (sender "cron", drawn as a clock mark on the lane), an
assignment, or a delivery to a wallet, placed right after the message whose result sent it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ._log import CRON, Hop, Party, action_filter, hops, in_window, parties, party

if TYPE_CHECKING:
    from ..network import Network

SEQUENCE_COLUMNS = ["index", "seq", "kind", "sender", "receiver", "action", "slot", "timestamp",
                    "id", "error"]


@dataclass
class Sequence:
    """Lanes left to right and arrows top to bottom; `total` arrows matched before `limit`."""

    lanes: list[Party]
    arrows: list[Hop]
    total: int
    start: int = 0
    limit: int | None = None
    filters: dict[str, Any] = field(default_factory=dict)

    @property
    def truncated(self) -> int:
        """How many matching arrows were left out after the window."""
        return max(0, self.total - self.start - len(self.arrows))

    def lane_index(self, ident: str) -> int | None:
        """The position of a lane, or None (the cron clock has no lane)."""
        for i, lane in enumerate(self.lanes):
            if lane.id == ident:
                return i
        return None

    def frame(self) -> pd.DataFrame:
        """The arrows as a table."""
        rows = [{"index": h.index, "seq": h.seq, "kind": h.kind, "sender": h.sender,
                 "receiver": h.receiver, "action": h.action, "slot": h.slot,
                 "timestamp": h.timestamp, "id": h.id, "error": h.error} for h in self.arrows]
        frame = pd.DataFrame(rows, columns=SEQUENCE_COLUMNS)
        frame["slot"] = frame["slot"].astype("Int64")
        return frame


def _ids(net: Network, processes: Iterable[Any] | None) -> list[str] | None:
    if processes is None:
        return None
    if isinstance(processes, str) or hasattr(processes, "id"):
        processes = [processes]
    out = []
    for ref in processes:
        ident = getattr(ref, "id", None) or str(ref)
        if ident in net.messenger.processes:
            out.append(ident)
            continue
        try:
            out.append(net._pid(ident))  # a name
        except KeyError:
            out.append(ident)  # a wallet address
    return out


def sequence(net: Network, processes: Iterable[Any] | None = None, limit: int | None = 200,
             start: int = 0, action: str | Iterable[str] | None = None,
             since: int | None = None, until: int | None = None,
             crons: bool = True) -> Sequence:
    """The arrows touching `processes` (all when None; processes, names or addresses), in order.

    `start` skips that many matching arrows and `limit` keeps at most that many after it (a
    window over long logs); `action`, `since`/`until` (ms) and `crons=False` filter further.
    Lanes: the requested processes first (in the order given), then every other party in the
    order it first appears in the window.
    """
    chosen = _ids(net, processes)
    wanted = set(chosen) if chosen is not None else None
    actions = action_filter(action)
    matching = []
    for hop in hops(net):
        if wanted is not None and hop.sender not in wanted and hop.receiver not in wanted:
            continue
        if actions is not None and hop.action not in actions:
            continue
        if not crons and hop.kind == "cron":
            continue
        if in_window(hop, since, until):
            matching.append(hop)
    window = matching[start:] if limit is None else matching[start:start + limit]
    known = parties(net)
    order: list[str] = list(chosen or [])
    for hop in window:
        for ident in (hop.sender, hop.receiver):
            if ident != CRON and ident not in order:
                order.append(ident)
    lanes = [party(known, ident) for ident in order]
    filters = {"processes": chosen, "action": sorted(actions) if actions else None,
               "since": since, "until": until, "crons": crons}
    return Sequence(lanes, window, len(matching), start, limit, filters)
