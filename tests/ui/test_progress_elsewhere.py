"""The app and another tutor process (`docker-tutor do` in a second terminal) on one progress file:
what the other saves shows in the app's outline, and the app's next save keeps it."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

from tests.ui.conftest import write_settings
from tutor.app import TutorApp
from tutor.screens import lesson as lesson_screen
from tutor.session import Session
from tutor.widgets.outline import Outline


def _home(tmp_path):
    settings = write_settings(tmp_path, username="alice", follow=False)
    return settings, tmp_path / "state" / "docker-tutor"


async def _do(tmp_path, settings, step: str) -> None:
    """`docker-tutor do STEP` in another terminal, with the same state folder as the app."""
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "tutor", "do", step, "--config",
                                                    str(settings)], env=env, capture_output=True, text=True,
                                   timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr


async def test_a_step_done_in_another_terminal_shows_in_the_outline_and_survives_the_apps_save(tmp_path):
    settings, folder = _home(tmp_path)
    app = TutorApp(Session.open(config=settings, state_dir=folder))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.goto("step", "login")
        await pilot.pause()
        outline = app.screen.query_one(Outline)
        assert outline.status("step", "account") == "todo"
        await _do(tmp_path, settings, "account")
        for _ in range(60):  # the lesson screen looks at the file every PROGRESS_POLL seconds
            if outline.status("step", "account") == "done":
                break
            await pilot.pause(0.1)
        assert outline.status("step", "account") == "done"
        await pilot.press("h")  # opening a hint saves the app's progress
        await pilot.pause()
    saved = json.loads((folder / "progress-push-to-registry.json").read_text())
    assert saved["steps"]["account"]["status"] == "done" and saved["hints"] == {"login": 1}


async def test_closing_a_screen_reloads_what_another_process_saved(tmp_path, monkeypatch):
    monkeypatch.setattr(lesson_screen, "PROGRESS_POLL", 3600.0)  # only the reload can show it here
    settings, folder = _home(tmp_path)
    session = Session.open(config=settings, state_dir=folder)
    session.record_step(session.lesson.step("login"), "done", "by the app")
    app = TutorApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        outline = app.screen.query_one(Outline)
        await _do(tmp_path, settings, "account")
        await pilot.pause(0.3)
        assert outline.status("step", "account") == "todo"  # not looked at yet
        await pilot.press("c")  # the checklist, and back: the lesson screen reloads
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert outline.status("step", "account") == "done" and outline.status("step", "login") == "done"
        app.screen.goto("step", "build")
        await pilot.pause(0.6)  # the position is saved once the learner pauses
    saved = json.loads((folder / "progress-push-to-registry.json").read_text())
    assert saved["steps"]["account"]["status"] == "done" and saved["steps"]["login"]["detail"] == "by the app"
    assert saved["position"] == "step:build"
