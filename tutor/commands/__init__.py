"""Subcommands of docker-tutor; see tutor/cli.py for the protocol each module follows."""

from __future__ import annotations

import sys

EXIT_USAGE = 2


def fail(message: str, hint: str = "") -> int:
    """Print a usage problem (and what to do about it) to stderr; the exit code for it."""
    print(f"error: {message}", file=sys.stderr)
    if hint:
        print(f"hint: {hint}", file=sys.stderr)
    return EXIT_USAGE
