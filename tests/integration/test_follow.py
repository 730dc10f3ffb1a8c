"""Following the learner's own terminal: the docker CLI itself builds, tags and pushes (with
DOCKER_HOST set) while the follower listens to the real engine's events and checks the real
registry. Nothing is mocked; the engine connection is cut at a proxy of the test's own."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
import uuid

import pytest

from tests.fixtures.engine import CONTEXTS
from tests.fixtures.socket_proxy import engine_proxy  # noqa: F401
from tutor import follow
from tutor.docker_ops.follow import FOLLOWING, LOST, EngineEvents
from tutor.session import Session
from tutor.store import Settings

pytestmark = pytest.mark.integration


def docker(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """The docker CLI, as the learner types it (DOCKER_HOST and DOCKER_CONFIG from the environment)."""
    done = subprocess.run([shutil.which("docker") or "docker", *args], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ))
    if check and done.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed: {done.stderr.strip()}")
    return done


def make_session(tmp_path, registry: str, tag: str) -> Session:
    session = Session.open(config=tmp_path / "settings.toml", state_dir=tmp_path / "state")
    session.save_settings(Settings(username="learner", registry=registry, tag=tag, project_dir=str(CONTEXTS)))
    return session


class Collector:
    """Runs a follower and keeps every update it yields."""

    def __init__(self, follower: follow.Follower, check_first: bool = False) -> None:
        self.follower = follower
        self.updates: list[follow.Update] = []
        self.task = asyncio.ensure_future(self._run(check_first))

    async def _run(self, check_first: bool) -> None:
        async for update in self.follower.updates(check_first=check_first):
            self.updates.append(update)

    async def until(self, test, timeout: float = 20.0, what: str = "") -> follow.Update:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = next((u for u in self.updates if test(u)), None)
            if found is not None:
                return found
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.05)
        raise AssertionError(f"no update {what} within {timeout} s; got {[(u.kind, u.text) for u in self.updates]}")

    async def following(self, count: int = 1) -> None:
        await self.until(lambda u: u.kind == follow.STATUS and u.connection == FOLLOWING
                         and self.follower.connection is not None
                         and self.follower.connection.state == FOLLOWING
                         and self.follower.engine.connects >= count, what="following")

    async def stop(self) -> None:
        self.task.cancel()
        try:
            await self.task
        except asyncio.CancelledError:
            pass


def refs(registry: str, tag: str) -> dict[str, str]:
    return {name: f"{registry}/learner/poll-{name}:{tag}" for name in ("backend", "frontend")}


def cleanup(*names: str) -> None:
    for name in names:
        docker("rmi", "-f", name, check=False)


async def cli(*args: str) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(docker, *args)


async def test_build_and_push_in_the_terminal_tick_the_steps(tmp_path, docker_engine, offline_base, registry_basic,
                                                             docker_config):
    tag = f"follow-{uuid.uuid4().hex[:8]}"
    session = make_session(tmp_path, registry_basic.host, tag)
    images = refs(registry_basic.host, tag)
    lesson = session.lesson
    watcher = Collector(follow.Follower(session))
    try:
        await watcher.following()
        await cli("build", "-q", "-t", images["backend"], str(CONTEXTS / "backend"))
        half = await watcher.until(lambda u: u.step_id == "build", what="after the first build")
        # One of two images: the note says what was seen, and the step is not ticked yet.
        assert half.kind == follow.NOT_YET and images["backend"] in half.text and "built or tagged" in half.text
        assert session.step_state(lesson.step("build")) == "todo"

        started = time.monotonic()
        await cli("build", "-q", "-t", images["frontend"], str(CONTEXTS / "frontend"))
        done = await watcher.until(lambda u: u.step_id == "build" and u.kind == follow.DONE, what="build done")
        assert time.monotonic() - started < 5  # "within a second or two" of the build, which itself takes some
        assert images["frontend"] in done.text and session.step_state(lesson.step("build")) == "done"
        assert session.verify_state(lesson.verify_item("local"))["status"] == "passed"

        registry_basic.docker_login()
        await cli("push", images["backend"])
        pushed = await watcher.until(lambda u: u.step_id == "push", what="after the first push")
        assert pushed.kind == follow.NOT_YET and f"You pushed {images['backend']}" in pushed.text
        await cli("push", images["frontend"])
        both = await watcher.until(lambda u: u.step_id == "push" and u.kind == follow.DONE, what="push done")
        # The frontend shares the base layer with the backend, which the tutor had confirmed on the registry.
        front, back = (docker_engine.client.api.inspect_image(images[n])["RootFS"]["Layers"]
                       for n in ("frontend", "backend"))
        shared = len(set(front) & set(back))
        assert shared >= 1
        assert f"{images['frontend']} has {len(front)} layers, {shared} of them " \
            f"{'was' if shared == 1 else 'were'} already there ({images['backend']})" in both.text, both.text
        assert session.step_state(lesson.step("push")) == "done"
        # The step that only looks at the registry is proved by the same check.
        assert session.step_state(lesson.step("verify-hub")) == "done"
        # Saved: a new session over the same files sees the marks.
        again = Session.open(config=tmp_path / "settings.toml", state_dir=tmp_path / "state")
        assert again.step_state(again.lesson.step("push")) == "done"

        await cli("push", images["backend"])  # a second push: every layer is there already
        second = await watcher.until(lambda u: u is not both and u.step_id == "push" and u.kind == follow.DONE
                                     and u.text.startswith(f"You pushed {images['backend']} from"), what="second push")
        count = len(docker_engine.client.api.inspect_image(images["backend"])["RootFS"]["Layers"])
        assert f"has {count} layers, {count} of them were already there (your earlier push of it" in second.text
        # The node is never checked from events.
        assert not any(u.verify_id == "node" for u in watcher.updates)
    finally:
        await watcher.stop()
        cleanup(*images.values())


async def test_wrong_names_get_the_right_command(tmp_path, docker_engine, offline_base, registry_basic):
    tag = f"follow-{uuid.uuid4().hex[:8]}"
    session = make_session(tmp_path, registry_basic.host, tag)
    images = refs(registry_basic.host, tag)
    bare, other = f"poll-backend:{tag}", f"{registry_basic.host}/myapp/poll-backend:{tag}"
    latest = f"{registry_basic.host}/learner/poll-backend:latest"
    watcher = Collector(follow.Follower(session))
    try:
        await watcher.following()
        await cli("tag", offline_base, bare)
        await cli("tag", offline_base, other)
        await cli("tag", offline_base, latest)
        for name, code in ((bare, "follow_no_namespace"), (other, "follow_other_namespace"),
                           (latest, "follow_latest")):
            found = await watcher.until(lambda u, n=name: u.kind == follow.MISTAKE and n in u.text, what=name)
            assert found.hint.code == code and found.step_id == "build"
            assert f"`docker tag {name} {images['backend']}`" in found.hint.next_step
        # The same mistake again is not said again.
        await cli("tag", offline_base, other)
        await asyncio.sleep(1.0)
        assert sum(1 for u in watcher.updates if u.kind == follow.MISTAKE and other in u.text) == 1
        assert session.step_state(session.lesson.step("build")) == "todo"
    finally:
        await watcher.stop()
        cleanup(bare, other, latest)


async def test_a_burst_of_tags_is_checked_a_few_times(tmp_path, docker_engine, offline_base, registry_basic):
    tag = f"follow-{uuid.uuid4().hex[:8]}"
    session = make_session(tmp_path, registry_basic.host, tag)
    images = refs(registry_basic.host, tag)
    follower = follow.Follower(session)
    watcher = Collector(follower)
    try:
        await watcher.following()

        def burst() -> None:
            for n in range(50):  # each tag is one engine event, alternating between the two names
                docker("tag", offline_base, images["backend" if n % 2 else "frontend"])

        started = time.monotonic()
        await asyncio.to_thread(burst)
        elapsed = time.monotonic() - started
        done = await watcher.until(lambda u: u.step_id == "build" and u.kind == follow.DONE, what="build done")
        await asyncio.sleep(follow.LONGEST + 0.5)  # anything still queued has run by now
        runs = follower.probe_runs("local")
        # One check per LONGEST seconds of burst at most, plus the one after it.
        assert 1 <= runs <= max(3, int(elapsed / follow.LONGEST) + 2), (runs, elapsed)
        assert runs < 10
        assert done.state == "done"
        print(f"50 tags in {elapsed:.1f} s -> {runs} probe runs")
    finally:
        await watcher.stop()
        cleanup(*images.values())


async def test_a_lost_engine_connection_is_retried_and_nothing_is_missed(tmp_path, docker_engine, offline_base,
                                                                         registry_basic, engine_proxy):
    tag = f"follow-{uuid.uuid4().hex[:8]}"
    session = make_session(tmp_path, registry_basic.host, tag)
    images = refs(registry_basic.host, tag)
    follower = follow.Follower(session, engine=EngineEvents(engine_proxy.host, backoff=(0.2, 0.4, 0.8)))
    watcher = Collector(follower)
    try:
        await watcher.following()
        engine_proxy.cut()
        lost = await watcher.until(lambda u: u.kind == follow.STATUS and u.connection == LOST, what="lost")
        assert follower.connection.state in (LOST, FOLLOWING) and "trying again" in lost.text
        assert "not answering" in lost.text
        # While the follower cannot reach it, the learner goes on in the terminal (the engine itself runs).
        for name in ("backend", "frontend"):
            await cli("tag", offline_base, images[name])

        def retries():
            return [u for u in watcher.updates if u.kind == follow.STATUS and u.connection == LOST]

        for _ in range(200):  # a few retries fail meanwhile (up to 10 s on a slow machine)
            if len(retries()) >= 2:
                break
            await asyncio.sleep(0.05)
        assert not any(u.kind == follow.DONE for u in watcher.updates)
        assert len(retries()) >= 2  # retried, with backoff, and said as a status each time
        engine_proxy.restore()
        await watcher.following(count=2)
        # The events of the outage are asked for again and tick the step.
        done = await watcher.until(lambda u: u.step_id == "build" and u.kind == follow.DONE, what="after restore")
        assert images["backend"] in done.text and images["frontend"] in done.text
    finally:
        await watcher.stop()
        cleanup(*images.values())


async def test_a_pull_then_a_run_in_the_terminal_ticks_the_test_pull(tmp_path, docker_engine, offline_base,
                                                                     registry_basic, docker_config):
    tag = f"follow-{uuid.uuid4().hex[:8]}"
    session = make_session(tmp_path, registry_basic.host, tag)
    images = refs(registry_basic.host, tag)
    name = f"tutor-test-follow-{uuid.uuid4().hex[:6]}"
    watcher = Collector(follow.Follower(session))
    try:
        await cli("build", "-q", "-t", images["backend"], str(CONTEXTS / "backend"))
        registry_basic.docker_login()
        await cli("push", images["backend"])
        await watcher.following()
        await cli("rmi", images["backend"])
        await cli("pull", images["backend"])
        assert session.step_state(session.lesson.step("test-pull")) == "todo"
        await cli("run", "-d", "--name", name, images["backend"])
        done = await watcher.until(lambda u: u.step_id == "test-pull" and u.kind == follow.DONE, what="test pull")
        assert done.changed and f"You pulled {images['backend']} from the registry" in done.text
        assert session.step_state(session.lesson.step("test-pull")) == "done"
        # The pull also brought the local image back: the build's check ran on it (one of two images).
        await watcher.until(lambda u: u.step_id == "build" and "pulled" in u.text, what="local check after pull")
        await cli("stop", "-t", "1", name)
        await watcher.until(lambda u: u.kind == follow.SEEN and "stopped the container" in u.text, what="stop")
    finally:
        await watcher.stop()
        docker("rm", "-f", name, check=False)
        cleanup(*images.values())


async def test_nothing_is_followed_before_the_learner_has_a_username(tmp_path, docker_engine, offline_base):
    session = Session.open(config=tmp_path / "settings.toml", state_dir=tmp_path / "state")
    assert session.first_run
    watcher = Collector(follow.Follower(session))
    bare = f"poll-backend:follow-{uuid.uuid4().hex[:8]}"
    try:
        await watcher.following()
        await cli("tag", offline_base, bare)
        await asyncio.sleep(follow.QUIET + 0.5)
        assert [u.kind for u in watcher.updates] == [follow.STATUS]
        assert session.progress.steps == {}
    finally:
        await watcher.stop()
        cleanup(bare)


async def test_a_name_under_someone_else_is_said_to_be_refused_and_it_is(tmp_path, docker_engine, offline_base,
                                                                         registry_token, docker_config):
    tag = f"follow-{uuid.uuid4().hex[:8]}"
    session = make_session(tmp_path, registry_token.host, tag)
    images = refs(registry_token.host, tag)
    theirs = f"{registry_token.host}/otheruser/poll-backend:{tag}"
    watcher = Collector(follow.Follower(session))
    try:
        await watcher.following()
        await cli("tag", offline_base, theirs)
        said = await watcher.until(lambda u: u.kind == follow.MISTAKE and theirs in u.text, what="the warning")
        assert "refuses that push" in said.hint.what and "under otheruser/" in said.hint.what
        # What the warning foretold, for real: the registry denies the push, and the engine reports no push.
        registry_token.docker_login()
        denied = await asyncio.to_thread(docker, "push", theirs, check=False)
        assert denied.returncode != 0 and "denied" in denied.stderr.lower()
        # The command the hint gives works.
        command = said.hint.next_step.split("`")[1].split()
        assert command == ["docker", "tag", theirs, images["backend"]]
        await cli(*command[1:])
        await cli("push", images["backend"])
        pushed = await watcher.until(lambda u: u.step_id == "push" and f"You pushed {images['backend']}" in u.text,
                                     what="the right push")
        assert pushed.kind == follow.NOT_YET  # the frontend is still to come
        assert not any(u.kind == follow.MISTAKE and "You pushed" in u.text for u in watcher.updates)
    finally:
        await watcher.stop()
        cleanup(theirs, *images.values())
