"""The message graph: who talks to whom, as a networkx MultiDiGraph (pure data, no drawing).

Nodes are processes (kind "process"), wallets (kind "wallet": any address that is not a process)
and, when crons fired, the scheduler's clock (kind "clock", id "cron"). Edges are aggregated by
(sender, receiver, kind, action) and keyed "kind:action"; each carries `count`, `errors`, the
first and last timestamp and log seq. Edge kinds: "message" (evaluated by a process), "delivery"
(to a wallet), "cron", "assignment", and "spawn" (parent -> child: the Process message).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from ._log import Hop, action_filter, hops, in_window, parties, party

if TYPE_CHECKING:
    from ..network import Network

EDGE_COLUMNS = ["sender", "receiver", "kind", "action", "count", "errors", "first_timestamp",
                "last_timestamp", "sender_label", "receiver_label"]


def edge_key(kind: str, action: str | None) -> str:
    """The key of an aggregated edge in the MultiDiGraph."""
    return f"{kind}:{action or ''}"


def message_graph(net: Network, action: str | Iterable[str] | None = None,
                  since: int | None = None, until: int | None = None,
                  spawns: bool | None = None) -> nx.MultiDiGraph:
    """Who sent what to whom, aggregated.

    `action` keeps only message edges with that Action (a name or several). Spawn edges (the
    Process message, parent -> child) are shown when no action is chosen; `spawns=True` or
    `False` forces them in or out. `since`/`until`
    (ms, inclusive) keep the messages evaluated in that window; processes spawned after `until`
    are left out. Node and edge order is the order of first appearance in the log.
    """
    actions = action_filter(action)
    if spawns is None:
        spawns = actions is None
    known = parties(net)
    graph = nx.MultiDiGraph(action=sorted(actions) if actions else None, since=since,
                            until=until)
    all_hops = hops(net)
    spawned_at = {h.receiver: h.timestamp for h in all_hops if h.kind == "spawn"}
    for pid in net.messenger.processes:
        t = spawned_at.get(pid)
        if until is not None and t is not None and t > until:
            continue
        _add_node(graph, known, pid)
    messages = 0
    for hop in all_hops:
        if not in_window(hop, since, until):
            continue
        if hop.kind == "spawn":
            if not spawns:
                continue
        elif actions is not None and hop.action not in actions:
            continue
        _add_hop(graph, known, hop)
        messages += 1
    graph.graph["messages"] = messages
    return graph


def _add_node(graph: nx.MultiDiGraph, known: dict[str, Any], ident: str) -> None:
    if ident in graph:
        return
    p = party(known, ident)
    graph.add_node(ident, kind=p.kind, label=p.label, name=p.name, owner=p.owner,
                   parent=p.parent)


def _add_hop(graph: nx.MultiDiGraph, known: dict[str, Any], hop: Hop) -> None:
    _add_node(graph, known, hop.sender)
    _add_node(graph, known, hop.receiver)
    action = None if hop.kind == "spawn" else hop.action
    key = edge_key(hop.kind, action)
    if graph.has_edge(hop.sender, hop.receiver, key):
        data = graph.edges[hop.sender, hop.receiver, key]
        data["count"] += 1
        data["errors"] += hop.error is not None
        data["last_timestamp"] = hop.timestamp
        data["last_seq"] = hop.seq
        return
    graph.add_edge(hop.sender, hop.receiver, key=key, kind=hop.kind, action=action, count=1,
                   errors=int(hop.error is not None), first_timestamp=hop.timestamp,
                   last_timestamp=hop.timestamp, first_seq=hop.seq, last_seq=hop.seq)


def edges_frame(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """The aggregated edges as a table, one row per (sender, receiver, kind, action)."""
    rows = []
    for sender, receiver, data in graph.edges(data=True):
        rows.append({"sender": sender, "receiver": receiver, "kind": data["kind"],
                     "action": data["action"], "count": data["count"],
                     "errors": data["errors"], "first_timestamp": data["first_timestamp"],
                     "last_timestamp": data["last_timestamp"],
                     "sender_label": graph.nodes[sender]["label"],
                     "receiver_label": graph.nodes[receiver]["label"]})
    return pd.DataFrame(rows, columns=EDGE_COLUMNS)
