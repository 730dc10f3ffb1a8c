"""The TOML front matter between ``+++`` lines at the top of a lesson.

TOML (not YAML) because Python reads it without a new dependency and its errors carry
line numbers. The result is plain data plus the line of each key for messages.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.lesson.errors import LessonError

FENCE = "+++"
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")
_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")
_AT_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)")


@dataclass
class FrontMatter:
    data: dict[str, Any]
    end: int  # 0-based index of the closing +++ line
    lines: dict[str, int] = field(default_factory=dict)  # "order" or "variables.tag" -> 1-based line


def read_front_matter(lines: list[str], source: Path | None) -> FrontMatter:
    if not lines or lines[0].strip() != FENCE:
        raise LessonError(source, 1, "malformed front matter: a lesson starts with a '+++' line, "
                                     "then TOML (id, title, order ...), then another '+++'")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == FENCE), None)
    if end is None:
        raise LessonError(source, 1, "malformed front matter: no closing '+++' line")
    try:
        data = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _AT_LINE.search(message)
        line = 1 + int(found.group(1)) if found else 1
        raise LessonError(source, line, f"malformed front matter: {_AT_LINE.sub('', message)}") from None
    except RecursionError:  # tomllib recurses once per bracket: thousands of them exhaust the stack
        line = 2 + deepest_line(lines[1:end])
        raise LessonError(source, line, "malformed front matter: arrays or tables nested too deeply") from None
    return FrontMatter(data, end, _key_lines(lines, end))


def deepest_line(lines: list[str]) -> int:
    """The 0-based index of the line with the most opening brackets: where deep nesting is."""
    return max(range(len(lines)), key=lambda i: lines[i].count("[") + lines[i].count("{"), default=0)


def _key_lines(lines: list[str], end: int) -> dict[str, int]:
    found: dict[str, int] = {}
    table = ""
    for index in range(1, end):
        text = lines[index]
        if header := _TABLE.match(text):
            table = header.group(1)
            found.setdefault(table, index + 1)
        elif key := _KEY.match(text):
            found.setdefault(f"{table}.{key.group(1)}" if table else key.group(1), index + 1)
    return found
