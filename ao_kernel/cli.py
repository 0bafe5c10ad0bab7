"""The `ao-kernel` command."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point: `ao-kernel demo`, `compile`, `install`, `uninstall`, `lessons DEST`."""
    parser = argparse.ArgumentParser(prog="ao-kernel", description="ao networks in notebooks")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="run a short tour of the engine")
    build = sub.add_parser("compile", help="compile the engine with Cython (faster; optional)",
                           description="Compile the engine modules whose source changed "
                                       "since their last build (needs Cython and a C "
                                       "compiler). Without a build the engine runs as plain "
                                       "Python.")
    build.add_argument("--force", action="store_true", help="rebuild every module")
    install = sub.add_parser("install", help='register the Jupyter kernel "ao (Lua)"',
                             description='Register the Jupyter kernel "ao (Lua)" (name: ao). '
                                         "Default: --sys-prefix inside a virtualenv, else "
                                         "--user.")
    where = install.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="for this user only")
    where.add_argument("--sys-prefix", action="store_true",
                       help=f"in this Python's prefix ({sys.prefix})")
    where.add_argument("--prefix", default=None, help="under PREFIX/share/jupyter/kernels")
    install.add_argument("--name", default="ao", help="the kernel name (default: ao)")
    remove = sub.add_parser("uninstall", help="remove the kernelspec")
    remove.add_argument("--name", default="ao")
    lessons = sub.add_parser("lessons", help="copy the workshop lessons into a folder",
                             description="Copy the workshop (lessons, solutions, README.md) "
                                         "into DEST and mark the notebooks trusted. Files "
                                         "already in DEST are kept unless --force.")
    lessons.add_argument("dest", metavar="DEST", help="the folder to copy into")
    lessons.add_argument("--clear-outputs", action="store_true",
                         help="remove the stored outputs (default: keep them)")
    lessons.add_argument("--force", action="store_true",
                         help="overwrite notebooks already in DEST (resets them)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import main as demo

        demo()
    elif args.command == "compile":
        from .compiled import main as compile_engine

        return compile_engine(["--force"] if args.force else [])
    elif args.command == "install":
        from .jupyter.install import install as install_kernel

        prefix = args.prefix
        user = args.user
        if not user and prefix is None and (args.sys_prefix or sys.prefix != sys.base_prefix):
            prefix = sys.prefix
        elif not user and prefix is None:
            user = True
        path = install_kernel(user=user, prefix=prefix, name=args.name)
        print(f"installed kernelspec {args.name} in {path}")
    elif args.command == "uninstall":
        from .jupyter.install import uninstall

        try:
            path = uninstall(args.name)
        except KeyError:
            print(f"no kernelspec called {args.name}", file=sys.stderr)
            return 1
        print(f"removed kernelspec {args.name} from {path}")
    elif args.command == "lessons":
        from .workshop import copy_lessons

        try:
            written = copy_lessons(args.dest, clear_outputs=args.clear_outputs, force=args.force)
        except FileNotFoundError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        print(f"copied {len(written)} files into {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
