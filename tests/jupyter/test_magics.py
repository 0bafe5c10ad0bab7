"""The `%ao` extension in a plain IPython shell: every command, its --help and its mistakes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from ao_kernel import Message, Network, Process, Result
from ao_kernel.jupyter.commands import COMMANDS
from ao_kernel.jupyter.display import ansi_to_html, output_bundle, plain_text
from ao_kernel.jupyter.luacode import error_text, is_incomplete, with_last_value
from ao_kernel.jupyter.magics import CellResult, Interrupted, LuaCellError, magics_of

COUNTER = """Count = 0
Handlers.add("Inc", "Inc", function(msg)
  Count = Count + tonumber(msg.Tags.By or 1)
  print("count is " .. Count)
  msg.reply({ Action = "Count", Data = tostring(Count) })
end)"""


@dataclass
class Run:
    """What running one cell gave."""

    result: Any
    error: BaseException | None
    stdout: str
    stderr: str
    outputs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def plain(self) -> str:
        return "\n".join(o.get("text/plain", "") for o in self.outputs)

    @property
    def html(self) -> str:
        return "\n".join(o.get("text/html", "") for o in self.outputs)


@pytest.fixture(scope="module")
def shell() -> Any:
    from IPython.testing.globalipapp import start_ipython

    ip = start_ipython()
    ip.run_line_magic("load_ext", "ao_kernel")
    return ip


@pytest.fixture
def ip(shell: Any) -> Any:
    """The shell with a fresh network in `net` for each test."""
    magics_of(shell).set_network(Network())
    return shell


def run(ip: Any, code: str) -> Run:
    with capture_output() as cap:
        res = ip.run_cell(code, store_history=True)
    err = res.error_in_exec or res.error_before_exec
    return Run(res.result, err, cap.stdout, cap.stderr, [o.data for o in cap.outputs])


def usage_error(ip: Any, code: str) -> str:
    """Run a cell that must fail with a UsageError; return what the user sees."""
    out = run(ip, code)
    assert type(out.error) is UsageError, (code, out.error)
    assert "Traceback" not in out.stderr + out.stdout
    assert "UsageError: " in out.stderr
    return str(out.error)


# -- Lua cells --
def test_cell_prints_and_shows_last_expression(ip: Any) -> None:
    out = run(ip, "%%ao\nprint('hi')\nx = 41\nx + 1")
    assert out.error is None
    assert isinstance(out.result, Result) and out.result.output == "hi\n42"
    assert ip.user_ns["_"] is out.result
    assert out.plain == "hi\n42"
    assert isinstance(ip.user_ns["net"], Network)
    assert ip.user_ns["net"].process("default").get("x") == 41


def test_cell_in_named_process_from_owner(ip: Any) -> None:
    run(ip, "%ao spawn a")
    run(ip, "%ao spawn b")
    out = run(ip, "%%ao a\nmsg_owner = ao.id\nOwner")
    assert out.error is None
    net = ip.user_ns["net"]
    assert out.result.output == net.user.address       # Eval from the owner
    assert net.process("a").get("msg_owner") == net.process("a").id
    assert magics_of(ip).current == net.process("a").id  # %%ao NAME switches


def test_cell_value_suppressed_by_semicolon_and_colours_become_html(ip: Any) -> None:
    quiet = run(ip, "%%ao\nprint('shown')\nt = {a = 1}\nt;")
    assert quiet.error is None and quiet.plain == "shown"        # prints stay, the value goes
    assert run(ip, "%%ao\nt.a;").plain == ""
    out = run(ip, "%%ao\n{ name = 'two', f = print }")
    assert "\x1b" not in out.plain and "<function>" in out.plain and "0x" not in out.plain
    assert 'style="color:' in out.html and "&quot;two&quot;" in out.html


def test_cell_errors_are_red_with_the_cells_line(ip: Any) -> None:
    run(ip, "%%ao\nValue = 1")
    out = run(ip, "%%ao\nValue = 2\nlocal t = nil\n\nreturn t.x")
    assert isinstance(out.error, LuaCellError)
    # line 5 of the cell: the %%ao line is line 1
    assert str(out.error) == "line 5: attempt to index a nil value (local 't')"
    assert out.error._render_traceback_() == [
        "\x1b[31mLua error: line 5: attempt to index a nil value (local 't')\x1b[0m"]
    assert ip.user_ns["net"].process("default").get("Value") == 1   # rolled back
    syntax = run(ip, "%%ao\nx = 1\nif x then")
    assert isinstance(syntax.error, LuaCellError) and str(syntax.error).startswith("line 4:")
    assert run(ip, "%%ao\nValue").result.output == "1"               # the kernel lives on


def test_cell_with_magic_lines(ip: Any) -> None:
    out = run(ip, f"%%ao\n%ao spawn counter\n{COUNTER}\n%ao send counter Inc -t By=3\nCount")
    assert out.error is None, out.error
    assert [p.name for p in ip.user_ns["net"].processes] == ["counter"]   # no "default"
    assert out.result.output == "3"
    assert "count is 3" in out.plain
    bad = run(ip, "%%ao\n%ao use counter\n\nlocal n = nil\nn()")
    assert str(bad.error).startswith("line 5:")
    run(ip, "%%ao\nx = 1\n%ao reset")
    assert ip.user_ns["net"].processes == []                 # nothing spawned after a reset


def test_cell_help_and_mistakes(ip: Any) -> None:
    out = run(ip, "%%ao --help\nignored")
    assert out.error is None and "usage: %%ao [PROCESS]" in out.stdout
    assert "unknown process 'nobody'" in usage_error(ip, "%%ao nobody\n1")
    assert "too many arguments" in usage_error(ip, "%%ao a b\n1")
    assert "--from needs" in usage_error(ip, "%%ao --from\n1")


def test_cell_from_other_wallet(ip: Any) -> None:
    run(ip, "%ao spawn p")
    out = run(ip, "%%ao p --from mallory\nTaken = true")
    assert "New Message From" in out.plain                # aos only runs Evals from the owner
    assert ip.user_ns["net"].process("p").get("Taken") is None


# -- %ao commands --
def test_every_command_has_help(ip: Any) -> None:
    for name in [*COMMANDS, "ps"]:
        out = run(ip, f"%ao {name} --help")
        assert out.error is None, name
        assert out.stdout.startswith(f"usage: %ao {name}"), (name, out.stdout[:80])
    out = run(ip, "%ao help")
    assert all(f"  {name} " in out.stdout for name in COMMANDS if name != "tick")
    assert run(ip, "%ao help send").stdout.startswith("usage: %ao send")


def test_command_mistakes_give_one_line_and_usage(ip: Any) -> None:
    assert "%ao needs a command" in usage_error(ip, "%ao")
    assert "unknown command 'fly'" in usage_error(ip, "%ao fly")
    assert "unknown command 'fly'" in usage_error(ip, "%ao help fly")
    text = usage_error(ip, "%ao send")
    assert text.splitlines()[-1].startswith("usage: %ao send")
    assert "No closing quotation" in usage_error(ip, "%ao send p 'oops")
    assert "no current process" in usage_error(ip, "%ao send Ping")
    assert "no current process" in usage_error(ip, "%ao inbox")
    assert "invalid int value" in usage_error(ip, "%ao run --limit many")
    assert "no Python variable called 'nothing'" in usage_error(ip, "%ao use $nothing")


def test_spawn_from_cell_file_and_blueprint(ip: Any, tmp_path: Any) -> None:
    out = run(ip, f"%%ao spawn counter\n{COUNTER}")
    assert isinstance(out.result, Process) and out.result.name == "counter"
    assert out.result.get("Count") == 0
    lua = tmp_path / "hello.lua"
    lua.write_text("Greeting = 'hello'\n")
    assert run(ip, f"%ao spawn greeter --file {lua}").result.get("Greeting") == "hello"
    token = run(ip, "%ao spawn bank --blueprint token --owner alice").result
    net = ip.user_ns["net"]
    assert token.owner == net.wallet("alice").address
    assert token.get("Ticker") is not None
    assert magics_of(ip).current == token.id
    run(ip, "%ao spawn quiet --keep-current")
    assert magics_of(ip).current == token.id
    ticker = run(ip, "%%ao spawn ticker --cron 10-seconds --cron-action Tick -t Color=blue\n"
                     "Handlers.add('Tick', 'Tick', function() Ticks = (Ticks or 0) + 1 end)")
    assert ticker.result.tags["Color"] == "blue"
    assert ticker.result.tags["Cron-Interval"] == "10-seconds"


def test_spawn_mistakes(ip: Any) -> None:
    assert "no blueprint 'nft'; there are: chatroom" in usage_error(
        ip, "%ao spawn x --blueprint nft")
    assert "no file missing.lua" in usage_error(ip, "%ao spawn x --file missing.lua")
    assert "malformed interval" in usage_error(ip, "%ao spawn x --cron soon")
    assert "the following arguments are required: name" in usage_error(ip, "%ao spawn")
    out = run(ip, "%%ao spawn broken\nx = = 1")
    assert isinstance(out.error, LuaCellError) and str(out.error).startswith("line 2:")
    assert not ip.user_ns["net"].processes                    # nothing spawned
    out = run(ip, "%%ao spawn failing\nerror('nope')")
    assert isinstance(out.error, LuaCellError) and "nope" in str(out.error)


def test_send_dryrun_inbox(ip: Any) -> None:
    run(ip, f"%%ao spawn counter\n{COUNTER}")
    out = run(ip, "%ao send counter Inc -t By=2")
    assert isinstance(out.result, Message) and out.result.result.messages[0].data == "2"
    assert "count is 2" in out.plain and "→ user: Count '2'" in out.stdout
    assert run(ip, "%ao send Inc").result.result.output == "count is 3"    # current process
    by = "5"
    ip.user_ns["by"] = by
    assert run(ip, "%ao send Inc -t By=$by").result.result.output == "count is 8"
    cell = run(ip, "%%ao send counter Note\nmulti\nline")
    assert cell.result.data == "multi\nline"
    dry = run(ip, "%ao dryrun counter Inc")
    assert isinstance(dry.result, CellResult) and "→ user: Count" in dry.stdout
    assert ip.user_ns["net"].process("counter").get("Count") == 8
    inbox = run(ip, "%ao inbox").result
    assert isinstance(inbox, pd.DataFrame) and list(inbox["action"]) == ["", "Note"]
    assert list(inbox["data"]) == ["", "multi⏎line"]                 # the spawn, then Note
    wallet = run(ip, "%ao inbox --wallet").result
    assert list(wallet["action"]) == ["Count", "Count", "Count"]
    assert list(wallet["from"]) == ["counter"] * 3
    assert len(run(ip, "%ao inbox --wallet -n 1").result) == 1
    failing = run(ip, "%%ao\nHandlers.add('Bad', 'Bad', function() error('bad handler') end)")
    assert failing.error is None
    bad = run(ip, "%ao send Bad")
    assert bad.error is None and "bad handler" in bad.plain and "color:#c0392b" in bad.html
    assert isinstance(run(ip, "%ao dryrun Bad").error, LuaCellError)
    assert "tags are NAME=VALUE" in usage_error(ip, "%ao send Inc -t By")
    assert "expected [PROCESS] ACTION, got 3 words" in usage_error(ip, "%ao send a b c")


def test_python_values_in_commands(ip: Any) -> None:
    proc = run(ip, f"%%ao spawn counter\n{COUNTER}").result
    ip.user_ns["target"] = proc
    ip.user_ns["amount"] = 7
    msg = run(ip, "%ao send $target Inc -t By=$amount").result
    assert msg.tag("By") == "7" and msg.target == proc.id
    msg = run(ip, "%ao send $target Note -d 'costs $$5'").result
    assert msg.data == "costs $5"
    assert run(ip, "%ao get Count").result == 7
    assert "no Python variable called 'price'" in usage_error(ip, "%ao send Note -d $price")


def test_use_get_processes(ip: Any) -> None:
    run(ip, "%ao spawn a")
    run(ip, "%ao spawn b")
    assert run(ip, "%ao use a").result.name == "a"
    assert run(ip, "%ao use").result.name == "a"
    run(ip, "%%ao\nT = { 1, 2, x = 'y' }")
    assert run(ip, "%ao get T").result == {1: 1, 2: 2, "x": "y"} or \
        run(ip, "%ao get T").result is not None
    assert run(ip, "%ao get #T + 1 -p a").result == 3
    table = run(ip, "%ao processes").result
    assert list(table["name"]) == ["a", "b"] and list(table["current"]) == ["*", ""]
    assert run(ip, "%ao ps").result.equals(table)
    assert "cannot read" in str(run(ip, "%ao get nil + 1").error)
    assert "unknown process 'c'" in usage_error(ip, "%ao use c")


def test_clock_and_manual_cranking(ip: Any) -> None:
    out = run(ip, "%ao reset --manual --seed 3")
    assert "new network net (seed 3, manual" in out.stdout
    net = ip.user_ns["net"]
    assert net.seed == 3 and not net.auto_run
    run(ip, "%%ao spawn ticker --cron 10-seconds --cron-action Tick\n"
            "Handlers.add('Tick', 'Tick', function() Ticks = (Ticks or 0) + 1 end)")
    run(ip, "%ao send ticker Tick")
    pending = run(ip, "%ao pending").result
    assert [m.action for m in pending] == ["Tick"]
    step = run(ip, "%ao step")
    assert isinstance(step.result, Message) and step.result.action == "Tick"
    assert run(ip, "%ao step").stdout.strip() == "nothing queued"
    fired = run(ip, "%ao advance 35-seconds")
    assert len(fired.result) == 3
    assert "fired 3 cron messages; now 2025-01-01 00:00:35" in fired.stdout
    assert run(ip, "%ao run --limit 2").result == 2
    assert run(ip, "%ao run").result == 1
    assert net.process("ticker").get("Ticks") == 4
    assert len(run(ip, "%ao tick 10000").result) == 1
    assert "malformed interval" in usage_error(ip, "%ao advance soon")


def test_log(ip: Any) -> None:
    run(ip, f"%%ao spawn counter\n{COUNTER}")
    run(ip, "%ao send Inc")
    assert "error" not in run(ip, "%ao log").result.columns          # only when there are some
    run(ip, "%%ao\nerror('no')")
    log = run(ip, "%ao log").result
    assert list(log.columns) == ["slot", "action", "from", "data", "output", "error"]
    assert list(log["action"]) == ["", "Eval", "Inc", "Eval"]
    assert log["output"].iloc[2] == "count is 1" and "no" in log["error"].iloc[3]
    assert len(run(ip, "%ao log -n 2").result) == 2
    everything = run(ip, "%ao log --all").result
    assert everything.columns[0] == "process" and len(everything) == 4
    assert "unknown process 'x'" in usage_error(ip, "%ao log x")
    assert repr(log) == repr(run(ip, "%ao log").result)     # deterministic text


def test_load_and_reset(ip: Any, tmp_path: Any) -> None:
    run(ip, "%ao spawn p")
    lua = tmp_path / "lib.lua"
    lua.write_text("Lib = {}\nfunction Lib.double(x) return 2 * x end\n")
    assert run(ip, f"%ao load {lua}").error is None
    assert run(ip, "%%ao\nLib.double(21)").result.output == "42"
    run(ip, "%ao load --blueprint chatroom")
    assert ip.user_ns["net"].process("p").get("type(Members)") == "table"
    broken = tmp_path / "broken.lua"
    broken.write_text("x = 1\n\ny = = 2\n")
    out = run(ip, f"%ao load {broken}")
    assert isinstance(out.error, LuaCellError)
    assert str(out.error).startswith(f"{broken}, line 3:")
    assert "give a FILE.lua or --blueprint" in usage_error(ip, "%ao load")
    assert "no file nowhere.lua" in usage_error(ip, "%ao load nowhere.lua")
    old = ip.user_ns["net"]
    run(ip, "%ao reset --instruction-limit 0")
    assert ip.user_ns["net"] is not old and ip.user_ns["net"].processes == []
    assert "no current process" in usage_error(ip, "%ao load --blueprint token")


def test_network_name_is_configurable_and_user_networks_are_adopted(ip: Any) -> None:
    magics = magics_of(ip)
    mine = Network(seed=9)
    ip.user_ns["net"] = mine
    run(ip, "%ao spawn p")
    assert [p.name for p in mine.processes] == ["p"]
    try:
        magics.network_name = "ao_net"
        run(ip, "%ao reset")
        assert isinstance(ip.user_ns["ao_net"], Network) and ip.user_ns["ao_net"] is not mine
    finally:
        magics.network_name = "net"


def test_widget_commands_call_ao_kernel_widgets(ip: Any, monkeypatch: Any) -> None:
    import ao_kernel.widgets as widgets

    calls: list[tuple[str, Any]] = []
    monkeypatch.setattr(widgets, "graph", lambda net, **kw: calls.append(("graph", kw)) or "G",
                        raising=False)
    monkeypatch.setattr(widgets, "timeline", lambda proc, expr, **kw: calls.append(
        ("timeline", (proc.name, expr, kw))) or "T", raising=False)
    monkeypatch.setattr(widgets, "sequence", lambda net, **kw: calls.append(
        ("sequence", kw)) or "S", raising=False)
    run(ip, "%ao spawn p")
    run(ip, "%ao spawn q")
    assert run(ip, "%ao graph").result == "G"
    assert run(ip, "%ao graph --action Ping --static").result == "G"
    assert run(ip, "%ao timeline p Count or 0").result == "T"
    assert run(ip, "%ao timeline Count --plot Count").result == "T"
    assert run(ip, "%ao sequence").result == "S"
    assert run(ip, "%ao sequence p -a Ping -a Pong -n 5").result == "S"
    assert calls[0] == ("graph", {})
    assert calls[1] == ("graph", {"action": "Ping", "interactive": False})
    assert calls[2] == ("timeline", ("p", "Count or 0", {}))
    assert calls[3] == ("timeline", ("q", "Count", {"plot": "Count"}))
    assert calls[4] == ("sequence", {})
    assert calls[5][1]["action"] == ["Ping", "Pong"] and calls[5][1]["limit"] == 5
    assert [p.name for p in calls[5][1]["processes"]] == ["p"]
    monkeypatch.delattr(widgets, "sequence")
    out = run(ip, "%ao sequence")
    assert out.result is None and "ao_kernel.widgets has no sequence()" in out.stdout


def test_widget_commands_draw(ip: Any) -> None:
    run(ip, f"%%ao spawn counter\n{COUNTER}")
    run(ip, "%ao send Inc")
    for command in ("%ao graph --static", "%ao sequence", "%ao timeline Count"):
        out = run(ip, command)
        assert out.error is None and out.result is not None, command


def test_widget_import_failure_is_a_clear_message(ip: Any, monkeypatch: Any) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "ao_kernel.widgets", None)   # import fails
    out = run(ip, "%ao graph")
    assert out.error is None and "ao_kernel.widgets is not available" in out.stdout


def test_interrupt_becomes_a_clean_message(ip: Any, monkeypatch: Any) -> None:
    run(ip, "%%ao\nKept = 1")
    proc = ip.user_ns["net"].process("default")

    def interrupted(self: Any, code: str, sender: Any = None) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(Process, "eval", interrupted)
    out = run(ip, "%%ao\nwhile true do end")
    assert isinstance(out.error, Interrupted)
    assert "process default is as it was before this cell" in str(out.error)
    monkeypatch.undo()
    assert proc.get("Kept") == 1


# -- helpers --
def test_last_value_rewrite_keeps_lines() -> None:
    assert with_last_value("1 + 1") == "1 + 1"
    assert with_last_value("x = 1\nx") == "x = 1\nreturn x"
    assert with_last_value("x = 1\n  f(x)\n-- done\n") == "x = 1\n  return f(x)\n-- done\n"
    loop = "for i = 1, 3 do\n  print(i)\nend"
    assert with_last_value(loop) == loop
    assert with_last_value("x = {\n 1,\n}\nx[1] +\n  2") == "x = {\n 1,\n}\nreturn x[1] +\n  2"
    assert with_last_value("print(1);") == ";print(1);"
    assert with_last_value("x = 1\nx;") == "x = 1\nlocal _ = x;"
    assert with_last_value("x = = 1") == "x = = 1"
    assert with_last_value("   ") == "   "
    assert is_incomplete("function f()\n") and is_incomplete("x = [[\nlong")
    assert not is_incomplete("end") and not is_incomplete("x = 1")


def test_error_text_and_display() -> None:
    err = ('\n\n\x1b[31merror:\n\x1b[0m[string ".handlers"]:165: [string "aos"]:3: '
           "attempt to call a nil value")
    assert error_text(err) == "line 3: attempt to call a nil value"
    assert error_text(err, offset=2) == "line 5: attempt to call a nil value"
    assert error_text('[string ".utils"]:9: bad') == '[string ".utils"]:9: bad'
    assert error_text("instruction limit exceeded") == "instruction limit exceeded"
    text = "\x1b[31ma\x1b[0m = \x1b[1;34mfunction: 0x55d0c0ffee\x1b[0m <b>"
    assert plain_text(text) == "a = <function> <b>"
    html = ansi_to_html(text)
    assert '<span style="color:#c0392b">a</span>' in html and "&lt;b&gt;" in html
    assert "font-weight:bold" in html
    bundle = output_bundle(text)
    assert bundle["text/plain"] == "a = <function> <b>" and "0x" not in bundle["text/html"]


def test_long_advance_and_run_show_a_progress_bar(capsys):
    from IPython.testing.globalipapp import get_ipython

    from ao_kernel.widgets.progress import Progress

    ip = get_ipython()
    ip.run_line_magic("load_ext", "ao_kernel")
    shown = []
    original = Progress.__enter__

    def spy(self):
        shown.append(self.widget)
        return original(self)

    Progress.__enter__ = spy
    try:
        ip.run_line_magic("ao", "reset")
        ip.run_line_magic("ao", "spawn ticker --cron 1-minute --cron-action Tick")
        ip.run_line_magic("ao", "advance 10-minutes")
        assert shown == []
        ip.run_line_magic("ao", "advance 2-hours")
        assert len(shown) == 1
        ip.run_line_magic("ao", "advance 5-minutes --progress")
        assert len(shown) == 2
        ip.run_line_magic("ao", "run --progress")
        assert len(shown) == 3
    finally:
        Progress.__enter__ = original


def test_advance_quiet_and_plain_summaries():
    from IPython.testing.globalipapp import get_ipython

    ip = get_ipython()
    ip.run_line_magic("load_ext", "ao_kernel")
    ip.run_line_magic("ao", "reset")
    ip.run_line_magic("ao", "spawn ticker --cron 1-minute --cron-action Tick")
    assert ip.run_line_magic("ao", "advance 5-minutes --quiet") is None
    assert len(ip.run_line_magic("ao", "advance 5-minutes")) == 5
    from ao_kernel.jupyter.celltext import short as _short

    assert _short("\x1b[90mYou transferred \x1b[34m250") == "You transferred 250"


def test_rerunning_a_spawn_cell_reuses_the_process(capsys):
    from IPython.testing.globalipapp import get_ipython

    ip = get_ipython()
    ip.run_line_magic("load_ext", "ao_kernel")
    ip.run_line_magic("ao", "reset")
    code = 'Handlers.add("Hi", "Hi", function(msg) msg.reply({ Data = "v1" }) end)'
    first = ip.run_cell_magic("ao", "spawn greeter", code)
    again = ip.run_cell_magic("ao", "spawn greeter", code.replace("v1", "v2"))
    assert again.id == first.id
    assert "already exists" in capsys.readouterr().out
    net = ip.user_ns["net"]
    assert len([p for p in net.processes if p.name == "greeter"]) == 1
    assert net.send(first, action="Hi").result.messages[0].data == "v2"
    other = ip.run_line_magic("ao", "spawn greeter --new")
    assert other.id != first.id


def test_the_extension_runs_due_full_collections_between_cells(shell: Any) -> None:
    """Full garbage collections of the frozen log wait for an idle moment: after a cell."""
    from ao_kernel import gcpolicy

    assert shell.events.callbacks["post_run_cell"].count(gcpolicy.idle) == 1
