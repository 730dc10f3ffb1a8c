"""Text from outside (CSV cells, settings, lesson files, ``--var`` values) made safe to echo.

Whatever we print back from input goes through :func:`visible`: control characters come out
as escapes (``\\x1b``, ``\\x07``), so a cell holding ``ESC]0;TITLE BEL`` can neither retitle the
terminal nor clear it, and a value holding a newline cannot forge a line of our own.
:func:`spreadsheet_safe` keeps a cell from reaching a spreadsheet as a formula.
"""

from __future__ import annotations

import re

# The one definition of a terminal control sequence / control character, shared with the hints
# (which strip them from docker's messages; here they are shown instead): OSC strings, CSI
# sequences, other escapes, then any C0/C1 control character except tab and newline.
CONTROL = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Invisible characters that reorder or hide text (bidi overrides, zero-width): shown as well.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F or char in _INVISIBLE


def visible(text: object, newlines: bool = False) -> str:
    """``text`` with every control character shown as an escape; ``newlines`` keeps line breaks
    (for messages of several lines that are ours), tabs and the rest are always escaped."""
    text = str(text)
    if not (CONTROL.search(text) or any(c in _INVISIBLE or c in "\n\t" for c in text)):
        return text  # the usual case: nothing to do
    return "".join(c if not _is_control(c) or (newlines and c == "\n") else _escape(c) for c in text)


def quoted(text: object) -> str:
    """A value from input inside one of our messages, shown as typed: between quotes, with control
    characters visible. Our messages mark commands with backticks (the app styles them as code),
    so a value holding backticks becomes a code span of longer backticks that shows them literally."""
    shown = visible(text)
    if "`" not in shown:
        return f"'{shown}'"
    fence = "`" * (max(len(run) for run in re.findall(r"`+", shown)) + 1)
    return f"{fence} {shown} {fence}"


# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: object) -> object:
    """A CSV cell that opens as text in a spreadsheet: a leading ' when it would start a formula.
    Numbers we write ourselves pass as they are."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell
