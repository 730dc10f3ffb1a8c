"""Presenter mode's key overlay: the last few keys pressed, in a small box over the screen's
bottom right corner, so a room watching a projector sees what the presenter pressed.

The app feeds it captions (tutor.demo.key_caption); it draws them and fades after a pause.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Container
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.timer import Timer

SHOWN = 5  # keys in view at once: enough for "n n r", short enough for 80 columns
FADE_SECONDS = 2.5


class KeyEcho(Container):
    # In the toasts' layer, docked like them: drawn over the screen, taking no room from it.
    DEFAULT_CSS = """
    KeyEcho {
        layer: _toastrack;
        dock: bottom;
        width: 1fr;
        height: auto;
        align: right bottom;
        margin-bottom: 1;
        background: transparent;
    }
    KeyEcho > #keys {
        width: auto;
        height: 1;
        padding: 0 1;
        background: $accent;
        color: $text;
        text-style: bold;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._fade: Timer | None = None
        # Made here, not in compose: keys can arrive between mount and compose (a fast burst after a
        # screen opens) and must land on the label all the same.
        self._keys = Static("", id="keys", markup=False)

    def compose(self) -> ComposeResult:
        yield self._keys

    def show(self, captions: list[str]) -> None:
        """The latest keys, oldest first (the app keeps them across screens: a dialog's esc stays in view)."""
        self._keys.update("⌨ " + "  ".join(captions[-SHOWN:]))
        self.display = True
        if self._fade is not None:
            self._fade.stop()
        self._fade = self.set_timer(FADE_SECONDS, self._faded)

    def _faded(self) -> None:
        self.display = False
