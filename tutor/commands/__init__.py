"""Subcommands of docker-tutor; see tutor/cli.py for the protocol each module follows."""

from __future__ import annotations

import sys

EXIT_USAGE = 2


def fail(message: str, hint: str = "", code: int = EXIT_USAGE) -> int:
    """Print a problem (and what to do about it) to stderr; return *code*, the exit status for it.

    The one place every command words its errors: "error: ..." then "hint: ...".
    """
    print(f"error: {message}", file=sys.stderr)
    if hint:
        print(f"hint: {hint}", file=sys.stderr)
    return code
