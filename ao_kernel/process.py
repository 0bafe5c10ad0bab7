"""User-facing handles: a Process (id, name, owner, eval/get/inbox) and a Wallet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import AoError
from .lua.runtime import interrupts
from .message import Message, Result, first_tag_map

if TYPE_CHECKING:
    import pandas as pd

    from .holographic import ProcessView, Verification
    from .network import Network


class Wallet:
    """A named key pair stand-in: its address signs messages sent from Python."""

    def __init__(self, network: Network, name: str, address: str) -> None:
        self._net = network
        self.name = name
        self.address = address

    @property
    def id(self) -> str:
        """The address (so a Wallet can stand wherever an id is expected)."""
        return self.address

    @property
    def inbox(self) -> list[Message]:
        """Messages the MU delivered to this wallet, oldest first."""
        return list(self._net.messenger.wallet_inbox.get(self.address, []))

    def __str__(self) -> str:
        return self.address

    def __repr__(self) -> str:
        return f"<Wallet {self.name} {self.address[:8]}…>"

    def __eq__(self, other: object) -> bool:
        return str(other) == self.address

    def __hash__(self) -> int:
        return hash(self.address)


class Process:
    """A process in the network; reads go to its live state, writes are messages."""

    def __init__(self, network: Network, pid: str) -> None:
        self._net = network
        self.id = pid

    @property
    def _info(self) -> Any:
        return self._net.messenger.processes[self.id]

    @property
    def name(self) -> str | None:
        """The Name tag it was spawned with."""
        return self._info.name

    @property
    def owner(self) -> str:
        """The address that owns it (spawner, or the parent process for process spawns)."""
        return self._info.owner

    @property
    def parent(self) -> str | None:
        """The process that spawned it, if any."""
        return self._info.parent

    @property
    def tags(self) -> dict[str, str]:
        """The tags of its Process message (first duplicate wins)."""
        return first_tag_map(self._info.tags)

    @property
    def log(self) -> list[Message]:
        """Every message it evaluated, in order (crons included)."""
        return list(self._info.log)

    @property
    def asleep(self) -> bool:
        """True while it hibernates: no Lua state in memory until its next use (see
        `Network(resident=...)`). Reading it does not wake it."""
        runtime = self._net.compute.runtimes.get(self.id)
        return runtime is not None and runtime.asleep

    def send(self, action: str | None = None, data: str = "", tags: Any = None,
             sender: Any = None) -> Message:
        """Send a message to this process (see Network.send)."""
        return self._net.send(self, action=action, data=data, tags=tags, sender=sender)

    def eval(self, code: str, sender: Any = None) -> Result:
        """Evaluate Lua in the process as an Eval message from its owner (or `sender`)."""
        msg = self._net.send(self, action="Eval", data=code, sender=sender or self.owner)
        if msg.result is None:
            self._net.run_until(msg)
        assert msg.result is not None
        return msg.result

    def get(self, expression: str) -> Any:
        """Read a Lua expression from the live state, converted to Python."""
        if self.id not in self._net.compute.runtimes:
            raise AoError(f"process {self.name or self.id} is not running yet: its spawn is "
                          "still queued (call net.run())")
        with interrupts.scope():
            return self._net.compute.get(self.id, expression)

    def at(self, slot: int | None = None, *, time: int | None = None) -> ProcessView:
        """A read-only view of the process right after `slot` (or at `time` ms), by replay."""
        from .holographic import view_at

        return view_at(self._net, self.id, slot=slot, time=time)

    def history(self, expression: str) -> pd.Series:
        """`expression` after every message (index: slot, timestamp), in one replay pass."""
        from .holographic import history

        return history(self._net, self.id, expression)

    def verify(self) -> Verification:
        """Recompute the process from its stored log and compare (see Network.verify)."""
        from .holographic import verify_process

        return verify_process(self._net, self.id)

    def state_digest(self) -> str:
        """A deterministic digest of the live Lua state (equal states, equal digests)."""
        return self._net.compute.runtimes[self.id].digest()

    @property
    def inbox(self) -> list[dict[str, Any]]:
        """The aos `Inbox` as a list of dicts."""
        value = self.get("Inbox")
        return value if isinstance(value, list) else []

    def __eq__(self, other: object) -> bool:
        return str(other) == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __str__(self) -> str:
        return self.id

    def __repr__(self) -> str:
        return f"<Process {self.name or '?'} {self.id[:8]}…>"

    def _repr_html_(self) -> str:
        from .widgets.cards import process_card

        return process_card(self)
