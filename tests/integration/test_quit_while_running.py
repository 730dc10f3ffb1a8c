"""Quitting the app (ctrl+q) while a real build streams on the real engine: the tutor asks (no goes on), and
on yes it quits promptly, the build stops in the engine (no container left running its step), where the learner was
is saved and the step is not recorded as done, and nothing crashes on the way out."""

from __future__ import annotations

import asyncio
import textwrap
import threading
import time
import uuid

import pytest

from tests.fixtures.services import TEST_PREFIX
from tests.ui.conftest import write_settings
from tests.ui.learner import screen_text, stack_names, until
from tutor.app import TutorApp
from tutor.session import Session

pytestmark = pytest.mark.integration

SLOW_LESSON = textwrap.dedent("""\
    +++
    id = "slow-build"
    title = "A slow build"
    order = 1

    [variables]
    username = ""
    tag = "v1"
    +++

    ## Steps

    ### Build the slow image {#build-slow}

    ```action kind=build repository=slow context={project_dir}/slow
    ```
    """)
QUIT_WITHIN = 15.0  # seconds from "yes" to the app gone; the build's step alone would take 120


@pytest.fixture
def slow_app(tmp_path, docker_engine, offline_base, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    uid = uuid.uuid4().hex[:10]
    context = tmp_path / "project" / "slow"
    context.mkdir(parents=True)
    # The uid busts the build cache, so the RUN step really runs (and names its container's command).
    (context / "Dockerfile").write_text(f"FROM {offline_base}\nRUN echo started-{uid} && sleep 120\n")
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "01-slow-build.md").write_text(SLOW_LESSON)
    settings = write_settings(tmp_path, username=TEST_PREFIX, tag=uid, project_dir=str(tmp_path / "project"))
    (tmp_path / "state").mkdir()

    def open_session() -> Session:
        return Session.open("slow-build", settings, (str(lessons),), state_dir=tmp_path / "state")

    yield TutorApp(open_session()), uid, open_session
    try:
        docker_engine.client.images.remove(f"{TEST_PREFIX}/slow:{uid}", force=True)
    except Exception:  # noqa: BLE001 - not there: the build never finished, as it should not
        pass


def _build_containers(docker_engine, uid: str) -> list[dict]:
    # One listing call: other sessions on a shared engine may remove their containers meanwhile.
    return [c for c in docker_engine.client.api.containers(all=True) if uid in (c.get("Command") or "")]


async def test_ctrl_q_while_a_build_streams_quits_promptly_and_stops_the_build(slow_app, docker_engine, capfd):
    app, uid, open_session = slow_app
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Build the slow image" in screen_text(app)
        await pilot.press("r")
        await until(pilot, lambda: f"started-{uid}" in screen_text(app), "the build's output streams", 120)
        assert _build_containers(docker_engine, uid), "the build's step runs in the engine"

        await pilot.press("ctrl+q")
        await until(pilot, lambda: stack_names(app)[-1] == "ConfirmDialog", "the tutor asks before quitting")
        assert "An action is still running. Quit anyway?" in screen_text(app)
        await pilot.press("n")  # no: the tutor stays and the build goes on
        await until(pilot, lambda: stack_names(app) == ["LessonScreen"], "the question is gone")
        await pilot.pause(0.5)
        assert app.return_code is None and _build_containers(docker_engine, uid)
        assert "esc Stop" in screen_text(app)  # still running: its stop key is in the footer

        await pilot.press("ctrl+q")
        await until(pilot, lambda: stack_names(app)[-1] == "ConfirmDialog", "the tutor asks again")
        asked = time.monotonic()
        await pilot.press("y")
        while app.return_code is None and time.monotonic() - asked < QUIT_WITHIN:
            await asyncio.sleep(0.05)
        quit_after = time.monotonic() - asked
    assert app.return_code == 0, app.return_code
    assert quit_after < QUIT_WITHIN, f"the app took {quit_after:.1f}s to quit"

    for _ in range(100):  # the engine removes the step's container once the client has gone
        if not _build_containers(docker_engine, uid) and \
                not [t for t in threading.enumerate() if t.name == "docker-stream"]:
            break
        await asyncio.sleep(0.1)
    assert _build_containers(docker_engine, uid) == []
    assert not [t for t in threading.enumerate() if t.name == "docker-stream"]
    assert not docker_engine.client.images.list(name=f"{TEST_PREFIX}/slow:{uid}")  # the build never finished

    again = open_session()
    step = again.lesson.step("build-slow")
    assert again.progress.position == "step:build-slow"  # where the learner was, saved on the way out
    assert again.step_state(step) == "todo"  # a cancelled build is not a done step (nor a failed one)
    assert "Traceback" not in capfd.readouterr().err
