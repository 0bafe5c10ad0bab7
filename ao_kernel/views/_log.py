"""What the views share: the log read once as a list of "hops" (who sent what to whom, when).

A hop is one arrow of the picture: an evaluated message (a spawn, a message, a cron, an
assignment) or a delivery to a wallet, which the log stores as the outbox of the message whose
result made it. Hops come in evaluation order, a delivery right after the message that caused it.
Only the recorded log is read (`store.rows()` and the stored results), never the live runtimes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..message import plain

if TYPE_CHECKING:
    from ..network import Network

CRON = "cron"  # the virtual sender of cron messages: the scheduler's clock


@dataclass(frozen=True)
class Hop:
    """One message travelling from `sender` to `receiver` (addresses or process ids)."""

    index: int  # position among all hops, in evaluation order
    seq: int  # the log row of the evaluated message (for deliveries: the message that sent them)
    kind: str  # "spawn", "message", "cron", "assignment" or "delivery" (to a wallet)
    sender: str  # From; CRON for crons
    receiver: str  # the process that evaluated it, or the wallet it was delivered to
    action: str | None
    slot: int | None
    timestamp: int | None
    id: str | None
    error: str | None = None  # the last line of the error message
    data: str = ""


@dataclass(frozen=True)
class Party:
    """A node or lane: a process, a wallet (any non-process address) or the cron clock."""

    id: str
    kind: str  # "process", "wallet" or "clock"
    label: str
    name: str | None = None
    owner: str | None = None
    parent: str | None = None


def short(address: str | None, size: int = 8) -> str:
    """The first characters of an id, for labels."""
    if not address:
        return "?"
    return address[:size] + "…" if len(address) > size else address


def wallet_names(net: Network) -> dict[str, str]:
    """Address -> wallet name for the wallets Python created (and the MU)."""
    names = {net.mu: "MU"}
    for wallet in sorted(net.wallets, key=lambda w: w.name):
        names[wallet.address] = wallet.name
    return names


def parties(net: Network) -> dict[str, Party]:
    """Every process, in spawn order, then every named wallet; labels are unique."""
    out: dict[str, Party] = {}
    infos = net.messenger.processes
    counts: dict[str, int] = {}
    for info in infos.values():
        if info.name:
            counts[info.name] = counts.get(info.name, 0) + 1
    for pid, info in infos.items():
        label = info.name or short(pid)
        if info.name and counts[info.name] > 1:
            label = f"{info.name} ({pid[:4]})"
        out[pid] = Party(pid, "process", label, info.name, info.owner, info.parent)
    for address, name in wallet_names(net).items():
        if address not in out:
            out[address] = Party(address, "wallet", name, name)
    return out


def party(known: dict[str, Party], ident: str) -> Party:
    """A known party, the clock, or an unnamed wallet."""
    if ident in known:
        return known[ident]
    if ident == CRON:
        return Party(CRON, "clock", "⏱ cron")
    return Party(ident, "wallet", short(ident))


def _action(tags: Iterable[Any]) -> str | None:
    for name, value in tags:
        if name == "Action":
            return str(value)
    return None


_KINDS = {"process": "spawn", "message": "message", "cron": "cron", "assignment": "assignment"}


def short_error(error: str | None) -> str | None:
    """The last line of an error without colours (like `Result.error_message`). The full text
    holds a Lua stack traceback whose function names are not stable from run to run."""
    if error is None:
        return None
    lines = [line for line in plain(error).splitlines() if line.strip()]
    return lines[-1] if lines else "error"


def hops(net: Network) -> list[Hop]:
    """Every hop of the network, in evaluation order."""
    processes = net.messenger.processes
    out: list[Hop] = []
    for row in net.store.rows():
        kind = _KINDS.get(row["kind"], "message")
        receiver = row["process"] or row["target"] or ""
        sender = CRON if kind == "cron" else (row["from_"] or row["owner"] or "")
        out.append(Hop(len(out), row["seq"], kind, sender, receiver, row["action"], row["slot"],
                       row["timestamp"], row["id"], short_error(row["error"]), row["data"] or ""))
        result = json.loads(row["result"]) if row["result"] else {}
        for entry in result.get("messages", []):
            target = entry.get("target")
            if not target or target in processes:
                continue  # dropped by the MU, or evaluated (and logged) by its target later
            out.append(Hop(len(out), row["seq"], "delivery", receiver, target,
                           _action(entry.get("tags", [])), None, row["timestamp"],
                           entry.get("pushed"), None, entry.get("data") or ""))
    return out


def in_window(hop: Hop, since: int | None, until: int | None) -> bool:
    """Whether a hop's timestamp falls in [since, until] (ms; None means open)."""
    t = hop.timestamp
    if t is None:
        return since is None and until is None
    return (since is None or t >= since) and (until is None or t <= until)


def action_filter(action: str | Iterable[str] | None) -> set[str] | None:
    """None (every action) or the set of actions to keep."""
    if action is None:
        return None
    if isinstance(action, str):
        return {action}
    return {str(a) for a in action}
