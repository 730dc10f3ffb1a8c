"""The command palette as a learner uses it: ctrl+p, type an entry's name, enter. Every lesson entry is
listed by its name, and running one does what it says (a screen opens, a step is reset, the outline or
presenter mode is switched, the report is saved and the screen says where)."""

from __future__ import annotations

import pytest

from tests.ui.learner import (outline_mark, palette, palette_entries, run_from_palette, screen_name, screen_text,
                              stack_names, until)

SIZE = (80, 24)

# What the palette offers on the lesson screen, by the names a learner reads there.
APP_ENTRIES = ["Settings", "Quiz", "Checklist", "Self-assessment report", "Reset lesson", "Presenter mode"]
LESSON_ENTRIES = ["Next step", "Previous step", "Run step (show me)", "Check step", "Next hint", "Mark step done",
                  "Skip step", "Reset step", "Cancel action", "Full pane", "Show or hide the outline",
                  "Copy commands"]


@pytest.fixture
def app(open_session, learner_home, monkeypatch):
    from tutor.app import TutorApp

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    monkeypatch.setenv("HOME", str(learner_home / "home"))
    (learner_home / "home").mkdir()
    return TutorApp(open_session(username="alice", registry="127.0.0.1:9"))


async def test_every_lesson_entry_is_listed_by_its_name(app):
    steps = [f"Go to step {n}: {app.session.render(s.title)}" for n, s in enumerate(app.session.lesson.steps, 1)]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        everything = await palette(pilot, "")
        assert set(APP_ENTRIES + LESSON_ENTRIES + steps) <= set(everything), everything
        for name in ("Skip step", "Reset lesson", steps[3]):
            await pilot.press("ctrl+u", *name)  # the search emptied, then the name typed whole
            await until(pilot, lambda name=name: palette_entries(app)[:1] == [name], f"{name!r} first in the palette")
        await pilot.press("escape")
        await until(pilot, lambda: screen_name(app) == "LessonScreen", "back at the lesson")


async def test_screens_open_from_the_palette_and_esc_comes_back(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for name, screen in [("Checklist", "ChecklistScreen"), ("Quiz", "QuizScreen"),
                             ("Settings", "SettingsScreen")]:
            await run_from_palette(pilot, name)
            await until(pilot, lambda screen=screen: stack_names(app) == ["LessonScreen", screen], f"{name} opened")
            await pilot.press("escape")
            await until(pilot, lambda: stack_names(app) == ["LessonScreen"], f"{name} closed")


async def test_go_to_mark_done_and_reset_step_from_the_palette(app):
    session = app.session
    step = session.lesson.steps[2]
    title = f"3. {' '.join(session.render(step.title).split()[:2])}"
    async with app.run_test(size=SIZE) as pilot:
        await run_from_palette(pilot, "Go to step 3")
        assert session.render(step.title) in screen_text(app)
        await run_from_palette(pilot, "Mark step done", "mark")
        await until(pilot, lambda: outline_mark(app, title) == "✔", "step 3 marked done")
        await run_from_palette(pilot, "Reset step")
        await until(pilot, lambda: outline_mark(app, title) == "·", "step 3 back to todo")
    assert session.step_state(step) == "todo"


async def test_hide_the_outline_and_presenter_mode_from_the_palette(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Your task" in screen_text(app)
        await run_from_palette(pilot, "Show or hide the outline", "outline")
        await until(pilot, lambda: "Your task" not in screen_text(app), "the outline is hidden")
        await run_from_palette(pilot, "Show or hide the outline", "outline")
        await until(pilot, lambda: "Your task" in screen_text(app), "the outline is back")

        assert "f2 Presenter" not in screen_text(app)
        await run_from_palette(pilot, "Presenter mode", "presenter")
        # Presenter mode is on: its key is in the footer, to turn it off again.
        await until(pilot, lambda: "f2 Presenter" in screen_text(app), "presenter mode is on")
        await run_from_palette(pilot, "Presenter mode", "presenter")
        await until(pilot, lambda: "f2 Presenter" not in screen_text(app), "presenter mode is off")


async def test_the_report_entry_shows_the_report_and_ctrl_s_saves_it_and_says_where(app, learner_home):
    saved = learner_home / "home" / "docker-tutor-report.md"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("k")  # something to report: the first step skipped
        await run_from_palette(pilot, "Self-assessment report", "report")
        await until(pilot, lambda: screen_name(app) == "ReportScreen", "the report is shown")
        assert "Self-assessment" in screen_text(app)
        assert not saved.exists()  # shown, not written, until the learner saves it
        await pilot.press("ctrl+s")
        await until(pilot, saved.exists, "the report is saved")
        said = screen_text(app).replace(" ", "")
        assert f"Savedto{saved}" in said, screen_text(app)
    text = saved.read_text()
    assert text.startswith("# Self-assessment")
    first = next(line for line in text.splitlines() if app.session.render(app.session.lesson.steps[0].title) in line)
    assert "skipped" in first, first
