"""Command line entry point.

Each subcommand lives in ``tutor/commands/<name>.py`` with ``add_parser(subparsers)``
and ``run(args) -> int``. Those modules import their heavy libraries inside ``run``
so that ``docker-tutor --help`` and the app's first screen stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from tutor import __version__

# Subcommand modules, in the order --help lists them.
COMMANDS: tuple[str, ...] = ("ref",)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="docker-tutor",
        description="A hands-on tutor for pushing container images to a registry "
        "and pulling them on a k3s node. Run without a command to open the tutor.",
    )
    parser.add_argument("--version", action="version", version=f"docker-tutor {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"tutor.commands.{name}")
        module.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
