"""Text handling for `%ao` cells and commands: splitting cells, tags, short display strings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from IPython.core.error import UsageError

from ..message import plain
from .luacode import is_blank


def segments(cell: str) -> list[tuple[int, str, str]]:
    """(first line index, "lua" | "magic", text): runs of Lua and the `%` lines between them."""
    out: list[tuple[int, str, str]] = []
    lua: list[str] = []
    start = 0
    for i, line in enumerate(cell.split("\n")):
        if line.startswith("%") and not line.startswith("%%"):
            if lua and not is_blank("\n".join(lua)):
                out.append((start, "lua", "\n".join(lua)))
            out.append((i, "magic", line))
            lua, start = [], i + 1
        else:
            lua.append(line)
    if lua and not is_blank("\n".join(lua)):
        out.append((start, "lua", "\n".join(lua)))
    return out


def cell_data(cell: str) -> str:
    """A cell used as message Data, without the newline IPython ends cells with."""
    return cell[:-1] if cell.endswith("\n") else cell


def parse_tags(pairs: list[str]) -> list[tuple[str, str]]:
    tags = []
    for pair in pairs:
        name, sep, value = str(pair).partition("=")
        if not sep or not name:
            raise UsageError(f"tags are NAME=VALUE, got {pair!r}")
        tags.append((name, value))
    return tags


def read_lua(path: str) -> str:
    file = Path(path).expanduser()
    if not file.is_file():
        raise UsageError(f"no file {path}")
    return file.read_text(encoding="utf-8")


def table_text(value: Any) -> str:
    """Table cells: None and NaN are empty."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def short(text: str, limit: int = 60) -> str:
    text = plain(str(text)).replace("\n", "⏎")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def iso(ms: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
