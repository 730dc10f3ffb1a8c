"""Demo mode through Pilot, to the end, against the real engine and a real registry.

`docker-tutor demo --reset --pause` is built by the command itself (tutor.commands.demo.build_app),
so the reset that runs first is the command's: it must remove the learner's poll images of an
earlier demo and a leftover tutor container, and nothing else (an unrelated image, another tag of
the same repository, another user's image and a container the tutor did not start all stay).
"""

from __future__ import annotations

import argparse
import subprocess
import uuid

import pytest

from tests.fixtures.engine import CONTEXTS
from tests.fixtures.services import free_port
from tests.ui.conftest import write_settings
from tutor.commands import demo as demo_command
from tutor.demo import DemoOptions
from tutor.docker_ops.run import OWNER_LABEL
from tutor.lesson import get_lesson
from tutor.screens.lesson import LessonScreen
from tutor.screens.login import LoginDialog
from tutor.widgets.action_pane import ActionPane
from tutor.widgets.outline import Outline

pytestmark = pytest.mark.integration

LESSON_ID = "push-demo"


def _lesson_copy(folder) -> None:
    """The bundled lesson itself, under another id and with its `run` step on a free host port
    (port 3000 may be taken on a shared machine)."""
    text = get_lesson(None).source.read_text()
    assert 'id = "push-to-registry"' in text and "publish=3000:3000" in text
    text = text.replace('id = "push-to-registry"', f'id = "{LESSON_ID}"')
    text = text.replace("publish=3000:3000", f"publish={free_port()}:3000")
    (folder / "04-push-demo.md").write_text(text)


async def _until(pilot, condition, seconds: float = 120) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("timed out waiting")


async def test_demo_walks_the_lesson_to_the_end_after_a_reset(tmp_path, monkeypatch, capsys, docker_engine,
                                                              offline_base, registry_basic, docker_config):
    client = docker_engine.client
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    tag = f"demo-{uuid.uuid4().hex[:8]}"
    host = registry_basic.host
    mine = [f"{host}/learner/poll-{name}:{tag}" for name in ("backend", "frontend")]
    # What must survive the reset: another image (not named tutor-test/..., which other sessions on
    # a shared engine clean up), the same repository's other tag, another user's image.
    survivors = [f"unrelated-{tag}/app:v1", f"{host}/learner/poll-backend:keep-{tag}",
                 f"{host}/otheruser/poll-backend:{tag}"]
    base = client.images.get(offline_base)
    for ref in [*survivors, mine[0]]:  # mine[0]: left by "an earlier demo"
        repository, _, image_tag = ref.rpartition(":")
        assert base.tag(repository, image_tag)
    leftover_pid = subprocess.Popen(["true"])
    leftover_pid.wait()
    leftover = client.containers.run(offline_base, ["sleep", "300"], detach=True,
                                     labels={OWNER_LABEL: str(leftover_pid.pid)})
    stranger = client.containers.run(offline_base, ["sleep", "300"], detach=True)
    folder = tmp_path / "lessons"
    folder.mkdir()
    _lesson_copy(folder)
    settings = write_settings(tmp_path, username="learner", registry=host, tag=tag, project_dir=str(CONTEXTS))
    try:
        args = argparse.Namespace(lesson=LESSON_ID, lessons=[str(folder)], config=str(settings), reset=True,
                                  pause=True, presenter=False)
        app = demo_command.build_app(args)
        assert not isinstance(app, int), capsys.readouterr().err
        said = capsys.readouterr().out
        assert f"removed image {mine[0]}" in said
        assert leftover.name in said
        tags = {t for image in client.images.list() for t in image.tags}
        assert mine[0] not in tags and set(survivors) <= tags
        assert leftover.id not in {c.id for c in client.containers.list(all=True)}
        assert stranger.id in {c.id for c in client.containers.list()}

        app.demo = DemoOptions(pause=True, chars_per_second=150)  # the command's pace, sped up for the test
        frames: list[str] = []  # every state of the command line while the demo types
        drawn = ActionPane.show_typing

        def recording(pane, *args) -> None:
            drawn(pane, *args)
            frames.append(pane.typed)

        monkeypatch.setattr(ActionPane, "show_typing", recording)
        async with app.run_test(size=(80, 24)) as pilot:
            lesson = next(s for s in app.screen_stack if isinstance(s, LessonScreen))
            pane, outline = lesson.query_one(ActionPane), lesson.query_one(Outline)
            await _until(pilot, lambda: lesson.demo is not None and lesson.demo.waiting == "next")
            assert lesson.demo.visited == ["account"]  # nothing to run: shown, then space goes on
            mark = len(frames)
            await pilot.press("space")

            typed_ids = []
            for step_id in ("login", "build", "push", "test-pull"):
                # Each command appears a character at a time, then waits (--pause) before it runs.
                await _until(pilot, lambda: lesson.demo.waiting == "run")
                typed = [t.rstrip("▏") for t in frames[mark:]]
                assert lesson.demo.visited[-1] == step_id
                commands = lesson.session.step_commands(lesson.session.lesson.step(step_id))
                first = f"$ {commands[0]}"
                # One more character each time: "$ d", "$ do", ... up to the whole command.
                assert typed[:len(first) - 2] == [first[:n] for n in range(3, len(first) + 1)]
                assert pane.typed.rstrip("▏").endswith(commands[-1])
                assert outline.status("step", step_id) != "done"  # typed, not yet run
                typed_ids.append(step_id)
                await pilot.press("space")
                if step_id == "login":
                    await _until(pilot, lambda: isinstance(app.screen, LoginDialog))
                    await pilot.press(*registry_basic.password, "enter")
                await _until(pilot, lambda: lesson.demo.waiting == "next")
                assert outline.status("step", step_id) == "done", (step_id, pane.result_text)
                if step_id == "push":
                    assert tag in registry_basic.tags("learner/poll-backend")
                    # The check step: the tutor asks the registry, as v would.
                    mark = len(frames)
                    await pilot.press("space")
                    await _until(pilot, lambda: lesson.demo.waiting in ("run", "next")
                                 and lesson.demo.visited[-1] == "verify-hub")
                    if lesson.demo.waiting == "run":
                        await pilot.press("space")
                        await _until(pilot, lambda: lesson.demo.waiting == "next")
                    assert outline.status("step", "verify-hub") == "done", pane.result_text
                if step_id != "test-pull":
                    mark = len(frames)
                    await pilot.press("space")
            assert typed_ids == ["login", "build", "push", "test-pull"]
            # The last command runs the pulled image. The run's worker marks the step served before
            # the screen has drawn its Ready event, so the demo may wait for space a frame earlier.
            await _until(pilot, lambda: "Serving at" in pane.result_text, seconds=10)
            serving = client.containers.list(filters={"ancestor": mine[0]})
            assert serving
            await pilot.press("space")  # stops and removes it; the demo ends
            await _until(pilot, lambda: lesson.demo is None and not lesson.running())
            assert pane.state == "stopped", pane.result_text
            assert outline.status("step", "test-pull") == "done"
        assert not client.containers.list(all=True, filters={"ancestor": mine[0]})
        tags = {t for image in client.images.list() for t in image.tags}
        assert set(mine) <= tags and set(survivors) <= tags
    finally:
        for container in (leftover, stranger):
            try:
                container.remove(force=True)
            except Exception:  # noqa: BLE001 - the reset removed the leftover already
                pass
        for ref in [*mine, *survivors]:
            try:
                client.images.remove(ref)
            except Exception:  # noqa: BLE001 - not made if the test failed early
                pass
