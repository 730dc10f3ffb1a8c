"""What goes wrong with a lesson, always with the file and line it concerns."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def _where(path: Path | str | None, line: int) -> str:
    name = str(path) if path else "<lesson>"
    return f"{name}:{line}" if line else name


def _located(path: Path | str | None, line: int, message: str) -> str:
    """``file:line: message``; just the message when it concerns no file (e.g. a lookup)."""
    return f"{_where(path, line)}: {message}" if path or line else message


@dataclass(frozen=True)
class Problem:
    """One thing lint found (or the parser noticed) in a lesson."""

    path: Path | None
    line: int
    message: str

    def __str__(self) -> str:
        return _located(self.path, self.line, self.message)


class LessonError(Exception):
    """A lesson that cannot be read at all (no front matter, bad TOML, missing file)."""

    def __init__(self, path: Path | str | None, line: int, message: str) -> None:
        self.path = Path(path) if path else None
        self.line = line
        self.message = message
        super().__init__(_located(path, line, message))

    def as_problem(self) -> Problem:
        return Problem(self.path, self.line, self.message)
