"""A first start opened as tutor/cli.py opens it (Session.open(lesson_later=True)): the lesson is read
only once the settings form is saved, and a lesson that cannot be read ends the app then, as it would
have ended it before the screen opened."""

from __future__ import annotations

from textual.widgets import Input

from tests.ui.conftest import write_settings
from tests.ui.learner import until
from tutor.app import TutorApp
from tutor.lesson import LessonError
from tutor.screens.lesson import LessonScreen
from tutor.screens.settings import SettingsScreen
from tutor.session import Session


def opened(learner_home, lesson: str | None = None, **settings) -> Session:
    path = write_settings(learner_home, **settings)
    return Session.open(lesson, config=path, state_dir=learner_home / "state", lesson_later=True)


def test_a_first_start_leaves_the_lesson_unread_and_a_later_start_reads_it(learner_home):
    first = opened(learner_home, username="")
    assert first.lesson_pending and first.lesson.steps == []
    assert first.load_lesson() == [] and not first.lesson_pending
    assert first.lesson.id == "push-to-registry" and first.progress.lesson == "push-to-registry"
    later = opened(learner_home, username="alice")
    assert not later.lesson_pending and later.lesson.steps, "settings saved: the lesson is read at once"


async def test_saving_the_form_reads_the_lesson_and_opens_it_with_the_settings(learner_home, monkeypatch):
    monkeypatch.setenv("DOCKER_TUTOR_FOLLOW", "0")
    app = TutorApp(opened(learner_home, username=""))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen) and app.session.lesson_pending
        assert isinstance(app.focused, Input) and app.focused.id == "username"
        await pilot.press(*"alice", "ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, LessonScreen), "the lesson screen", 15)
        assert not app.session.lesson_pending and app.session.settings.username == "alice"
        step = app.session.lesson.step("build")
        assert step is not None and "alice/poll-backend:v1" in " ".join(app.session.step_commands(step))
    assert 'username = "alice"' in (learner_home / "settings.toml").read_text()


async def test_a_broken_lesson_ends_the_app_when_the_form_is_saved(learner_home, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_TUTOR_FOLLOW", "0")
    broken = tmp_path / "09-broken.md"
    broken.write_text("+++\nid = \n+++\n# nothing\n", encoding="utf-8")
    app = TutorApp(opened(learner_home, str(broken), username=""))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press(*"alice", "ctrl+s")
        await until(pilot, lambda: not app.is_running, "the app has ended", 15)
    assert isinstance(app.return_value, LessonError) and app.return_code == 1
    assert 'username = "alice"' in (learner_home / "settings.toml").read_text(), "kept for the next start"
