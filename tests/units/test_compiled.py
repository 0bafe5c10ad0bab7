"""The compiled engine (ao_kernel/compiled.py): used when current, ignored when stale, and the
same network either way."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import ao_kernel
from ao_kernel import compiled

ROOT = Path(__file__).resolve().parents[2]
HAS_CYTHON = importlib.util.find_spec("Cython") is not None
# What setuptools compiles with: without it a build cannot happen, and the engine runs as Python.
HAS_COMPILER = shutil.which((sysconfig.get_config_var("CC") or "cc").split()[0]) is not None
CAN_BUILD = HAS_CYTHON and HAS_COMPILER
PURE = compiled.pure()

# A small deterministic run; prints what must not depend on how the engine runs.
SCRIPT = """
import json, sys
from ao_kernel import Network, compiled
net = Network()
code = 'Handlers.add("Ping", "Ping", function(m) m.reply({Data = "pong"}) end)'
pong = net.spawn("pong", code=code)
alice = net.wallet("alice")
results = [net.send(pong, action="Ping", sender=alice) for _ in range(3)]
bad = pong.eval("error('boom')")
frame = net.messages()
rows = [[str(v) for v in row] for row in frame.itertuples(index=False)]
print(json.dumps({"network": compiled.status()["ao_kernel.network"], "rows": rows,
                  "outputs": [r.result.messages[0].data for r in results], "error": bad.error,
                  "verify": all(v.ok for v in net.verify()), "state": pong.state_digest()}))
"""


def _run(pure: bool) -> dict:
    env = {**os.environ, compiled.PURE_ENV: "1" if pure else "0"}
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_engine_modules_run_compiled_when_a_build_exists() -> None:
    if PURE:
        pytest.skip("AO_KERNEL_PURE is set")
    if not CAN_BUILD and not compiled.read_manifest():
        pytest.skip("no Cython or C compiler, and no build: the engine runs as plain Python")
    # `make test` builds first: a missing or stale build here means that build failed.
    for name in compiled.BUILT:
        importlib.import_module(name)
    assert compiled.status() == dict.fromkeys(compiled.BUILT, "compiled")
    count = len(compiled.BUILT)
    assert compiled.summary() == f"compiled (Cython): {count} of {count} engine modules in use"


def test_a_build_of_other_source_is_never_used(tmp_path: Path) -> None:
    builds = compiled.read_manifest()
    if not builds:
        pytest.skip("no compiled build")
    finder = compiled._Finder({name: dict(entry) for name, entry in builds.items()})
    name = "ao_kernel.units.scheduler"
    spec = finder.find_spec(name)
    assert spec is not None and spec.origin.endswith(builds[name]["file"].split("/")[-1])
    finder.builds[name]["source"] = "0" * 64  # as if the .py had been edited since the build
    assert finder.find_spec(name) is None
    assert name in finder.stale
    finder.builds["ao_kernel.ids"]["file"] = "missing.so"
    assert finder.find_spec("ao_kernel.ids") is None


def test_summary_points_at_stale_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    finder = compiled._Finder({})
    finder.stale.add("ao_kernel.units.scheduler")
    monkeypatch.setattr(compiled, "_finder", finder)
    monkeypatch.setattr(compiled, "is_compiled", lambda module: False)
    assert compiled.status()["ao_kernel.units.scheduler"] == "source: stale build"
    assert compiled.summary() == ("pure Python (no compiled build in use) (1 edited since "
                                  "their build: run `ao-kernel compile`)")


def test_modules_outside_the_engine_are_left_to_python() -> None:
    finder = compiled._Finder({})
    assert finder.find_spec("ao_kernel.jupyter.kernel") is None
    assert finder.find_spec("json") is None
    # The interrupt handler must stay Python bytecode (see ao_kernel/lua/interrupts.py).
    assert "ao_kernel.lua.interrupts" not in compiled.ENGINE
    assert not compiled.is_compiled(importlib.import_module("ao_kernel.lua.interrupts"))


def test_a_manifest_for_another_python_is_ignored(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = tmp_path / "manifest.json"
    entry = {"file": "x.so", "source": "0" * 64}
    monkeypatch.setattr(compiled, "MANIFEST", manifest)
    manifest.write_text(json.dumps({"abi": ".cpython-99-x.so", "modules": {"a": entry}}))
    assert compiled.read_manifest() == {}
    manifest.write_text(json.dumps({"abi": compiled._abi(), "modules": {"a": entry}}))
    assert compiled.read_manifest() == {"a": entry}
    manifest.write_text("not json")
    assert compiled.read_manifest() == {}


def test_source_paths_name_every_engine_module() -> None:
    for name in compiled.BUILT:
        assert compiled.source_path(name).is_file(), name
    assert compiled.source_path("ao_kernel.units.scheduler") == \
        Path(ao_kernel.__file__).resolve().parent / "units" / "scheduler.py"


def test_compiled_and_plain_python_give_the_same_network() -> None:
    plain = _run(pure=True)
    assert plain["network"] == "source"
    built = _run(pure=False)
    if compiled.read_manifest() and not PURE:
        assert built["network"] == "compiled"
    assert plain["verify"] and built["verify"]
    assert "boom" in plain["error"]
    for key in ("rows", "outputs", "error", "state"):
        assert built[key] == plain[key], key


def test_compile_command_without_cython_explains(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    def no_cython(force: bool = False, quiet: bool = True) -> list[str]:
        raise ImportError("No module named 'Cython'")
    monkeypatch.setattr(compiled, "build", no_cython)
    assert compiled.main([]) == 1
    assert "Cython is not installed" in capsys.readouterr().err


@pytest.mark.skipif(not CAN_BUILD, reason="needs Cython and a C compiler")
def test_build_compiles_what_changed_and_replaces_files_by_rename(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = "ao_kernel.lua.codec"  # the smallest engine module: a quick build
    monkeypatch.setattr(compiled, "BUILT", (name,))
    monkeypatch.setattr(compiled, "BUILD_DIR", tmp_path)
    monkeypatch.setattr(compiled, "MANIFEST", tmp_path / "manifest.json")
    assert compiled.build() == [name]
    entry = compiled.read_manifest()[name]
    assert entry["source"] == compiled.source_digest(compiled.source_path(name))
    binary = tmp_path / entry["file"]
    first = binary.stat().st_ino
    assert compiled.build() == []  # its source has not changed
    assert compiled.build(force=True) == [name]
    # A new file renamed into place: a process that has the old one loaded keeps it.
    assert binary.stat().st_ino != first
    spec = compiled._Finder(compiled.read_manifest()).find_spec(name)
    assert spec is not None and Path(spec.origin) == binary
    assert not list(tmp_path.glob("*.tmp"))
