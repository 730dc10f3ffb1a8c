"""The command palette's entries: the app's own on every screen (``App.get_system_commands``),
and the lesson screen's (its keys, and a jump to each step) from ``LessonCommands``, the command
provider the lesson screen lists in its ``COMMANDS``: Textual asks it only while the palette
is opened over the lesson."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

from rich.markup import escape
from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from tutor.app import TutorApp
    from tutor.screens.lesson import LessonScreen


def app_commands(app: TutorApp, lesson: LessonScreen | None) -> Iterator[SystemCommand]:
    yield SystemCommand("Settings", "Username, registry, tag, project folder and EC2 node", app.open_settings)
    yield SystemCommand("Quiz", "Answer the milestone's questions", app.open_quiz)
    yield SystemCommand("Checklist", "Check images, registry and node for real", app.open_checklist)
    yield SystemCommand("Self-assessment report", "Show your progress; save it as Markdown, HTML or JSON",
                        app.write_report)
    yield SystemCommand("Reset lesson", "Start the lesson afresh (asks first)", app.reset_lesson)
    yield SystemCommand("Presenter mode", "Show each key pressed and a larger command line, or stop (f2)",
                        app.action_toggle_presenter)
    if lesson is not None and lesson.demo is not None:
        yield SystemCommand("Stop the demo", "Leave demo mode; keys work as usual", lesson.stop_demo)


def lesson_commands(lesson: LessonScreen) -> Iterator[SystemCommand]:
    session = lesson.session
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
    yield SystemCommand("Show or hide the outline", "Give the text the whole width (o)", lesson.action_toggle_outline)
    yield SystemCommand("Copy commands", "Copy the pane's commands to the clipboard (y)", lesson.action_copy_commands)
    steps = session.lesson.steps
    for number, step in enumerate(steps, 1):
        commands = session.step_commands(step)
        # The palette reads help as markup: a folder named "[b]" must show as typed.
        yield SystemCommand(f"Go to step {number}: {session.render(step.title)}",
                            escape(commands[0]) if commands else f"Step {number} of {len(steps)}",
                            lambda step_id=step.id: lesson.goto("step", step_id))


class LessonCommands(Provider):
    """The lesson screen's palette entries, listed when the palette opens and matched as the
    learner types (in the lesson's order, steps after keys)."""

    def _entries(self) -> list[SystemCommand]:
        return list(lesson_commands(cast("LessonScreen", self.screen)))

    async def discover(self) -> Hits:
        for entry in self._entries():
            yield DiscoveryHit(entry.title, entry.callback, help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            if (score := matcher.match(entry.title)) > 0:
                yield Hit(score, matcher.highlight(entry.title), entry.callback, help=entry.help)
