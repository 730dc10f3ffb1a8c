"""Snapshots of the quiz in its longest states and of the report screen, at 80x24 and 120x40.

Times in the report are fixed (and read in UTC) so the pictures are the same on every run.
"""

from __future__ import annotations

import time

import pytest
from textual.widgets import Input

from tutor.app import TutorApp
from tutor.quiz.report import build_report, save_report
from tutor.quiz.session import QuizSession
from tutor.screens.report import ReportScreen

SIZES = [(80, 24), (120, 40)]
WHEN = 1796220309.0  # 2 Dec 2026, 14:05 UTC
LONG_ANSWER = ("latest is always the newest version, and it moves with every push, so two nodes that pulled it on "
               "different days can run different code without anyone noticing it")


@pytest.fixture
def app_factory(open_session, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield lambda: TutorApp(open_session(username="alice", registry="127.0.0.1:9"))
    monkeypatch.undo()
    time.tzset()


async def _settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False  # drawn or not depending on the machine's speed
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_quiz_long_answer_with_verdict(snap_compare, app_factory, size):
    async def before(pilot):
        await pilot.press("z")
        await pilot.pause()
        await pilot.press(*LONG_ANSWER, "enter")
        await _settle(pilot)

    assert snap_compare(app_factory(), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_quiz_wrong_single_choice(snap_compare, app_factory, size):
    async def before(pilot):
        pilot.app.open_quiz("layer-upload")
        await pilot.pause()
        await pilot.press("ctrl+t")  # the options
        await pilot.pause()
        await pilot.press("down", "down", "enter", "ctrl+g")  # c) a line-by-line diff
        await _settle(pilot)

    assert snap_compare(app_factory(), terminal_size=size, run_before=before)


def _progress_with_history(session) -> None:
    """A learner part-way through: steps done and failed, answers given twice, checks run."""
    progress, lesson = session.progress, session.lesson
    progress.set_step(lesson.steps[0].id, "done")
    progress.set_step(lesson.steps[2].id, "failed", "COPY failed: file not found in build context: package.json")
    quiz = QuizSession(lesson, progress)
    quiz.answer("latest-in-k8s", "latest is always the newest")
    quiz.answer("latest-in-k8s", "latest moves with every push, so you can't roll back")
    quiz.answer("push-twice", ["a", "b"])
    progress.set_check("images-on-hub", "passed", "alice/poll-backend:v1 and alice/poll-frontend:v1 are public.",
                       {"images": {"alice/poll-backend:v1": {"outcome": "public", "anonymous_status": 200,
                                                             "digest": "sha256:" + "5e" * 32}}})
    for record in [*progress.steps.values(), *progress.checklist.values(),
                   *(a for attempts in progress.quiz.values() for a in attempts)]:
        record["at"] = WHEN
    for record in progress.checklist.values():
        if isinstance(record["evidence"].get("quiz"), dict):
            record["evidence"]["quiz"]["at"] = WHEN


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_report_screen(snap_compare, app_factory, size):
    app = app_factory()

    async def before(pilot):
        await pilot.pause()
        session = pilot.app.session
        _progress_with_history(session)
        data = build_report(session.lesson, session.progress, session.values(), generated=WHEN)
        await pilot.app.push_screen(ReportScreen(data, save_report))
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=before)
