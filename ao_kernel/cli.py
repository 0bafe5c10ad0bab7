"""The `ao-kernel` command."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point: `ao-kernel demo`."""
    parser = argparse.ArgumentParser(prog="ao-kernel", description="ao networks in notebooks")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="run a short tour of the engine")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import main as demo

        demo()
    return 0


if __name__ == "__main__":
    sys.exit(main())
