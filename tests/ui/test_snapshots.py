"""Snapshots of each screen at 80x24 and 120x40 (pytest-textual-snapshot).

Settings point at loopback addresses where nothing listens, so the checklist's probes
finish at once with the same result on every machine and nothing leaves this computer.
"""

from __future__ import annotations

import pytest

from textual.widgets import Input

from tutor.app import TutorApp
from tutor.store import NodeSettings

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def app_factory(open_session, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")

    def make(**settings) -> TutorApp:
        settings.setdefault("username", "alice")
        settings.setdefault("registry", "127.0.0.1:9")
        return TutorApp(open_session(**settings))

    return make


async def _settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    # A blinking cursor would be drawn or not depending on how slow the machine is.
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_lesson_step(snap_compare, app_factory, size):
    async def before(pilot):
        await pilot.pause()
        pilot.app.screen.goto("step", "push")
        await pilot.press("h")
        await _settle(pilot)

    assert snap_compare(app_factory(), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_first_run_settings(snap_compare, app_factory, size):
    assert snap_compare(app_factory(username=""), terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_login_dialog(snap_compare, app_factory, size):
    async def before(pilot):
        await pilot.pause()
        pilot.app.screen.goto("step", "login")
        await pilot.press("r")
        await pilot.press(*"secret-token")
        await _settle(pilot)

    assert snap_compare(app_factory(registry="docker.io"), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_checklist(snap_compare, app_factory, size):
    async def before(pilot):
        await pilot.press("c")
        await _settle(pilot)

    app = app_factory(node=NodeSettings())
    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_quiz(snap_compare, app_factory, size):
    async def before(pilot):
        await pilot.press("z")
        await _settle(pilot)

    assert snap_compare(app_factory(), terminal_size=size, run_before=before)
