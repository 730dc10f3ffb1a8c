"""Following the learner's terminal: a wrong image name's warning stays at its step (shown when the
learner comes back to it) until a later check of the step passes, and f says what it last saw."""

from __future__ import annotations

import uuid
from functools import partial

import pytest

from tests.fixtures.engine import CONTEXTS
from tests.integration.test_follow import cleanup, cli, refs
from tests.ui import test_follow_app
from tutor.app import TutorApp
from tutor.screens.lesson import LessonScreen
from tutor.session import Session
from tutor.store import Settings
from tutor.widgets.action_pane import ActionPane
from tutor.widgets.outline import Outline

pytestmark = pytest.mark.integration

# The follow app test's waiting, with more time: this test builds images as well.
_until = partial(test_follow_app._until, timeout=30.0)



def _toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_wrong_name_warning_stays_at_its_step_until_its_check_passes(tmp_path, monkeypatch, docker_engine,
                                                                           offline_base):
    monkeypatch.setenv("DOCKER_TUTOR_FOLLOW", "1")
    tag = f"ui-warn-{uuid.uuid4().hex[:8]}"
    registry = "127.0.0.1:9"  # nothing listens: the build's check looks at the engine only
    images = refs(registry, tag)
    wrong = f"poll-backend:{tag}"  # no registry, no username
    session = Session.open(config=tmp_path / "settings.toml", state_dir=tmp_path / "state")
    session.save_settings(Settings(username="learner", registry=registry, tag=tag, project_dir=str(CONTEXTS)))
    app = TutorApp(session)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            lesson = next(s for s in app.screen_stack if isinstance(s, LessonScreen))
            pane, outline = lesson.query_one(ActionPane), lesson.query_one(Outline)
            lesson.goto("step", "login")  # the learner reads another step meanwhile
            await _until(pilot, lambda: app.follower is not None and app.follower.engine.connects >= 1,
                         what="the event stream is open")
            await pilot.press("f")
            await pilot.pause()
            assert any("Nothing seen from your terminal yet" in t for t in _toasts(app)), _toasts(app)
            app.clear_notifications()

            await cli("tag", offline_base, wrong)
            await _until(pilot, lambda: any(wrong in t for t in _toasts(app)), what="the warning's toast")
            assert wrong not in pane.result_text  # not the step in view
            app.clear_notifications()
            lesson.goto("step", "build")  # back at the step the name belongs to, after the toast went
            await pilot.pause()
            assert "From your terminal" in pane.result_text and wrong in pane.result_text, pane.result_text
            lesson.goto("step", "login")
            lesson.goto("step", "build")
            await pilot.pause()
            assert wrong in pane.result_text  # still there, every time until a check passes

            await pilot.press("f")
            await pilot.pause()
            said = " ".join(_toasts(app))
            assert "Last seen:" in said and wrong in said, said
            app.clear_notifications()

            for name in ("backend", "frontend"):  # now with the right names: the build's check passes
                await cli("build", "-q", "-t", images[name], str(CONTEXTS / name))
            await _until(pilot, lambda: outline.status("step", "build") == "done", what="build ticked")
            lesson.goto("step", "login")
            lesson.goto("step", "build")
            await pilot.pause()
            assert session.step_state(session.lesson.step("build")) == "done"
            assert "From your terminal:" not in pane.result_text, pane.result_text  # the warning is gone
    finally:
        cleanup(wrong, *images.values())
