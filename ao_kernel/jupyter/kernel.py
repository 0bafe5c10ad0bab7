"""The `ao` Jupyter kernel: cells are Lua evaluated in the current process.

It is IPython's kernel with the `%ao` extension loaded, so widgets, display, history and
interrupts work as usual. A cell is run as:

- `%%python` on its first line: the rest of the cell is Python (the same namespace as `%ao`);
- another `%%magic` on its first line, or only `%`/`!` lines: IPython, unchanged;
- anything else: Lua in the current process (`%%ao`); `%` lines inside it are line magics.
"""

from __future__ import annotations

import re
from typing import Any

from ipykernel.ipkernel import IPythonKernel

from .. import __version__, compiled
from . import display as ui
from .commands import COMMANDS, blueprint_names
from .luacode import (
    HANDLERS_QUERY,
    KEYWORDS,
    PATH,
    inspect_query,
    is_incomplete,
    keys_query,
    syntax_error,
    with_last_value,
)
from .magics import AoMagics, magics_of

_WORD_BEFORE = re.compile(r"[A-Za-z_][\w.:]*$|$")
_NAME_AROUND = re.compile(r"[A-Za-z_][\w.]*")
_INSPECT_LIMIT = 4000


def _first_line(code: str) -> tuple[str, int]:
    """The first non-blank line and the offset where the text after it starts."""
    pos = 0
    for line in code.split("\n"):
        if line.strip():
            return line.strip(), pos + len(line) + 1
        pos += len(line) + 1
    return "", len(code)


def split_python(code: str) -> tuple[str, int] | None:
    """For a `%%python` cell: (its Python, the offset of that Python in the cell)."""
    first, rest = _first_line(code)
    if first.split(" ")[0] != "%%python":
        return None
    return code[rest:], min(rest, len(code))


IMPLICIT = "%%ao --cell-lines\n"


def to_ipython(code: str) -> str:
    """The IPython cell that runs this ao kernel cell (see the module docstring)."""
    python = split_python(code)
    if python is not None:
        return python[0]
    first, _ = _first_line(code)
    if not first or first.startswith("%%"):
        return code
    lines = [line.strip() for line in code.split("\n") if line.strip()]
    if all(line.startswith(("%", "!")) for line in lines):
        return code
    return IMPLICIT + code




class AoKernel(IPythonKernel):
    """IPython's kernel, with Lua cells by default."""

    implementation = "ao_kernel"
    implementation_version = __version__
    language_info = {
        "name": "lua",
        "version": "5.3",
        "mimetype": "text/x-lua",
        "file_extension": ".lua",
        "pygments_lexer": "lua",
        "codemirror_mode": "lua",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        assert self.shell is not None
        self.shell.extension_manager.load_extension("ao_kernel")
        found = magics_of(self.shell)
        assert found is not None
        self.ao: AoMagics = found
        self._scratch: Any = None
        self._cell: str | None = None
        self.shell.input_transformers_cleanup.insert(0, self._lua_cells)

    def _lua_cells(self, lines: list[str]) -> list[str]:
        """An IPython input transformer: the cell being executed becomes the IPython cell that
        runs it (history keeps what was typed). Other code IPython transforms (`%time x = 1`,
        is_complete checks) is left alone."""
        code = "".join(lines)
        if self._cell is None or code.rstrip() != self._cell.rstrip():
            return lines
        cell = to_ipython(code)
        return lines if cell == code else cell.splitlines(keepends=True)

    async def do_execute(self, code: str, silent: bool, store_history: bool = True,
                         user_expressions: dict[str, Any] | None = None,
                         allow_stdin: bool = False, *, cell_meta: Any = None,
                         cell_id: Any = None) -> dict[str, Any]:
        self._cell = code
        try:
            return await super().do_execute(code, silent, store_history, user_expressions,
                                            allow_stdin, cell_meta=cell_meta, cell_id=cell_id)
        finally:
            self._cell = None

    @property
    def banner(self) -> str:  # type: ignore[override]
        return (f"ao_kernel {__version__}: cells are Lua (aos 2.0.4) in the current process.\n"
                "%ao help lists the commands; %%python runs a Python cell; `net` is the "
                f"Network.\nEngine: {compiled.summary()}.\n")

    # -- consoles: is the Lua complete? --
    def do_is_complete(self, code: str) -> dict[str, Any]:
        python = split_python(code)
        if python is not None:
            if not python[0].strip():
                return {"status": "incomplete", "indent": ""}
            return super().do_is_complete(python[0])
        if to_ipython(code) == code:
            return super().do_is_complete(code)
        lua = with_last_value("\n".join("" if line.startswith("%") else line
                                         for line in code.split("\n")))
        if syntax_error(lua) is None or syntax_error("return " + lua) is None:
            return {"status": "complete"}
        if is_incomplete(lua):
            return {"status": "incomplete", "indent": "  "}
        return {"status": "invalid"}

    # -- completion --
    def _current(self) -> Any:
        """The current process, or (before there is one) a private fresh aos process, so that
        completion and inspection know the aos globals without changing the user's network."""
        net = self.ao.net
        pid = self.ao.current
        if pid is not None and pid in net.compute.runtimes:
            return net.process(pid)
        if self._scratch is None:
            from ..network import Network

            self._scratch = Network().spawn("scratch")
        return self._scratch

    def _lua_list(self, query: str) -> list[str]:
        proc = self._current()
        if proc is None:
            return []
        try:
            value = proc.get(query)
        except Exception:  # noqa: BLE001 - completion never fails loudly
            return []
        return [str(v) for v in value] if isinstance(value, list) else []

    def do_complete(self, code: str, cursor_pos: int | None) -> dict[str, Any]:
        cursor = len(code) if cursor_pos is None else cursor_pos
        python = split_python(code)
        if python is not None:
            body, start = python
            if cursor < start:
                return _matches([], cursor, cursor)
            reply = super().do_complete(body, cursor - start)
            reply["cursor_start"] += start
            reply["cursor_end"] += start
            return reply
        line_start = code.rfind("\n", 0, cursor) + 1
        line = code[line_start:cursor]
        if line.startswith("%"):
            if re.match(r"%%?ao\b", line):
                return self._complete_ao(line, cursor)
            return super().do_complete(code, cursor)
        if to_ipython(code) == code and _first_line(code)[0].startswith("%%"):
            return super().do_complete(code, cursor)
        return self._complete_lua(line, cursor)

    def _complete_ao(self, line: str, cursor: int) -> dict[str, Any]:
        words = line.split(" ")
        partial = words[-1]
        before = [w for w in words[1:-1] if w]
        names = [p.name for p in self.ao.net.processes if p.name]
        if line.startswith("%%"):
            options = names
        elif not before:
            options = [c for c in COMMANDS if c != "tick"]
        elif before[-1] in ("--blueprint", "-b"):
            options = blueprint_names()
        elif before[0] in ("send", "dryrun") and len(before) == 2 and before[1] in names:
            options = self._handler_names(before[1])
        else:
            options = names
        found = [o for o in options if o.startswith(partial)]
        return _matches(found, cursor - len(partial), cursor)

    def _handler_names(self, process: str) -> list[str]:
        try:
            proc = self.ao.net.process(process)
            value = proc.get(HANDLERS_QUERY)
        except Exception:  # noqa: BLE001
            return []
        return [n for n in value if not str(n).startswith("_")] if isinstance(value, list) else []

    def _complete_lua(self, line: str, cursor: int) -> dict[str, Any]:
        if _in_string(line):
            partial = re.search(r"[\w-]*$", line).group(0)  # type: ignore[union-attr]
            found = [n for n in self._lua_list(HANDLERS_QUERY) if n.startswith(partial)]
            return _matches(found, cursor - len(partial), cursor)
        token = _WORD_BEFORE.search(line).group(0)  # type: ignore[union-attr]
        cut = max(token.rfind("."), token.rfind(":"))
        if cut >= 0:
            path, partial = token[:cut], token[cut + 1:]
            options = self._lua_list(keys_query(path)) if PATH.match(path) else []
        else:
            partial = token
            options = sorted(set(self._lua_list(keys_query("_G")))) + KEYWORDS
        found = sorted({o for o in options if o.startswith(partial)})
        return _matches(found, cursor - len(partial), cursor)

    # -- inspection (Shift-Tab) --
    def do_inspect(self, code: str, cursor_pos: int, detail_level: int = 0,
                   omit_sections: Any = ()) -> dict[str, Any]:
        python = split_python(code)
        if python is not None:
            body, start = python
            return super().do_inspect(body, max(0, cursor_pos - start), detail_level,
                                      omit_sections)
        line_start = code.rfind("\n", 0, cursor_pos) + 1
        if code[line_start:].startswith("%") or to_ipython(code) == code:
            return super().do_inspect(code, cursor_pos, detail_level, omit_sections)
        name = _name_at(code, cursor_pos)
        reply: dict[str, Any] = {"status": "ok", "found": False, "data": {}, "metadata": {}}
        proc = self._current()
        if not name or proc is None:
            return reply
        try:
            kind, text, size = proc.get(inspect_query(name))
        except Exception:  # noqa: BLE001
            return reply
        if kind in ("nil", "error"):
            return reply
        if len(text) > _INSPECT_LIMIT:
            text = text[:_INSPECT_LIMIT] + "\n…"
        head = f"{name}: {kind}"
        if kind == "table":
            head += f" ({int(size)} key{'s' if int(size) != 1 else ''})"
        elif kind == "string":
            head += f" ({int(size)} bytes)"
        bundle = ui.output_bundle(text)
        reply["found"] = True
        reply["data"] = {"text/plain": head + "\n" + bundle["text/plain"],
                         "text/html": f"<b>{ui.html_escape(head)}</b>" + bundle["text/html"]}
        return reply


def _matches(found: list[str], start: int, end: int) -> dict[str, Any]:
    return {"status": "ok", "matches": found, "cursor_start": start, "cursor_end": end,
            "metadata": {}}


def _in_string(line: str) -> bool:
    """True when the cursor (at the end of `line`) is inside a '...' or "..." string."""
    quote = None
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif line.startswith("--", i):
            return False
        i += 1
    return quote is not None


def _name_at(code: str, cursor: int) -> str | None:
    """The dotted Lua name under (or just before) the cursor."""
    line_start = code.rfind("\n", 0, cursor) + 1
    line_end = code.find("\n", cursor)
    line = code[line_start: len(code) if line_end < 0 else line_end]
    at = cursor - line_start
    for match in _NAME_AROUND.finditer(line):
        if match.start() <= at <= match.end():
            name = line[match.start():at] + re.match(r"\w*", line[at:]).group(0)  # type: ignore
            name = name.rstrip(".")
            return name if PATH.match(name) else None
    return None
