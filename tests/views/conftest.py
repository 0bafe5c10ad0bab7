"""Fixtures for the view and widget tests (the network itself is in views_world.py)."""

import pytest
from views_world import build

from ao_kernel import Network


@pytest.fixture(scope="module")
def world() -> Network:
    return build()


@pytest.fixture
def fresh_ids():
    from ao_kernel.widgets._html import reset_ids

    reset_ids()
    yield
    reset_ids()
