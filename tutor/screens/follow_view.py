"""Following the learner's own terminal, as the app shows it: the footer's state, the step's
note on the lesson screen, and a toast for a mistake or a step done.

tutor/follow.py decides what the engine's events mean; this module only hands each of its
updates to the screen that shows it. The app owns one FollowView and asks it to start or
stop when the settings change.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum
from typing import TYPE_CHECKING

from tutor.store import follow_switched_off

# tutor.follow and tutor.docker_ops are imported when following starts, after the first frames.
if TYPE_CHECKING:
    from tutor.app import TutorApp
    from tutor.follow import Follower, Update

FOLLOW_AFTER = 0.5  # seconds after start before following the engine begins
CONNECTING = "Following your terminal: connecting to Docker…"


class FollowState(StrEnum):
    """What the lesson screen's footer shows (its f binding): nothing, "Follow", or "Docker ✘"."""

    OFF = ""
    FOLLOWING = "following"
    LOST = "lost"  # the engine does not answer; the follower retries


class FollowView:
    def __init__(self, app: TutorApp) -> None:
        self.app = app
        self.state = FollowState.OFF
        self.text = ""  # the follower's latest status sentence, for the f key
        self.seen = ""  # what the follower last saw the learner do (its latest note), for the f key
        self.follower: Follower | None = None  # while following is on: a test waits for its event stream

    def settings_changed(self) -> None:
        """Start or stop following as the settings (and DOCKER_TUTOR_FOLLOW=0) say."""
        on = self.app.session.settings.follow and not follow_switched_off()
        if on and not self.state:
            self.state, self.text = FollowState.FOLLOWING, CONNECTING
            self.app.run_worker(self._follow(), group="follow", exclusive=True, exit_on_error=False,
                                description="follow the learner's terminal")
        elif not on and self.state:
            self.app.workers.cancel_group(self.app, "follow")
            self.state = FollowState.OFF
        self._footer_changed()

    def _footer_changed(self) -> None:
        lesson = self.app.lesson_screen()
        if lesson is not None:
            lesson.refresh_bindings()  # the footer says whether following is on

    async def _follow(self) -> None:
        from tutor.follow import Follower

        # The first frames come first: the follower's thread imports the docker SDK, which would
        # compete with drawing the lesson for the interpreter.
        await asyncio.sleep(FOLLOW_AFTER)

        def busy() -> bool:  # the tutor's own run: the lesson screen records it itself
            lesson = self.app.lesson_screen()
            return lesson is not None and lesson.running()

        self.follower = Follower(self.app.session, busy=busy)
        async for update in self.follower.updates():
            self.show(update)

    def show(self, update: Update) -> None:
        """One update where the learner sees it."""
        from tutor.docker_ops.follow import LOST
        from tutor.follow import DONE, MISTAKE, STATUS

        if update.kind == STATUS:
            self.state = FollowState.LOST if update.connection == LOST else FollowState.FOLLOWING
            self.text = update.text
            self._footer_changed()
            return
        self.seen = update.text
        lesson = self.app.lesson_screen()
        if lesson is not None:
            lesson.follow_update(update.step_id, update.text, update.hint.next_step if update.hint else "",
                                 warning=update.kind == MISTAKE)
        if update.kind == MISTAKE and update.hint is not None:
            self.app.notify(f"{update.hint.what} {update.hint.next_step}", title="From your terminal",
                            severity="warning")
        elif update.kind == DONE and update.changed:
            session = self.app.session
            step = session.lesson.step(update.step_id)
            if step is not None:
                self.app.notify(f"Done: {session.render(step.title)}", title="From your terminal")
