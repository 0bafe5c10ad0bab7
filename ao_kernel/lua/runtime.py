"""A sandboxed Lua 5.3 runtime: one per live process, with instruction and memory limits.

Process code sees only the Lua standard library minus host access (no `io`, no host `os`, no
`require` of files, no Python objects) plus the library modules registered with it. The Lua
state under a runtime may have served an earlier process (`Runtime.release`): each runtime gets
fresh globals, so nothing of that process is reachable.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import lupa.lua53 as lua53

from .allocator import install as install_pool
from .codec import from_lua
from .interrupts import LuaInterrupted, interrupts

DEFAULT_MEMORY_LIMIT = 256 * 1024 * 1024
DEFAULT_INSTRUCTION_LIMIT = 200_000_000


class LuaLimitError(RuntimeError):
    """Lua code ran past its instruction budget or memory limit."""


class LuaCodeError(RuntimeError):
    """Lua code raised an error (syntax or runtime); the message names the line."""


def _deny_attributes(obj: Any, name: Any, is_setting: bool) -> Any:
    raise AttributeError("Python objects are not reachable from process Lua")


@cache
def _read(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


@cache
def library_sources(folder: str = "aos") -> Mapping[str, str]:
    """Return {module name: Lua source} for every `ao_kernel/lua/<folder>/*.lua` file."""
    base = resources.files("ao_kernel.lua").joinpath(folder)
    out: dict[str, str] = {}
    for entry in sorted(base.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".lua"):
            out[entry.name[: -len(".lua")]] = entry.read_text(encoding="utf-8")
    return out


@cache
def _compiler() -> Any:
    """A private Lua state that turns source text into bytecode (None if it does not compile)."""
    return lua53.LuaRuntime(encoding=None, register_eval=False, register_builtins=False).eval(
        "function(src, name) local f = load(src, name, 't') "
        "if f then return string.dump(f) end end")


@lru_cache(maxsize=4096)
def _bytecode(name: str, src: str) -> bytes | None:
    """Lua 5.3 bytecode (with debug info, so errors keep line numbers) for a module's source.

    Loading bytecode is several times faster than compiling text, which makes spawning cheap.
    Only the host's own module sources are compiled this way; process code is always text.
    Returns None when the source does not compile (the error then surfaces at `require`).
    """
    return host_bytecode(src, chunk_name(name))


def host_bytecode(src: str, name: str) -> bytes | None:
    """Bytecode for Lua text the host wrote itself, chunk named `name`; None if it does not
    compile. Only for trusted host code (see `Runtime.run_host_code`), never process code."""
    code: bytes | None = _compiler()(src.encode("utf-8"), name.encode("utf-8"))
    return code


def chunk_name(module: str) -> str:
    """The chunk name ao's build gives a library module (`.handlers`, but plain `json`)."""
    key = module.lstrip(".")
    return key if key == "json" else "." + key


# lupa's `execute` names its chunks "<python>"; the sandbox keeps that name when it runs from
# bytecode, so its error positions and `debug.getinfo` answers stay the same.
_SANDBOX_CHUNK = "<python>"


@cache
def _sandbox_code() -> bytes:
    """sandbox.lua as bytecode, compiled once per host process (it runs in every runtime)."""
    code = host_bytecode(_read("ao_kernel.lua", "sandbox.lua"), _SANDBOX_CHUNK)
    if code is None:
        raise RuntimeError("ao_kernel/lua/sandbox.lua does not compile")
    return code


def canonical_module_name(name: str) -> str:
    """The sandbox's canonical module name: no leading "." and no trailing ".init"
    ('.crypto.init' -> 'crypto', '.process' -> 'process')."""
    if name.startswith("."):
        name = name[1:]
    if name.endswith(".init"):
        name = name[: -len(".init")]
    return name


class _Library:
    """What the sandbox's `require` asks the host for: a module's code by canonical name.

    Modules are handed over one at a time, at their first `require`, so a runtime never holds
    the code of modules it does not use (every Lua state would otherwise keep its own copy).
    """

    def __init__(self, items: tuple[tuple[str, str], ...]) -> None:
        self.by_key = {canonical_module_name(name): (name, src) for name, src in items}
        self.codes: dict[str, tuple[bytes | str, bool]] = {}

    def lookup(self, key: Any) -> tuple[bytes | str, bool] | None:
        """(bytecode, True), or (source, False) when it does not compile, or None."""
        found = self.codes.get(key)
        if found is None:
            module = self.by_key.get(key) if isinstance(key, str) else None
            if module is None:
                return None
            name, src = module
            code = _bytecode(name, src)
            found = self.codes[key] = (src, False) if code is None else (code, True)
        return found


@lru_cache(maxsize=64)
def _library(items: tuple[tuple[str, str], ...]) -> _Library:
    return _Library(items)


# Lua states whose process has left (`Runtime.release`), kept for the next runtimes to boot in:
# a new state costs a LuaRuntime, the sandbox, and loading every library module's bytecode
# again, which is most of a spawn. States are kept only while small (what the leaving process
# left behind is freed by the next boot's collection) and only for processes under the default
# memory limit or more, whose boot cannot fail on what the state already holds.
_spare: deque[tuple[Any, Any, Any]] = deque()
SPARE_MAX = 4
SPARE_MAX_BYTES = 4 * 1024 * 1024


def _released(*_: Any, **__: Any) -> Any:
    raise RuntimeError("this runtime's Lua state was released to another process")


class _Released:
    """What a released runtime holds instead of its Lua state: any use raises."""

    def __getattr__(self, name: str) -> Any:
        return _released()


_RELEASED = _Released()


class Runtime:
    """A sandboxed `lua53` state with fresh process globals, host controls out of Lua's reach."""

    def __init__(
        self,
        modules: Mapping[str, str] | None = None,
        memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
        instruction_limit: int | None = DEFAULT_INSTRUCTION_LIMIT,
    ) -> None:
        self.memory_limit = memory_limit
        self.instruction_limit = instruction_limit
        self._reusable = memory_limit is None or memory_limit >= DEFAULT_MEMORY_LIMIT
        spare = None
        if self._reusable:
            try:
                spare = _spare.pop()
            except IndexError:
                pass
        if spare is None:
            lua = lua53.LuaRuntime(
                register_eval=False,
                register_builtins=False,
                unpack_returned_tuples=True,
                attribute_filter=_deny_attributes,
                max_memory=memory_limit or 0,
            )
            install_pool(lua)  # the pooling allocator, when it is built (see allocator.py)
            host = lua.execute(_sandbox_code())
            host.set_interrupt_check(interrupts.check)
            current = None
        else:
            lua, host, current = spare
            lua.set_max_memory(memory_limit or 0)
        self.lua, self.host = lua, host
        self._run = host.run
        self._set_budget = host.set_budget
        self._load = host.load
        self._collect = host.collect
        self.library = library = _library(
            tuple((modules if modules is not None else library_sources()).items()))
        if library is not current:
            host.set_lookup(library.lookup if library.by_key else None)
        host.instantiate()

    def release(self) -> None:
        """Give the Lua state to the next runtime that boots; this one must not be used again.

        Call it only where the runtime is dropped for good (a process hibernating or booting
        afresh): everything the process held becomes garbage for the next boot to collect.
        """
        lua, host = self.lua, self.host
        if lua is _RELEASED:
            return
        self.lua = self.host = _RELEASED
        self._run = self._set_budget = self._load = self._collect = _released
        if (self._reusable and len(_spare) < SPARE_MAX
                and lua.get_memory_used() <= SPARE_MAX_BYTES):
            _spare.append((lua, host, self.library))

    @contextmanager
    def booting(self) -> Iterator[None]:
        """Hold Lua's garbage collector while a process library loads, then collect once.

        Loading only allocates, so collecting step by step as the heap grows is wasted work;
        one full collection at the end is cheaper and leaves none of the boot's garbage behind.
        """
        self._collect("stop")
        try:
            yield
        finally:
            self._collect("restart")
            self._collect("collect")

    @property
    def globals(self) -> Any:
        """The Lua global table (`_G`)."""
        return self.lua.globals()

    def set_now(self, ms: int) -> None:
        """Set what `os.time()` returns, in milliseconds."""
        self.host.set_now(ms)

    def call(self, fn: Any, *args: Any, instructions: int | None = None) -> Any:
        """Call a Lua function under the instruction budget; raise LuaCodeError/LuaLimitError."""
        budget = self.instruction_limit if instructions is None else instructions
        try:
            res = self._run(budget or 0, fn, *args)
        except lua53.LuaMemoryError as exc:
            self._set_budget(0)
            raise LuaLimitError(self._memory_text()) from exc
        except BaseException:
            self._set_budget(0)
            raise
        if not isinstance(res, tuple):
            res = (res,)
        if res[0]:
            rest = res[1:]
            if not rest:
                return None
            return rest[0] if len(rest) == 1 else rest
        kind = res[2]
        if kind == "limit":
            raise LuaLimitError(f"instruction limit exceeded ({budget:,} instructions)")
        if kind == "interrupt":
            interrupts.consume()
            raise LuaInterrupted("interrupted")
        if kind == "memory":
            raise LuaLimitError(self._memory_text())
        raise LuaCodeError(from_lua(str(res[1])))

    def compile(self, code: str, name: str = "=code") -> Any:
        """Compile Lua source text into a function; raise LuaCodeError on a syntax error."""
        res = self._load(code, name, "t", self.lua.globals())
        if isinstance(res, tuple):
            raise LuaCodeError(from_lua(str(res[1])))
        return res

    def execute(self, code: str, name: str = "=code", instructions: int | None = None,
                args: tuple[Any, ...] = ()) -> Any:
        """Compile and run a chunk in the global environment; `args` become its `...`."""
        return self.call(self.compile(code, name), *args, instructions=instructions)

    def run_host_chunk(self, name: str, args: tuple[Any, ...] = ()) -> Any:
        """Run one of the host's own chunks (`ao_kernel/lua/<name>.lua`) from cached bytecode.

        Only the host's trusted sources are loaded as bytecode; process code is always text.
        """
        src = _read("ao_kernel.lua", f"{name}.lua")
        code = _bytecode(name, src)
        if code is None:
            return self.execute(src, "=" + name, instructions=0, args=args)
        return self.run_host_code(code, args)

    def run_host_code(self, code: bytes, args: tuple[Any, ...] = ()) -> Any:
        """Run bytecode the host made from its own Lua (`host_bytecode`); never process code."""
        fn = self._load(code, "=host", "b", self.lua.globals())
        if isinstance(fn, tuple):
            raise LuaCodeError(from_lua(str(fn[1])))
        return self.call(fn, *args, instructions=0)

    def require(self, name: str) -> Any:
        """`require(name)` inside the sandbox."""
        return self.call(self.lua.globals().require, name, instructions=0)

    def _memory_text(self) -> str:
        limit = self.memory_limit or 0
        return f"memory limit exceeded ({limit // (1024 * 1024)} MiB)"
