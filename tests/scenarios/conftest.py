"""Fixtures for the scenario tests: a fresh network and the spec's process P (Owner O, Name "N").

Spec section 8: "Fresh process P (Owner O, Name tag "N", Module MOD, Authority M = MU); the first
message is the Process message." Processes spawned with `net.spawn` carry Authority=MU.
"""

from __future__ import annotations

import pytest

from ao_kernel import Network


@pytest.fixture(params=["default", "stressed"])
def net(request, monkeypatch):
    """A network with default settings, and one where every batch goes to the thread pool and
    only one process keeps its Lua state (the rest hibernate): the scenarios must not notice."""
    if request.param == "default":
        return Network()
    import ao_kernel.units.parallel as parallel

    monkeypatch.setattr(parallel, "PARALLEL_MIN_SECONDS", 0.0)
    return Network(workers=2, resident=1)


@pytest.fixture
def owner(net):
    """O: the owner wallet of P."""
    return net.wallet("O")


@pytest.fixture
def user(net):
    """U: another wallet (not an authority)."""
    return net.wallet("U")


@pytest.fixture
def proc(net, owner):
    """P: a fresh aos process named "N" owned by O."""
    return net.spawn("N", owner=owner)


@pytest.fixture
def module_id(proc):
    """MOD: the Module of P, as carried by its Process message."""
    return proc.log[0].tags["Module"]


@pytest.fixture
def install(proc):
    """Run Lua code in P as an Eval from its owner; fail the test if it errors."""

    def _install(code: str, target=None):
        p = target or proc
        result = p.eval(code)
        assert result.error is None, result.error
        return result

    return _install
