"""The tutor app driven by Pilot against the real engine and a real registry:
first-run settings, login through the masked dialog, build, push with layer bars,
and the checklist turning green for the registry item."""

from __future__ import annotations

import uuid

import pytest
from textual.widgets import Log

from tests.fixtures.engine import CONTEXTS
from tutor.app import TutorApp
from tutor.screens.checklist import ChecklistScreen
from tutor.screens.lesson import LessonScreen
from tutor.screens.login import LoginDialog
from tutor.session import Session
from tutor.widgets.action_pane import ActionPane
from tutor.widgets.layer_bars import LayerBars
from tutor.widgets.outline import Outline

pytestmark = pytest.mark.integration


async def _settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _remove_images(docker_engine, refs: list[str]) -> None:
    for ref in refs:
        try:
            docker_engine.client.images.remove(ref, force=True)
        except Exception:  # noqa: BLE001 - not built if the test failed early
            pass


def _lesson(app) -> LessonScreen:
    return next(s for s in app.screen_stack if isinstance(s, LessonScreen))


async def test_learner_logs_in_builds_pushes_and_checks(tmp_path, docker_engine, offline_base, registry_basic,
                                                          docker_config, monkeypatch):
    from textual.worker import Worker

    # Every worker's description as it is made: a quick login may be over before the test looks.
    descriptions: list[str] = []
    made = Worker.__init__

    def recording(self, *args, **kwargs) -> None:
        made(self, *args, **kwargs)
        descriptions.append(self.description)

    monkeypatch.setattr(Worker, "__init__", recording)
    tag = f"ui-{uuid.uuid4().hex[:8]}"
    settings_file = tmp_path / "settings.toml"
    app = TutorApp(Session.open(config=settings_file, state_dir=tmp_path / "state"))
    refs = [f"{registry_basic.host}/learner/poll-{name}:{tag}" for name in ("backend", "frontend")]
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            form = app.screen
            form.query_one("#username").value = "learner"
            form.query_one("#registry").value = "custom"
            await pilot.pause()
            form.query_one("#registry-custom").value = registry_basic.host
            form.query_one("#tag").value = tag
            form.query_one("#project_dir").value = str(CONTEXTS)
            await pilot.press("ctrl+s")
            await pilot.pause()
            lesson = _lesson(app)
            assert app.screen is lesson

            lesson.goto("step", "login")
            await pilot.press("r")
            await pilot.pause()
            assert isinstance(app.screen, LoginDialog)
            await pilot.press(*registry_basic.password, "enter")
            await pilot.pause()
            assert "run a lesson step" in descriptions
            assert not any(registry_basic.password in d for d in descriptions)
            await _settle(pilot)
            pane = lesson.query_one(ActionPane)
            assert pane.state == "succeeded", pane.result_text
            assert (docker_config / "config.json").exists()
            assert registry_basic.password not in (docker_config / "config.json").read_text()

            lesson.goto("step", "build")
            await pilot.press("r")
            await _settle(pilot)
            assert pane.state == "succeeded", pane.result_text
            assert {t for image in docker_engine.client.images.list() for t in image.tags} >= set(refs)
            build_log, build_result = list(pane.query_one("#output", Log).lines), pane.result_text
            assert build_log

            lesson.goto("step", "push")
            await pilot.press("r")
            await _settle(pilot)
            assert pane.state == "succeeded", pane.result_text
            layers = lesson.query_one(LayerBars).layer_states
            assert layers and set(layers.values()) <= {"Pushed", "Layer already exists", "Mounted"}
            assert registry_basic.tags("learner/poll-backend") and tag in registry_basic.tags("learner/poll-backend")
            outline = lesson.query_one(Outline)
            assert [outline.status("step", s) for s in ("login", "build", "push")] == ["done"] * 3

            # Back at an earlier step, its run is there again: output, layers and result.
            push_result = pane.result_text
            lesson.goto("step", "build")
            await pilot.pause()
            assert list(pane.query_one("#output", Log).lines) == build_log
            assert (pane.state, pane.result_text) == ("succeeded", build_result)
            assert not lesson.query_one(LayerBars).layer_states
            lesson.goto("step", "push")
            await pilot.pause()
            assert lesson.query_one(LayerBars).layer_states == layers
            assert (pane.state, pane.result_text) == ("succeeded", push_result)

            await pilot.press("c")
            await _settle(pilot)
            checklist = app.screen
            assert isinstance(checklist, ChecklistScreen)
            result = checklist.results["images-on-hub"]
            assert result.status == "passed", result.reason
            assert checklist.results["node-can-pull"].status == "skipped"

        saved = Session.open(config=settings_file, state_dir=tmp_path / "state").progress
        assert saved.checklist["images-on-hub"]["status"] == "passed"
        assert saved.step_status("push") == "done"
    finally:
        _remove_images(docker_engine, refs)


async def test_app_without_engine_explains_how_to_start_docker(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    (tmp_path / "settings.toml").write_text(f'username = "alice"\nproject_dir = "{CONTEXTS}"\n')
    app = TutorApp(Session.open(config=tmp_path / "settings.toml", state_dir=tmp_path / "state"))
    async with app.run_test(size=(100, 30)) as pilot:
        lesson = _lesson(app)
        lesson.goto("concept", lesson.session.lesson.concepts[0].id)
        await pilot.pause()
        lesson.goto("step", "build")
        await pilot.press("r")
        await _settle(pilot)
        pane = lesson.query_one(ActionPane)
        assert pane.state == "failed"
        assert "docker" in pane.result_text.lower() and "Next:" in pane.result_text
        assert lesson.query_one(Outline).status("step", "build") == "failed"
        failure = pane.result_text
        lesson.goto("step", "push")
        await pilot.pause()
        assert pane.state != "failed"
        lesson.goto("step", "build")  # back again: the failure and its next step are still there
        await pilot.pause()
        assert (pane.state, pane.result_text) == ("failed", failure)
        await pilot.press("d")  # done by hand: the old verdict is not shown as the step's state
        await pilot.pause()
        assert pane.state == "succeeded" and "Marked done" in pane.result_text


async def test_cancelled_build_is_not_recorded_as_done(tmp_path, docker_engine, offline_base):
    context = tmp_path / "project" / "backend"
    context.mkdir(parents=True)
    (context / "Dockerfile").write_text("FROM tutor-test/base:1\nRUN echo start && sleep 60\n")
    (tmp_path / "project" / "frontend").mkdir()
    (tmp_path / "settings.toml").write_text(f'username = "alice"\nproject_dir = "{tmp_path / "project"}"\n')
    app = TutorApp(Session.open(config=tmp_path / "settings.toml", state_dir=tmp_path / "state"))
    async with app.run_test(size=(100, 30)) as pilot:
        lesson = _lesson(app)
        lesson.goto("step", "build")
        await pilot.press("r")
        for _ in range(100):  # until the build is really under way
            await pilot.pause(0.1)
            if lesson.query_one(ActionPane).state == "running":
                break
        assert lesson.running()
        await pilot.press("escape")
        await _settle(pilot)
        assert not lesson.running()
        assert lesson.query_one(ActionPane).state == "cancelled"
        assert lesson.query_one(Outline).status("step", "build") == "todo"
    progress = Session.open(config=tmp_path / "settings.toml", state_dir=tmp_path / "state").progress
    assert progress.step_status("build") == "todo"


async def test_steps_run_by_hand_are_ticked_by_checking(tmp_path, docker_engine, offline_base, registry_basic):
    """The learner builds in their own terminal; `v` looks at the engine and the registry instead."""
    tag = f"ui-{uuid.uuid4().hex[:8]}"
    refs = [f"{registry_basic.host}/learner/poll-{name}:{tag}" for name in ("backend", "frontend")]
    (tmp_path / "settings.toml").write_text(
        f'username = "learner"\nregistry = "{registry_basic.host}"\ntag = "{tag}"\nproject_dir = "{CONTEXTS}"\n')
    app = TutorApp(Session.open(config=tmp_path / "settings.toml", state_dir=tmp_path / "state"))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            lesson = _lesson(app)
            pane = lesson.query_one(ActionPane)
            outline = lesson.query_one(Outline)

            lesson.goto("step", "build")
            await pilot.press("v")
            await _settle(pilot)
            assert pane.state == "failed" and outline.status("step", "build") != "done"

            for name, ref in zip(("backend", "frontend"), refs):
                docker_engine.client.images.build(path=str(CONTEXTS / name), tag=ref, rm=True)
            await pilot.press("v")
            await _settle(pilot)
            assert pane.state == "succeeded", pane.result_text
            assert outline.status("step", "build") == "done"

            lesson.goto("step", "push")
            await pilot.press("v")
            await _settle(pilot)
            assert pane.state == "failed", "nothing is on the registry yet"
            assert outline.status("step", "push") != "done"
            assert "Next:" in pane.result_text
    finally:
        _remove_images(docker_engine, refs)
