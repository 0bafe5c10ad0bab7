"""Messages, tags and results as Python sees them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

TagList = list[tuple[str, str]]
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plain(text: str) -> str:
    """Text without ANSI colour codes (aos colours its output for terminals)."""
    return _ANSI.sub("", text)


def normalize_tags(tags: Mapping[str, Any] | Iterable[Any] | None) -> TagList:
    """Tags from a dict or a list of (name, value) pairs; ints become strings, others raise."""
    if tags is None:
        return []
    if isinstance(tags, Mapping):
        items: Iterable[Any] = tags.items()
    elif isinstance(tags, (str, bytes)):
        raise TypeError(f"tags must be a dict or a list of (name, value) pairs, not {tags!r}")
    else:
        items = tags
    out: TagList = []
    for item in items:
        if isinstance(item, Mapping) and "name" in item and "value" in item:
            name, value = item["name"], item["value"]
        else:
            try:
                name, value = item
            except (TypeError, ValueError):
                raise TypeError(
                    f"each tag must be a (name, value) pair, got {item!r}"
                ) from None
        if not isinstance(name, str) or not name:
            raise TypeError(f"tag names must be non-empty strings, got {name!r}")
        out.append((name, tag_value(name, value)))
    return out


def tag_value(name: str, value: Any) -> str:
    """A tag value as ao carries it: a string. Integers are converted; other types raise."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError(f"tag {name!r} must be a string, got bool {value!r}")
    if isinstance(value, int):
        return str(value)
    raise TypeError(f"tag {name!r} must be a string, got {type(value).__name__} {value!r}")


def first_tag(tags: TagList, name: str) -> str | None:
    """The value of the first tag called `name` in a tag list, or None."""
    for tag_name, value in tags:
        if tag_name == name:
            return value
    return None


def first_tag_map(tags: TagList) -> dict[str, str]:
    """A name->value map where the first duplicate wins, like aos's `msg.Tags`."""
    out: dict[str, str] = {}
    for name, value in tags:
        out.setdefault(name, value)
    return out


@dataclass(eq=False, slots=True)
class Result:
    """What evaluating one message produced: the CU's result, as ao's `/result` returns it.

    `messages` and `spawns` are the outbox entries exactly as the process made them (its tags,
    Anchor, Target, Data); each links to the MU-signed message it became through `.pushed`.
    """

    output: str = ""
    prompt: str | None = None
    messages: list[Message] = field(default_factory=list)
    spawns: list[Message] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    raw_output: Any = None

    @property
    def error_message(self) -> str | None:
        """The last line of the error without colours: the message a person wants to read."""
        if self.error is None:
            return None
        lines = [line for line in plain(self.error).splitlines() if line.strip()]
        return lines[-1] if lines else ""

    @property
    def ok(self) -> bool:
        """True when the message did not end in error."""
        return self.error is None

    def __repr__(self) -> str:
        if self.error is not None:
            return f"<Result error={(self.error_message or '')[:80]!r}>"
        parts = [f"output={self.output[:60]!r}"]
        if self.messages:
            parts.append(f"messages={len(self.messages)}")
        if self.spawns:
            parts.append(f"spawns={len(self.spawns)}")
        if self.assignments:
            parts.append(f"assignments={len(self.assignments)}")
        return "<Result " + " ".join(parts) + ">"

    def _repr_html_(self) -> str:
        from .widgets.cards import result_card

        return result_card(self)


@dataclass(eq=False, slots=True)
class Message:
    """A message in the network: signed by `owner`, sent `from_`, scheduled on `target`."""

    id: str | None
    target: str | None
    owner: str
    from_: str
    tag_list: TagList = field(default_factory=list)
    data: str = ""
    kind: str = "message"  # "process", "message", "cron", "assignment", "wallet" or "outbox"
    slot: int | None = None
    timestamp: int | None = None
    block_height: int | None = None
    hash_chain: str | None = None
    assignment_id: str | None = None
    process: str | None = None
    cron: bool = False
    read_only: bool = False
    pushed_for: str | None = None
    result: Result | None = None
    anchor: str | None = None
    pushed: Message | None = None
    seq: int | None = None

    @property
    def tags(self) -> dict[str, str]:
        """Tags as a map; the first duplicate wins, as in aos's `msg.Tags`."""
        return first_tag_map(self.tag_list)

    @property
    def action(self) -> str | None:
        """The Action tag, if any."""
        for name, value in self.tag_list:
            if name == "Action":
                return value
        return None

    def tag(self, name: str, default: str | None = None) -> str | None:
        """The first tag called `name`."""
        value = first_tag(self.tag_list, name)
        return default if value is None else value

    def __repr__(self) -> str:
        what = self.action or (f"Data={plain(self.data)[:16]!r}" if self.data else "-")
        where = f" slot={self.slot}" if self.slot is not None else ""
        ident = (self.id or self.kind)[:8]
        return f"<Message {ident} {what} -> {(self.target or '')[:8]}{where}>"

    def _repr_html_(self) -> str:
        from .widgets.cards import message_card

        return message_card(self)
