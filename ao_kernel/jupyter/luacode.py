"""Lua text helpers for notebooks: syntax checks, the cell's last expression, errors, and the
small read-only Lua queries behind completion and inspection."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import lupa.lua53 as lua53

KEYWORDS = ["and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto",
            "if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until",
            "while"]
PATH = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")
_AOS_LINE = re.compile(r'\[string "aos"\]:(\d+):\s*')
_ANY_CHUNK = re.compile(r'^\[string "[^"]*"\]:\d+:\s*')
_COMMENT_ONLY = re.compile(r"^\s*(--[^\n]*)?$")

_checker: Any = None


def syntax_error(code: str) -> str | None:
    """The Lua 5.3 syntax error of `code` as a block (chunk name "aos"), or None. Nothing runs."""
    global _checker
    if _checker is None:
        lua = lua53.LuaRuntime(register_eval=False, register_builtins=False)
        _checker = lua.eval("function(src) local f, err = load(src, 'aos', 't', {}) "
                            "if f then return nil end return err end")
    return _cached_error(code)


@lru_cache(maxsize=2048)
def _cached_error(code: str) -> str | None:
    err = _checker(code)
    return None if err is None else str(err)


def is_incomplete(code: str) -> bool:
    """True when the code only fails because it stops too early (an open block or string)."""
    err = syntax_error(code)
    if err is None or syntax_error("return " + code) is None:
        return False
    return err.rstrip().endswith(("near <eof>", "near '<eof>'"))


def is_blank(code: str) -> bool:
    """Only whitespace and `--` line comments."""
    return all(_COMMENT_ONLY.match(line) for line in code.split("\n"))


def with_last_value(code: str) -> str:
    """The cell as it is sent: like the aos REPL, plus the value of a last expression.

    aos evaluates `return <cell>` when that compiles (one expression) and the cell as a block
    otherwise. When the cell ends with an expression (or a call) at the top level, that
    statement becomes a `return`, on the same line, so line numbers stay the same. A
    trailing `;` hides the value, as in IPython: a leading empty statement makes aos take the
    block path, and a last bare expression becomes `local _ = <expression>`.
    """
    stripped = code.rstrip()
    if not stripped:
        return code
    if stripped.endswith(";"):
        if syntax_error(";" + code) is None:
            return ";" + code
        return _rewrite_last(code, "local _ = ")
    if syntax_error("return " + code) is None:
        return code
    return _rewrite_last(code, "return ")


def _rewrite_last(code: str, keyword: str) -> str:
    """The code with its last top-level statement prefixed by `keyword`, when that compiles."""
    lines = code.split("\n")
    candidates = [k for k, line in enumerate(lines)
                  if line.strip() and not line.lstrip().startswith("--")]
    for k in reversed(candidates[-40:]):
        if syntax_error("\n".join(lines[:k])) is not None:
            continue
        line = lines[k]
        indent = line[: len(line) - len(line.lstrip())]
        candidate = "\n".join(lines[:k] + [indent + keyword + line.lstrip()] + lines[k + 1:])
        if syntax_error(candidate) is None:
            return candidate
    return code


def error_text(error: str, offset: int = 0, where: str = "line") -> str:
    """A Lua error as one short line naming the cell's line: `line 3: attempt to ...`."""
    from ..message import plain

    lines = [line for line in plain(error).splitlines() if line.strip()]
    text = lines[-1] if lines else "error"
    found = list(_AOS_LINE.finditer(text))
    if found:
        last = found[-1]
        return f"{where} {int(last.group(1)) + offset}: {text[last.end():]}"
    while _ANY_CHUNK.match(text):
        inner = _ANY_CHUNK.sub("", text, count=1)
        if not inner:
            break
        if not _ANY_CHUNK.match(inner):
            return text
        text = inner
    return text


# Read-only queries, evaluated with Process.get (nothing is sent, the state does not change).
def keys_query(path: str) -> str:
    """String keys of the table at `path` (a dotted name), plus its metatable's __index keys."""
    return ("(function() local ok, v = pcall(function() return " + path + " end) "
            "local out, seen = {}, {} "
            "local function add(t) if type(t) ~= 'table' then return end "
            "for k in pairs(t) do if type(k) == 'string' and not seen[k] then "
            "seen[k] = true out[#out + 1] = k end end end "
            "if ok then add(v) local mt = getmetatable(v) "
            "if type(mt) == 'table' then add(rawget(mt, '__index')) end end "
            "return out end)()")


HANDLERS_QUERY = ("(function() local out = {} "
                  "if type(Handlers) == 'table' and type(Handlers.list) == 'table' then "
                  "for _, h in ipairs(Handlers.list) do "
                  "if type(h.name) == 'string' then out[#out + 1] = h.name end end end "
                  "return out end)()")


def inspect_query(path: str) -> str:
    """{type, text, size}: the aos pretty form of the value at `path` (a dotted name)."""
    return ("(function() local ok, v = pcall(function() return " + path + " end) "
            "if not ok then return {'error', tostring(v), 0} end "
            "local t = type(v) if t == 'table' then local n = 0 "
            "for _ in pairs(v) do n = n + 1 end "
            "return {t, require('.stringify').format(v), n} end "
            "if t == 'string' then return {t, string.format('%q', v), #v} end "
            "return {t, tostring(v), 0} end)()")
