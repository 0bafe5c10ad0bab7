"""Real-browser fixtures: JupyterLab on 127.0.0.1, and Debian's Chromium driven by Playwright.

`scripts/install-browser.sh` (run by `make test`) installs /usr/bin/chromium. When Chromium is
missing the tests fail if it could have been installed (root with apt-get, as in CI) and skip,
saying why, otherwise. `AO_REQUIRE_BROWSER=1` always fails instead, `AO_REQUIRE_BROWSER=0` skips.
Jupyter and Chromium get a temporary HOME so nothing is written to the user's.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

HERE = Path(__file__).parent
CHROMIUM = "/usr/bin/chromium"
MISSING = (f"{CHROMIUM} not found: `make browser` (scripts/install-browser.sh) installs it "
           "with apt-get as root")
ARTIFACTS = HERE / "artifacts"
NOTEBOOK = "widgets-demo.ipynb"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# Lab settings for a quiet, deterministic page: no news/update toast, every cell rendered
# (no virtualisation, so off-screen outputs exist in the DOM).
OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}

# The notebook is run by the browser test, never collected as a test itself (e.g. by nbval).
collect_ignore = [NOTEBOOK]


def _browser_required() -> bool:
    flag = os.environ.get("AO_REQUIRE_BROWSER")
    if flag in ("0", "1"):
        return flag == "1"
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def _unavailable(reason: str) -> None:
    if _browser_required():
        pytest.fail(f"{reason}; the browser tests must run here (root with apt-get, or "
                    "AO_REQUIRE_BROWSER=1; AO_REQUIRE_BROWSER=0 skips them)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway HOME shared by the Jupyter server and Chromium."""
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="session")
def jupyter_lab(tmp_path_factory: pytest.TempPathFactory, browser_home: Path):
    """Start JupyterLab on a temp copy of the test notebook; yield (base_url, token, notebook)."""
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(MISSING)
    root = tmp_path_factory.mktemp("lab-root")
    shutil.copy(HERE / NOTEBOOK, root / NOTEBOOK)
    settings = tmp_path_factory.mktemp("lab-settings")
    (settings / "overrides.json").write_text(json.dumps(OVERRIDES))

    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
    env.update(HOME=str(browser_home), PYTHONUNBUFFERED="1")
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    jupyter = [sys.executable, "-m", "jupyter"]

    subprocess.run([*jupyter, "trust", str(root / NOTEBOOK)], env=env, check=True,
                   capture_output=True, timeout=60)

    port = _free_port()
    token = uuid.uuid4().hex
    log = open(tmp_path_factory.mktemp("lab-log") / "jupyter.log", "w+")  # noqa: SIM115
    proc = subprocess.Popen(
        [*jupyter, "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
         "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={root}",
         f"--LabApp.app_settings_dir={settings}"],
        env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{log.read()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"jupyter lab not ready after 60 s:\n{log.read()[-3000:]}")
            time.sleep(0.2)
        yield base, token, NOTEBOOK
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory, browser_home: Path):
    """Debian's Chromium, headless, in a persistent context on a temporary profile."""
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(MISSING)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright (Python) is not installed in this environment")
    profile = tmp_path_factory.mktemp("chromium-profile")
    old_home = os.environ.get("HOME")
    os.environ["HOME"] = str(browser_home)  # Chromium writes caches/crash dumps under HOME
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 900}, device_scale_factor=1,
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        if old_home is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = old_home

