"""The Textual app: wiring only. Screens hold the behaviour; services hold the I/O."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.markup import escape
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tutor.session import Session


FOLLOW_AFTER = 0.5  # seconds after start before following the engine begins

class TutorApp(App):
    # Absolute, so subclasses defined elsewhere (tests, benchmarks) find it too.
    CSS_PATH = Path(__file__).with_name("app.tcss")
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
        self.presenter = presenter
        self._keys: list[str] = []  # presenter mode: the latest keys' captions, shown by KeyEcho
        self._keys_at = 0.0

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = True) -> None:
        # Our messages are plain sentences that mark commands with backticks and quote what the
        # learner typed: the code is styled and nothing else is read as markup ("[b]x" stays).
        from tutor.widgets.inline_code import inline_text

        if timeout is None and severity != "information":
            timeout = 8  # a warning or an error is read to the end
        super().notify(inline_text(message).markup, title=title, severity=severity, timeout=timeout, markup=True)

    def get_default_screen(self) -> Screen:
        # The lesson is the first screen itself, not pushed over an empty default one.
        from tutor.screens.lesson import LessonScreen

        return LessonScreen(self.session)

    def on_mount(self) -> None:
        self.session.on_save_error = lambda message: self.notify(message, title="Not saved", severity="error")
        self.follow_settings_changed()  # following the learner's terminal is on unless the settings say off
        for warning in self.session.warnings:
            self.notify(warning, title="Heads up", severity="warning", timeout=15)
        if self.session.first_run:
            self.open_settings(first_run=True)
        self.set_class(self.presenter, "-presenter")
        if self.demo is not None and not self.session.first_run:
            self.call_after_refresh(self._start_demo)  # once the lesson screen is there

    def _start_demo(self) -> None:
        lesson = self._lesson_screen()
        if lesson is not None:
            lesson.start_demo(self.demo)

    # --- presenter mode: keys shown, command line larger (app.tcss .-presenter) ----------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "presenter":
            return self.demo is not None or self.presenter
        return True

    def action_presenter(self) -> None:
        self.action_toggle_presenter()

    def action_toggle_presenter(self) -> None:
        self.presenter = not self.presenter
        self.set_class(self.presenter, "-presenter")
        self.refresh_bindings()
        self.notify("Presenter mode: every key pressed is shown, the command line is larger (f2 ends it)."
                    if self.presenter else "Presenter mode is off.")

    async def on_event(self, event) -> None:
        from textual import events

        if self.presenter and isinstance(event, events.Key) and not event.is_forwarded:
            self._note_key(event)
        await super().on_event(event)

    def _note_key(self, event) -> None:
        from time import monotonic

        from textual.widgets import Input, TextArea

        from tutor.demo import key_caption
        from tutor.widgets.key_echo import FADE_SECONDS, SHOWN

        # What is typed into a field is on screen already, and a password's keys are never shown:
        # in a field only keys that are not text (enter, tab, ctrl+...) are named.
        if isinstance(self.focused, (Input, TextArea)) and event.is_printable:
            return
        now = monotonic()
        if now - self._keys_at > FADE_SECONDS:  # a new burst of keys after a pause
            self._keys = []
        self._keys, self._keys_at = [*self._keys, key_caption(event.key, event.character)][-SHOWN:], now
        # After the key has done its work: on the screen it led to (esc closes a dialog).
        self.call_after_refresh(self._show_keys)

    def pop_screen(self):
        done = super().pop_screen()
        if self.presenter and self._keys:  # the keys that closed a dialog stay in view under it
            self.call_after_refresh(self._show_keys)
        return done

    def _show_keys(self) -> None:
        from tutor.widgets.key_echo import KeyEcho

        echo = next(iter(self.screen.query(KeyEcho)), None)
        if echo is None:
            echo = KeyEcho()
            self.screen.mount(echo)
            self.call_after_refresh(echo.show, list(self._keys))
        else:
            echo.show(list(self._keys))

    # --- screens --------------------------------------------------------------------------

    def _lesson_screen(self):
        from tutor.screens.lesson import LessonScreen

        return next((s for s in self.screen_stack if isinstance(s, LessonScreen)), None)

    def _reload_lesson(self, _result: object = None) -> None:
        """After a screen closes: progress or settings may have changed under the lesson screen."""
        lesson = self._lesson_screen()
        if lesson is not None:
            lesson.reload()

    def open_settings(self, first_run: bool = False) -> None:
        from tutor.screens.settings import SettingsScreen

        def saved(settings) -> None:
            if settings is not None and self.session.save_settings(settings):
                self.notify("Settings saved. Commands now use your values.")
                self.follow_settings_changed()
            self._reload_lesson()

        self.push_screen(SettingsScreen(self.session.settings, first_run=first_run), saved)

    def open_quiz(self, question_id: str | None = None) -> None:
        from tutor.screens.quiz import QuizScreen

        self.push_screen(QuizScreen(self.session.lesson, self.session.progress, self.session.save_progress,
                                    question_id=question_id), self._reload_lesson)

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

    # --- following the learner's own terminal (tutor/follow.py) --------------------------

    follow_state = ""  # "" off, "following", or "lost" (the engine does not answer): the footer shows it
    follow_text = ""
    follower = None  # the running tutor.follow.Follower, while following is on

    def follow_settings_changed(self) -> None:
        import os

        on = self.session.settings.follow and os.environ.get("DOCKER_TUTOR_FOLLOW", "1") != "0"
        if on and not self.follow_state:
            self.follow_state, self.follow_text = "following", "Following your terminal: connecting to Docker…"
            self.follow_terminal()
        elif not on and self.follow_state:
            self.workers.cancel_group(self, "follow")
            self.follow_state = ""
        self._follow_changed()

    def _follow_changed(self) -> None:
        if self._lesson_screen() is not None:
            self._lesson_screen().refresh_bindings()  # the footer says whether following is on

    @work(exclusive=True, group="follow", exit_on_error=False, description="follow the learner's terminal")
    async def follow_terminal(self) -> None:
        import asyncio

        from tutor.follow import DONE, MISTAKE, STATUS, Follower

        # The first frames come first: the follower's thread imports the docker SDK, which would
        # compete with drawing the lesson for the interpreter.
        await asyncio.sleep(FOLLOW_AFTER)

        def busy() -> bool:  # the tutor's own run: the lesson screen records it itself
            lesson = self._lesson_screen()
            return lesson is not None and lesson.running()

        self.follower = Follower(self.session, busy=busy)
        async for update in self.follower.updates():
            if update.kind == STATUS:
                self.follow_state = "lost" if "not answering" in update.text else "following"
                self.follow_text = update.text
                self._follow_changed()
                continue
            lesson = self._lesson_screen()
            if lesson is not None:
                lesson.follow_update(update.step_id, update.text, update.hint.next_step if update.hint else "")
            if update.kind == MISTAKE and update.hint is not None:
                self.notify(f"{update.hint.what} {update.hint.next_step}", title="From your terminal",
                            severity="warning")
            elif update.kind == DONE and update.changed:
                step = self.session.lesson.step(update.step_id)
                self.notify(f"Done: {self.session.render(step.title)}", title="From your terminal")

    # --- palette and quitting -------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        lesson = self._lesson_screen()
        yield SystemCommand("Settings", "Username, registry, tag, project folder and EC2 node", self.open_settings)
        yield SystemCommand("Quiz", "Answer the milestone's questions", self.open_quiz)
        yield SystemCommand("Checklist", "Check images, registry and node for real", self.open_checklist)
        yield SystemCommand("Self-assessment report", "Show your progress; save it as Markdown, HTML or JSON",
                            self.write_report)
        yield SystemCommand("Reset lesson", "Start the lesson afresh (asks first)", self.reset_lesson)
        yield SystemCommand("Presenter mode", "Show each key pressed and a larger command line, or stop (f2)",
                            self.action_toggle_presenter)
        if lesson is not None and lesson.demo is not None:
            yield SystemCommand("Stop the demo", "Leave demo mode; keys work as usual", lesson.stop_demo)
        if lesson is not None and screen is lesson:
            yield SystemCommand("Next step", "Go to the next step of your task (n)", lesson.action_next)
            yield SystemCommand("Previous step", "Go back one step (p)", lesson.action_previous)
            yield SystemCommand("Run step (show me)", "Run the selected step's docker commands", lesson.action_run)
            yield SystemCommand("Check step", "Look for the result of a step you ran yourself", lesson.action_verify)
            yield SystemCommand("Next hint", "Open the next hint of the selected step", lesson.action_hint)
            yield SystemCommand("Mark step done", "For steps done in the browser", lesson.action_mark_done)
            yield SystemCommand("Skip step", "Skip the selected step", lesson.action_skip)
            yield SystemCommand("Reset step", "Clear the selected step's progress and hints", lesson.action_reset_step)
            yield SystemCommand("Cancel action", "Stop the running docker action", lesson.action_cancel)
            yield SystemCommand("Full pane", "The action pane fills the screen, or back (m)", lesson.action_maximize_pane)
            yield SystemCommand("Show or hide the outline", "Give the text the whole width (o)",
                                lesson.action_toggle_outline)
            yield SystemCommand("Copy commands", "Copy the pane's commands to the clipboard (y)",
                                lesson.action_copy_commands)
            steps = self.session.lesson.steps
            for number, step in enumerate(steps, 1):
                commands = self.session.step_commands(step)
                # The palette reads help as markup: a folder named "[b]" must show as typed.
                yield SystemCommand(f"Go to step {number}: {self.session.render(step.title)}",
                                    escape(commands[0]) if commands else f"Step {number} of {len(steps)}",
                                    lambda step_id=step.id: lesson.goto("step", step_id))

    async def action_quit(self) -> None:
        lesson = self._lesson_screen()
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
