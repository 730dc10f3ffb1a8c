"""The quiz's answer fields: options that wrap and show their state in characters, and a
multi-line answer area where enter checks."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Checkbox, RadioButton, TextArea


class PlainMark:
    """A toggle whose state shows in its characters, not only its colour: a plain-text
    capture (or a monochrome terminal) must still tell a ticked option from an unticked one."""

    MARK_ON = "[x]"
    MARK_OFF = "[ ]"
    value: bool

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")  # type: ignore[attr-defined]
        return Content.styled(self.MARK_ON if self.value else self.MARK_OFF, style)


class OptionButton(PlainMark, RadioButton):
    """A radio button whose label wraps, so a long option is shown whole."""

    MARK_ON, MARK_OFF = "(●)", "( )"
    DEFAULT_CSS = """
    OptionButton { width: 1fr; height: auto; text-wrap: wrap; }
    """

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # Textual's own Widget.get_content_height passes self.styles here; its annotation says RulesMap.
        return max(1, self.render().get_height(self.styles, width))  # type: ignore[arg-type]


class OptionCheckbox(PlainMark, Checkbox):
    """A checkbox whose label wraps (SelectionList cuts long options off)."""

    DEFAULT_CSS = """
    OptionCheckbox {
        width: 1fr; height: auto; text-wrap: wrap; border: none; padding: 0; background: transparent;
        &:focus { border: none; }
    }
    """

    def __init__(self, label: Text, key: str, value: bool = False) -> None:
        super().__init__(label, value)
        self.key = key

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, self.render().get_height(self.styles, width))  # type: ignore[arg-type]  # as above


class OptionChecks(Vertical):
    """The options of a question with several right answers; up and down move between them."""

    DEFAULT_CSS = """
    OptionChecks { height: auto; border: tall $border-blurred; }
    OptionChecks:focus-within { border: tall $border; }
    """
    BINDINGS = [Binding("down", "move(1)", "Next option", show=False),
                Binding("up", "move(-1)", "Previous option", show=False)]

    @property
    def chosen(self) -> list[str]:
        return [box.key for box in self.query(OptionCheckbox) if box.value]

    def action_move(self, delta: int) -> None:
        boxes = list(self.query(OptionCheckbox))
        focused = self.screen.focused
        index = boxes.index(focused) if focused in boxes else -delta
        boxes[max(0, min(len(boxes) - 1, index + delta))].focus()


def answer_text(text: str) -> str:
    """An answer as the field shows and keeps it: line breaks stay, a tab is a space, and every
    other control character is a visible escape (``\\x1b``), so a pasted ``ESC[2J`` is text."""
    from tutor.visible import visible

    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return visible(text, newlines=True)


class AnswerArea(TextArea):
    """A multi-line answer field where enter checks (as a one-line field did) and ctrl+j,
    which every terminal sends apart from enter, starts a new line. What comes in, typed or
    pasted, goes through :func:`answer_text`."""

    BINDINGS = [Binding("ctrl+j", "new_line", "New line")]

    def edit(self, edit):
        shown = answer_text(edit.text)
        if shown != edit.text:
            edit = type(edit)(shown, edit.from_location, edit.to_location, edit.maintain_selection_offset)
        return super().edit(edit)

    @dataclass
    class Submitted(Message):
        area: AnswerArea

    def on_mount(self) -> None:
        if self.app.is_headless:
            # Nobody watches a headless app; a blinking cursor there only makes screenshots differ.
            self.cursor_blink = False

    async def _on_key(self, event) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self))
            return
        await super()._on_key(event)

    def action_new_line(self) -> None:
        self.insert("\n")
