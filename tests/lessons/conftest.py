"""The lesson tests share the private Jupyter world of tests/jupyter (temporary HOME and Jupyter
directories, the `ao` kernelspec installed into a temporary prefix)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location(
    "ao_jupyter_test_env", Path(__file__).resolve().parents[1] / "jupyter" / "conftest.py")
assert _SPEC is not None and _SPEC.loader is not None
_MODULE = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_MODULE)

jupyter_env = _MODULE.jupyter_env
