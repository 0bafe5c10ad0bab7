"""Compact HTML cards for `Process`, `Message` and `Result` (their `_repr_html_`).

Deterministic: the same object gives the same bytes. Cards read only what the object already
holds (a Process reads its network's bookkeeping, never its Lua state), so showing one is cheap
and changes nothing.
"""

from __future__ import annotations

from typing import Any

from ..message import plain
from ._html import COLOURS, FONT, clip, clock, esc

_CARD = (f"{FONT};font-size:12.5px;border:1px solid #ddd;border-left:4px solid {{colour}};"
         "border-radius:4px;padding:6px 10px;margin:2px 0;max-width:760px;background:#fff")
_KEY = "color:#777;padding:1px 10px 1px 0;vertical-align:top;white-space:nowrap"
_VAL = "padding:1px 0;font-family:monospace;word-break:break-all"


def _card(colour: str, head: str, rows: list[tuple[str, str]], extra: str = "") -> str:
    table = "".join(f'<tr><td style="{_KEY}">{esc(k)}</td><td style="{_VAL}">{v}</td></tr>'
                    for k, v in rows)
    return (f'<div class="ao-card" style="{_CARD.format(colour=colour)}">'
            f'<div style="font-weight:600;margin-bottom:3px">{head}</div>'
            f'<table style="border-collapse:collapse">{table}</table>{extra}</div>')


def _ident(value: str | None, names: dict[str, str] | None = None) -> str:
    if not value:
        return "—"
    name = (names or {}).get(value)
    short = f"{value[:10]}…" if len(value) > 10 else value
    text = f"{name} · {short}" if name else short
    return f'<span title="{esc(value)}">{esc(text)}</span>'


def _badge(text: str, colour: str) -> str:
    return (f'<span style="background:{colour};color:#fff;border-radius:3px;padding:0 5px;'
            f'font-size:11px;font-weight:600">{esc(text)}</span>')


def _names(net: Any) -> dict[str, str]:
    from ..views._log import parties

    try:
        return {ident: p.label for ident, p in parties(net).items()}
    except Exception:  # a card must never fail to render
        return {}


def process_card(p: Any) -> str:
    """A Process: name, id, owner, parent, module, crons, how many messages and errors."""
    net = p._net
    names = _names(net)
    info = net.messenger.processes[p.id]
    log = info.log
    errors = sum(1 for m in log if m.result is not None and m.result.error is not None)
    slots = [m.slot for m in log if m.slot is not None]
    crons = [v for n, v in info.tags if n == "Cron-Interval"]
    rows = [("id", _ident(p.id)), ("owner", _ident(info.owner, names))]
    if info.parent:
        rows.append(("parent", _ident(info.parent, names)))
    rows.append(("module", _ident(info.module)))
    if crons:
        rows.append(("cron", esc(", ".join(crons))))
    activity = f"{len(log)} messages"
    if slots:
        activity += f", slots 0–{slots[-1]}"
    if errors:
        activity += f", {errors} failed"
    rows.append(("log", esc(activity)))
    if log:
        last = log[-1]
        rows.append(("last", esc(f"{last.action or last.kind} at {clock(last.timestamp)}")))
    head = f"{_badge('process', COLOURS['process'])} {esc(info.name or '(unnamed)')}"
    return _card(COLOURS["process"], head, rows)


def _tags(tag_list: list[tuple[str, str]], limit: int = 12) -> str:
    shown = [f"{esc(n)}={esc(clip(str(v), 48))}" for n, v in tag_list[:limit]]
    more = f" … +{len(tag_list) - limit}" if len(tag_list) > limit else ""
    return "<br>".join(shown) + esc(more)


def message_card(m: Any, names: dict[str, str] | None = None) -> str:
    """A Message: action, route, slot and time, tags, data, and a one-line result summary."""
    kind = "cron" if m.cron else m.kind
    colour = COLOURS["cron"] if m.cron else COLOURS["spawn"] if m.kind == "process" else \
        COLOURS["message"]
    res = m.result
    if res is not None and res.error is not None:
        colour = COLOURS["error"]
    rows = [("id", _ident(m.id))]
    rows.append(("from → to", f"{_ident(m.from_, names)} → {_ident(m.target, names)}"))
    if m.process and m.process != m.target:
        rows.append(("evaluated by", _ident(m.process, names)))
    where = []
    if m.slot is not None:
        where.append(f"slot {m.slot}")
    if m.timestamp is not None:
        where.append(clock(m.timestamp))
    if m.block_height is not None:
        where.append(f"block {m.block_height}")
    if where:
        rows.append(("scheduled", esc(" · ".join(where))))
    if m.tag_list:
        rows.append(("tags", _tags(list(m.tag_list))))
    if m.data:
        rows.append(("data", esc(clip(m.data, 200))))
    if res is not None:
        rows.append(("result", _result_line(res)))
    head = f"{_badge(kind, colour)} {esc(m.action or '(no action)')}"
    return _card(colour, head, rows)


def _result_line(r: Any) -> str:
    if r.error is not None:
        return f'<span style="color:{COLOURS["error"]}">✗ {esc(clip(r.error_message or "", 160))}' \
               "</span>"
    parts = []
    if r.output:
        parts.append(f"output {clip(plain(r.output), 80)!r}")
    for name, items in (("messages", r.messages), ("spawns", r.spawns),
                        ("assignments", r.assignments)):
        if items:
            parts.append(f"{len(items)} {name if len(items) > 1 else name[:-1]}")
    return esc(", ".join(parts) or "ok, nothing sent")


def result_card(r: Any, names: dict[str, str] | None = None) -> str:
    """A Result: ok or the error, the output, and what it sent, spawned and assigned."""
    ok = r.error is None
    colour = COLOURS["spawn"] if ok else COLOURS["error"]
    rows: list[tuple[str, str]] = []
    if not ok:
        rows.append(("error", f'<span style="color:{COLOURS["error"]}">'
                              f"{esc(clip(r.error_message or '', 300))}</span>"))
    if r.output:
        rows.append(("output", esc(clip(plain(r.output), 400)).replace("\n", "<br>")))
    for m in r.messages[:10]:
        rows.append(("message", f"→ {_ident(m.target, names)} {esc(m.action or '(no action)')}"))
    if len(r.messages) > 10:
        rows.append(("", esc(f"… {len(r.messages) - 10} more messages")))
    for s in r.spawns[:10]:
        child = s.pushed.id if s.pushed is not None else None
        rows.append(("spawn", f"{esc(s.tag('Name') or '(unnamed)')} → {_ident(child, names)}"))
    for a in r.assignments[:10]:
        procs = ", ".join(p[:8] + "…" for p in a.get("processes", []))
        rows.append(("assignment", esc(f"{(a.get('message') or '?')[:8]}… → {procs}")))
    if not rows:
        rows.append(("", "nothing sent, no output"))
    head = f"{_badge('ok' if ok else 'error', colour)} result"
    return _card(colour, head, rows)
