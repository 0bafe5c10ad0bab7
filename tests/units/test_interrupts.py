"""Ctrl-C / Jupyter Interrupt while Lua runs: stopped, rolled back, logged, replayable."""

import os
import signal
import threading

import pytest

from ao_kernel import Network

LOOP = """
Handlers.add("Spin", "Spin", function() Spun = true; while true do end end)
Handlers.add("Inc", "Inc", function() N = (N or 0) + 1 end)
"""


def _interrupt_soon(delay=0.3):
    timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


def _net(path=None):
    net = Network(path=path, instruction_limit=10**12)
    p = net.spawn("p", code=LOOP)
    net.send(p, action="Inc")
    return net, p


def test_interrupt_stops_an_endless_handler_and_the_process_stays_usable(tmp_path):
    path = str(tmp_path / "i.ao")
    net, p = _net(path)
    _interrupt_soon()
    with pytest.raises(KeyboardInterrupt):
        net.send(p, action="Spin")
    stopped = p.log[-1]
    assert stopped.action == "Spin" and "interrupted by the user" in stopped.result.error
    assert p.get("Spun") is None and p.get("N") == 1
    assert net.pending() == []
    net.send(p, action="Inc")
    assert p.get("N") == 2
    assert all(r.ok for r in net.verify())
    net.close()
    # replay reproduces the interruption without running the endless loop again
    again = Network.open(path, instruction_limit=10**12)
    q = again.process("p")
    assert [m.id for m in q.log] == [m.id for m in p.log]
    assert "interrupted" in q.log[-2].result.error and q.get("N") == 2
    assert again.store.mismatches == []
    again.close()


def test_interrupting_a_long_crank_leaves_the_rest_queued():
    net = Network(instruction_limit=10**12)
    a = net.spawn("a", code="""
      Handlers.add("Ping", "Ping", function(msg)
        Count = (Count or 0) + 1
        if Count == 3 then while true do end end
        Send({ Target = ao.id, Action = "Ping" })
      end)
    """)
    _interrupt_soon()
    with pytest.raises(KeyboardInterrupt):
        net.send(a, action="Ping")
    assert a.get("Count") == 2
    fork = net.fork()
    assert fork.process("a").get("Count") == 2
    assert [m.id for m in fork.process("a").log] == [m.id for m in a.log]


def test_interrupting_a_read_raises_and_leaves_no_flag_behind():
    net, p = _net()
    _interrupt_soon()
    with pytest.raises(KeyboardInterrupt):
        p.get("(function() while true do end end)()")
    assert p.get("N") == 1


def test_ctrl_c_outside_network_operations_is_python_s_own():
    """After an operation, SIGINT reaches the handler that was there before (KeyboardInterrupt
    by default, or whatever the host installed), not the network's flag."""
    net, p = _net()
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)
    seen = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: seen.append(signum))
    try:
        net.send(p, action="Inc")
        signal.raise_signal(signal.SIGINT)
        assert seen == [signal.SIGINT]
    finally:
        signal.signal(signal.SIGINT, previous)
    assert p.get("N") == 2
