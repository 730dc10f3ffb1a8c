"""The action pane shown again after another screen: a run that ended is shown as it ended, never running;
while it runs, the footer's keys are whole at 80 columns."""

from __future__ import annotations

import textwrap
import uuid

from tests.fixtures.engine import CONTEXTS
from tests.fixtures.services import TEST_PREFIX, free_port
from tests.ui.conftest import write_settings
from tests.ui.test_footer_keys import _redrawn, footer_labels, footer_row, unreadable
from tutor.app import TutorApp
from tutor.screens.checklist import ChecklistScreen
from tutor.screens.lesson import LessonScreen
from tutor.session import Session
from tutor.widgets.action_pane import ActionPane

BUILD_AND_SERVE = textwrap.dedent("""\
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

    ### Build and run the backend {#build-run}

    ```action kind=build repository=poll-backend context={project_dir}/backend
    ```

    ```action kind=run repository=poll-backend publish={port}:3000
    ```

    ## Checklist

    - [ ] The backend ran {#ran}
    """)


async def _until(pilot, condition, what: str) -> None:
    for _ in range(600):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _command_lines(pane: ActionPane) -> str:
    return str(pane.query_one("#command").content)


async def test_a_stopped_server_is_shown_stopped_after_the_checklist_and_back(tmp_path, docker_engine, offline_base):
    tag = uuid.uuid4().hex[:8]
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "01-serve-it.md").write_text(BUILD_AND_SERVE.replace('port = "3000"', f'port = "{free_port()}"'))
    settings = write_settings(tmp_path, username=TEST_PREFIX, tag=tag, project_dir=str(CONTEXTS))
    image = f"{TEST_PREFIX}/poll-backend:{tag}"
    app = TutorApp(Session.open("serve-it", settings, (str(folder),), state_dir=tmp_path / "state"))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            lesson = app.screen
            assert isinstance(lesson, LessonScreen)
            lesson.goto("step", "build-run")
            pane = lesson.query_one(ActionPane)
            await pilot.press("r")
            await _until(pilot, lambda: "Serving at" in pane.result_text or pane.state == "failed", "the server")
            assert "Serving at" in pane.result_text, pane.result_text
            await _redrawn(pilot)  # while it runs: esc Stop in place of r and v, every key whole
            assert "esc Stop" in footer_labels(app) and "^q Quit" in footer_labels(app)
            assert not unreadable(app), footer_row(app)
            await pilot.press("escape")
            await _until(pilot, lambda: not lesson.running() and pane.state == "stopped", "the stop")
            seen = str(pane.border_title), _command_lines(pane)

            await pilot.press("c")
            await _until(pilot, lambda: isinstance(app.screen, ChecklistScreen), "the checklist")
            await pilot.press("escape")
            await _until(pilot, lambda: app.screen is lesson, "the lesson")
            await pilot.pause()
            assert pane.state == "stopped" and "Running" not in str(pane.border_title)
            assert (str(pane.border_title), _command_lines(pane)) == seen  # as the run ended: ✔ build, ✔ run
            assert "▶" not in _command_lines(pane) and "Stopped" in pane.result_text
            assert not docker_engine.client.containers.list(filters={"ancestor": image})
    finally:
        docker_engine.client.images.remove(image, force=True)
