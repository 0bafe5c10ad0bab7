"""The first Network raises Python's young-generation GC threshold, never lowers one."""

import gc

from ao_kernel import Network
from ao_kernel.gcpolicy import OPERATION_THRESHOLD


def test_a_network_makes_collections_rarer_but_respects_the_user_setting():
    saved = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        Network()
        assert gc.get_threshold() == (OPERATION_THRESHOLD, 10, 10)
        gc.set_threshold(50_000, 5, 5)
        Network()
        assert gc.get_threshold() == (50_000, 5, 5)
        gc.set_threshold(0, 10, 10)  # the user turned automatic collection off
        Network()
        assert gc.get_threshold() == (0, 10, 10)
    finally:
        gc.set_threshold(*saved)


class _Node:
    """A cycle-capable object that can be watched through a weak reference."""

    def __init__(self) -> None:
        self.other: _Node | None = None


def test_survivors_of_every_collection_are_frozen_and_dead_cycles_are_still_freed(
        monkeypatch):
    import weakref

    from ao_kernel import gcpolicy

    Network()  # installs the hook
    gc.unfreeze()
    gc.collect()
    monkeypatch.setitem(gcpolicy._state, "walked", 0)
    monkeypatch.setitem(gcpolicy._state, "frozen", 0)
    monkeypatch.setitem(gcpolicy._state, "thawing", False)
    monkeypatch.setitem(gcpolicy._state, "due", False)
    monkeypatch.setitem(gcpolicy._state, "urgent", False)
    try:
        kept = [[i] for i in range(1000)]
        gc.collect(1)
        assert gc.get_freeze_count() >= len(kept)  # later collections skip them
        assert not gc.get_objects(2)

        frozen = gc.get_freeze_count()
        young = [[i] for i in range(1000)]
        gc.collect(0)  # survivors of a young collection are frozen too
        assert gc.get_freeze_count() >= frozen + len(young)
        assert not gc.get_objects(1) and not gc.get_objects(2)

        a, b = _Node(), _Node()
        a.other, b.other = b, a
        watch = weakref.ref(a)
        gc.collect(1)  # the cycle is alive, and now frozen
        del a, b
        gc.collect(1)
        assert watch() is not None  # a dead cycle among frozen objects waits...

        monkeypatch.setattr(gcpolicy, "THAW_FLOOR", 1)
        monkeypatch.setitem(gcpolicy._state, "walked", gc.get_freeze_count() // 8 + 1)
        monkeypatch.setitem(gcpolicy._state, "frozen", gc.get_freeze_count())
        gc.collect(1)  # ...until the frozen objects have grown enough: a full collection is due
        assert gcpolicy._state["due"] and not gcpolicy._state["urgent"]
        gcpolicy.settle()  # not at the end of an operation: that is for urgent ones
        assert watch() is not None
        gcpolicy.idle()  # at an idle moment: everything thawed and walked once
        assert watch() is None
        assert not gcpolicy._state["thawing"] and not gcpolicy._state["due"]
        assert gc.get_freeze_count() > 0 and kept[999] == [999]
        gcpolicy.idle()  # nothing due: nothing happens

        c, d = _Node(), _Node()
        c.other, d.other = d, c
        watch = weakref.ref(c)
        gc.collect(1)
        del c, d
        gc.collect()  # an explicit full collection frees dead cycles, frozen or not
        assert watch() is None and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_dropped_network_is_freed_at_once_even_when_frozen():
    """A Network holds no reference cycle: dropping it frees its Lua states and its log by
    reference counting, without waiting for a collection that would have to thaw it."""
    import weakref

    Network()
    try:
        old = Network()
        proc = old.spawn("x", code='Handlers.add("A", "A", function(m) m.reply({}) end)')
        proc.send("A", sender=old.wallet("alice"))
        watch, runtime = weakref.ref(old), weakref.ref(old.compute.runtimes[proc.id])
        gc.collect(1)  # the network's objects are now frozen
        del old, proc
        assert watch() is None and runtime() is None
    finally:
        gc.unfreeze()


def test_an_urgent_full_collection_runs_when_the_network_operation_ends(monkeypatch):
    """The collector only marks a full collection as wanted; one that is merely due waits for
    an idle moment (after a cell), an urgent one runs after the Network operation in which it
    became urgent, so that no collection runs inside the collector."""
    from ao_kernel import gcpolicy

    net = Network()
    proc = net.spawn("x", code='Handlers.add("A", "A", function(m) m.reply({}) end)')
    ran = []
    huge = gcpolicy.BUSY_THAW_GROWTH * 10**9  # what the real count will say
    monkeypatch.setattr(gcpolicy.gc, "collect", lambda *a: ran.append(a) or 0)
    monkeypatch.setattr(gcpolicy.gc, "get_freeze_count", lambda: huge)
    monkeypatch.setitem(gcpolicy._state, "recount_at", 0)
    monkeypatch.setitem(gcpolicy._state, "due", True)
    monkeypatch.setitem(gcpolicy._state, "urgent", False)
    try:
        proc.send("A")
        assert ran == []
        gcpolicy._state["urgent"] = True
        gcpolicy._state["frozen"] = huge
        proc.send("A")
        assert ran == [()]
    finally:
        gcpolicy._state["thawing"] = False
        gc.unfreeze()


def test_the_threshold_counts_only_frozen_objects_still_alive(monkeypatch):
    """Frozen objects freed by reference counting (a dropped network) do not make a full
    collection run: the running count is checked against the real one first, outside the
    collector (at the end of the operation, or after the cell)."""
    from ao_kernel import gcpolicy

    Network()
    ran = []
    monkeypatch.setattr(gcpolicy, "THAW_FLOOR", 1)
    monkeypatch.setitem(gcpolicy._state, "walked", 10**6)
    monkeypatch.setitem(gcpolicy._state, "frozen", 10**9)  # mostly freed long ago
    monkeypatch.setitem(gcpolicy._state, "recount_at", 0)
    monkeypatch.setitem(gcpolicy._state, "due", False)
    monkeypatch.setitem(gcpolicy._state, "urgent", False)
    try:
        gc.collect(0)
        assert gcpolicy._state["due"] and gcpolicy._state["urgent"]  # by the running count
        monkeypatch.setattr(gcpolicy.gc, "collect", lambda *a: ran.append(a) or 0)
        gcpolicy.settle()
        gcpolicy.idle()
        assert ran == []
        assert not gcpolicy._state["due"] and not gcpolicy._state["urgent"]
        assert gcpolicy._state["frozen"] == gc.get_freeze_count()
    finally:
        gc.unfreeze()


def test_the_collector_never_walks_the_frozen_objects_itself(monkeypatch):
    """The real count walks every frozen object (~0.1 s per million): collections, which run
    inside messages, only add up survivors; the count is taken after the operation or cell."""
    from ao_kernel import gcpolicy

    net = Network()
    proc = net.spawn("x", code='Handlers.add("A", "A", function(m) m.reply({}) end)')
    counts = []
    monkeypatch.setattr(gcpolicy.gc, "get_freeze_count", lambda: counts.append(1) or 0)
    monkeypatch.setattr(gcpolicy, "THAW_FLOOR", 1)
    monkeypatch.setitem(gcpolicy._state, "walked", 1)
    monkeypatch.setitem(gcpolicy._state, "frozen", 10**9)
    monkeypatch.setitem(gcpolicy._state, "recount_at", 0)
    try:
        for _ in range(3):
            gc.collect(0)
        assert counts == []
        proc.send("A")  # settle() after the operation counts once
        assert counts == [1]
    finally:
        gc.unfreeze()


def test_a_count_that_stays_under_the_threshold_is_not_taken_after_every_operation(
        monkeypatch):
    """Survivors that die later keep pushing the running count over the threshold while the
    real count stays under it; the real count (a walk of every frozen object) is then taken
    again only after a further 1/RECOUNT_GAP of the limit has been frozen."""
    from ao_kernel import gcpolicy

    Network()
    gc.collect(0)  # freeze what exists, so that each collection below freezes ~2,000 objects
    limit = 10**6
    under = gcpolicy.THAW_GROWTH * limit - 1000  # the real count: just under the threshold
    counts = []

    def counting() -> int:
        counts.append(1)
        return under

    monkeypatch.setattr(gcpolicy.gc, "get_freeze_count", counting)
    monkeypatch.setattr(gcpolicy, "THAW_FLOOR", 1)
    monkeypatch.setitem(gcpolicy._state, "walked", limit)
    monkeypatch.setitem(gcpolicy._state, "frozen", under + 2000)
    monkeypatch.setitem(gcpolicy._state, "due", False)
    monkeypatch.setitem(gcpolicy._state, "urgent", False)
    monkeypatch.setitem(gcpolicy._state, "recount_at", 0)
    kept = []
    try:
        for _ in range(3):  # each collection freezes 2,000 more: over the threshold again
            kept.append([[] for _ in range(2000)])
            gc.collect(0)
            assert gcpolicy._state["due"]  # by the running count
            gcpolicy.idle()
        assert len(counts) == 1
        gcpolicy._state["frozen"] = gcpolicy._state["recount_at"]  # grown by the gap: count
        gc.collect(0)
        gcpolicy.idle()
        assert len(counts) == 2
    finally:
        gc.unfreeze()


def test_paused_holds_collections_nests_and_restores_the_collector():
    import gc

    from ao_kernel.gcpolicy import paused

    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused():
            pass
        assert not gc.isenabled()  # a collector the user turned off stays off
    finally:
        gc.enable()
    try:
        with paused():
            raise KeyError("x")
    except KeyError:
        pass
    assert gc.isenabled()


def test_verify_runs_with_the_collector_paused_and_gives_it_back(monkeypatch):
    import gc

    from ao_kernel import Network, holographic

    seen = []
    compare = holographic._compare

    def spying(raw, row, i):
        seen.append(gc.isenabled())
        return compare(raw, row, i)

    monkeypatch.setattr(holographic, "_compare", spying)
    net = Network()
    p = net.spawn("p", code='Handlers.add("Inc", "Inc", function() N = (N or 0) + 1 end)')
    for _ in range(5):
        net.send(p, "Inc")
    assert p.verify().ok and net.verify()[0].ok
    assert seen and not any(seen) and gc.isenabled()
