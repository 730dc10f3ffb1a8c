"""Presenter mode and demo mode's keys, through Pilot, with no engine (nothing here runs docker)."""

from __future__ import annotations

import argparse

import pytest
from textual.widgets import Footer, Input

from tutor.app import TutorApp
from tutor.commands import demo as demo_command
from tutor.demo import DemoOptions
from tutor.screens.login import LoginDialog
from tutor.widgets.action_pane import ActionPane
from tutor.widgets.key_echo import KeyEcho
from tests.ui.learner import offered


@pytest.fixture(autouse=True)
def no_engine(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")


async def _until(pilot, condition) -> None:
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("timed out waiting")


def _footer_keys(app) -> set[str]:
    """The keys the footer lists now."""
    assert app.screen.query(Footer)
    return {key for key, active in app.screen.active_bindings.items() if active.binding.show and active.enabled}


def _echoed(app) -> str:
    found = list(app.screen.query(KeyEcho))
    return " ".join(echo.query_one("#keys").content for echo in found if echo.display) if found else ""


async def test_f2_shows_keys_and_enlarges_the_command_line_but_never_a_password(open_session):
    app = TutorApp(open_session(username="alice", registry="127.0.0.1:9"))
    async with app.run_test(size=(80, 24)) as pilot:
        lesson = app.screen
        lesson.goto("step", "build")
        await pilot.pause()
        command = lesson.query_one(ActionPane).query_one("#command")
        plain_height = command.outer_size.height
        assert "f2" not in _footer_keys(app)  # outside a demo the footer keeps its room; the palette has it
        await pilot.press("f2")
        await pilot.pause()
        assert app.presenter and app.has_class("-presenter")
        assert "f2" in _footer_keys(app)
        assert command.outer_size.height == plain_height + 2  # a blank row above and below the commands
        await pilot.press("o", "o")
        await pilot.pause()
        assert "⌨ o  o" in _echoed(app)

        lesson.goto("step", "login")
        await pilot.press("r")
        await _until(pilot, lambda: isinstance(app.screen, LoginDialog))
        assert isinstance(app.focused, Input) and app.focused.password
        password = "Qy7!zX%Jq"  # none of these is a key pressed before (o, r)
        await pilot.press(*password, "escape")
        await _until(pilot, lambda: app.screen is lesson)
        await pilot.pause()
        shown = _echoed(app).split()
        assert shown[0] == "⌨" and shown[-1] == "Esc"  # the keys that are not text are named ...
        assert not set(shown) & set(password)  # ... what went into the password field is not

        await pilot.press("f2")
        await pilot.pause()
        assert not app.presenter and command.outer_size.height == len(lesson.query_one(ActionPane).commands)


async def test_presenter_mode_is_in_the_palette(open_session):
    app = TutorApp(open_session(username="alice", registry="127.0.0.1:9"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        titles = [c.title for c in offered(app)]
        assert "Presenter mode" in titles and "Stop the demo" not in titles


async def test_without_pause_the_demo_runs_a_step_as_soon_as_it_is_typed(open_session):
    app = TutorApp(open_session(username="alice", registry="127.0.0.1:9"),
                   demo=DemoOptions(pause=False, chars_per_second=2000))
    async with app.run_test(size=(80, 24)) as pilot:
        lesson = app.screen
        await _until(pilot, lambda: lesson.demo is not None and lesson.demo.waiting == "next")
        assert "Stop the demo" in [c.title for c in offered(app)]
        assert {"space", "f2"} <= _footer_keys(app) and not {"r", "v", "c", "z", "s"} & _footer_keys(app)
        await pilot.press("space")
        # The login step: typed, then run at once (its dialog asks for the password) with no space between.
        await _until(pilot, lambda: isinstance(app.screen, LoginDialog))
        assert lesson.demo.visited == ["account", "login"]
        assert lesson.query_one(ActionPane).typed.startswith("$ docker login")
        await pilot.press("escape")  # no password, nothing runs; the demo waits for space again
        await _until(pilot, lambda: lesson.demo.waiting == "next")
        assert lesson.query_one("#outline").status("step", "login") == "todo"
        # Leaving demo mode from the palette gives the keys back.
        lesson.stop_demo()
        await _until(pilot, lambda: lesson.demo is None)
        assert {"r", "z"} <= _footer_keys(app)


async def test_space_runs_the_demos_step_even_after_the_presenter_looked_elsewhere(open_session):
    app = TutorApp(open_session(username="alice", registry="127.0.0.1:9"),
                   demo=DemoOptions(pause=True, chars_per_second=2000))
    async with app.run_test(size=(80, 24)) as pilot:
        lesson = app.screen
        await _until(pilot, lambda: lesson.demo is not None and lesson.demo.waiting == "next")
        await pilot.press("space")
        await _until(pilot, lambda: lesson.demo.waiting == "run")  # the login, typed
        await pilot.press("n", "n")  # the presenter shows the build step meanwhile
        await pilot.pause()
        assert lesson.current.id != "login"
        await pilot.press("space")
        await _until(pilot, lambda: isinstance(app.screen, LoginDialog))  # the login runs, not what is shown
        assert lesson.current.id == "login"
        await pilot.press("escape")


def test_demo_needs_the_settings_first(open_session, capsys):
    session = open_session(username="")
    args = argparse.Namespace(lesson=None, lessons=[], config=str(session.settings_file), reset=False, pause=False,
                              presenter=False)
    assert demo_command.build_app(args) == 2
    err = capsys.readouterr().err
    assert "username" in err and "hint:" in err


def test_demo_reset_without_an_engine_says_so_and_starts_nothing(open_session, capsys):
    session = open_session(username="alice")
    args = argparse.Namespace(lesson=None, lessons=[], config=str(session.settings_file), reset=True, pause=False,
                              presenter=False)
    assert demo_command.build_app(args) == 1
    err = capsys.readouterr().err
    assert "cannot reach the Docker engine" in err and "Traceback" not in err
