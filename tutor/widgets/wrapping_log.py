"""Textual's Log, with lines too long for the view folded onto the next rows.

Log draws each line on one row and cuts it at the edge, which hides the end of a docker
error ("... no such host"). Folding here, at write time, keeps Log's speed for the 100,000
short lines of a big build: a line that fits is passed through untouched, and only a
resize folds the kept lines again.

Log measures each write's widest line in a worker thread of its own (one thread per write) and
then sets its virtual size from the event loop: while a build streams, that thread held the
interpreter against the loop and each new widest line cost a layout of the whole screen. The
lines are measured here, in the pass that folds them, where it costs almost nothing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from rich.cells import cell_len, chop_cells
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.strip import Strip
from textual.widgets import Log

CONTINUED = "↪ "  # marks a folded row, so it is not read as a line of its own


class WrappingLog(Log):
    # Widget's virtual_size lays the whole screen out again on each change. The log's own size
    # never follows its content (it takes the room it is given), so a longer log or a wider line
    # needs its scrollbars updated and a repaint, not a layout: see watch_virtual_size.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0))

    def __init__(self, *, max_lines: int, **kwargs) -> None:
        super().__init__(max_lines=max_lines, **kwargs)
        self._raw: deque[str] = deque(maxlen=max_lines)
        self._fold_width = 0
        self._frame_style: Style | None = None  # while a frame is drawn (render_lines)
        self._strips_style: Style | None = None  # the style the rows in Log's strip cache were drawn in

    def write_lines(self, lines: Iterable[str], scroll_end: bool | None = None) -> WrappingLog:
        lines = list(lines)
        self._raw.extend(lines)
        self._write_folded(self._fold(lines), scroll_end)
        return self

    def render_lines(self, crop: Region) -> list[Strip]:
        # Log asks for rich_style once per row, and each time it is worked out again from every
        # ancestor's styles: one frame's rows share it.
        self._frame_style = super().rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None

    @property
    def rich_style(self) -> Style:
        return self._frame_style if self._frame_style is not None else super().rich_style

    def _render_line_strip(self, y: int, rich_style: Style) -> Strip:
        # Log keeps each row's strip only while text is selected; kept here otherwise too (Log drops
        # a row's strip when it is written or pruned), so a frame that redraws rows already shown
        # (a key's effect between two writes, a scroll back) does not lay their text out again.
        if self.text_selection is not None:
            return super()._render_line_strip(y, rich_style)
        if rich_style != self._strips_style:  # another style: the kept rows were drawn in the old one
            self._render_line_cache.clear()
            self._strips_style = rich_style
        strip = self._render_line_cache.get(y)
        if strip is None:
            strip = self._render_line_cache[y] = super()._render_line_strip(y, rich_style)
        return strip

    def watch_virtual_size(self, size: Size) -> None:
        scrollbars = self.show_horizontal_scrollbar, self.show_vertical_scrollbar
        if self.is_mounted and not self.styles.auto_dimensions:
            self._scroll_update(size)
            if scrollbars == (self.show_horizontal_scrollbar, self.show_vertical_scrollbar):
                return
        self.refresh(layout=True)  # a scrollbar came or went, or the log is sized by its content

    def _update_size(self, updates: int, lines: list[str]) -> None:  # type: ignore[override]
        """Log's measuring thread: not needed, write_lines has measured the lines."""

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
            self._write_folded(self._fold(self._raw), at_end)

    def _write_folded(self, folded: list[str], scroll_end: bool | None) -> None:
        self._width = max(self._width, _widest(folded))  # Log sets its virtual size from it
        super().write_lines(folded, scroll_end)

    def _fold(self, lines: Iterable[str]) -> list[str]:
        width = self._fold_width
        if width < 20:  # not laid out yet, or too narrow to fold usefully
            return list(lines)
        lines = list(lines)
        if _plain(lines) and max(map(len, lines), default=0) <= width:
            return lines  # a build's usual batch: every line fits, nothing to look at one by one
        folded: list[str] = []
        for line in lines:
            if "\t" not in line and len(line) <= width and (line.isascii() or cell_len(line) <= width):
                folded.append(line)
            else:
                folded += _pieces(line.expandtabs(), width)
        return folded


def _plain(lines: list[str]) -> bool:
    """ASCII without tabs: each character one cell wide (Log draws a control character as one)."""
    joined = "".join(lines)
    return joined.isascii() and "\t" not in joined


def _widest(lines: list[str]) -> int:
    """The widest line in cells, as Log would measure it."""
    if _plain(lines):
        return max(map(len, lines), default=0)
    return max((cell_len(Log._process_line(line)) for line in lines), default=0)


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
