"""Textual's Log, with lines too long for the view folded onto the next rows.

Log draws each line on one row and cuts it at the edge, which hides the end of a docker
error ("... no such host"). Folding here, at write time, keeps Log's speed for the 100,000
short lines of a big build: a line that fits is passed through untouched, and only a
resize folds the kept lines again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from rich.cells import cell_len, chop_cells
from textual import events
from textual.widgets import Log

CONTINUED = "↪ "  # marks a folded row, so it is not read as a line of its own


class WrappingLog(Log):
    def __init__(self, *, max_lines: int, **kwargs) -> None:
        super().__init__(max_lines=max_lines, **kwargs)
        self._raw: deque[str] = deque(maxlen=max_lines)
        self._fold_width = 0

    def write_lines(self, lines: Iterable[str], scroll_end: bool | None = None) -> WrappingLog:
        lines = list(lines)
        self._raw.extend(lines)
        super().write_lines(self._fold(lines), scroll_end)
        return self

    def clear(self) -> WrappingLog:
        self._raw.clear()
        super().clear()
        return self

    @property
    def raw_lines(self) -> list[str]:
        """The lines as written, before folding (what a test or a copy wants)."""
        return list(self._raw)

    def on_resize(self, event: events.Resize) -> None:
        width = self.scrollable_content_region.width
        if width == self._fold_width:
            return
        self._fold_width = width
        if self._raw:
            at_end = self.is_vertical_scroll_end
            Log.clear(self)
            super().write_lines(self._fold(self._raw), scroll_end=at_end)

    def _fold(self, lines: Iterable[str]) -> list[str]:
        width = self._fold_width
        if width < 20:  # not laid out yet, or too narrow to fold usefully
            return list(lines)
        folded: list[str] = []
        for line in lines:
            if len(line) <= width and (line.isascii() or cell_len(line) <= width):
                folded.append(line)
            else:
                folded += _pieces(line.expandtabs(), width)
        return folded


def _pieces(line: str, width: int) -> list[str]:
    """``line`` in rows of at most ``width`` cells, broken after a space where one is near the
    end of the row (so `config.json` is not split as `config.jso` / `n`), else at the edge."""
    rows: list[str] = []
    room = width
    while cell_len(line) > room:
        head = chop_cells(line, room)[0]
        space = head.rfind(" ")
        if space >= room * 0.6:
            head = head[:space + 1]
        rows.append(head if not rows else CONTINUED + head)
        line = line[len(head):]
        room = width - len(CONTINUED)
    rows.append(line if not rows else CONTINUED + line)
    return rows
