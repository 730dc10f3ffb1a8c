"""Snapshots of demo mode with presenter mode on: the build step's commands typed out and waiting
for space (--pause), the keys pressed shown in the corner, the command line on its own band, the
outline hidden (o).

No engine is needed: nothing runs before the snapshot (the login is cancelled in its dialog).
"""

from __future__ import annotations

import pytest

from tutor.app import TutorApp
from tutor.demo import DemoOptions

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def demo_app(open_session, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    # The keys stay in the corner however slowly a busy machine gets to the snapshot.
    monkeypatch.setattr("tutor.widgets.key_echo.FADE_SECONDS", 600)
    session = open_session(username="alice", registry="127.0.0.1:9")
    return TutorApp(session, demo=DemoOptions(pause=True, chars_per_second=2000), presenter=True)


async def _until(pilot, condition) -> None:
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("timed out waiting")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_demo_typed_and_waiting_in_presenter_mode(snap_compare, demo_app, size):
    async def before(pilot):
        lesson = pilot.app.screen
        await _until(pilot, lambda: lesson.demo is not None and lesson.demo.waiting == "next")  # the account
        await pilot.press("space")
        await _until(pilot, lambda: lesson.demo.waiting == "run")  # login typed
        await pilot.press("space")
        await _until(pilot, lambda: pilot.app.screen is not lesson)  # its dialog
        await pilot.press("escape")
        await _until(pilot, lambda: lesson.demo.waiting == "next")
        await pilot.press("space")
        await _until(pilot, lambda: lesson.demo.waiting == "run" and lesson.demo.visited[-1] == "build")
        # The outline hidden, as a presenter would for a room: the text and the commands get the width
        # (and this picture does not change with the outline's own drawing).
        await pilot.press("o")
        await pilot.pause()

    assert snap_compare(demo_app, terminal_size=size, run_before=before)
