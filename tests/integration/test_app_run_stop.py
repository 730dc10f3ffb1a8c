"""Stopping a served container from the app is the end of a success, not a cancellation (issue 11, point 11)."""

from __future__ import annotations

import textwrap
import uuid

import pytest

from tests.fixtures.engine import CONTEXTS
from tests.fixtures.services import TEST_PREFIX, free_port
from tests.ui.conftest import write_settings
from tutor.app import TutorApp
from tutor.docker_ops import Succeeded, build
from tutor.screens.lesson import LessonScreen
from tutor.session import Session
from tutor.widgets.action_pane import ActionPane
from tutor.widgets.outline import Outline

pytestmark = pytest.mark.integration

SERVE = textwrap.dedent("""\
    +++
    id = "serve-it"
    title = "Serve it"
    order = 1

    [variables]
    username = ""
    tag = "v1"
    port = "3000"
    +++

    ## Steps

    ### Run the backend {#run-backend}

    ```action kind=run repository=poll-backend publish={port}:3000
    ```
    """)


async def test_esc_after_the_container_answered_stops_it_and_the_step_stays_done(tmp_path, docker_engine, offline_base):
    tag = uuid.uuid4().hex[:8]
    events = [event async for event in build(CONTEXTS / "backend", f"{TEST_PREFIX}/poll-backend:{tag}")]
    assert isinstance(events[-1], Succeeded), events[-1]
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "01-serve-it.md").write_text(SERVE.replace('port = "3000"', f'port = "{free_port()}"'))
    settings = write_settings(tmp_path, username=TEST_PREFIX, tag=tag)
    app = TutorApp(Session.open("serve-it", settings, (str(folder),), state_dir=tmp_path / "state"))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            lesson = app.screen
            assert isinstance(lesson, LessonScreen)
            lesson.goto("step", "run-backend")
            await pilot.press("r")
            pane = lesson.query_one(ActionPane)
            for _ in range(300):
                await pilot.pause(0.1)
                if "Serving at" in pane.result_text or pane.state == "failed":
                    break
            assert "Serving at" in pane.result_text, pane.result_text
            assert lesson.query_one(Outline).status("step", "run-backend") == "done"
            await pilot.press("escape")
            for _ in range(300):  # the cancelled worker stops and removes the container first
                await pilot.pause(0.1)
                if not lesson.running():
                    break
            await pilot.pause()
            assert pane.state == "stopped", pane.result_text
            assert "Stopped" in pane.result_text and "Cancelled" not in pane.result_text
            assert lesson.query_one(Outline).status("step", "run-backend") == "done"
        assert not docker_engine.client.containers.list(filters={"ancestor": f"{TEST_PREFIX}/poll-backend:{tag}"})
    finally:
        docker_engine.client.images.remove(f"{TEST_PREFIX}/poll-backend:{tag}", force=True)
