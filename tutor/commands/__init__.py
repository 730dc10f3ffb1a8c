"""Subcommands of docker-tutor; see tutor/cli.py for the protocol each module follows."""

from __future__ import annotations

import sys

EXIT_USAGE = 2


def fail(message: str, hint: str = "", code: int = EXIT_USAGE) -> int:
    """Print a problem (and what to do about it) to stderr; return *code*, the exit status for it.

    The one place every command words its errors: "error: ..." then "hint: ...". Messages
    echo input (file names, --var values, CSV cells), so control characters are shown, not sent.
    """
    from tutor.visible import visible

    print(f"error: {visible(message, newlines=True)}", file=sys.stderr)
    if hint:
        print(f"hint: {visible(hint, newlines=True)}", file=sys.stderr)
    return code


def warn(message: str) -> None:
    """A problem the command carries on past, on stderr, with control characters shown."""
    from tutor.visible import visible

    print(f"warning: {visible(message, newlines=True)}", file=sys.stderr)
