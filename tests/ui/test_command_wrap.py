"""A command longer than the action pane's row goes on under a ↪ mark (like the log's folded lines),
so its last words, often the build's folder, do not read as a command of their own."""

from __future__ import annotations

import pytest

from tutor.app import TutorApp
from tutor.widgets.action_pane import ActionPane

LONG_FOLDER = "/home/learner/projects/docker-course/poll-app"


@pytest.fixture(autouse=True)
def no_engine(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")


def command_rows(app) -> list[str]:
    widget = app.screen.query_one(ActionPane).query_one("#command")
    lines = [strip.text for strip in app.screen._compositor.render_strips()]
    region = widget.content_region
    return [line[region.x:region.right].rstrip() for line in lines[region.y:region.bottom]]


async def test_a_wrapped_command_is_marked_as_going_on(open_session):
    app = TutorApp(open_session(username="alice", registry="127.0.0.1:9", project_dir=LONG_FOLDER))
    async with app.run_test(size=(80, 24)) as pilot:
        lesson = app.screen
        lesson.goto("step", "build")
        await pilot.pause()
        await pilot.pause()
        rows = command_rows(app)
        commands = lesson.query_one(ActionPane).commands
        assert all(len(c) > len(rows[0]) for c in commands)  # too long for one row at 80 columns
        prompts = [row for row in rows if row.startswith("$ ")]
        assert len(prompts) == len(commands)  # one prompt per command: a folded part never has one
        assert all(row.startswith("↪ ") for row in rows if not row.startswith("$ ")), rows
        assert f"↪ {LONG_FOLDER}/backend" in rows
        # Read back without the marks, each command is whole, every word in place.
        joined = " ".join(row[2:] for row in rows).split(" ")
        assert " ".join(joined) == " ".join(commands)
        await pilot.resize_terminal(120, 30)  # folded again at the new width: one row each
        await pilot.pause()
        assert command_rows(app) == [f"$ {c}" for c in commands]
