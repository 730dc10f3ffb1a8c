"""The Textual app: wiring only. Screens hold the behaviour; services hold the I/O."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tutor.screens import palette
from tutor.screens.follow_view import FollowView
from tutor.screens.presenter import Presenter
from tutor.session import Session

if TYPE_CHECKING:
    from tutor.screens.lesson import LessonScreen


class TutorApp(App):
    # Absolute, so subclasses defined elsewhere (tests, benchmarks) find it too. forms.tcss alone styles
    # the first start's settings form; app.tcss is read with the lesson screen then (lesson_css).
    CSS_PATH = [Path(__file__).with_name("forms.tcss"), Path(__file__).with_name("app.tcss")]
    TITLE = "docker-tutor"
    # Information toasts go quickly (they sit over the text); warnings and errors set their own.
    NOTIFICATION_TIMEOUT = 3
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True),
                # In the footer in demo mode or while it is on; always in the palette, always on f2.
                Binding("f2", "presenter", "Presenter"),
                Binding("f2", "toggle_presenter", show=False)]

    def __init__(self, session: Session, demo=None, presenter: bool = False) -> None:
        super().__init__()
        self.session = session
        self.demo = demo  # tutor.demo.DemoOptions: `docker-tutor demo` walks the lesson by itself
        self.presenting = Presenter(self, on=presenter)
        self.following = FollowView(self)
        self._css_later: list = []  # a first start: app.tcss, read with the lesson screen (lesson_css)
        if session.first_run:
            self.css_path, self._css_later = self.css_path[:1], self.css_path[1:]

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = True) -> None:
        # Our messages are plain sentences that mark commands with backticks and quote what the
        # learner typed: the code is styled and nothing else is read as markup ("[b]x" stays).
        from tutor.widgets.inline_code import inline_text

        if timeout is None and severity != "information":
            timeout = 8  # a warning or an error is read to the end
        super().notify(inline_text(message).markup, title=title, severity=severity, timeout=timeout, markup=True)

    def get_default_screen(self) -> Screen:
        # The first screen itself, not pushed over an empty default one: the lesson, or on a first start
        # the settings form alone (the lesson screen, its modules and its CSS come once it is saved).
        if self.session.first_run:
            from tutor.screens.settings import SettingsScreen

            return SettingsScreen(self.session.settings, first_run=True)
        from tutor.screens.lesson import LessonScreen

        return LessonScreen(self.session)

    def on_mount(self) -> None:
        self.session.on_save_error = lambda message: self.notify(message, title="Not saved", severity="error")
        if not self.session.first_run:  # a first start follows once the form is saved (settings_closed)
            self.follow_settings_changed()  # following the learner's terminal is on unless the settings say off
        for warning in self.session.warnings:
            self.notify(warning, title="Heads up", severity="warning", timeout=15)
        self.set_class(self.presenter, "-presenter")
        if self.demo is not None and not self.session.first_run:
            self.call_after_refresh(self._start_demo)  # once the lesson screen is there

    def on_ready(self) -> None:
        if not gc.isenabled():
            # tutor/cli.py's run_app turned collection off until the first frame. What lives now lives as
            # long as the app (modules, the screen); frozen, it is not walked again by each full collection.
            gc.freeze()
            gc.enable()

    def _start_demo(self) -> None:
        lesson = self.lesson_screen()
        if lesson is not None:
            lesson.start_demo(self.demo)

    # --- presenter mode (tutor/screens/presenter.py) ---------------------------------------

    @property
    def presenter(self) -> bool:
        return self.presenting.on

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "presenter":
            return self.demo is not None or self.presenter
        return True

    def action_presenter(self) -> None:
        self.action_toggle_presenter()

    def action_toggle_presenter(self) -> None:
        self.presenting.toggle()

    async def on_event(self, event) -> None:
        self.presenting.saw(event)
        await super().on_event(event)

    def pop_screen(self):
        done = super().pop_screen()
        self.presenting.screen_closed()
        return done

    # --- screens --------------------------------------------------------------------------

    def lesson_screen(self) -> LessonScreen | None:
        from tutor.screens.lesson import LessonScreen

        for screen in self.screen_stack:
            if isinstance(screen, LessonScreen):
                return screen
        return None

    def _reload_lesson(self, _result: object = None) -> None:
        """After a screen closes: progress or settings may have changed under the lesson screen."""
        lesson = self.lesson_screen()
        if lesson is not None:
            lesson.reload()

    def open_settings(self, first_run: bool = False) -> None:
        from tutor.screens.settings import SettingsScreen

        screen = SettingsScreen(self.session.settings, first_run=first_run)
        self.push_screen(screen, lambda settings: self.settings_closed(screen, settings))

    def settings_closed(self, screen, settings) -> None:
        if settings is not None and self.session.save_settings(settings):
            self.notify("Settings saved. Commands now use your values.")
            self.follow_settings_changed()
        self.session.record_practice_setup(screen.ready)  # the practice registry's account and login
        self._reload_lesson()

    def on_settings_screen_first_saved(self, message) -> None:
        """The first start's form, the first screen, is saved: the lesson screen takes its place."""
        from tutor.lesson import LessonError
        from tutor.screens.lesson import LessonScreen

        try:
            warnings = self.session.load_lesson()  # a first start reads its lesson only now (Session.open)
        except LessonError as exc:
            self.session.save_settings(message.settings)  # kept for the next start, once the lesson is fixed
            self.exit(exc, return_code=1)  # tutor/cli.py says what is wrong and what to do, as for any start
            return
        for warning in warnings:
            self.notify(warning, title="Heads up", severity="warning", timeout=15)
        self.settings_closed(message.screen, message.settings)
        self.follow_settings_changed()  # also when the settings could not be saved: they are in use
        self.lesson_css()
        message.screen._push_result_callback(self, None)  # switch_screen drops one; the first screen has none
        self.switch_screen(LessonScreen(self.session))

    def lesson_css(self) -> None:
        """The styles a first start left out until its form was saved, read in."""
        later, self._css_later = self._css_later, []
        for path in later:
            self.css_path.append(path)
            self.stylesheet.read(path)
        if later:
            self.refresh_css(animate=False)

    def open_quiz(self, question_id: str | None = None) -> None:
        from tutor.screens.quiz import QuizScreen

        self.push_screen(QuizScreen(self.session, question_id=question_id), self._reload_lesson)

    def open_checklist(self) -> None:
        from tutor.screens.checklist import ChecklistScreen

        self.push_screen(ChecklistScreen(self.session), self._reload_lesson)

    def reset_lesson(self) -> None:
        from tutor.screens.dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.session.reset_lesson()
                self._reload_lesson()
                self.notify("Lesson reset: every step, answer and check starts afresh.")

        self.push_screen(ConfirmDialog("Reset the whole lesson?",
                                       "Steps, quiz answers, checklist states and opened hints are cleared. "
                                       "Your images, registry and docker login are not touched."), answered)

    def write_report(self) -> None:
        """Show the self-assessment report; the learner saves it from there, where they choose."""
        from tutor.quiz.report import build_report, save_report
        from tutor.screens.report import ReportScreen

        data = build_report(self.session.lesson, self.session.progress, self.session.values())
        self.push_screen(ReportScreen(data, save_report))

    # --- following the learner's own terminal (tutor/screens/follow_view.py) ---------------

    @property
    def follow_state(self) -> str:
        """Off (""), "following" or "lost" (the engine does not answer): the lesson screen's footer shows it."""
        return self.following.state

    @property
    def follow_text(self) -> str:
        return self.following.text

    @property
    def follower(self):
        return self.following.follower

    def follow_settings_changed(self) -> None:
        self.following.settings_changed()

    # --- palette and quitting -------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        lesson = self.lesson_screen()
        yield from palette.app_commands(self, lesson)  # the lesson's own: palette.LessonCommands

    async def action_quit(self) -> None:
        lesson = self.lesson_screen()
        if lesson is None or not lesson.running():
            self.exit()
            return
        from tutor.screens.dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self._quit_after_cancel(lesson)

        self.push_screen(ConfirmDialog("An action is still running. Quit anyway?",
                                       "It will be cancelled cleanly first (a running container is stopped and "
                                       "removed)."), answered)

    def _quit_after_cancel(self, lesson) -> None:
        lesson.action_cancel()

        def exit_when_idle() -> None:
            # Cancellation runs the actions' cleanup (stop and remove a container) before the worker ends.
            if lesson.running():
                self.set_timer(0.1, exit_when_idle)
            else:
                self.exit()

        exit_when_idle()
