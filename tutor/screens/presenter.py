"""Presenter mode: every key pressed is named in an overlay (tutor/widgets/key_echo.py) and the
command line is larger (app.tcss ``.-presenter``), for a room watching a projector.

The app owns one Presenter, hands it every key event and tells it when a screen closes.
The keys are kept here, not on a screen, so the key that closed a dialog stays in view under it.
"""

from __future__ import annotations

from time import monotonic
from typing import TYPE_CHECKING

from textual import events

if TYPE_CHECKING:
    from textual.app import App


class Presenter:
    def __init__(self, app: App, on: bool = False) -> None:
        self.app = app
        self.on = on
        self._keys: list[str] = []  # the latest keys' captions, oldest first
        self._keys_at = 0.0
        self._watching_screens = False

    def toggle(self) -> None:
        self.on = not self.on
        self.app.set_class(self.on, "-presenter")
        self.app.refresh_bindings()
        self.app.notify("Presenter mode: every key pressed is shown, the command line is larger (f2 ends it)."
                        if self.on else "Presenter mode is off.")

    def saw(self, event: events.Event) -> None:
        """Every event the app receives: a key (not one forwarded to a widget again) is noted."""
        if self.on and isinstance(event, events.Key) and not event.is_forwarded:
            self._note_key(event)

    def _note_key(self, event: events.Key) -> None:
        # Deferred: TextArea and the demo's captions are loaded by the first key of presenter mode only.
        from textual.widgets import Input, TextArea

        from tutor.demo import key_caption
        from tutor.widgets.key_echo import FADE_SECONDS, SHOWN

        # What is typed into a field is on screen already, and a password's keys are never shown:
        # in a field only keys that are not text (enter, tab, ctrl+...) are named.
        if isinstance(self.app.focused, (Input, TextArea)) and event.is_printable:
            return
        now = monotonic()
        if now - self._keys_at > FADE_SECONDS:  # a new burst of keys after a pause
            self._keys = []
        self._keys, self._keys_at = [*self._keys, key_caption(event.key, event.character)][-SHOWN:], now
        if not self._watching_screens:  # a burst of keys can be handled before the screen it opens is in front
            self.app.screen_change_signal.subscribe(self.app, self._screen_changed)
            self._watching_screens = True
        # After the key has done its work: on the screen it led to (esc closes a dialog).
        self.app.call_after_refresh(self._show_keys)

    def _screen_changed(self, _screen: object) -> None:
        from tutor.widgets.key_echo import FADE_SECONDS

        if self.on and self._keys and monotonic() - self._keys_at <= FADE_SECONDS:
            self.app.call_after_refresh(self._show_keys)

    def screen_closed(self) -> None:
        if self.on and self._keys:  # the keys that closed a dialog stay in view under it
            self.app.call_after_refresh(self._show_keys)

    def _show_keys(self) -> None:
        from tutor.widgets.key_echo import KeyEcho

        screen = self.app.screen
        echo = next(iter(screen.query(KeyEcho)), None)
        if echo is None:
            echo = KeyEcho()
            screen.mount(echo)
            self.app.call_after_refresh(echo.show, list(self._keys))
        else:
            echo.show(list(self._keys))
