"""Drawings: mime bundles, same network -> same bytes, no CDN, unique ids, widgets that react."""

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import ipywidgets
import pytest
from views_world import build

from ao_kernel import Network
from ao_kernel.widgets import (
    GraphPicture,
    Progress,
    SequenceDiagram,
    TimelineWidget,
    graph,
    message_card,
    process_card,
    result_card,
    run_with_progress,
    sequence,
    timeline,
)
from ao_kernel.widgets._html import reset_ids

CDN = re.compile(r"cdn\.jsdelivr|cdnjs|unpkg\.com|googleapis|bootstrapcdn", re.I)
REMOTE = re.compile(r"""<(script|link|img|iframe)\b[^>]*(src|href)=["']?(https?:)?//""", re.I)


def svg_ok(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def ids_in(text: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', text)


# -- graph ------------------------------------------------------------------------------------

def test_graph_bundle_has_text_html_and_svg(world, fresh_ids):
    picture = graph(world)
    assert isinstance(picture, GraphPicture)
    bundle = picture._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "image/svg+xml"}
    assert bundle["text/plain"] == "<MessageGraph 4 processes, 3 wallets, 20 edges, 25 messages>"
    html = bundle["text/html"]
    assert html.startswith('<div id="ao-graph-') and "<iframe" in html and "srcdoc=" in html
    assert html.endswith("</iframe></div>")
    assert "vis.Network" in html and "&quot;randomSeed&quot;: 7" in html
    svg = svg_ok(bundle["image/svg+xml"])
    labels = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"bank", "alice", "child", "⏱ cron"} <= labels


def test_graph_is_offline(world, fresh_ids):
    bundle = graph(world)._repr_mimebundle_()
    for text in bundle.values():
        assert not CDN.search(text)
        assert not REMOTE.search(text)
    import html as html_lib

    page = html_lib.unescape(bundle["text/html"].split('srcdoc="', 1)[1].split('"', 1)[0])
    assert not CDN.search(page) and not REMOTE.search(page)
    assert "<script>" in page  # vis-network inlined
    assert 'id="mynetwork"' in page


def test_graph_same_network_same_bytes(world, fresh_ids):
    first = graph(world)._repr_mimebundle_()
    reset_ids()
    again = graph(build())._repr_mimebundle_()
    assert first == again


def test_two_graphs_on_one_page_get_different_ids(world, fresh_ids):
    a = graph(world)._repr_mimebundle_()
    b = graph(world)._repr_mimebundle_()
    assert ids_in(a["text/html"])[0] != ids_in(b["text/html"])[0]
    assert ids_in(a["image/svg+xml"])[0] != ids_in(b["image/svg+xml"])[0]
    for bundle in (a, b):  # marker ids inside one SVG are unique and scoped by the SVG id
        ids = ids_in(bundle["image/svg+xml"])
        assert len(ids) == len(set(ids)) and all(i.startswith(ids[0]) for i in ids)


def test_static_graph_and_filters(world, fresh_ids):
    picture = graph(world, action="Ping", interactive=False)
    html = picture._repr_mimebundle_()["text/html"]
    assert "<script" not in html and "<svg" in html
    assert repr(picture) == "<MessageGraph 4 processes, 0 wallets, 1 edges, 2 messages " \
                            "(action=Ping)>"
    empty = graph(Network(), interactive=False)
    assert "no messages" in empty.svg
    svg_ok(empty.svg)
    assert '"kind": "spawn"' in graph(world).to_json()


# -- sequence ---------------------------------------------------------------------------------

def test_sequence_bundle_and_bytes(world, fresh_ids):
    diagram = sequence(world)
    assert isinstance(diagram, SequenceDiagram)
    bundle = diagram._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "image/svg+xml"}
    assert bundle["text/plain"] == "<SequenceDiagram 7 lanes, 25 messages>"
    root = svg_ok(bundle["image/svg+xml"])
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Deposit · slot 2" in texts and "Fail · slot 5 ✗" in texts
    assert "spawn · slot 0" in texts and "Tick" in texts
    assert texts.index("Deposit · slot 2") < texts.index("Fail · slot 5 ✗")
    reset_ids()
    assert sequence(build())._repr_mimebundle_() == bundle
    assert not CDN.search(bundle["text/html"]) and not REMOTE.search(bundle["text/html"])


def test_sequence_limit_and_filters(world, fresh_ids):
    diagram = sequence(world, processes=["ping"], limit=3)
    assert repr(diagram) == "<SequenceDiagram 3 lanes, 3 of 6 messages>"
    assert "arrows 1–3 of 6; 3 more" in diagram.svg
    svg_ok(diagram.svg)


def test_sequence_of_hundreds_of_messages(fresh_ids):
    net = Network()
    counter = net.spawn("counter", code='Handlers.add("Inc", "Inc", function(msg) '
                                        'msg.reply({ Action = "Done" }) end)')
    for _ in range(150):
        net.send(counter, action="Inc")
    diagram = sequence(net, limit=200)
    assert repr(diagram) == "<SequenceDiagram 2 lanes, 200 of 302 messages>"
    root = svg_ok(diagram.svg)
    assert float(root.get("height")) > 200 * 26
    assert len(ids_in(diagram.svg)) == len(set(ids_in(diagram.svg)))


# -- timeline ---------------------------------------------------------------------------------

def test_timeline_widget_moves_instantly(world, fresh_ids):
    alice = world.wallet("alice").address
    w = timeline(world.process("bank"), "Balances", plot="Ticks")
    assert isinstance(w, TimelineWidget) and isinstance(w, ipywidgets.VBox)
    assert w.slider.max == 9 and w.slider.value == 9  # starts at the latest state
    w.slider.value = 2
    assert "slot 2" in w.message.value and "Deposit" in w.message.value
    assert "alice" in w.message.value
    assert "background:#e3f4df" in w.state.value  # alice's row was added: highlighted
    assert alice[:8] in w.state.value
    w.next.click()
    assert w.index == 3 and "bob" in w.message.value
    w.slider.value = 6
    assert "nope" in w.message.value and "rolled back" in w.message.value
    w.prev.click()
    assert w.index == 5 and "background:#fff3c4" in w.state.value  # alice's balance changed
    assert "<svg" in w.plot.value and "slot 4 = 1" in w.plot.value
    w.slider.value = 0
    w.prev.click()
    assert w.index == 0


def test_timeline_repr_and_snapshot_are_deterministic(world, fresh_ids):
    w = timeline(world.process("bank"), "Balances", plot="Ticks", index=5)
    bundle = w._repr_mimebundle_()
    assert bundle["text/plain"] == "<Timeline bank 'Balances': 10 messages, at slot 4>"
    assert "application/vnd.jupyter.widget-view+json" in bundle
    reset_ids()
    again = timeline(build().process("bank"), "Balances", plot="Ticks", index=5)
    assert again.snapshot_html() == w.snapshot_html()
    assert again.plot.value == w.plot.value


def test_timeline_of_a_plain_number(world, fresh_ids):
    w = timeline(world.process("bank"), "Ticks")
    assert "<polyline" in w.plot.value
    w.slider.value = 4
    assert "changed" in w.state.value.split("<tbody>")[1] or "#fff3c4" in w.state.value
    empty = timeline(world.process("ping"), "Nothing")
    assert empty.plot.value == "" and "nil" in empty.state.value


# -- cards ------------------------------------------------------------------------------------

def test_cards(world):
    bank = world.process("bank")
    card = process_card(bank)
    assert "bank" in card and "alice" in card and "1-minute" in card and "1 failed" in card
    assert process_card(bank) == card
    child = process_card(world.process("child"))
    assert "parent" in child and "bank" in child
    deposit = bank.log[2]
    m = message_card(deposit)
    assert "Deposit" in m and "slot 2" in m and "Quantity=1" in m and "1 message" in m
    failed = bank.log[6]
    assert "nope" in message_card(failed) and "stack traceback" not in message_card(failed)
    assert "Deposited" in result_card(deposit.result)
    assert "error" in result_card(failed.result)
    assert "child" in result_card(bank.log[7].result)
    assert "<script" not in card + m


# -- progress ---------------------------------------------------------------------------------

def test_run_with_progress_counts_and_restores():
    net = Network(auto_run=False)
    p = net.spawn("p", tags={"Cron-Interval": "10-seconds", "Cron-Tag-Action": "Tick"})
    for _ in range(20):
        net.send(p, action="X")
    assert run_with_progress(net, show=False) == 21
    assert net.messenger.observers == []
    fired = run_with_progress(net, advance="1-minute", show=False)
    assert len(fired) == 6
    with Progress(net, show=False, every=0) as progress:
        net.run()
    assert progress.evaluated == 6 and progress.crons == 6 and progress.queued == 0
    assert progress.text() == "6 evaluated · 0 queued · 6 crons"
    assert progress.widget.bar.value == 1.0 and progress.widget.bar.bar_style == "success"
    assert repr(progress.widget) == "<Progress ao>"


def test_progress_counts_messages_evaluated_side_by_side(monkeypatch):
    import ao_kernel.units.parallel as parallel

    monkeypatch.setattr(parallel, "PARALLEL_MIN_SECONDS", 0.0)
    net = Network(auto_run=False, workers=2)
    procs = [net.spawn(f"p{i}") for i in range(6)]
    net.run()
    for p in procs:
        net.send(p, action="X")
    with Progress(net, show=False, every=0) as progress:
        assert net.run() == 6
    assert progress.evaluated == 6 and progress.queued == 0


def test_progress_restores_after_an_error():
    net = Network(auto_run=False)
    net.spawn("p")
    with pytest.raises(RuntimeError), Progress(net, show=False) as progress:
        raise RuntimeError("stop")
    assert net.messenger.observers == []
    assert progress.widget.bar.bar_style == "danger"


# -- across processes: bytes do not depend on hash seeds or the session ---------------------

SCRIPT = """
import hashlib, sys
sys.path.insert(0, {tests!r})
from views_world import build
from ao_kernel.widgets import graph, sequence, timeline
net = build()
out = graph(net)._repr_mimebundle_()
out2 = sequence(net)._repr_mimebundle_()
w = timeline(net.process("bank"), "Balances", plot="Ticks", index=5)
blob = repr(sorted(out.items())) + repr(sorted(out2.items())) + w.snapshot_html()
print(hashlib.sha256(blob.encode()).hexdigest())
"""


def test_same_bytes_in_fresh_interpreters():
    code = SCRIPT.format(tests=str(Path(__file__).parent))
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, timeout=120, check=True)
        digests.add(run.stdout.strip())
    assert len(digests) == 1
