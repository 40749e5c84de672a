"""`coderight` command line. Thin: parse arguments, call the engines, print.

Subcommand groups live next to their layer and register themselves here, so each layer's CLI
sits beside the behaviour it exposes.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..codesets.errors import CodesetError

# Modules that expose register(subparsers). Missing ones (a layer not built yet) are skipped.
COMMAND_MODULES = (
    "coderight.cli.data",
    "coderight.cli.codes",
    "coderight.grouping.cli",
    "coderight.cli.suggest",
    "coderight.cli.evaluate",
    "coderight.cli.claims",
    "coderight.cli.em",
    "coderight.cli.serve",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coderight", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:
                continue
            raise
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CodesetError as e:
        print(f"coderight: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
