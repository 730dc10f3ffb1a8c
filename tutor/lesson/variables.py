"""Lesson variables: ``{username}`` in any text is filled from the learner's settings.

Only ``{name}`` with a plain identifier inside is a variable, so Go templates such as
``{{.Repository}}`` and YAML/JSON braces pass through untouched. ``{{name}}`` is the
escape for a literal ``{name}``. A variable without a value stays as ``{name}`` so the
gap is visible (and the app can ask for it) rather than silently empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

_TOKEN = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill ``{name}`` from ``values``; unknown or empty names are left as written."""

    def fill(match: re.Match[str]) -> str:
        escaped, name = match.group(1), match.group(2)
        if escaped is not None:
            return "{" + escaped + "}"
        value = values.get(name)
        return value if value else match.group(0)

    return _TOKEN.sub(fill, text)


def names_in(text: str) -> Iterator[tuple[int, str]]:
    """(offset, name) of every variable ``text`` uses, escapes excluded."""
    for match in _TOKEN.finditer(text):
        if match.group(2) is not None:
            yield match.start(), match.group(2)
