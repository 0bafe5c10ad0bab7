"""Differential harness: run one scenario on the real aos library and on ours, compare traces.

A scenario is a plain function `scenario(net) -> dict | None` that drives a `Network` through
its public API (spawn, send, eval, advance, dryrun, assign) and may return observations
({label: value}; values are compared after `plain()`), typically `peek(proc, expr)` readings
of the final state or dry-run Results.

`run_both(scenario, reference)` runs it on `Network(library=reference)` and on `Network()` and
returns a report of the FIRST difference ("" when they agree). What is compared, for every
evaluated message in `net.messages()` order:

* process, slot, kind, action, from/owner, timestamp and block height of the evaluated message,
  and its tags as a map (first duplicate wins) plus as a multiset;
* `Result.output` verbatim (ANSI colour codes included) and `Result.prompt`, except that Lua
  object addresses (`function: 0x55d0c3a2`), which differ from run to run, become `0x?`;
* the error: whether it is None, and its LAST non-empty line only. Full tracebacks name library
  files and line numbers ("handlers:723:" in aos, "handlers:168:" in ours) that legitimately
  differ, so in that last line `<library module>:<n>:` becomes `<module>:?:`. Line numbers in
  user code (`[string "aos"]:1:`) are kept;
* every pushed message and spawn: target, data (two JSON documents compare as parsed values,
  because aos's json.encode walks objects in `pairs` order, which ao leaves undefined), tags as
  a map and as a sorted multiset (never as a list: the order of tags built from Lua tables is
  `pairs` order); and the assignments.

Process ids and message ids are derived from content, so both runs produce the same ids until
the traces diverge; after the first difference later entries are noise, hence only the first is
reported (with the entries before it for context).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from ao_kernel import Network
from ao_kernel.errors import LuaError
from ao_kernel.message import Message, Result

Scenario = Callable[[Network], "Mapping[str, Any] | None"]

_MODULE_LINE = re.compile(
    r"(\x1b\[[0-9;]*m|^|[^\w.\-\]\"'])(\.?[A-Za-z_][\w.\-]*):(\d+):", re.M)
_STRING_CHUNK_LINE = re.compile(r'\[string "([^"]+)"\]:(\d+):')
_ADDRESS = re.compile(r"(function|table|thread|userdata): (?:builtin: )?0x[0-9a-fA-F]+")


class LibraryModules:
    """The set of module names whose line numbers are normalised in error texts."""

    def __init__(self, *libraries: Mapping[str, str]) -> None:
        names: set[str] = set()
        for lib in libraries:
            for name in lib:
                names.update({name, "." + name, name + ".init", "." + name + ".init"})
        names.update({"process", "handlers", "ao", "utils", "eval", "default", "boot", "json"})
        self.names = names

    def normalise(self, text: str) -> str:
        def sub(m: re.Match[str]) -> str:
            return f"{m.group(1)}{m.group(2)}:?:" if m.group(2) in self.names else m.group(0)

        def sub_string(m: re.Match[str]) -> str:
            return f'[string "{m.group(1)}"]:?:' if m.group(1) in self.names else m.group(0)

        return _STRING_CHUNK_LINE.sub(sub_string, _MODULE_LINE.sub(sub, text))


def mask_addresses(text: str | None) -> str | None:
    """`function: 0x55d0...` -> `function: 0x?`: Lua object addresses vary from run to run."""
    return None if text is None else _ADDRESS.sub(r"\1: 0x?", text)


def last_line(text: str | None) -> str | None:
    if text is None:
        return None
    lines = [line for line in str(text).strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _data(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return ("json", json.loads(value))
        except ValueError:
            return value
    return value


def _tags(tag_list: list[tuple[str, str]]) -> dict[str, Any]:
    first: dict[str, str] = {}
    for name, value in tag_list:
        first.setdefault(name, value)
    return {"map": first, "multiset": sorted(tag_list)}


def pushed_view(m: Message) -> dict[str, Any]:
    tags = _tags(m.tag_list)
    return {"target": m.target, "data": _data(m.data), "tags": tags["map"],
            "tag multiset": tags["multiset"]}


def result_view(res: Result | None, mods: LibraryModules) -> dict[str, Any]:
    if res is None:
        return {"result": None}
    err = last_line(res.error)
    return {
        "error is None": res.error is None,
        "error (last line)": None if err is None else mask_addresses(mods.normalise(err)),
        "output": mask_addresses(res.output),
        "prompt": mask_addresses(res.prompt),
        "messages": [pushed_view(m) for m in res.messages],
        "spawns": [pushed_view(m) for m in res.spawns],
        "assignments": res.assignments,
    }


def _cell(value: Any) -> Any:
    """A DataFrame cell with pandas' missing markers (NaN, NA, None) as None."""
    try:
        if value is None or pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    return value


def trace(net: Network, mods: LibraryModules) -> list[dict[str, Any]]:
    """One entry per evaluated message, in `net.messages()` order."""
    frame = net.messages()
    logs = {p.id: p.log for p in net.processes}
    seen: dict[str, int] = defaultdict(int)
    out = []
    for row in frame.itertuples(index=False):
        pid = row.process
        msg = logs[pid][seen[pid]]
        seen[pid] += 1
        assert msg.id == _cell(row.id), "net.messages() and Process.log disagree"
        tags = _tags(msg.tag_list)
        entry = {
            "process": pid,
            "slot": None if _cell(row.slot) is None else int(row.slot),
            "kind": _cell(row.kind),
            "action": _cell(row.action),
            "from": msg.from_,
            "owner": msg.owner,
            "timestamp": msg.timestamp,
            "block height": msg.block_height,
            "data": _data(msg.data),
            "tags": tags["map"],
            "tag multiset": tags["multiset"],
        }
        entry.update(result_view(msg.result, mods))
        out.append(entry)
    return out


def peek(proc: Any, expr: str) -> Any:
    """proc.get(expr), or ("LuaError", last line) when reading fails."""
    try:
        return proc.get(expr)
    except LuaError as exc:
        return ("LuaError", last_line(str(exc)))


def plain(value: Any, mods: LibraryModules) -> Any:
    """Observation values made comparable (Results and Messages become views)."""
    if isinstance(value, Result):
        return result_view(value, mods)
    if isinstance(value, Message):
        return {"message": pushed_view(value), "result": result_view(value.result, mods)}
    if isinstance(value, (list, tuple)):
        return [plain(v, mods) for v in value]
    if isinstance(value, dict):
        return {k: plain(v, mods) for k, v in value.items()}
    if isinstance(value, str):
        return mask_addresses(mods.normalise(value))
    return value


class Run:
    """The outcome of one scenario on one library."""

    def __init__(self, net: Network, observations: dict[str, Any], exception: str | None,
                 mods: LibraryModules) -> None:
        self.net = net
        self.trace = trace(net, mods)
        self.observations = observations
        self.exception = exception
        self.aliases = aliases(net)


def aliases(net: Network) -> dict[str, str]:
    """id/address -> readable name, for reports only."""
    out = {net.mu: "<MU>"}
    for w in net.wallets:
        out[w.address] = f"<wallet {w.name}>"
    for p in net.processes:
        out[p.id] = f"<process {p.name or p.id[:8]}>"
    return out


# Network settings for our side (the test fixture may stress parallel evaluation/hibernation).
OURS_SETTINGS: dict[str, Any] = {}


def run_one(scenario: Scenario, library: Mapping[str, str] | None,
            mods: LibraryModules) -> Run:
    net = Network(library=library) if library is not None else Network(**OURS_SETTINGS)
    exception = None
    observations: dict[str, Any] = {}
    try:
        got = scenario(net)
        observations = dict(got or {})
    except Exception as exc:  # noqa: BLE001 - a scenario failure is part of the behaviour
        exception = f"{type(exc).__name__}: {mods.normalise(last_line(str(exc)) or '')}"
    return Run(net, {k: plain(v, mods) for k, v in observations.items()}, exception, mods)


def _short(value: Any, names: Mapping[str, str], limit: int = 1500) -> str:
    text = repr(value)
    for ident, name in sorted(names.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(ident, name)
    return text if len(text) <= limit else text[:limit] + " ...(truncated)"


def _first_diff(a: Any, b: Any, path: str) -> tuple[str, Any, Any] | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                return (f"{path}[{key!r}]", a.get(key, "<missing>"), b.get(key, "<missing>"))
            found = _first_diff(a[key], b[key], f"{path}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and not path.endswith("multiset"):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            found = _first_diff(x, y, f"{path}[{i}]")
            if found:
                return found
        if len(a) != len(b):
            return (f"{path} (length {len(a)} vs {len(b)})", a[len(b):] or "<none>",
                    b[len(a):] or "<none>")
        return None
    return None if a == b else (path, a, b)


def _summary(entry: Mapping[str, Any], names: Mapping[str, str]) -> str:
    err = entry.get("error (last line)")
    what = f"error={err!r}" if err is not None else f"output={entry.get('output', '')!r}"
    return _short(f"{entry['process']} slot={entry['slot']} {entry['kind']} "
                  f"action={entry['action']!r} {what[:120]}", names, 300)


def compare(ref: Run, ours: Run) -> str:
    """A readable report of the first difference, or "" when the runs agree."""
    names = {**ours.aliases, **ref.aliases}
    lines: list[str] = []
    for i, (a, b) in enumerate(zip(ref.trace, ours.trace, strict=False)):
        found = _first_diff(a, b, "")
        if found:
            path, x, y = found
            lines.append(f"FIRST DIFFERENCE at trace entry #{i} "
                         f"({_summary(a, names)}), field {path}:")
            lines.append(f"  real aos: {_short(x, names)}")
            lines.append(f"  ours    : {_short(y, names)}")
            before = ref.trace[max(0, i - 3):i]
            if before:
                lines.append("  entries before it (identical in both):")
                lines += [f"    #{i - len(before) + k}: {_summary(e, names)}"
                          for k, e in enumerate(before)]
            break
    else:
        if len(ref.trace) != len(ours.trace):
            n = min(len(ref.trace), len(ours.trace))
            extra_ref = [_summary(e, names) for e in ref.trace[n:n + 3]]
            extra_ours = [_summary(e, names) for e in ours.trace[n:n + 3]]
            lines.append(f"FIRST DIFFERENCE: trace lengths {len(ref.trace)} (real aos) vs "
                         f"{len(ours.trace)} (ours); from entry #{n}:")
            lines.append(f"  real aos: {extra_ref}")
            lines.append(f"  ours    : {extra_ours}")
        elif ref.exception != ours.exception:
            lines.append("FIRST DIFFERENCE: the scenario raised differently")
            lines.append(f"  real aos: {ref.exception}")
            lines.append(f"  ours    : {ours.exception}")
        else:
            found = _first_diff(ref.observations, ours.observations, "observation")
            if found:
                path, x, y = found
                lines.append(f"FIRST DIFFERENCE in final state, {path}:")
                lines.append(f"  real aos: {_short(x, names)}")
                lines.append(f"  ours    : {_short(y, names)}")
    if lines and (ref.exception or ours.exception) and "raised" not in lines[0]:
        lines.append(f"  (scenario exceptions: real aos {ref.exception!r}; "
                     f"ours {ours.exception!r})")
    return "\n".join(lines)


def run_both(scenario: Scenario, reference: Mapping[str, str]) -> tuple[str, Run, Run]:
    from ao_kernel.lua.runtime import library_sources

    mods = LibraryModules(reference, library_sources("aos"))
    ref = run_one(scenario, reference, mods)
    ours = run_one(scenario, None, mods)
    return compare(ref, ours), ref, ours


class Library(dict):
    """A {module: source} mapping with a short repr (keeps pytest reports readable)."""

    def __repr__(self) -> str:
        return f"<library of {len(self)} Lua modules>"


def check(scenario: Scenario, reference: Mapping[str, str], min_entries: int = 1) -> None:
    """Assert the scenario behaves identically on both libraries."""
    __tracebackhide__ = True
    report, ref, _ours = run_both(scenario, reference)
    assert len(ref.trace) >= min_entries, (
        f"scenario too short on the reference ({len(ref.trace)} entries; exception "
        f"{ref.exception})")
    assert not report, "\n" + report
