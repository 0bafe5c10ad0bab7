"""Execute notebooks in place on the `ao` kernel so their stored outputs are current.

Usage: .venv/bin/python scripts/refresh_notebooks.py [NOTEBOOK ...]
(default: every notebook under lessons/ and notebooks/). Installs the kernelspec into a
temporary prefix, so nothing outside the repo changes. Run it after changing anything a
notebook prints; nbval then compares against these outputs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def main(paths: list[str]) -> int:
    notebooks = [Path(p).resolve() for p in paths] or sorted(
        [*ROOT.glob("lessons/*.ipynb"), *ROOT.glob("lessons/solutions/*.ipynb"),
         *ROOT.glob("notebooks/*.ipynb")])
    with tempfile.TemporaryDirectory() as prefix:
        subprocess.run([sys.executable, "-m", "ao_kernel.cli", "install", "--prefix", prefix],
                       check=True, capture_output=True)
        os.environ["JUPYTER_PATH"] = str(Path(prefix) / "share" / "jupyter")
        for path in notebooks:
            nb = nbformat.read(path, as_version=4)
            kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
            client = NotebookClient(nb, timeout=300, kernel_name=kernel,
                                    resources={"metadata": {"path": str(path.parent)}},
                                    allow_errors=True)
            client.execute()
            nbformat.write(nb, path)
            print(f"refreshed {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
