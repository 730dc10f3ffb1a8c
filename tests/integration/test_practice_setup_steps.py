"""The settings' "Practice registry (offline)" choice makes the learner's account and logs docker in
(tutor/practice/ready.py): the lesson's account and login steps are then done, said to be the
tutor's doing, not asked of the learner again. The real practice registry, the real engine's login."""

from __future__ import annotations

import json

import pytest

from tests.fixtures.services import free_port, need_binary
from tests.ui.conftest import write_settings

pytestmark = pytest.mark.integration

LEARNER = "alice"


async def _wait(pilot, condition, seconds: float = 60) -> bool:
    for _ in range(int(seconds * 10)):
        if condition():
            return True
        await pilot.pause(0.1)
    return condition()


async def test_choosing_the_practice_registry_records_the_account_and_login_steps_done(tmp_path, monkeypatch,
                                                                                      docker_engine):
    need_binary("docker-registry", "docker-registry")
    from textual.widgets import Select

    from tutor.docker_ops import docker_config
    from tutor.app import TutorApp
    from tutor.practice import control
    from tutor.practice.state import Layout
    from tutor.screens.lesson import LessonScreen
    from tutor.screens.practice_account import PracticeAccountDialog
    from tutor.screens.settings import SettingsScreen
    from tutor.session import Session
    from tutor.widgets.outline import Outline

    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("DOCKER_CONFIG", "docker"),
                     ("XDG_STATE_HOME", "state")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    layout = Layout.default()
    layout.make()
    port = free_port()
    (layout.root / "registry.json").write_text(json.dumps({"port": port}))  # not 5000: the machine is shared
    address = f"127.0.0.1:{port}"
    settings = write_settings(tmp_path, username=LEARNER, follow=False)
    session = Session.open(config=settings, state_dir=tmp_path / "state" / "docker-tutor")
    app = TutorApp(session)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            outline = app.screen.query_one(Outline)
            assert outline.status("step", "account") == "todo" and outline.status("step", "login") == "todo"
            await pilot.press("s")
            assert await _wait(pilot, lambda: isinstance(app.screen, SettingsScreen), 5)
            app.screen.query_one("#registry", Select).value = "practice"
            await pilot.pause()
            await pilot.press("ctrl+s")
            assert await _wait(pilot, lambda: isinstance(app.screen, PracticeAccountDialog)), "it did not start"
            assert "logged your docker in" in app.screen.detail
            login = docker_config.lookup(address)
            assert login is not None and login.username == LEARNER  # docker really holds the login
            await pilot.press("enter")
            assert await _wait(pilot, lambda: isinstance(app.screen, LessonScreen), 5)
            await pilot.pause()
            assert session.settings.registry == address
            assert outline.status("step", "account") == "done" and outline.status("step", "login") == "done"
            account, logged_in = (session.step_record(session.lesson.step(s)) for s in ("account", "login"))
            assert account["detail"] == (f"The tutor made your account {LEARNER} on the practice registry when "
                                         "you chose it in the settings.")
            assert logged_in["detail"].startswith(f"The tutor logged your docker in to {address} as {LEARNER}")
            assert logged_in["commands"] == session.step_commands(session.lesson.step("login"))  # these names
            assert outline.status("step", "build") == "todo"  # nothing else is claimed
            # Saved again with nothing new (running, account there, logged in): the marks stay, untouched.
            await pilot.press("s")
            assert await _wait(pilot, lambda: isinstance(app.screen, SettingsScreen), 5)
            await pilot.press("ctrl+s")
            assert await _wait(pilot, lambda: isinstance(app.screen, LessonScreen))
            await pilot.pause()
            assert session.step_record(session.lesson.step("login")) == logged_in
        saved = json.loads((tmp_path / "state" / "docker-tutor" / "progress-push-to-registry.json").read_text())
        assert saved["steps"]["account"]["status"] == "done" and saved["steps"]["login"]["status"] == "done"
    finally:
        control.stop(layout)
