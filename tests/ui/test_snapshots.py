"""Snapshots of each screen at 80x24 and 120x40 (pytest-textual-snapshot).

Settings point at loopback addresses where nothing listens, so the checklist's probes
finish at once with the same result on every machine and nothing leaves this computer.
"""

from __future__ import annotations

import pytest

from textual.widgets import Input

from tutor.app import TutorApp
from tutor.store import NodeSettings
from tutor.widgets.step_text import StepText

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def app_factory(open_session, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    # An empty cache folder of its own: a step picture kept by an earlier test would otherwise
    # decide whether the first frames come from it or from the Markdown widget.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def make(**settings) -> TutorApp:
        settings.setdefault("username", "alice")
        settings.setdefault("registry", "127.0.0.1:9")
        return TutorApp(open_session(**settings))

    return make


async def _settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    # A blinking cursor would be drawn or not depending on how slow the machine is.
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_lesson_step(snap_compare, app_factory, size):
    async def before(pilot):
        await pilot.pause()
        pilot.app.screen.goto("step", "push")
        await pilot.press("h")
        await _settle(pilot)
        text = pilot.app.screen.query_one(StepText)
        for _ in range(200):  # the Markdown widget drawn, in the picture's place, scrolled to the hint
            if text.settled:
                break
            await pilot.pause(0.05)
        assert text.settled
        await pilot.pause()

    assert snap_compare(app_factory(), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_first_run_settings(snap_compare, app_factory, size, monkeypatch):
    # As a learner's first start shows it: following is not switched off for the run (the tests'
    # default), so the form has no note saying it is; a first start follows only once it is saved.
    monkeypatch.setenv("DOCKER_TUTOR_FOLLOW", "1")
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert snap_compare(app_factory(username=""), terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_login_dialog(snap_compare, app_factory, size):
    async def before(pilot):
        await pilot.pause()
        pilot.app.screen.goto("step", "login")
        await pilot.press("r")
        await pilot.press(*"secret-token")
        await _settle(pilot)

    assert snap_compare(app_factory(registry="docker.io"), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_checklist(snap_compare, app_factory, size):
    async def before(pilot):
        await pilot.press("c")
        await _settle(pilot)

    app = app_factory(node=NodeSettings())
    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_quiz(snap_compare, app_factory, size):
    async def before(pilot):
        await pilot.press("z")
        await _settle(pilot)

    assert snap_compare(app_factory(), terminal_size=size, run_before=before)


# The lesson screen's longest states: a refused push with its whole advice, and the build step's
# two long commands (a long project folder on a registry with a port).
LONG_PROJECT = "/home/learner/courses/kubernetes/projects/poll-app"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_failed_push_with_its_advice(snap_compare, app_factory, size):
    from tutor import hints
    from tutor.docker_ops import events as ev
    from tutor.messages import StepEvent

    async def before(pilot):
        await pilot.pause()
        screen = pilot.app.screen
        screen.goto("step", "push")
        await pilot.pause()
        first = screen.query_one("ActionPane").commands[0]
        refused = hints.from_docker("denied: requested access to the resource is denied", "push",
                                    registry="127.0.0.1:9", ref=first.split()[-1], namespace="someoneelse",
                                    username="someoneelse", logged_in="learner",
                                    corrected="127.0.0.1:9/learner/poll-backend:v1")
        events = [ev.CommandLine(first),
                  ev.Output(("The push refers to repository [127.0.0.1:9/someoneelse/poll-backend]",))]
        events += [ev.LayerProgress(layer, "pushing", 512, 2048)
                   for layer in ("5f70bf18a086", "0195ca9f15c6", "8c9f6bccb898")]
        events.append(ev.Failed(refused))
        for event in events:
            screen.post_message(StepEvent("push", event))
        await _settle(pilot)

    assert snap_compare(app_factory(username="someoneelse"), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_build_step_with_long_commands(snap_compare, app_factory, size):
    async def before(pilot):
        await pilot.pause()
        pilot.app.screen.goto("step", "build")
        await _settle(pilot)

    assert snap_compare(app_factory(registry="127.0.0.1:5157", project_dir=LONG_PROJECT), terminal_size=size,
                        run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reset_dialog(snap_compare, app_factory, size):
    """The safe answer, No, has the focus and is drawn as the default; Yes as the risky one."""

    async def before(pilot):
        await pilot.pause()
        pilot.app.reset_lesson()
        await _settle(pilot)

    assert snap_compare(app_factory(), terminal_size=size, run_before=before)
