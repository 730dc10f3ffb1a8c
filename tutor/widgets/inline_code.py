"""`code` spans in a sentence turned into styled rich Text: str in, Text out, no I/O.

Lesson sentences, hints and probe reasons mark commands with Markdown backticks. Where they are shown
as plain text (checklist rows, outline labels, toasts) the backticks would appear raw, and Rich or
Textual markup in them must not be interpreted either: everything else is kept literally.
"""

from __future__ import annotations

import re

from rich.style import Style, StyleType
from rich.text import Text

# A fixed pair, not a theme colour: readable on the dark and light themes and on a highlighted row.
CODE_STYLE = Style(color="#f0f0f0", bgcolor="#3a3a3a")

# CommonMark: a run of n backticks opens a span that the next run of exactly n backticks closes.
_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)


def inline_text(text: str, style: StyleType = "", code_style: StyleType = CODE_STYLE) -> Text:
    """``text`` with each `code` span in ``code_style`` and its backticks dropped; the rest as is."""
    out = Text(style=style)
    at = 0
    for span in _SPAN.finditer(text):
        out.append(text[at:span.start()])
        code = span.group(2)
        # CommonMark strips one space on each side, so `` `x` `` can show a backtick at its edge.
        if len(code) > 2 and code[0] == code[-1] == " " and code.strip(" "):
            code = code[1:-1]
        out.append(code, style=code_style)
        at = span.end()
    out.append(text[at:])
    return out


def strip_code(text: str) -> str:
    """The same sentence as plain text: backticks of `code` spans dropped, nothing else changed."""
    return inline_text(text).plain
