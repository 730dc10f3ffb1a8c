"""The command palette (tutor/screens/palette.py): driven with its own keys, as a learner would."""

from __future__ import annotations

from textual.command import CommandPalette

from tutor.app import TutorApp
from tutor.screens.checklist import ChecklistScreen
from tests.ui.learner import offered, settled_entries


async def _until(pilot, test, what: str, tries: int = 100) -> None:
    for _ in range(tries):
        if test():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"not reached: {what}")


async def test_go_to_a_step_from_the_palette(open_session):
    session = open_session(username="alice", registry="127.0.0.1:9")
    app = TutorApp(session)
    third = session.lesson.steps[2]
    async with app.run_test(size=(80, 24)) as pilot:
        lesson = app.screen
        await pilot.pause()
        assert lesson.current is None or lesson.current.id != third.id
        await pilot.press("ctrl+p")
        await _until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette is open")
        await pilot.press(*"Go to step 3")
        await settled_entries(pilot)  # the palette searches its commands as it is typed
        await pilot.press("enter")
        await _until(pilot, lambda: app.screen is lesson and lesson.current is not None
                     and lesson.current.id == third.id, "step 3 is selected")


async def test_the_lesson_entries_are_offered_only_on_the_lesson_screen(open_session):
    session = open_session(username="alice", registry="127.0.0.1:9")
    app = TutorApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        on_lesson = [c.title for c in offered(app)]
        steps = [f"Go to step {n}: {session.render(s.title)}" for n, s in enumerate(session.lesson.steps, 1)]
        assert {"Settings", "Quiz", "Checklist", "Next step", "Run step (show me)"} <= set(on_lesson)
        assert [t for t in on_lesson if t.startswith("Go to step ")] == steps
        app.open_checklist()
        await _until(pilot, lambda: isinstance(app.screen, ChecklistScreen), "the checklist is open")
        over_checklist = [c.title for c in offered(app)]
        assert "Settings" in over_checklist
        assert not [t for t in over_checklist if t.startswith("Go to step ") or t == "Next step"]
        await pilot.pause()
        await pilot.press("escape")  # back to the lesson before the app closes, as a learner leaves it
        await _until(pilot, lambda: not isinstance(app.screen, ChecklistScreen), "the checklist is closed")
