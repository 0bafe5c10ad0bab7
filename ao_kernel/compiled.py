"""Compiled engine: Cython builds of the engine's pure-Python modules, loaded only while each
matches its source. A build that no longer matches (the source was edited) is ignored, never run,
so the Python source stays the single truth; without a build everything runs as plain Python.

`ao-kernel compile` (run by `make`) builds what changed; `AO_KERNEL_PURE=1` turns the builds off.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import sysconfig
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

# The modules every message passes through (plus replay and the log); the rest of the package
# (Jupyter, views, widgets) is not worth compiling.
ENGINE: tuple[str, ...] = tuple(f"ao_kernel.{name}" for name in (
    "network", "journal", "message", "ids", "clock", "gcpolicy", "process", "holographic",
    "units.messenger", "units.scheduler", "units.compute", "units.process_runtime",
    "units.result", "units.checkpoint", "units.parallel",
    "store.sqlite", "store.exchange", "store.jsontext",
    "lua.runtime", "lua.codec", "lua.convert",
))

# Modules that exist only as Cython source (no Python version): the Lua states' pooling
# allocator. Without a build, the code that uses it does without (see lua/allocator.py).
NATIVE: tuple[str, ...] = ("ao_kernel.lua._pool",)
BUILT: tuple[str, ...] = ENGINE + NATIVE

PACKAGE_DIR = Path(__file__).resolve().parent
BUILD_DIR = PACKAGE_DIR / "_compiled"
MANIFEST = BUILD_DIR / "manifest.json"
PURE_ENV = "AO_KERNEL_PURE"
# Cython options: annotations stay hints (Cython would otherwise enforce them as exact types).
DIRECTIVES = {"language_level": 3, "annotation_typing": False}


def source_path(name: str) -> Path:
    """The source of a built module, e.g. ao_kernel/units/scheduler.py (.pyx for NATIVE)."""
    return PACKAGE_DIR.joinpath(*name.split(".")[1:]).with_suffix(
        ".pyx" if name in NATIVE else ".py")


def source_digest(path: Path) -> str:
    """SHA-256 of a source file's bytes: what ties a build to the text it was built from."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pure() -> bool:
    """Whether AO_KERNEL_PURE asks for plain Python (no compiled module, no pooling allocator)."""
    return os.environ.get(PURE_ENV, "") not in ("", "0")


def _abi() -> str:
    return str(sysconfig.get_config_var("EXT_SUFFIX"))


def read_manifest() -> dict[str, dict[str, str]]:
    """The builds on disk: module name -> {"file": path under _compiled, "source": digest}.
    Empty when there is none, or it was built for another Python."""
    try:
        data = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("abi") != _abi():
        return {}
    modules = data.get("modules")
    return modules if isinstance(modules, dict) else {}


class _Finder(importlib.abc.MetaPathFinder):
    """Finds an engine module's build when it was built from the module's current source."""

    def __init__(self, builds: dict[str, dict[str, str]]) -> None:
        self.builds = builds
        self.stale: set[str] = set()

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        build = self.builds.get(fullname)
        if build is None:
            return None
        binary = BUILD_DIR / build["file"]
        try:
            current = source_digest(source_path(fullname)) == build["source"]
        except OSError:
            current = False
        if not current or not binary.is_file():
            self.stale.add(fullname)
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(binary))
        return importlib.util.spec_from_file_location(fullname, binary, loader=loader)


_finder: _Finder | None = None


def install() -> None:
    """Put the finder first on `sys.meta_path` (once; not at all under AO_KERNEL_PURE=1)."""
    global _finder
    if _finder is not None or pure():
        return
    builds = read_manifest()
    if builds:
        _finder = _Finder(builds)
        sys.meta_path.insert(0, _finder)


def is_compiled(module: ModuleType) -> bool:
    """True when `module` was loaded from a compiled build."""
    spec = getattr(module, "__spec__", None)
    return spec is not None and isinstance(spec.loader, importlib.machinery.ExtensionFileLoader)


def status() -> dict[str, str]:
    """How each built module runs: "compiled", "source" (no build, or AO_KERNEL_PURE=1; for
    the NATIVE allocator: not in use), "source: stale build" (edited since its build) or "not
    imported"."""
    found: dict[str, str] = {}
    for name in BUILT:
        module = sys.modules.get(name)
        if module is None:
            found[name] = "not imported"
        elif is_compiled(module):
            found[name] = "compiled"
        elif _finder is not None and name in _finder.stale:
            found[name] = "source: stale build"
        else:
            found[name] = "source"
    return found


def summary() -> str:
    """One line for tables and reports, e.g. "compiled (Cython): 22 of 22 engine modules in
    use" (counting the engine modules imported so far)."""
    states = [state for state in status().values() if state != "not imported"]
    done, stale = states.count("compiled"), states.count("source: stale build")
    note = f" ({stale} edited since their build: run `ao-kernel compile`)" if stale else ""
    if done == 0:
        return "pure Python (no compiled build in use)" + note
    return f"compiled (Cython): {done} of {len(states)} engine modules in use" + note


def build(force: bool = False, quiet: bool = True) -> list[str]:
    """Compile the engine modules whose source changed since their build (all with `force`);
    return their names. Needs Cython and a C compiler; raises ImportError without Cython."""
    from Cython.Build import cythonize  # the build needs Cython; running a build does not
    from setuptools import Distribution, Extension

    known = {} if force else read_manifest()
    digests = {name: source_digest(source_path(name)) for name in BUILT}
    todo = [name for name in BUILT
            if known.get(name, {}).get("source") != digests[name]
            or not (BUILD_DIR / known[name]["file"]).is_file()]
    if not todo:
        return []
    BUILD_DIR.mkdir(exist_ok=True)
    jobs = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="ao-kernel-build-") as tmp:
        extensions = cythonize(
            [Extension(name, [str(source_path(name))]) for name in todo],
            compiler_directives=DIRECTIVES, build_dir=tmp, quiet=quiet, nthreads=jobs)
        command = Distribution({"ext_modules": extensions}).get_command_obj("build_ext")
        staging = Path(tmp) / "lib"
        command.build_lib, command.build_temp = str(staging), tmp
        command.parallel = jobs
        command.ensure_finalized()
        command.run()
        files = {}
        for name in todo:
            built = Path(command.get_ext_fullpath(name))
            files[name] = built.relative_to(staging).as_posix()
            target = BUILD_DIR / files[name]
            target.parent.mkdir(parents=True, exist_ok=True)
            # A rename, never a rewrite in place: a kernel that has the old file loaded keeps
            # it (rewriting a loaded extension can crash the process using it).
            os.replace(built, target)
    modules = {name: entry for name, entry in known.items() if name in BUILT}
    modules.update({name: {"file": files[name], "source": digests[name]} for name in todo})
    staged = MANIFEST.with_suffix(".tmp")
    staged.write_text(json.dumps({"abi": _abi(), "modules": modules}, indent=1, sort_keys=True),
                      encoding="utf-8")
    os.replace(staged, MANIFEST)
    return todo


def main(argv: list[str] | None = None) -> int:
    """`ao-kernel compile [--force]`: build what changed and say what runs compiled."""
    args = sys.argv[1:] if argv is None else argv
    try:
        built = build(force="--force" in args)
    except ImportError:
        print("ao-kernel compile: Cython is not installed (pip install 'ao-kernel[fast]'); "
              "the engine runs as plain Python", file=sys.stderr)
        return 1
    except Exception as exc:  # a compiler error: the engine still runs from source
        print(f"ao-kernel compile failed ({type(exc).__name__}: {exc}); engine modules "
              "without a current build run as plain Python", file=sys.stderr)
        return 1
    if built:
        print(f"compiled {len(built)} engine modules into {BUILD_DIR}")
    else:
        print(f"compiled engine up to date ({len(BUILT)} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
