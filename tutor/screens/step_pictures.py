"""The lesson screen's side of tutor/pictures.py: the key a picture is drawn under, the picture of
the entry shown at start handed to the step text, and the last one the Markdown widget drew kept
when the screen closes (one write at quit, none while the learner moves about)."""

from __future__ import annotations

from pathlib import Path

import rich
import textual
from textual.app import App

import tutor
from tutor import pictures
from tutor.widgets import step_text
from tutor.widgets.step_text import StepText

# What draws the step text besides the source: a change in one of these may draw other cells.
_CODE = (textual.__file__, rich.__file__, step_text.__file__, str(Path(tutor.__file__).with_name("app.tcss")))


def _folder() -> Path:
    from tutor.store import cache_dir

    return cache_dir() / "pictures"


def _key(app: App, source: str, size: tuple[int, int]) -> str:
    return pictures.picture_key(source, size, app.theme, _CODE, tutor.__version__)


class StepPictures:
    def __init__(self) -> None:
        self._drawn: tuple[str, list[pictures.Row]] | None = None

    def paint(self, app: App, text: StepText) -> None:
        """Before the first frame: the picture of what *text* shows, if one was kept for it."""
        rows = pictures.load(_folder(), _key(app, text.source, (app.size.width, app.size.height)))
        if rows is not None:
            text.show_picture(rows)

    def drawn(self, app: App, message: StepText.Drawn) -> None:
        self._drawn = (_key(app, message.source, message.size), message.rows)

    def keep(self) -> None:
        if self._drawn is not None:
            pictures.save(_folder(), *self._drawn)
            self._drawn = None
