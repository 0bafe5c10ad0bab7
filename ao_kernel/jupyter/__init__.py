"""Jupyter integration: the `%ao` IPython extension and the `ao` (Lua) kernel."""

from __future__ import annotations

from typing import Any


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext ao_kernel`: register %ao / %%ao (IPython is imported only now)."""
    from .magics import load_ipython_extension as load

    load(ipython)
