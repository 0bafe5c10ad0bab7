"""The message graph drawn two ways: interactive (pyvis, fully offline) and a static SVG.

`graph(net, ...)` returns a `GraphPicture` whose rich repr carries text/plain (a short summary),
text/html (the pyvis page in an `<iframe srcdoc>` inside a `<div>`, or the SVG when
`interactive=False`) and image/svg+xml (the static drawing, for exported HTML/PDF and nbval).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..views.graph import message_graph
from ._html import COLOURS, FONT, clip, element_id, esc, num

if TYPE_CHECKING:
    from ..network import Network

LAYOUT_SEED = 7
_KIND_ORDER = ["spawn", "message", "assignment", "cron", "delivery"]


@dataclass
class _Link:
    """What is drawn between two nodes: one line per (sender, receiver, spawn-or-not)."""

    sender: str
    receiver: str
    kind: str  # the main kind: "spawn", or the most frequent message kind
    lines: list[str]  # label lines: "Action ×n"
    count: int
    errors: int
    bend: float = 0.0


def _links(g: nx.MultiDiGraph) -> list[_Link]:
    groups: dict[tuple[str, str, bool], list[dict[str, Any]]] = {}
    for sender, receiver, data in g.edges(data=True):
        groups.setdefault((sender, receiver, data["kind"] == "spawn"), []).append(data)
    links = []
    for (sender, receiver, spawn), edges in groups.items():
        edges = sorted(edges, key=lambda d: (_KIND_ORDER.index(d["kind"]), d["action"] or ""))
        by_kind: dict[str, int] = {}
        for d in edges:
            by_kind[d["kind"]] = by_kind.get(d["kind"], 0) + d["count"]
        kind = "spawn" if spawn else max(by_kind, key=lambda k: (by_kind[k], -_KIND_ORDER.index(k)))
        lines = []
        for d in edges:
            name = "spawn" if d["kind"] == "spawn" else (d["action"] or "(no action)")
            mark = " ✗" * bool(d["errors"])
            lines.append(f"{name} ×{d['count']}{mark}" if d["count"] > 1 else f"{name}{mark}")
        if len(lines) > 4:
            lines = lines[:3] + [f"+{len(lines) - 3} more"]
        links.append(_Link(sender, receiver, kind, lines, sum(d["count"] for d in edges),
                           sum(d["errors"] for d in edges)))
    pairs: dict[tuple[str, str], list[_Link]] = {}
    for link in links:
        pairs.setdefault((link.sender, link.receiver), []).append(link)
    for (sender, receiver), same in pairs.items():
        reverse = (receiver, sender) in pairs and sender != receiver
        for k, link in enumerate(same):
            if reverse:
                link.bend = 0.18 * (k + 1)
            elif len(same) > 1:
                link.bend = 0.18 * (k - (len(same) - 1) / 2)
    return links


# -- static SVG ------------------------------------------------------------------------------

def layout(g: nx.MultiDiGraph, width: float, height: float, margin: float = 70,
           seed: int = LAYOUT_SEED) -> dict[str, tuple[float, float]]:
    """Node positions in pixels: a spring layout with a fixed seed, started from a shell layout
    (processes inside, wallets and the clock outside), rounded so the bytes are stable."""
    nodes = list(g.nodes)
    if not nodes:
        return {}
    if len(nodes) == 1:
        return {nodes[0]: (width / 2, height / 2)}
    simple = nx.Graph()
    simple.add_nodes_from(nodes)
    simple.add_edges_from((u, v) for u, v in g.edges() if u != v)
    inner = [n for n in nodes if g.nodes[n]["kind"] == "process"]
    outer = [n for n in nodes if g.nodes[n]["kind"] != "process"]
    shells = [s for s in (inner, outer) if s]
    start = nx.shell_layout(simple, nlist=shells) if len(shells) > 1 else nx.circular_layout(simple)
    pos = nx.spring_layout(simple, pos=start, seed=seed, iterations=80,
                           k=1.6 / math.sqrt(len(nodes)))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    out = {}
    for n in nodes:
        x = margin + (pos[n][0] - min(xs)) / span_x * (width - 2 * margin)
        y = margin + (pos[n][1] - min(ys)) / span_y * (height - 2 * margin)
        out[n] = (round(x, 1), round(y, 1))
    return out


def _node_svg(g: nx.MultiDiGraph, n: str, x: float, y: float) -> str:
    data = g.nodes[n]
    kind, label = data["kind"], clip(data["label"], 18)
    colour = COLOURS.get(kind, COLOURS["process"])
    title = f"{data['label']} ({kind})\n{n}"
    if kind == "wallet":
        shape = (f'<rect x="{num(x - 15)}" y="{num(y - 11)}" width="30" height="22" rx="4" '
                 f'fill="{colour}"/>')
    elif kind == "clock":
        shape = (f'<circle cx="{num(x)}" cy="{num(y)}" r="14" fill="#fff" stroke="{colour}" '
                 f'stroke-width="2"/><path d="M{num(x)} {num(y - 8)}V{num(y)}H{num(x + 6)}" '
                 f'stroke="{colour}" stroke-width="2" fill="none"/>')
    else:
        shape = f'<circle cx="{num(x)}" cy="{num(y)}" r="16" fill="{colour}"/>'
    text = (f'<text x="{num(x)}" y="{num(y + 30)}" text-anchor="middle" font-size="12" '
            f'font-weight="600" fill="#222">{esc(label)}</text>')
    return f'<g class="ao-node ao-{kind}"><title>{esc(title)}</title>{shape}{text}</g>'


def _link_svg(link: _Link, pos: dict[str, tuple[float, float]], marker: str) -> str:
    (x1, y1), (x2, y2) = pos[link.sender], pos[link.receiver]
    colour = COLOURS["error"] if link.errors and link.errors == link.count else COLOURS[link.kind]
    dash = ' stroke-dasharray="6 4"' if link.kind == "spawn" else (
        ' stroke-dasharray="2 3"' if link.kind == "cron" else "")
    width = 1.2 + min(3.0, math.log2(link.count))
    if link.sender == link.receiver:
        path = (f"M{num(x1 - 10)} {num(y1 - 14)}C{num(x1 - 40)} {num(y1 - 70)} "
                f"{num(x1 + 40)} {num(y1 - 70)} {num(x1 + 10)} {num(y1 - 14)}")
        lx, ly = x1, y1 - 62
    else:
        dx, dy = x2 - x1, y2 - y1
        dist = math.hypot(dx, dy) or 1.0
        ux, uy = dx / dist, dy / dist
        cx = (x1 + x2) / 2 - uy * link.bend * dist
        cy = (y1 + y2) / 2 + ux * link.bend * dist
        sx, sy = _towards(x1, y1, cx, cy, 18)
        ex, ey = _towards(x2, y2, cx, cy, 20)
        path = f"M{num(sx)} {num(sy)}Q{num(cx)} {num(cy)} {num(ex)} {num(ey)}"
        lx, ly = 0.25 * x1 + 0.5 * cx + 0.25 * x2, 0.25 * y1 + 0.5 * cy + 0.25 * y2
    label = "".join(
        f'<tspan x="{num(lx)}" dy="{0 if i == 0 else 13}">{esc(line)}</tspan>'
        for i, line in enumerate(link.lines))
    top = ly - 6.5 * (len(link.lines) - 1) + 4
    return (f'<g class="ao-edge ao-{link.kind}"><title>{esc(" · ".join(link.lines))}</title>'
            f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="{num(width)}"{dash} '
            f'marker-end="url(#{marker}-{link.kind})"/>'
            f'<text x="{num(lx)}" y="{num(top)}" text-anchor="middle" font-size="11" '
            f'fill="{colour}" stroke="#fff" stroke-width="3" paint-order="stroke">{label}</text>'
            f"</g>")


def _towards(x: float, y: float, tx: float, ty: float, by: float) -> tuple[float, float]:
    dx, dy = tx - x, ty - y
    dist = math.hypot(dx, dy) or 1.0
    return x + dx / dist * by, y + dy / dist * by


def graph_svg(g: nx.MultiDiGraph, width: int = 720, height: int = 480,
              uid: str | None = None) -> str:
    """The graph as a standalone SVG document (deterministic: same graph, same bytes)."""
    links = _links(g)
    pos = layout(g, width, height)
    body = "".join(_link_svg(link, pos, "{MARKER}") for link in links)
    body += "".join(_node_svg(g, n, *pos[n]) for n in g.nodes)
    if not g.nodes:
        body = (f'<text x="{width // 2}" y="{height // 2}" text-anchor="middle" font-size="13" '
                f'fill="#666">no messages</text>')
    legend = _legend(height)
    uid = uid or element_id("ao-graph-svg", body)
    markers = "".join(
        f'<marker id="{uid}-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" '
        f'fill="{COLOURS[kind]}"/></marker>' for kind in _KIND_ORDER)
    body = body.replace("{MARKER}", uid)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" id="{uid}" width="{width}" '
            f'height="{height + 28}" viewBox="0 0 {width} {height + 28}" style="{FONT}">'
            f'<defs>{markers}</defs><rect width="100%" height="100%" fill="#fff"/>'
            f"{body}{legend}</svg>")


def _legend(height: float) -> str:
    items = [("process", "process"), ("wallet", "wallet"), ("message", "message"),
             ("delivery", "to wallet"), ("spawn", "spawn"), ("cron", "cron"),
             ("assignment", "assignment")]
    out, x, y = [], 10.0, height + 14
    for kind, text in items:
        colour = COLOURS[kind]
        if kind == "process":
            out.append(f'<circle cx="{num(x + 6)}" cy="{num(y)}" r="6" fill="{colour}"/>')
        elif kind == "wallet":
            out.append(f'<rect x="{num(x)}" y="{num(y - 5)}" width="12" height="10" rx="2" '
                       f'fill="{colour}"/>')
        else:
            dash = ' stroke-dasharray="4 3"' if kind == "spawn" else (
                ' stroke-dasharray="2 3"' if kind == "cron" else "")
            out.append(f'<line x1="{num(x)}" y1="{num(y)}" x2="{num(x + 14)}" y2="{num(y)}" '
                       f'stroke="{colour}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{num(x + 18)}" y="{num(y + 4)}" font-size="11" '
                   f'fill="#444">{text}</text>')
        x += 24 + len(text) * 6.6
    return '<g class="ao-legend">' + "".join(out) + "</g>"


# -- interactive (pyvis) -------------------------------------------------------------------

_CDN = re.compile(r"\s*<(link|script)\b[^>]*\bhttps?://[^>]*>(\s*</script>)?", re.I)
_HEADING = re.compile(r"\s*<center>\s*<h1>\s*</h1>\s*</center>", re.I)
_SHAPES = {"process": "dot", "wallet": "box", "clock": "diamond"}


def pyvis_html(g: nx.MultiDiGraph, height: int = 520, seed: int = LAYOUT_SEED) -> str:
    """A standalone HTML page drawing the graph with vis-network, every byte inline."""
    from pyvis.network import Network as PyvisNetwork

    vis = PyvisNetwork(height=f"{height}px", width="100%", directed=True, cdn_resources="in_line")
    for n, data in g.nodes(data=True):
        kind = data["kind"]
        vis.add_node(n, label=data["label"], title=f"{data['label']} ({kind})\n{n}",
                     shape=_SHAPES.get(kind, "dot"), color=COLOURS.get(kind, "#4c78a8"),
                     size=16, font={"size": 14, "strokeWidth": 3, "strokeColor": "#fff"})
    for link in _links(g):
        colour = COLOURS["error"] if link.errors and link.errors == link.count else COLOURS[
            link.kind]
        smooth: dict[str, Any] = {"enabled": True, "type": "curvedCW",
                                  "roundness": round(link.bend, 3)}
        if link.bend == 0:
            smooth = {"enabled": False}
        vis.add_edge(link.sender, link.receiver, label="\n".join(link.lines),
                     title=" · ".join(link.lines), color=colour,
                     width=round(1.2 + min(3.0, math.log2(link.count)), 2),
                     dashes=link.kind in ("spawn", "cron"), arrows="to", smooth=smooth,
                     font={"size": 11, "align": "middle", "color": colour})
    vis.options = {
        "layout": {"randomSeed": seed, "improvedLayout": True},
        "physics": {"enabled": True, "solver": "barnesHut",
                    "barnesHut": {"gravitationalConstant": -6000, "springLength": 160},
                    "stabilization": {"enabled": True, "iterations": 300, "fit": True}},
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False},
        "edges": {"selfReferenceSize": 28},
    }
    page = vis.generate_html()
    page = _CDN.sub("", page)
    page = _HEADING.sub("", page)
    return page


def iframe_html(page: str, uid: str, height: int) -> str:
    """The page in an `<iframe srcdoc>` inside a `<div>`: its scripts and its fixed element ids
    (pyvis always uses `mynetwork`) stay inside, so several graphs on one page do not collide."""
    return (f'<div id="{uid}" class="ao-graph" style="width:100%">'
            f'<iframe title="ao message graph" srcdoc="{esc(page)}" '
            f'style="width:100%;height:{height + 16}px;border:1px solid #ddd;border-radius:4px">'
            f'</iframe></div>')


class GraphPicture:
    """The message graph for display: rich repr with text, HTML and SVG."""

    def __init__(self, g: nx.MultiDiGraph, interactive: bool = True, width: int = 720,
                 height: int = 480) -> None:
        self.graph = g
        self.interactive = interactive
        self.width, self.height = width, height
        self._svg: str | None = None
        self._html: str | None = None

    @property
    def svg(self) -> str:
        """The static drawing."""
        if self._svg is None:
            self._svg = graph_svg(self.graph, self.width, self.height)
        return self._svg

    @property
    def html(self) -> str:
        """The interactive drawing (or the SVG in a div when not interactive)."""
        if self._html is None:
            if self.interactive:
                page = pyvis_html(self.graph, self.height)
                self._html = iframe_html(page, element_id("ao-graph", page), self.height)
            else:
                self._html = f'<div class="ao-graph">{self.svg}</div>'
        return self._html

    def __repr__(self) -> str:
        g = self.graph
        kinds: dict[str, int] = {}
        for _, data in g.nodes(data=True):
            kinds[data["kind"]] = kinds.get(data["kind"], 0) + 1
        parts = [f"{kinds.get('process', 0)} processes", f"{kinds.get('wallet', 0)} wallets",
                 f"{g.number_of_edges()} edges", f"{g.graph.get('messages', 0)} messages"]
        filters = []
        if g.graph.get("action"):
            filters.append("action=" + ",".join(g.graph["action"]))
        for key in ("since", "until"):
            if g.graph.get(key) is not None:
                filters.append(f"{key}={g.graph[key]}")
        extra = f" ({' '.join(filters)})" if filters else ""
        return f"<MessageGraph {', '.join(parts)}{extra}>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": repr(self), "text/html": self.html, "image/svg+xml": self.svg}

    def to_json(self) -> str:
        """Nodes and aggregated edges as JSON (what the pictures draw)."""
        return json.dumps({
            "nodes": [{"id": n, **d} for n, d in self.graph.nodes(data=True)],
            "edges": [{"sender": u, "receiver": v, **d}
                      for u, v, d in self.graph.edges(data=True)],
        }, sort_keys=True)


def graph(net: Network, action: str | Iterable[str] | None = None, since: int | None = None,
          until: int | None = None, interactive: bool = True, spawns: bool | None = None,
          width: int = 720, height: int = 480) -> GraphPicture:
    """Draw who sent what to whom (see `ao_kernel.views.graph.message_graph` for the filters)."""
    g = message_graph(net, action=action, since=since, until=until, spawns=spawns)
    return GraphPicture(g, interactive=interactive, width=width, height=height)
