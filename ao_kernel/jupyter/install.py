"""Register the `ao` kernel with Jupyter (a kernelspec: kernel.json)."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

KERNEL_NAME = "ao"
DISPLAY_NAME = "ao (Lua)"


def kernel_json(python: str | None = None) -> dict[str, Any]:
    """The kernelspec: this Python runs `-m ao_kernel.jupyter`; interrupts are SIGINT."""
    return {
        "argv": [python or sys.executable, "-m", "ao_kernel.jupyter", "-f",
                 "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "lua",
        "interrupt_mode": "signal",
        "metadata": {"debugger": False},
    }


def install(user: bool = False, prefix: str | None = None, name: str = KERNEL_NAME) -> str:
    """Install the kernelspec (for this user, or under `prefix`); returns its directory."""
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "kernel.json").write_text(json.dumps(kernel_json(), indent=2) + "\n",
                                            encoding="utf-8")
        return KernelSpecManager().install_kernel_spec(tmp, kernel_name=name, user=user,
                                                       prefix=prefix)


def uninstall(name: str = KERNEL_NAME) -> str:
    """Remove the kernelspec; returns the directory it was in (KeyError if none)."""
    from jupyter_client.kernelspec import KernelSpecManager

    manager = KernelSpecManager()
    path = manager.find_kernel_specs()[name]
    manager.remove_kernel_spec(name)
    return path
