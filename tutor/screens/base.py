"""The base of the tutor's screens: the app they run in, typed."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen, ScreenResultType

if TYPE_CHECKING:
    from tutor.app import TutorApp


class TutorScreen(Screen[ScreenResultType]):
    """A screen of the tutor's app: ``tutor_app`` is ``self.app`` with the type that has the
    tutor's own methods (open_quiz, follow_state, ...), instead of ``getattr(self.app, ...)``."""

    @property
    def tutor_app(self) -> TutorApp:
        return cast("TutorApp", self.app)
