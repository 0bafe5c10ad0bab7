"""The `%ao` commands that show the network: inbox and log tables, the process list, and the
graph, timeline and sequence widgets (a mixin of `AoMagics`, which supplies `net`, `process`,
`name_of` and `current`)."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import Any

from ..process import Wallet
from . import display as ui
from .celltext import short, table_text
from .luacode import error_text


def _action_filter(args: argparse.Namespace) -> dict[str, Any]:
    """The `--action` option as widget keyword arguments: one name, or a list of them."""
    if not args.action:
        return {}
    return {"action": args.action[0] if len(args.action) == 1 else args.action}


class ViewCommands:
    """`%ao inbox`, `log`, `processes`, `graph`, `timeline` and `sequence`."""

    net: Any
    current: str | None
    process: Callable[..., Any]
    name_of: Callable[[str | None], str]

    def cmd_inbox(self, args: argparse.Namespace, cell: str | None) -> Any:
        import pandas as pd

        rows = []
        if args.wallet is not None:
            wallet = self.net.wallet(str(args.wallet)) if not isinstance(
                args.wallet, Wallet) else args.wallet
            for msg in wallet.inbox:
                rows.append({"from": self.name_of(msg.from_), "action": msg.action or "",
                             "data": short(msg.data)})
        else:
            for item in self.process(args.process).inbox:
                rows.append({"from": self.name_of(item.get("From")),
                             "action": item.get("Action") or "",
                             "data": short(item.get("Data") or "")})
        frame = pd.DataFrame(rows, columns=["from", "action", "data"])
        return frame.tail(args.n) if args.n else frame

    def cmd_log(self, args: argparse.Namespace, cell: str | None) -> Any:
        frame = self.net.messages()
        if not args.all:
            frame = frame[frame["process"] == self.process(args.process).id]
        columns = ["slot", "action", "from", "data", "output", "error"]
        table = frame[columns].copy()
        if args.all:
            table.insert(0, "process", [self.name_of(p) for p in frame["process"]])
        table["action"] = [table_text(a) for a in frame["action"]]
        table["from"] = [self.name_of(table_text(a)) for a in frame["from"]]
        table["data"] = [short(table_text(d)) for d in frame["data"]]
        table["output"] = [short(ui.plain_text(table_text(o))) for o in frame["output"]]
        errors = [table_text(e) for e in frame["error"]]
        table["error"] = [error_text(e) if e else "" for e in errors]
        if not any(table["error"]):
            table = table.drop(columns=["error"])
        table = table.reset_index(drop=True)
        return table.tail(args.n) if args.n else table

    def _widgets(self, name: str) -> Callable[..., Any] | None:
        try:
            widgets = importlib.import_module("ao_kernel.widgets")
        except Exception as exc:  # noqa: BLE001 - any import problem means "not available"
            print(f"%ao {name}: ao_kernel.widgets is not available ({exc})")
            return None
        fn = getattr(widgets, name, None)
        if fn is None:
            print(f"%ao {name}: ao_kernel.widgets has no {name}() yet")
        return fn

    def cmd_graph(self, args: argparse.Namespace, cell: str | None) -> Any:
        fn = self._widgets("graph")
        if fn is None:
            return None
        options = _action_filter(args)
        if args.static:
            options["interactive"] = False
        return fn(self.net, **options)

    def cmd_timeline(self, args: argparse.Namespace, cell: str | None) -> Any:
        words = [str(w) for w in args.expression]
        proc = None
        if len(words) > 1:
            try:
                proc = self.net.process(args.expression[0])
                words = words[1:]
            except KeyError:
                proc = None
        proc = proc or self.process(None)
        fn = self._widgets("timeline")
        if fn is None:
            return None
        options = {"plot": args.plot} if args.plot else {}
        return fn(proc, " ".join(words), **options)

    def cmd_sequence(self, args: argparse.Namespace, cell: str | None) -> Any:
        fn = self._widgets("sequence")
        if fn is None:
            return None
        options = _action_filter(args)
        if args.processes:
            options["processes"] = [self.process(p) for p in args.processes]
        if args.limit is not None:
            options["limit"] = args.limit
        return fn(self.net, **options)

    def cmd_processes(self, args: argparse.Namespace, cell: str | None) -> Any:
        import pandas as pd

        rows = [{"name": p.name or "", "id": p.id, "owner": self.name_of(p.owner),
                 "messages": len(p.log), "current": "*" if p.id == self.current else ""}
                for p in self.net.processes]
        return pd.DataFrame(rows, columns=["name", "id", "owner", "messages", "current"])
