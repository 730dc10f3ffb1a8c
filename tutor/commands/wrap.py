"""Text for a plain terminal, wrapped at words: never at a hyphen inside an image name
(``alice/poll-frontend:v2``), never inside a `command` in backticks, so both copy whole.

The commands that print prose (check, doctor, watch) wrap through here.
"""

from __future__ import annotations

import shutil
import textwrap

_KEEP = "\u00a0"  # textwrap never breaks at a no-break space


def terminal_width() -> int:
    """The terminal's columns (COLUMNS first, as shutil reads it), 80 when unknown (piped); kept
    between 40 and 120, since lines wider than that are hard to read."""
    return max(40, min(shutil.get_terminal_size((80, 24)).columns, 120))


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` as lines of at most ``width`` columns, the lines after the first starting with ``indent``.

    A word longer than the line, or a backticked command that does not fit, gets a line of its own and
    runs over: a terminal wraps it without a line break, so it is still copied whole.
    """
    parts = text.replace(_KEEP, " ").split("`")
    joined = "`".join(part.replace(" ", _KEEP) if i % 2 else part for i, part in enumerate(parts))
    lines = textwrap.wrap(joined, max(1, width), subsequent_indent=indent, break_on_hyphens=False,
                          break_long_words=False)
    return [line.replace(_KEEP, " ") for line in lines]
