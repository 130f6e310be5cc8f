"""The ``govreports`` command.

Each sub-command lives in its own module under :mod:`crawler.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (taking the parsed
arguments, returning the exit status).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from crawler import __version__
from crawler.errors import GovReportsError

COMMAND_MODULES = (
    "crawler.commands.parse",
    "crawler.commands.simulate",
    "crawler.commands.db",
    "crawler.commands.demo",
    "crawler.commands.schedule",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govreports",
        description="Collect and check 政府信息公开工作年度报告 (annual disclosure reports).",
    )
    parser.add_argument("--version", action="version", version=f"gov-reports {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a command not built yet in this tree
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        status: int = args.func(args)
    except GovReportsError as exc:
        print(f"govreports {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":
    raise SystemExit(main())
