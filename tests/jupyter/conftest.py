"""Jupyter tests run in a private world: temporary HOME, Jupyter and IPython directories, and
the `ao` kernelspec installed into a temporary prefix found through JUPYTER_PATH."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_DIRS = {"HOME": "home", "JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data",
         "JUPYTER_RUNTIME_DIR": "runtime", "IPYTHONDIR": "ipython"}


@pytest.fixture(scope="package", autouse=True)
def jupyter_env() -> Iterator[dict[str, str]]:
    """Environment variables for Jupyter, restored when the package's tests are done."""
    root = Path(tempfile.mkdtemp(prefix="ao-jupyter-"))
    saved = {k: os.environ.get(k) for k in [*_DIRS, "JUPYTER_PATH", "JUPYTER_PLATFORM_DIRS"]}
    for key, sub in _DIRS.items():
        (root / sub).mkdir()
        os.environ[key] = str(root / sub)
    from ao_kernel.jupyter.install import install

    prefix = root / "prefix"
    install(prefix=str(prefix))
    os.environ["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")
    os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
    try:
        yield {"root": str(root), "prefix": str(prefix)}
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(root, ignore_errors=True)
