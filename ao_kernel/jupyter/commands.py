"""The `%ao` commands: their argparse parsers (built once), help texts and blueprints."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from importlib import resources
from typing import Any

from IPython.core.error import UsageError


class _Exit(Exception):
    """argparse finished early (after --help)."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports mistakes as a one-line UsageError followed by the usage."""

    def error(self, message: str) -> Any:
        raise UsageError(f"{message}\n{self.format_usage().strip()}")

    def exit(self, status: int = 0, message: str | None = None) -> Any:
        if message:
            print(message)
        raise _Exit()


# -- commands: each has a parser (built once) and a handler method `cmd_<name>` --
COMMANDS: dict[str, str] = {
    "spawn": "spawn a process (code from the cell, --file or --blueprint); it becomes current",
    "send": "send a message: %ao send [PROCESS] ACTION [-d DATA] [-t NAME=VALUE ...]",
    "use": "make a process the current one (where %%ao cells run)",
    "inbox": "a process's Inbox (or a wallet's, with --wallet) as a table",
    "advance": "move the virtual clock (5000, 35-seconds, 2-blocks) and fire crons",
    "tick": "the same as advance",
    "run": "carry queued messages (networks made with %ao reset --manual)",
    "step": "carry one queued message",
    "pending": "the messages still queued",
    "dryrun": "evaluate a read-only message: nothing changes",
    "log": "the messages a process evaluated (or all, with --all) as a table",
    "graph": "the network as a graph (who sent what to whom)",
    "timeline": "a Lua expression after every message of a process",
    "sequence": "the messages as a sequence diagram",
    "get": "read a Lua expression from a process, as a Python value",
    "processes": "the processes of the network",
    "reset": "a new, empty network (bound to the same name)",
    "load": "evaluate a .lua file (or --blueprint NAME) in a process",
    "help": "this list, or the help of one command",
}
ALIASES = {"tick": "advance", "ps": "processes"}
PROGRESS_SPAN_MS = 3_600_000  # advancing an hour or more of virtual time shows progress
PROGRESS_QUEUE = 1_000  # running with this many queued shows progress


@contextlib.contextmanager
def _progress(net: Any, show: bool, **options: Any) -> Iterator[None]:
    """A live progress bar around a long crank, when asked to show one."""
    if not show:
        yield
        return
    from ..widgets.progress import Progress

    with Progress(net, show=True, **options):
        yield


def blueprint_names() -> list[str]:
    """The blueprints shipped in ao_kernel/lua/blueprints."""
    base = resources.files("ao_kernel.lua").joinpath("blueprints")
    return sorted(e.name[:-4] for e in base.iterdir() if e.name.endswith(".lua"))


def blueprint_source(name: str) -> str:
    """The Lua source of a blueprint; UsageError naming the ones that exist."""
    if name not in blueprint_names():
        raise UsageError(f"no blueprint {name!r}; there are: {', '.join(blueprint_names())}")
    base = resources.files("ao_kernel.lua").joinpath("blueprints")
    return base.joinpath(name + ".lua").read_text(encoding="utf-8")


def _parsers() -> dict[str, _Parser]:
    out: dict[str, _Parser] = {}

    def make(name: str, description: str | None = None) -> _Parser:
        parser = _Parser(prog=f"%ao {name}", description=description or COMMANDS[name],
                         add_help=True)
        out[name] = parser
        return parser

    def message_args(parser: _Parser) -> None:
        parser.usage = "%(prog)s [PROCESS] ACTION [-d DATA] [-t NAME=VALUE ...] [--from WALLET]"
        parser.add_argument("target", nargs="+", metavar="PROCESS ACTION",
                            help="the process (default: the current one) and the Action tag")
        parser.add_argument("-d", "--data", default=None,
                            help="the message Data (with %%%%ao, the cell is the Data)")
        parser.add_argument("-t", "--tag", action="append", default=[], metavar="NAME=VALUE",
                            help="a tag (repeat for more)")
        parser.add_argument("--from", dest="sender", default=None, metavar="WALLET",
                            help="the sender: a wallet name or an address (default: net.user)")

    p = make("spawn", "spawn a process; its code comes from the %%ao cell, --file or "
                      "--blueprint (the blueprint first, then the cell). It becomes current.")
    p.add_argument("name", help="the Name tag")
    p.add_argument("--file", "-f", default=None, help="a .lua file to load into it")
    p.add_argument("--blueprint", "-b", default=None,
                   help=f"a blueprint to load: {', '.join(blueprint_names())}")
    p.add_argument("--owner", default=None, help="the owner wallet (default: net.user)")
    p.add_argument("-t", "--tag", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--cron", default=None, metavar="INTERVAL",
                   help="a cron interval such as 10-seconds (its messages carry --cron-action)")
    p.add_argument("--cron-action", default="Cron", metavar="ACTION")
    p.add_argument("--keep-current", action="store_true", help="do not make it current")
    p.add_argument("--new", action="store_true",
                   help="spawn another process even if one with this name exists")

    message_args(make("send"))
    message_args(make("dryrun"))

    p = make("use")
    p.add_argument("process", nargs="?", help="a process name or id (none: show the current)")

    p = make("inbox")
    p.add_argument("process", nargs="?", help="default: the current process")
    p.add_argument("--wallet", "-w", nargs="?", const="user", default=None,
                   help="show a wallet's inbox instead (default wallet: user)")
    p.add_argument("-n", type=int, default=None, help="only the last N messages")

    for name in ("advance", "tick"):
        p = make(name, COMMANDS["advance"])
        p.add_argument("interval", help="ms, or N-seconds/minutes/hours/days/blocks")
        p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="show a progress bar (default: for an hour of virtual time or more)")
        p.add_argument("--quiet", "-q", action="store_true",
                       help="only the one-line summary, not each cron message")

    p = make("run")
    p.add_argument("--limit", type=int, default=None, help="at most this many")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help=f"show a progress bar (default: with {PROGRESS_QUEUE:,}+ queued)")
    make("step")
    make("pending")

    p = make("log")
    p.add_argument("process", nargs="?", help="default: the current process")
    p.add_argument("--all", "-a", action="store_true", help="every process")
    p.add_argument("-n", type=int, default=None, help="only the last N messages")

    p = make("graph")
    p.add_argument("--action", "-a", action="append", default=None,
                   help="only messages with this Action (repeat for more)")
    p.add_argument("--static", action="store_true", help="a picture, not an interactive graph")

    p = make("timeline")
    p.usage = "%(prog)s [PROCESS] EXPRESSION"
    p.add_argument("expression", nargs="+", metavar="[PROCESS] EXPRESSION",
                   help="the process (default: the current one) and a Lua expression")
    p.add_argument("--plot", default=None, help="a numeric Lua expression to chart")

    p = make("sequence")
    p.add_argument("processes", nargs="*", help="only these processes (default: all)")
    p.add_argument("--action", "-a", action="append", default=None,
                   help="only messages with this Action (repeat for more)")
    p.add_argument("--limit", "-n", type=int, default=None, help="at most N messages")

    p = make("get")
    p.add_argument("expression", nargs="+", help="a Lua expression")
    p.add_argument("-p", "--process", default=None, help="default: the current process")

    make("processes")
    make("ps", COMMANDS["processes"])

    p = make("reset")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--manual", action="store_true",
                   help="do not carry messages automatically (use %%ao run / step)")
    p.add_argument("--path", default=None, help="keep the log in this file")
    p.add_argument("--instruction-limit", type=int, default=None, metavar="N",
                   help="instructions per message (0: the host maximum, 4 billion)")

    p = make("load")
    p.add_argument("file", nargs="?", help="a .lua file")
    p.add_argument("--blueprint", "-b", default=None, help="a blueprint instead of a file")
    p.add_argument("-p", "--process", default=None, help="default: the current process")

    p = make("help")
    p.add_argument("command", nargs="?")
    return out
