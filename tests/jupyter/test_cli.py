"""`ao-kernel install` / `uninstall` register the kernelspec where asked."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ao_kernel.cli import main


def test_install_into_a_prefix_and_uninstall(tmp_path: Path, capsys: Any,
                                             monkeypatch: Any) -> None:
    assert main(["install", "--prefix", str(tmp_path), "--name", "ao-test"]) == 0
    spec_dir = tmp_path / "share" / "jupyter" / "kernels" / "ao-test"
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["display_name"] == "ao (Lua)" and spec["language"] == "lua"
    assert spec["argv"][:3] == [sys.executable, "-m", "ao_kernel.jupyter"]
    assert spec["interrupt_mode"] == "signal"
    assert f"installed kernelspec ao-test in {spec_dir}" in capsys.readouterr().out
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share" / "jupyter"))
    assert main(["uninstall", "--name", "ao-test"]) == 0
    assert not spec_dir.exists()
    assert main(["uninstall", "--name", "ao-test"]) == 1
    assert "no kernelspec called ao-test" in capsys.readouterr().err


def test_install_user_and_sys_prefix(capsys: Any, monkeypatch: Any) -> None:
    import os

    assert main(["install", "--user"]) == 0          # HOME is temporary (conftest.py)
    data = Path(os.environ["JUPYTER_DATA_DIR"]) / "kernels" / "ao" / "kernel.json"
    assert data.exists()
    calls: list[dict[str, Any]] = []
    import ao_kernel.jupyter.install as install

    monkeypatch.setattr(install, "install", lambda **kw: calls.append(kw) or "somewhere")
    assert main(["install", "--sys-prefix"]) == 0
    assert calls[-1] == {"user": False, "prefix": sys.prefix, "name": "ao"}
    assert main(["install"]) == 0
    assert calls[-1]["user"] or calls[-1]["prefix"] == sys.prefix
