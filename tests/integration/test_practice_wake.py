"""The settings' practice registry after it stopped (a reboot stops it): the advice names its start
command, and a step that needs it, run by `docker-tutor do` or in the app, starts it first and
says so. Real processes throughout: Debian's docker-registry, the tutor's token service, the
engine's docker push."""

from __future__ import annotations

import json

import pytest

from tests.fixtures.services import free_port, need_binary
from tests.integration.test_practice_registry import LEARNER, PASSWORD, TAG, Home, base_image

pytestmark = pytest.mark.integration

STOPPED = "The practice registry is not running: start it with `docker-tutor practice-registry start`"


@pytest.fixture(scope="module")
def home(tmp_path_factory, docker_engine, offline_base) -> Home:
    """A learner who set up the practice registry, logged in and built both images; then it stopped."""
    need_binary("docker-registry", "docker-registry")
    home = Home(tmp_path_factory.mktemp("wake"), free_port())
    started = home.tutor("practice-registry", "start", "--port", str(home.port))
    assert started.returncode == 0, started.stdout + started.stderr
    password = PASSWORD.search(started.stdout).group(2)
    login = home.tutor("do", "login", "--password-stdin", stdin=password + "\n")
    assert login.returncode == 0, login.stdout + login.stderr
    base_image(docker_engine)
    built = home.tutor("do", "build")
    assert built.returncode == 0, built.stdout + built.stderr
    yield home
    home.tutor("practice-registry", "stop")
    for name in ("poll-backend", "poll-frontend"):
        home.docker("rmi", home.ref(LEARNER, name))


def status(home: Home) -> dict:
    """`status --json`, running or not (it exits non-zero when it is not running)."""
    return json.loads(home.tutor("practice-registry", "status", "--json").stdout)


def stop(home: Home) -> None:
    stopped = home.tutor("practice-registry", "stop")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert status(home)["running"] is False


@pytest.fixture
def as_home(home, monkeypatch):
    """This test process on the learner's machine: its data folder, settings and docker config."""
    from tutor.lesson import registries

    for name, value in home.env.items():
        if name.startswith("XDG_") or name == "DOCKER_CONFIG":
            monkeypatch.setenv(name, value)
    registries.refresh()
    yield home
    registries.refresh()


def test_a_stopped_practice_registry_is_named_with_its_start_command(home, as_home):
    from tutor import hints

    stop(home)
    # What docker itself says when it pushes to it, mapped by the one place for advice.
    pushed = home.docker("push", home.ref(LEARNER, "poll-backend"))
    assert pushed.returncode != 0
    found = hints.from_docker(pushed.stderr, "push", registry=home.address)
    assert found.code == "practice_stopped" and STOPPED in found.next_step and home.address in found.what
    # The checklist's registry item, asking the registry's API.
    checked = home.tutor("check", "--item", "images-on-hub", "--json")
    assert checked.returncode != 0
    [item] = json.loads(checked.stdout)["items"]
    assert item["hint"]["code"] == "practice_stopped" and STOPPED in item["hint"]["next_step"], item
    assert "network connection" not in checked.stdout
    # A plain registry on loopback that does not answer: its own advice, not the practice command.
    other = hints.from_docker(pushed.stderr, "push", registry=f"127.0.0.1:{free_port()}")
    assert other.code == "registry_refused" and "practice-registry" not in str(other)


def test_do_push_starts_the_stopped_practice_registry_first(home):
    stop(home)
    pushed = home.tutor("do", "push")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert f"note: The practice registry at {home.address} is not running" in pushed.stdout
    assert f"note: The practice registry is running again at {home.address}" in pushed.stdout
    assert pushed.stdout.index("running again") < pushed.stdout.index("$ docker push")
    now = status(home)
    assert now["running"] is True
    held = {repo["name"]: repo["tags"] for repo in now["repositories"]}
    assert held[f"{LEARNER}/poll-backend"] == [TAG] and held[f"{LEARNER}/poll-frontend"] == [TAG]
    # Running already: nothing is said and nothing restarted.
    since = now["since"]
    again = home.tutor("do", "push")
    assert again.returncode == 0 and "note: The practice registry" not in again.stdout
    assert status(home)["since"] == since


async def test_the_app_starts_it_before_a_push_and_says_so_in_the_pane(home, as_home, tmp_path):
    from tutor.app import TutorApp
    from tutor.practice import control
    from tutor.practice.state import Layout
    from tutor.screens.lesson import LessonScreen
    from tutor.session import Session
    from tutor.widgets.action_pane import ActionPane

    stop(home)
    settings = home.root / "config" / "docker-tutor" / "settings.toml"
    app = TutorApp(Session.open(config=settings, state_dir=tmp_path / "state"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        lesson = next(s for s in app.screen_stack if isinstance(s, LessonScreen))
        lesson.goto("step", "push")
        await pilot.press("r")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        pane = lesson.query_one(ActionPane)
        assert pane.state == "succeeded", pane.result_text
        log = "\n".join(pane.log_lines)
        assert f"note: The practice registry at {home.address} is not running" in log
        assert "note: The practice registry is running again" in log
        assert control.running(Layout.default()) is not None
        assert lesson.session.step_state(lesson.session.lesson.step("push")) == "done"

        # Stopped again: checking the registry (v) starts it before asking it.
        control.stop(Layout.default())
        lesson.goto("verify", "hub")
        await pilot.press("v")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.state == "succeeded", pane.result_text
        assert "note: The practice registry is running again" in "\n".join(pane.log_lines)
        assert control.running(Layout.default()) is not None


def test_nothing_is_started_for_a_step_that_does_not_need_the_registry(home, as_home):
    stop(home)
    built = home.tutor("do", "build")
    assert built.returncode == 0, built.stdout + built.stderr
    assert "practice registry" not in built.stdout
    assert status(home)["running"] is False


def test_a_start_that_cannot_happen_fails_the_step_with_the_reason_and_runs_nothing(home):
    import socket

    stop(home)
    with socket.socket() as holder:  # another program took the practice registry's port meanwhile
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", home.port))
        holder.listen()
        pushed = home.tutor("do", "push")
    assert pushed.returncode == 1, pushed.stdout + pushed.stderr
    assert f"✘ Port {home.port} on 127.0.0.1 is already in use" in pushed.stdout
    assert "$ docker push" not in pushed.stdout  # nothing ran against a registry that is not there
    assert status(home)["running"] is False
