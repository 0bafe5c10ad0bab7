"""The message graph as data: nodes, aggregated edges, counts and filters."""

import networkx as nx
from views_world import START, build

from ao_kernel.views import edges_frame, message_graph


def edge(g, sender, receiver, kind, action=None):
    pid = {d["label"]: n for n, d in g.nodes(data=True)}
    key = f"{kind}:{action or ''}"
    return g.edges[pid[sender], pid[receiver], key]


def test_nodes_are_processes_wallets_and_the_clock(world):
    g = message_graph(world)
    assert isinstance(g, nx.MultiDiGraph)
    kinds = {d["label"]: d["kind"] for _, d in g.nodes(data=True)}
    assert kinds == {"bank": "process", "ping": "process", "pong": "process",
                     "child": "process", "alice": "wallet", "bob": "wallet", "user": "wallet",
                     "⏱ cron": "clock"}
    child = world.process("child")
    assert g.nodes[child.id]["parent"] == world.process("bank").id
    # processes first, in spawn order
    assert list(g.nodes)[:4] == [p.id for p in world.processes]


def test_edges_are_aggregated_by_sender_receiver_and_action(world):
    g = message_graph(world)
    assert edge(g, "alice", "bank", "message", "Deposit")["count"] == 2
    assert edge(g, "bob", "bank", "message", "Deposit")["count"] == 1
    assert edge(g, "pong", "ping", "message", "Ping")["count"] == 2
    assert edge(g, "ping", "pong", "message", "Pong")["count"] == 2
    assert edge(g, "bank", "alice", "delivery", "Deposited")["count"] == 2
    assert edge(g, "⏱ cron", "bank", "cron", "Tick")["count"] == 1
    assert edge(g, "user", "bank", "assignment", "Go")["count"] == 1
    failed = edge(g, "alice", "bank", "message", "Fail")
    assert failed["count"] == 1 and failed["errors"] == 1
    total = sum(d["count"] for _, _, d in g.edges(data=True))
    assert total == g.graph["messages"] == len(world.messages()) + 4  # + 4 wallet deliveries


def test_spawn_parentage_is_its_own_edge_kind(world):
    g = message_graph(world)
    spawns = {(g.nodes[u]["label"], g.nodes[v]["label"])
              for u, v, d in g.edges(data=True) if d["kind"] == "spawn"}
    assert spawns == {("alice", "bank"), ("user", "ping"), ("user", "pong"), ("bank", "child")}
    assert edge(g, "bank", "child", "spawn")["action"] is None


def test_action_filter_keeps_only_those_messages(world):
    g = message_graph(world, action=["Ping", "Pong"])
    kinds = {d["kind"] for _, _, d in g.edges(data=True)}
    assert kinds == {"message"}
    assert {d["action"] for _, _, d in g.edges(data=True)} == {"Ping", "Pong"}
    assert g.graph["messages"] == 4
    with_spawns = message_graph(world, action="Ping", spawns=True)
    assert any(d["kind"] == "spawn" for _, _, d in with_spawns.edges(data=True))
    everything = message_graph(world).graph["messages"]
    assert message_graph(world, spawns=False).graph["messages"] == everything - 4  # 4 spawns


def test_time_window(world):
    early = message_graph(world, until=START)
    actions = {d["action"] for _, _, d in early.edges(data=True)}
    assert actions == {None, "Eval", "Deposit", "Deposited"}
    assert world.process("child").id not in early  # spawned later
    late = message_graph(world, since=START + 60_000)
    assert {d["action"] for _, _, d in late.edges(data=True) if d["kind"] == "cron"} == {"Tick"}
    assert all(d["first_timestamp"] >= START + 60_000 for _, _, d in late.edges(data=True))
    assert message_graph(world, since=START + 10**9).graph["messages"] == 0


def test_edges_frame(world):
    frame = edges_frame(message_graph(world))
    assert list(frame.columns)[:6] == ["sender", "receiver", "kind", "action", "count", "errors"]
    row = frame[(frame.sender_label == "alice") & (frame.action == "Deposit")].iloc[0]
    assert row["count"] == 2 and row["receiver_label"] == "bank"


def test_same_log_same_graph(world):
    a, b = message_graph(world), message_graph(build())
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    assert list(a.edges(keys=True, data=True)) == list(b.edges(keys=True, data=True))
