"""The lesson outline: concepts, steps, quiz, verify and checklist, each with a status mark.

An OptionList rather than a Tree: its entries wrap, so a long step title or quiz question is
read whole in a narrow column instead of being cut at the edge. Section headings are
disabled options, so the cursor only ever rests on something that can be shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tutor.widgets.marks import mark_of

if TYPE_CHECKING:
    from tutor.lesson import Lesson

@dataclass(frozen=True)
class Entry:
    kind: str  # concept, step, quiz, verify, checklist
    id: str
    title: str


def lesson_sections(lesson: Lesson, render: Callable[[str], str]) -> list[tuple[str, list[Entry]]]:
    """The outline's sections for a lesson, titles filled with the learner's values; empty ones left out."""
    numbered = [Entry("step", s.id, f"{n}. {render(s.title)}") for n, s in enumerate(lesson.steps, 1)]
    sections = [
        ("Concepts", [Entry("concept", c.id, render(c.title)) for c in lesson.concepts]),
        ("Your task", numbered),
        ("Quiz", [Entry("quiz", q.id, render(q.prompt)) for q in lesson.quiz]),
        ("Verify", [Entry("verify", v.id, render(v.title)) for v in lesson.verify]),
        ("Checklist", [Entry("checklist", c.id, render(c.text)) for c in lesson.checklist]),
    ]
    return [(heading, entries) for heading, entries in sections if entries]


class Outline(OptionList):
    DEFAULT_CSS = """
    Outline { padding: 0 0; }
    Outline > .option-list--option-disabled { color: $text-accent; text-style: bold; }
    """
    # The outline keeps its own arrows; page keys scroll what it shows (the lesson screen
    # binds them), so the learner never has to move focus just to read on.
    BINDINGS = [Binding("pageup", "screen.page_text(-1)", show=False),
                Binding("pagedown", "screen.page_text(1)", show=False)]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._entries: dict[str, Entry] = {}  # option id -> entry
        self._status: dict[tuple[str, str], str] = {}
        self._measured_width = -1  # the width the options were last measured and drawn at

    def fill(self, sections: list[tuple[str, list[Entry]]]) -> None:
        """Sections in order: a heading and its entries. The highlighted entry stays where it was."""
        current = self.current_entry
        options: list[Option] = []
        self._entries.clear()
        for heading, entries in sections:
            options.append(Option(Text(heading), id=f"heading:{heading}", disabled=True))
            for entry in entries:
                key = _key(entry.kind, entry.id)
                self._entries[key] = entry
                options.append(Option(self._label(entry, self._status.get((entry.kind, entry.id), "todo")), id=key))
        self.set_options(options)
        if current is not None:
            self.select_entry(current.kind, current.id)

    def _update_lines(self) -> None:
        if not self._line_cache.lines:
            self._measured_width = self.scrollable_content_region.width
        super()._update_lines()

    def _size_updated(self, size, virtual_size, container_size, layout: bool = True) -> bool:
        # Measured when the layout gives it its size, before the frame is drawn: OptionList measures
        # in its render, after its scrollbar was drawn, so the first frame had the thumb of the
        # options measured without the scrollbar, and the next frame moved it (the first frame must
        # not change a second later). Measuring may show the scrollbar, which narrows the options:
        # then once more at the narrower width.
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        for _ in range(2):
            if self._line_cache.lines and self.scrollable_content_region.width != self._measured_width:
                self._clear_caches()
            self._update_lines()
        return changed

    def _on_resize(self, event: events.Resize | None = None) -> None:
        # OptionList measures and draws every option again after any resize. The first frame has
        # already measured them at this width (a resize after it, such as the pane growing while a
        # step runs, changes the height only): then the measures are kept.
        if event is not None and self._line_cache.lines and self.scrollable_content_region.width == self._measured_width:
            event.prevent_default()
        # The pane under it grows while a step runs: the highlighted entry stays in view.
        self.scroll_to_highlight()

    def set_status(self, kind: str, item_id: str, status: str) -> None:
        if self._status.get((kind, item_id), "todo") == status:
            return  # its label already shows it: replacing a prompt re-measures every option
        self._status[(kind, item_id)] = status
        entry = self._entries.get(_key(kind, item_id))
        if entry is not None:
            self.replace_option_prompt(_key(kind, item_id), self._label(entry, status))

    def status(self, kind: str, item_id: str) -> str:
        return self._status.get((kind, item_id), "todo")

    def select_entry(self, kind: str, item_id: str) -> bool:
        key = _key(kind, item_id)
        if key not in self._entries:
            return False
        index = self.get_option_index(key)
        if self.highlighted != index:
            self.highlighted = index
        return True

    @property
    def current_entry(self) -> Entry | None:
        option = self.highlighted_option
        return self._entries.get(option.id) if option is not None and option.id else None

    def entry_of(self, option: Option) -> Entry | None:
        return self._entries.get(option.id or "")

    def entries(self, kind: str | None = None) -> list[Entry]:
        return [entry for entry in self._entries.values() if kind is None or entry.kind == kind]

    @staticmethod
    def _label(entry: Entry, status: str) -> MarkedTitle:
        from tutor.widgets.inline_code import inline_text

        symbol, style = mark_of(status)
        return MarkedTitle(Text(symbol, style), inline_text(entry.title))


class MarkedTitle:
    """A mark, then a title that wraps under itself rather than under the mark.

    What a two-column Rich table would draw, at a fraction of its cost: the outline measures
    every entry when it is shown, and a lesson may have hundreds.
    """

    def __init__(self, mark: Text, title: Text) -> None:
        self.mark, self.title = mark, title

    def __rich_console__(self, console, options):
        lines = self.title.wrap(console, max(1, options.max_width - 2))
        shown = Text(no_wrap=True, overflow="crop")  # ends in a newline: Textual counts them for the height
        for number, line in enumerate(lines):
            if number:
                shown.append("\n")
            shown.append_text(self.mark if number == 0 else Text(" "))
            shown.append(" ")
            shown.append_text(line)
        yield shown

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        return Measurement(3, self.title.cell_len + 2)

    def __str__(self) -> str:
        return f"{self.mark.plain} {self.title.plain}"


def _key(kind: str, item_id: str) -> str:
    return f"{kind}:{item_id}"
