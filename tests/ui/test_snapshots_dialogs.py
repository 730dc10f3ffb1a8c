"""Snapshots of the yes/no dialog at 80x24 and 120x40: the safe answer has the focus and looks it."""

from __future__ import annotations

import pytest

from tutor.app import TutorApp

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reset_dialog(snap_compare, open_session, monkeypatch, size):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")

    async def before(pilot):
        await pilot.pause()
        pilot.app.reset_lesson()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    app = TutorApp(open_session(username="alice", registry="127.0.0.1:9"))
    assert snap_compare(app, terminal_size=size, run_before=before)

