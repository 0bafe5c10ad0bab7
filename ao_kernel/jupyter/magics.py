"""The `%ao` IPython extension: `%load_ext ao_kernel` in any IPython kernel.

`%%ao [process]` evaluates the cell's Lua in a process (an Eval from its owner, like the aos
REPL) and `%ao COMMAND ...` drives the network (`%ao help` lists the commands). The network is
the `Network` called `net` in the user namespace (`%config AoMagics.network_name = "name"`);
the last result is in `_`, like any IPython value.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import shlex
from collections.abc import Callable
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
from traitlets import Unicode

from .. import gcpolicy
from ..clock import parse_interval
from ..errors import AoError, LuaError
from ..message import Message, Result
from ..network import Network
from ..process import Process, Wallet
from . import display as ui
from .celltext import cell_data, iso, parse_tags, read_lua, segments, short
from .commands import (
    ALIASES,
    COMMANDS,
    PROGRESS_QUEUE,
    PROGRESS_SPAN_MS,
    _Exit,
    _parsers,
    _progress,
    blueprint_source,
)
from .luacode import error_text, is_blank, syntax_error, with_last_value
from .view_commands import ViewCommands

DEFAULT_PROCESS = "default"
_VARIABLE = re.compile(r"\$(?:([A-Za-z_]\w*)|\$)")


class LuaCellError(LuaError):
    """Lua code from a cell failed; shown as one red line with the cell's line number."""

    def _render_traceback_(self) -> list[str]:
        return [ui.red(f"Lua error: {self}")]


class Interrupted(AoError):
    """The user interrupted Lua code; the process was rolled back to before the message."""

    def _render_traceback_(self) -> list[str]:
        return [ui.red(f"Interrupted: {self}")]


class CellResult(Result):
    """A `Result` that notebooks show as the aos REPL would: its output (coloured), or nothing.

    The magics show it as soon as it is made (so a cell ending in `;` still shows what was
    printed); the display hook then does not show it again.
    """

    @classmethod
    def of(cls, result: Result) -> CellResult:
        """The same result, with notebook display."""
        return cls(**{f.name: getattr(result, f.name) for f in dataclasses.fields(Result)
                      if f.init})

    summary: list[str] | None = None
    shown: bool = False

    def _ipython_display_(self) -> None:
        if self.shown:
            return
        self.shown = True
        if self.output:
            ui.show(ui.output_bundle(self.output))
        if self.summary:
            print("\n".join(self.summary))


@magics_class
class AoMagics(ViewCommands, Magics):
    """`%ao` and `%%ao`: a deterministic ao network in the notebook."""

    network_name = Unicode("net", help="the user-namespace name of the Network").tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self.parsers = _parsers()
        self._net: Network | None = None
        self.current: str | None = None

    # -- the network and the current process --
    @property
    def net(self) -> Network:
        """The user's network: `net` in the namespace (made when missing or replaced)."""
        ns = self.shell.user_ns if self.shell is not None else {}
        found = ns.get(self.network_name)
        if isinstance(found, Network):
            if found is not self._net:
                self._net, self.current = found, None
            return found
        if self._net is None:
            self._net = Network()
            self.current = None
        ns[self.network_name] = self._net
        return self._net

    def set_network(self, net: Network) -> None:
        """Bind `net` as the network (in the namespace too)."""
        self._net, self.current = net, None
        if self.shell is not None:
            self.shell.user_ns[self.network_name] = net

    def process(self, ref: Any = None, spawn_default: bool = False) -> Process:
        """A process by name/id/object; None means the current one."""
        net = self.net
        if ref is None:
            if self.current is not None and self.current in net.messenger.processes:
                return net.process(self.current)
            if not spawn_default:
                raise UsageError("no current process: %ao spawn NAME, or %ao use NAME")
            proc = net.spawn(DEFAULT_PROCESS)
            self.current = proc.id
            return proc
        try:
            return net.process(ref)
        except KeyError as exc:
            raise UsageError(str(exc) if str(exc) else f"unknown process {ref!r}") from None

    def _address(self, ref: str | None) -> str | None:
        """A sender/owner: a wallet name, a process name, or an address."""
        if ref is None:
            return None
        net = self.net
        if isinstance(ref, (Wallet, Process)):
            return ref.id
        if ref in net.messenger.processes:
            return ref
        named = net.messenger.named.get(ref, [])
        if len(named) == 1:
            return named[0]
        if len(ref) == 43:
            return ref
        return net.wallet(ref).address

    def name_of(self, address: str | None) -> str:
        """A readable name for an address: a process name, a wallet name, or a short id."""
        if not address:
            return ""
        net = self.net
        info = net.messenger.processes.get(address)
        if info is not None and info.name:
            return info.name
        for wallet in net.wallets:
            if wallet.address == address:
                return wallet.name
        return address[:8] + "…"

    # -- the magic --
    @no_var_expand
    @line_cell_magic
    def ao(self, line: str, cell: str | None = None) -> Any:
        """%%ao [PROCESS]: run the cell's Lua in a process.  %ao COMMAND: see %ao help."""
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"{exc} in: {line}") from None
        words = [self._expand(w) for w in words]
        if cell is not None and not (words and self._command(words[0]) in ("spawn", "send",
                                                                             "dryrun")):
            return self.run_cell(cell, words)
        if not words:
            raise UsageError("%ao needs a command; %ao help lists them")
        return self.command(words, cell)

    def _expand(self, word: str) -> Any:
        """`$name` is the value of a Python variable (a whole-word process or wallet stays an
        object); `$$` is a literal `$`."""
        ns = self.shell.user_ns if self.shell is not None else {}
        whole = _VARIABLE.fullmatch(word)
        if whole and isinstance(ns.get(whole.group(1)), (Process, Wallet)):
            return ns[whole.group(1)]

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name is None:
                return "$"
            if name not in ns:
                raise UsageError(f"${name}: no Python variable called {name!r} "
                                 "(write $$ for a literal $)")
            return str(ns[name])

        return _VARIABLE.sub(value, word)

    def _command(self, word: Any) -> str | None:
        name = ALIASES.get(word, word) if isinstance(word, str) else None
        return name if name in COMMANDS else None

    def command(self, words: list[Any], cell: str | None = None) -> Any:
        """Run `%ao WORDS...`."""
        name = self._command(words[0])
        if name is None:
            raise UsageError(f"unknown command {words[0]!r}; commands: "
                             f"{', '.join(c for c in COMMANDS if c != 'tick')} "
                             "(%ao help COMMAND for details)")
        parser = self.parsers[words[0] if words[0] in self.parsers else name]
        objects = {str(w): w for w in words if not isinstance(w, str)}
        try:
            args = parser.parse_args([str(w) for w in words[1:]])
        except _Exit:
            return None
        for key, value in vars(args).items():
            if isinstance(value, str) and value in objects:
                setattr(args, key, objects[value])
            elif isinstance(value, list):
                setattr(args, key, [objects.get(v, v) if isinstance(v, str) else v
                                    for v in value])
        handler: Callable[..., Any] = getattr(self, "cmd_" + name)
        try:
            return handler(args, cell)
        except (UsageError, LuaCellError, Interrupted):
            raise
        except KeyboardInterrupt:
            raise Interrupted("the message was stopped and the process rolled back") from None
        except LuaError as exc:
            raise LuaCellError(error_text(str(exc))) from None
        except (AoError, KeyError, ValueError, TypeError, OSError) as exc:
            text = str(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)
            text = text or type(exc).__name__
            raise UsageError(f"{text}\n{parser.format_usage().strip()}") from None

    # -- %%ao: Lua in a process --
    def run_cell(self, cell: str, words: list[Any]) -> Any:
        """Evaluate the cell's Lua; lines starting with `%` in it are IPython line magics."""
        # The ao kernel wraps plain Lua cells as `%%ao --cell-lines`: the body is then the whole
        # cell, so line numbers need no shift for a `%%ao` line.
        base = 1
        if words[:1] == ["--cell-lines"]:
            base, words = 0, words[1:]
        sender = None
        if "--from" in words:
            i = words.index("--from")
            if i + 1 >= len(words):
                raise UsageError("--from needs a wallet name\nusage: %%ao [PROCESS] "
                                 "[--from WALLET]")
            sender = self._address(words[i + 1])
            words = words[:i] + words[i + 2:]
        if words in (["-h"], ["--help"]):
            print("usage: %%ao [PROCESS] [--from WALLET]\n\nEvaluate the cell's Lua in PROCESS "
                  "(default: the current one) as an Eval from its owner, like the aos REPL.\n"
                  "Printed lines and the value of the last expression are shown; end the cell "
                  "with ';' to hide the value.\nLines starting with % are IPython line magics "
                  "(%ao send ...). The Result is in _.")
            return None
        if len(words) > 1:
            raise UsageError(f"too many arguments: {' '.join(map(str, words))}\n"
                             "usage: %%ao [PROCESS] [--from WALLET]")
        proc: Process | None = None
        if words:
            proc = self.process(words[0])
            self.current = proc.id
        parts = segments(cell)
        value: Any = None
        for i, (start, kind, text) in enumerate(parts):
            last = i == len(parts) - 1
            if kind == "magic":
                name, _, rest = text[1:].partition(" ")
                value = self.shell.run_line_magic(name, rest) if self.shell else None
                proc = None            # the magic may have changed the current process
            else:
                if proc is None:
                    proc = self.process(None, spawn_default=True)
                value = self.evaluate(proc, text, offset=start + base, sender=sender)
                value._ipython_display_()
            if not last and value is not None:
                _display(value)
                value = None
        return value

    def evaluate(self, proc: Process, code: str, offset: int = 0, sender: Any = None,
                 last_value: bool = True, where: str = "line") -> CellResult:
        """An Eval of `code` in `proc`; Lua errors raise LuaCellError (red, with the line)."""
        sent = with_last_value(code) if last_value else code
        err = syntax_error(sent)
        if err is not None and syntax_error("return " + sent) is None:
            err = None
        if err is not None:
            raise LuaCellError(error_text(err, offset, where))
        try:
            result = proc.eval(sent, sender=sender)
        except KeyboardInterrupt:
            raise Interrupted(f"the Lua code was stopped; process {proc.name or proc.id} is as "
                              "it was before this cell") from None
        if result.error is not None:
            raise LuaCellError(error_text(result.error, offset, where))
        return CellResult.of(result)

    # -- commands --
    def cmd_help(self, args: argparse.Namespace, cell: str | None) -> None:
        if args.command:
            name = ALIASES.get(args.command, args.command)
            if name not in self.parsers:
                raise UsageError(f"unknown command {args.command!r}; %ao help lists them")
            self.parsers[args.command].print_help()
            return
        lines = ["%%ao [PROCESS]          run the cell's Lua in PROCESS (default: the current "
                 f"one; a process {DEFAULT_PROCESS!r} is spawned when there is none)",
                 "%ao COMMAND ...         commands (each has --help):"]
        lines += [f"  {name:<10} {text}" for name, text in COMMANDS.items() if name != "tick"]
        lines.append(f"The network is `{self.network_name}`; the last result is `_`; "
                     "$name in a command is a Python variable.")
        print("\n".join(lines))

    def _code_for_spawn(self, args: argparse.Namespace, cell: str | None) -> list[tuple[str,
                                                                                          str]]:
        parts: list[tuple[str, str]] = []
        if args.blueprint:
            parts.append((f"blueprint {args.blueprint}", blueprint_source(args.blueprint)))
        if args.file:
            parts.append((args.file, read_lua(args.file)))
        if cell is not None and not is_blank(cell):
            parts.append(("line", cell))
        return parts

    def cmd_spawn(self, args: argparse.Namespace, cell: str | None) -> Process:
        parts = self._code_for_spawn(args, cell)
        for where, code in parts:
            err = syntax_error(code)
            if err is not None:
                raise LuaCellError(error_text(err, 1 if where == "line" else 0,
                                              where if where == "line" else f"{where}, line"))
        tags = parse_tags(args.tag)
        if args.cron:
            tags += [("Cron-Interval", args.cron), ("Cron-Tag-Action", args.cron_action)]
        net = self.net
        existing = [p for p in net.processes if p.name == args.name]
        if existing and not args.new:
            # Re-running a cell should not make a twin: reuse it and load the code again
            # (aos handlers added under the same name are replaced in place).
            proc = existing[-1]
            print(f"{args.name} already exists; loading into it (--new spawns another)")
        else:
            proc = net.spawn(args.name, owner=self._address(args.owner), tags=tags)
        if not args.keep_current:
            self.current = proc.id
        for where, code in parts:
            result = self.evaluate(proc, code, offset=1 if where == "line" else 0,
                                   last_value=where == "line",
                                   where=where if where == "line" else f"{where}, line")
            if result.output:
                ui.show(ui.output_bundle(result.output))
        return proc

    def _message_target(self, args: argparse.Namespace) -> tuple[Process, str]:
        target = args.target
        if len(target) > 2:
            raise UsageError(f"expected [PROCESS] ACTION, got {len(target)} words (quote "
                             "values with spaces)")
        proc = self.process(target[0] if len(target) == 2 else None)
        return proc, str(target[-1])

    def _message_fields(self, args: argparse.Namespace, cell: str | None) -> dict[str, Any]:
        """send/dryrun arguments: target, action, data (the cell unless -d), tags, sender."""
        proc, action = self._message_target(args)
        data = cell_data(cell) if cell is not None and args.data is None else (args.data or "")
        return {"target": proc, "action": action, "data": data, "tags": parse_tags(args.tag),
                "sender": self._address(args.sender)}

    def cmd_send(self, args: argparse.Namespace, cell: str | None) -> Message:
        msg = self.net.send(**self._message_fields(args, cell))
        if msg.result is not None:
            _show_result(msg.result, self)
        return msg

    def cmd_dryrun(self, args: argparse.Namespace, cell: str | None) -> CellResult:
        result = self.net.dryrun(**self._message_fields(args, cell))
        if result.error is not None:
            raise LuaCellError(error_text(result.error))
        shown = CellResult.of(result)
        shown.summary = _summary(result, self)
        shown._ipython_display_()
        return shown

    def cmd_use(self, args: argparse.Namespace, cell: str | None) -> Process:
        proc = self.process(args.process)
        self.current = proc.id
        return proc

    def cmd_advance(self, args: argparse.Namespace, cell: str | None) -> list[Message] | None:
        interval = int(args.interval) if str(args.interval).isdigit() else args.interval
        target = self.net.clock.target_of(parse_interval(interval))
        show = args.progress
        if show is None:  # decided by the request, not by timing, so outputs are reproducible
            show = target - self.net.now >= PROGRESS_SPAN_MS
        with _progress(self.net, show, until=target, description="advance"):
            fired = self.net.advance(interval)
        errors = [m for m in fired if m.result is not None and m.result.error]
        print(f"fired {len(fired)} cron message{'s' if len(fired) != 1 else ''}"
              + (f" ({len(errors)} failed)" if errors else "")
              + f"; now {iso(self.net.now)}, block {self.net.block_height}")
        return None if args.quiet or not fired else fired

    def cmd_run(self, args: argparse.Namespace, cell: str | None) -> int:
        show = args.progress
        if show is None:
            show = len(self.net.messenger.queue) >= PROGRESS_QUEUE
        with _progress(self.net, show, description="run"):
            return self.net.run(limit=args.limit)

    def cmd_step(self, args: argparse.Namespace, cell: str | None) -> Message | None:
        msg = self.net.step()
        if msg is None:
            print("nothing queued")
        elif msg.result is not None:
            _show_result(msg.result, self)
        return msg

    def cmd_pending(self, args: argparse.Namespace, cell: str | None) -> list[Message]:
        return self.net.pending()

    def cmd_get(self, args: argparse.Namespace, cell: str | None) -> Any:
        return self.process(args.process).get(" ".join(map(str, args.expression)))

    def cmd_reset(self, args: argparse.Namespace, cell: str | None) -> None:
        old = self._net
        options: dict[str, Any] = {}
        if args.instruction_limit is not None:
            options["instruction_limit"] = args.instruction_limit or None
        net = Network(path=args.path, seed=args.seed, auto_run=not args.manual, **options)
        if old is not None and old is not net and old.store.durable:
            old.close()
        self.set_network(net)
        mode = "manual (%ao run / step)" if args.manual else "automatic"
        print(f"new network {self.network_name} (seed {net.seed}, {mode})")

    def cmd_load(self, args: argparse.Namespace, cell: str | None) -> CellResult:
        if (args.file is None) == (args.blueprint is None):
            raise UsageError("give a FILE.lua or --blueprint NAME\n"
                             + self.parsers["load"].format_usage().strip())
        if args.blueprint:
            where, code = f"blueprint {args.blueprint}, line", blueprint_source(args.blueprint)
        else:
            where, code = f"{args.file}, line", read_lua(args.file)
        return self.evaluate(self.process(args.process), code, last_value=False, where=where)


def _display(value: Any) -> None:
    from IPython.display import display

    display(value)


def _summary(result: Result, magics: AoMagics) -> list[str]:
    """One line per message and spawn a result sent."""
    lines = []
    for msg in result.messages:
        to = magics.name_of(msg.target) if msg.target else "(no target)"
        data = f" {short(msg.data, 40)!r}" if msg.data else ""
        lines.append(f"→ {to}: {msg.action or '(no action)'}{data}")
    for spawn in result.spawns:
        lines.append(f"→ spawn {spawn.tags.get('Name', '')}".rstrip())
    return lines


def _show_result(result: Result, magics: AoMagics) -> None:
    """What a message did: its output, its error (red), the messages it sent."""
    if result.error is not None:
        ui.show(ui.error_bundle("Lua error: " + error_text(result.error)))
        return
    if result.output:
        ui.show(ui.output_bundle(result.output))
    lines = _summary(result, magics)
    if lines:
        print("\n".join(lines))


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext ao_kernel`: register %ao / %%ao and put `net` in the namespace."""
    magics = AoMagics(ipython)
    ipython.register_magics(magics)
    _ = magics.net
    if gcpolicy.idle not in ipython.events.callbacks["post_run_cell"]:
        ipython.events.register("post_run_cell", gcpolicy.idle)  # full collections go here


def magics_of(ipython: Any) -> AoMagics | None:
    """The AoMagics registered in a shell (None before `%load_ext ao_kernel`)."""
    found = ipython.magics_manager.registry.get("AoMagics")
    return found if isinstance(found, AoMagics) else None
