"""The self-assessment report in the app: shown, scrolled, closed, and saved where the learner says."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Markdown, Static

from tutor.app import TutorApp
from tutor.quiz.session import QuizSession
from tutor.screens.dialogs import ConfirmDialog
from tutor.screens.lesson import LessonScreen
from tutor.screens.report import ReportScreen
from tests.ui.learner import screen_text

SIZE = (80, 24)


@pytest.fixture
def app(open_session, learner_home, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    monkeypatch.setenv("HOME", str(learner_home / "home"))
    (learner_home / "home").mkdir()
    session = open_session(username="alice", registry="127.0.0.1:9")
    QuizSession(session.lesson, session.progress).answer("latest-in-k8s", "latest_tag moves with every push")
    session.save_progress()
    return TutorApp(session)


async def _open(pilot) -> ReportScreen:
    await pilot.pause()
    pilot.app.write_report()  # the palette's "Self-assessment report"
    await pilot.pause()
    assert isinstance(pilot.app.screen, ReportScreen)
    return pilot.app.screen


def _message(screen: ReportScreen) -> str:
    return str(screen.query_one("#report-message", Static).render())


async def test_the_report_is_shown_in_the_app_and_esc_closes_it(app, learner_home):
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        text = screen.query_one("#report-text", Markdown).source
        assert text.startswith("# Self-assessment") and "latest_tag moves with every push" in text
        assert "| 1 | Why shouldn't a Kubernetes deployment use the `latest` tag? |" in text
        # Nothing is written until the learner asks (the old key wrote into the hidden state folder).
        assert not list((learner_home / "state").glob("report*"))
        assert not list((learner_home / "home").iterdir())
        body = screen.query_one("#report-body")
        assert app.focused is body and body.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)


async def test_save_to_the_default_path_says_where(app, learner_home):
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        assert screen.query_one("#report-path", Input).value == "~/docker-tutor-report.md"
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = learner_home / "home" / "docker-tutor-report.md"
        assert saved.read_text().startswith("# Self-assessment")
        assert f"Saved to {saved}" in _message(screen)


async def test_overwriting_asks_first(app, learner_home):
    saved = learner_home / "home" / "docker-tutor-report.md"
    saved.write_text("my notes")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert saved.read_text() == "my notes" and "Not saved" in _message(screen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert saved.read_text().startswith("# Self-assessment") and "Saved to" in _message(screen)


async def test_a_chosen_name_picks_place_and_format(app, learner_home):
    target = learner_home / "out" / "progress.html"
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.focused is screen.query_one("#report-path", Input)
        await pilot.press(*str(target), "enter")  # typing replaces the selected default
        await pilot.pause()
        assert target.read_text().startswith("<!DOCTYPE html>")
        assert f"Saved to {target}" in _message(screen)


@pytest.mark.parametrize("where, said", [("folder", "is a folder. Add a file name"),
                                         ("blocked/report.md", "Could not save to")])
async def test_a_place_that_cannot_be_written_is_explained(app, learner_home, where, said):
    (learner_home / "folder").mkdir()
    (learner_home / "blocked").write_text("a file where a folder would have to be")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("ctrl+o", *str(learner_home / where), "enter")
        await pilot.pause()
        assert said in _message(screen)
        assert app.focused is screen.query_one("#report-path", Input)  # ready for another name


async def test_a_long_path_in_the_question_wraps_and_the_question_stays_on_screen(app, learner_home):
    folder = learner_home / "home" / "a-rather-long-folder-name-for-reports" / "of-the-kubernetes-course-cohort-2026"
    folder.mkdir(parents=True)
    (folder / "docker-tutor-report.md").write_text("my notes")
    given = "~/a-rather-long-folder-name-for-reports/of-the-kubernetes-course-cohort-2026/docker-tutor-report.md"
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("ctrl+o")
        await pilot.press(*given, "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        shown = screen_text(app)
        assert "Replace it?" in shown and "Keep it" in shown
        assert "cohort-2026" in shown
