"""The app follows the learner's own terminal: the docker CLI builds and pushes in another
process while the app runs under Pilot, and the step's mark, its note and the footer follow."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from textual.widgets import Footer

from tests.fixtures.engine import CONTEXTS
from tests.fixtures.socket_proxy import engine_proxy  # noqa: F401
from tests.integration.test_follow import cleanup, cli, refs
from tutor.app import TutorApp
from tutor.screens.lesson import LessonScreen
from tutor.session import Session
from tutor.store import Settings
from tutor.widgets.action_pane import ActionPane
from tutor.widgets.outline import Outline

pytestmark = pytest.mark.integration


async def _until(pilot, test, timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if test():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"not within {timeout} s: {what}")


def _footer_text(app) -> str:
    return " ".join(str(getattr(w, "description", "")) for w in app.screen.query_one(Footer).query("FooterKey"))


async def test_build_and_push_in_the_terminal_tick_the_steps_in_the_app(tmp_path, monkeypatch, docker_engine,
                                                                        offline_base, registry_basic, docker_config):
    monkeypatch.setenv("DOCKER_TUTOR_FOLLOW", "1")
    tag = f"ui-follow-{uuid.uuid4().hex[:8]}"
    images = refs(registry_basic.host, tag)
    session = Session.open(config=tmp_path / "settings.toml", state_dir=tmp_path / "state")
    session.save_settings(Settings(username="learner", registry=registry_basic.host, tag=tag,
                                   project_dir=str(CONTEXTS)))
    app = TutorApp(session)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            lesson = next(s for s in app.screen_stack if isinstance(s, LessonScreen))
            lesson.goto("step", "build")
            await pilot.pause()
            await _until(pilot, lambda: app.follow_state == "following" and "Follow" in _footer_text(app),
                         what="the footer says following is on")
            await _until(pilot, lambda: app.follower is not None and app.follower.engine.connects >= 1,
                         what="the event stream is open")
            outline = lesson.query_one(Outline)
            for name in ("backend", "frontend"):
                await cli("build", "-q", "-t", images[name], str(CONTEXTS / name))
            built = time.monotonic()
            await _until(pilot, lambda: outline.status("step", "build") == "done", what="build ticked")
            assert time.monotonic() - built < 3  # within a second or two of the build
            result = str(lesson.query_one(ActionPane)._result)
            assert "from your terminal" in result and images["frontend"] in result
            assert session.step_state(session.lesson.step("build")) == "done"

            registry_basic.docker_login()
            for name in ("backend", "frontend"):
                await cli("push", images[name])
            await _until(pilot, lambda: outline.status("step", "push") == "done", what="push ticked")
            assert outline.status("verify", "hub") == "passed"
            assert outline.status("step", "verify-hub") == "done"

            # Turned off in the settings: the worker stops and the footer no longer says it.
            session.save_settings(Settings(username="learner", registry=registry_basic.host, tag=tag,
                                           project_dir=str(CONTEXTS), follow=False))
            app.follow_settings_changed()
            await pilot.pause()
            assert app.follow_state == "" and "Follow" not in _footer_text(app)
            await _until(pilot, lambda: not [w for w in app.workers if w.group == "follow" and w.is_running],
                         what="the follower stopped")
    finally:
        cleanup(*images.values())


async def test_a_lost_engine_is_a_status_in_the_footer_and_following_comes_back(tmp_path, monkeypatch, docker_engine,
                                                                                 registry_basic, engine_proxy):
    monkeypatch.setenv("DOCKER_TUTOR_FOLLOW", "1")
    monkeypatch.setenv("DOCKER_HOST", engine_proxy.host)  # the app reaches the engine through the test's proxy
    session = Session.open(config=tmp_path / "settings.toml", state_dir=tmp_path / "state")
    session.save_settings(Settings(username="learner", registry=registry_basic.host, tag="v1",
                                   project_dir=str(CONTEXTS)))
    app = TutorApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: engine_proxy.accepted >= 1 and app.follow_state == "following",
                     what="following through the proxy")
        engine_proxy.cut()
        await _until(pilot, lambda: app.follow_state == "lost" and "Docker ✘" in _footer_text(app),
                     what="the footer says the engine is lost")
        assert "Follow" not in _footer_text(app).replace("Docker ✘", "")
        assert "not answering" in app.follow_text and "trying again" in app.follow_text
        # Why, in words: no Python exception names or reprs (they read as a crash).
        assert not re.search(r"\w+(Error|Exception)\b|\(\d+, '", app.follow_text), app.follow_text
        assert not [n for n in app._notifications if n.severity == "error"]  # a status, not an error
        engine_proxy.restore()
        await _until(pilot, lambda: app.follow_state == "following" and "Follow" in _footer_text(app),
                     timeout=15, what="following again")
