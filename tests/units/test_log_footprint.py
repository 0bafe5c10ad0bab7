"""What keeps a long log small in memory: messages share their tag tuples with the CU's
arguments, repeated strings from results are one object each, and a network without a file
keeps its log rows in SQLite's temporary database rather than in memory."""

import gc
import tracemalloc

from ao_kernel import Network
from ao_kernel.units import result as result_module
from ao_kernel.units.result import read_result

PING = 'Handlers.add("Ping", "Ping", function(msg) msg.reply({ Action = "Pong", Data = "p" }) end)'
BYTES_PER_PING = 3400  # ~3,000 now; 4,800 when tags were copied and result strings not pooled


def test_a_ping_keeps_under_a_bound_of_python_memory():
    net = Network()
    proc = net.spawn("ping", code=PING)
    alice = net.wallet("alice")
    for _ in range(300):  # warm: caches, checkpoints, the string pool
        net.send(proc, action="Ping", sender=alice)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        n = 2000
        for _ in range(n):
            net.send(proc, action="Ping", sender=alice)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown / n < BYTES_PER_PING


def test_the_cu_arguments_share_the_messages_tag_tuples():
    net = Network()
    proc = net.spawn("ping", code=PING)
    msg = net.send(proc, action="Ping", tags={"Note": "x"})
    args = net.compute.runtimes[proc.id].history[-1]
    cu_tags = args[-1]
    assert cu_tags == msg.tag_list
    assert all(a is b for a, b in zip(cu_tags, msg.tag_list, strict=True))
    reply = msg.result.messages[0]
    signed = {"Data-Protocol", "Type", "From-Process", "From-Module", "Pushed-For"}
    kept = [t for t in reply.pushed.tag_list if t[0] not in signed]  # the MU adds the others
    assert {"Action", "Reference"} <= {n for n, _ in kept}
    assert all(any(t is u for u in reply.tag_list) for t in kept)


def test_repeated_result_strings_are_one_object():
    net = Network()
    proc = net.spawn("ping", code=PING)
    first, second = (net.send(proc, action="Ping").result for _ in range(2))
    assert first.prompt == second.prompt and first.prompt is second.prompt
    a, b = first.messages[0], second.messages[0]
    assert a.target is b.target
    values = dict(a.tag_list)
    for tag in b.tag_list:
        same = next(t for t in a.tag_list if t[0] == tag[0])
        assert same[0] is tag[0]
        if values[tag[0]] == tag[1]:  # the whole tag repeats: one tuple
            assert same is tag
    assert {n for n, v in b.tag_list if values[n] != v} == {"Reference"}


def test_what_every_message_repeats_is_shared_between_messages():
    """The MU's signed protocol and sender tags, and the block height of an instant."""
    net = Network()
    proc = net.spawn("ping", code=PING)
    first, second = (net.send(proc, action="Ping") for _ in range(2))
    assert first.block_height == second.block_height and first.block_height is second.block_height
    a, b = (m.result.messages[0].pushed.tag_list for m in (first, second))
    common = [t for t in a if t[0] in ("Data-Protocol", "Type", "From-Process", "From-Module")]
    assert len(common) == 4
    assert all(any(t is u for u in b) for t in common)


def _flat(target: str, tags: list[tuple[str, str]]) -> tuple:
    flat = [x for pair in tags for x in pair]
    return ("", "prompt", False, 1, target, "", False, len(flat), *flat, 0, 0, False)


def test_the_pool_holds_only_short_strings_and_empties_when_full(monkeypatch):
    monkeypatch.setattr(result_module, "_pool", {})
    monkeypatch.setattr(result_module, "POOL_MAX", 8)
    long_value = "v" * (result_module.POOL_LEN + 1)
    raw = read_result(_flat("t", [("Name", long_value)]))
    assert raw.messages[0][3] == [("Name", long_value)]
    assert long_value not in result_module._pool
    for k in range(20):
        read_result(_flat("t", [("N", str(k))]))
        assert len(result_module._pool) <= result_module.POOL_MAX + 3
    assert read_result(_flat("t", [("N", "x")])).messages[0][3] == [("N", "x")]
    again = read_result(_flat("t", [("N", "x"), ("N", "x")])).messages[0][3]
    assert again == [("N", "x"), ("N", "x")] and again[0] is again[1]


def test_a_network_without_a_file_keeps_its_log_in_a_temporary_database():
    """SQLite's private temporary database keeps pages in a file, not all in memory (a memory
    database reports the journal mode "memory")."""
    net = Network()
    net.send(net.spawn("ping", code=PING), action="Ping")
    mode = net.store.db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode != "memory"
    assert len(net.messages()) >= 3


def test_writing_a_long_unflushed_log_encodes_its_rows_one_at_a_time():
    """The rows of 2,000 pings, encoded all at once, would take ~4 MB; one at a time, a few KB."""
    net = Network()
    proc = net.spawn("ping", code=PING)
    for _ in range(2000):
        net.send(proc, action="Ping")
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        net.store.flush()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000
    assert len(net.messages()) == 2002  # the Process message, its code, the pings
