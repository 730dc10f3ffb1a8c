"""Snapshot of the lesson's longest footer at 80x24: a step with commands, a check and hints (r, v, h),
following on with the engine lost (f Docker ✘), ^q Quit and the palette key."""

from __future__ import annotations

from tutor.app import TutorApp


def test_longest_lesson_footer(snap_compare, open_session, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")  # following finds no engine
    monkeypatch.setenv("DOCKER_TUTOR_FOLLOW", "1")
    app = TutorApp(open_session(username="alice", registry="127.0.0.1:9"))

    async def before(pilot):
        await pilot.pause()
        pilot.app.screen.goto("step", "push")
        for _ in range(200):
            if pilot.app.follow_state == "lost":
                break
            await pilot.pause(0.05)
        assert pilot.app.follow_state == "lost"
        pilot.app.clear_notifications()
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)
