"""A first start (no settings yet): the settings form is the app's first screen, alone, and the
lesson screen takes its place once the form is saved."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from textual.widgets import Input, Markdown

from tests.ui.learner import until
from tutor.app import TutorApp
from tutor.screens.lesson import LessonScreen
from tutor.screens.settings import SettingsScreen


class Told(TutorApp):
    """Keeps every toast's text: on a loaded machine a 3-second toast can be gone before a check."""

    def notify(self, message, *args, **kwargs) -> None:
        self.told = [*getattr(self, "told", []), str(message)]
        super().notify(message, *args, **kwargs)


def said(app) -> str:
    return " ".join(getattr(app, "told", []))


def footer_text(app) -> str:
    from textual.widgets import Footer

    footer = app.screen.query_one(Footer)
    return " ".join(str(key.render()) for key in footer.children)


async def test_the_form_is_the_first_screen_alone_with_its_first_field_focused(open_session, monkeypatch):
    monkeypatch.setenv("DOCKER_TUTOR_FOLLOW", "1")
    app = Told(open_session(username=""))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen) and app.screen.first_run
        assert app.screen_stack == [app.screen], "no lesson screen composed under the form"
        assert isinstance(app.focused, Input) and app.focused.id == "username"
        assert [Path(path).name for path in app.css_path] == ["forms.tcss"]
        assert app.follow_state == "", "following starts once the form is saved"
        await until(pilot, lambda: "Save" in footer_text(app), "Save is in the footer", 15)
        assert "Cancel" in footer_text(app) and "Quit" in footer_text(app)
        await pilot.press(*"alice")
        assert app.screen.query_one("#username", Input).value == "alice"


async def test_saving_the_form_opens_the_lesson_screen_with_those_settings(learner_home, open_session, monkeypatch):
    monkeypatch.setenv("DOCKER_TUTOR_FOLLOW", "1")
    monkeypatch.setenv("DOCKER_HOST", f"unix://{learner_home}/no-engine.sock")
    app = Told(open_session(username=""))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        form = app.screen
        await pilot.press(*"carol", "ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, LessonScreen), "the lesson screen", 15)
        assert app.screen_stack == [app.screen] and not form.is_attached, "the form is gone, not under the lesson"
        assert app.session.settings.username == "carol" and not app.session.first_run
        assert "Settings saved" in said(app)
        assert [Path(path).name for path in app.css_path] == ["forms.tcss", "app.tcss"]
        await pilot.pause()
        outline = app.screen.query_one("#outline").styles
        assert outline.max_width is not None and outline.max_width.value == 40, "app.tcss applies"
        assert app.follow_state in ("following", "lost"), "following started with the saved settings"
        app.screen.goto("step", "build")
        await pilot.pause()
        assert "docker build -t carol/poll-backend:v1" in app.screen.query_one("#markdown", Markdown).source
        await pilot.press("s")  # the settings open over the lesson as on any later start, and close again
        await until(pilot, lambda: isinstance(app.screen, SettingsScreen), "the settings form", 15)
        assert not app.screen.first_run and app.screen.query_one("#username", Input).value == "carol"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LessonScreen), "the lesson screen", 15)
    assert 'username = "carol"' in (learner_home / "settings.toml").read_text()


async def test_the_form_cannot_be_cancelled_and_ctrl_q_quits(learner_home, open_session):
    app = Told(open_session(username=""))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen), "escape on a first start keeps the form"
        assert "needs your username" in said(app)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running
    assert 'username = ""' in (learner_home / "settings.toml").read_text(), "nothing saved by quitting"


def test_a_first_start_imports_neither_the_lesson_screen_nor_docker(tmp_path):
    # In a fresh interpreter, at the moment the form is drawn with its first field focused.
    code = """
import json, sys
from tutor.session import Session
from tutor.app import TutorApp
class Probe(TutorApp):
    def on_ready(self):
        self.call_after_refresh(self.report)
    def report(self):
        print(json.dumps([type(self.screen).__name__, self.focused.id, sorted(sys.modules)]))
        self.exit()
Probe(Session.open(lesson_later=True)).run(headless=True, size=(80, 24))  # as tutor/cli.py opens it
"""
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "DOCKER_TUTOR_FOLLOW": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                         check=True).stdout
    screen, focused, modules = json.loads(out.strip().splitlines()[-1])
    assert (screen, focused) == ("SettingsScreen", "username")
    loaded = {name for name in modules
              if name.split(".")[0] in {"docker", "asyncssh", "markdown_it", "httpx", "requests"}
              or name.startswith(("tutor.screens.lesson", "tutor.widgets.step_text", "tutor.widgets.outline",
                                  "tutor.docker_ops.actions", "textual.widgets._markdown"))}
    assert not loaded, sorted(loaded)
