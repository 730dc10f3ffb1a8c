"""Fault suite, the test pull: the lesson's `rmi` before its `pull` removes the local image only
once the registry showed it can give this very image back to docker's login. Not logged in to a
private registry, or a registry holding an older build: nothing is removed, and the learner is
told why and what to do. The same actions `docker-tutor do test-pull` and the app run."""

from __future__ import annotations

import uuid
from contextlib import aclosing

import pytest

from tests.fixtures.transfers import docker_login, image_with_fresh_layer
from tutor.docker_ops import Failed, Notice, Succeeded, push
from tutor.lesson import get_lesson
from tutor.runbook import run_action, runnable

pytestmark = pytest.mark.integration


def step_actions(kind: str):
    step = get_lesson("04").step("test-pull")
    return next(action for action in runnable(step) if action.kind == kind)


async def run(kind: str, values: dict[str, str]) -> list:
    async with aclosing(run_action(step_actions(kind), values)) as events:
        return [event async for event in events]


@pytest.fixture
def learner(registry_basic, docker_engine, offline_base, docker_config, tmp_path):
    """poll-backend:TAG built and pushed to the private (htpasswd) registry; docker not logged in."""
    tag = uuid.uuid4().hex[:8]
    values = {"username": registry_basic.username, "registry": registry_basic.host, "tag": tag}
    ref = f"{registry_basic.host}/{registry_basic.username}/poll-backend:{tag}"
    image_with_fresh_layer(docker_engine.client, offline_base, ref, tmp_path / "ctx", 64 << 10)
    return values, ref


def present(docker_engine, ref: str) -> bool:
    return any(ref in image.tags for image in docker_engine.client.images.list())


async def test_not_logged_in_the_image_is_kept_and_the_learner_told_to_log_in(registry_basic, docker_engine,
                                                                               learner):
    values, ref = learner
    assert isinstance((await collect_push(ref, registry_basic))[-1], Succeeded)
    events = await run("rmi", values)
    failure = events[-1]
    assert isinstance(failure, Failed), failure
    assert failure.hint.code == "rmi_kept"
    assert f"did not remove {ref}" in failure.hint.what and "would be left without it" in failure.hint.what
    assert f"docker login {registry_basic.host}" in failure.hint.next_step
    assert present(docker_engine, ref), "the local image was removed although the pull could not work"


async def test_logged_in_it_checks_first_then_removes_and_the_pull_brings_it_back(registry_basic, docker_engine,
                                                                                   learner, docker_config):
    import os

    values, ref = learner
    assert isinstance((await collect_push(ref, registry_basic))[-1], Succeeded)
    docker_login(registry_basic.host, registry_basic.username, registry_basic.password, dict(os.environ))
    events = await run("rmi", values)
    assert isinstance(events[-1], Succeeded), events[-1]
    assert any(isinstance(e, Notice) and "Checked first" in e.text for e in events)
    assert not present(docker_engine, ref)
    pulled = await run("pull", values)
    assert isinstance(pulled[-1], Succeeded), pulled[-1]
    assert present(docker_engine, ref)


async def test_a_registry_holding_an_older_build_keeps_the_newer_local_one(registry_basic, docker_engine,
                                                                           offline_base, learner, docker_config,
                                                                           tmp_path):
    import os

    values, ref = learner
    assert isinstance((await collect_push(ref, registry_basic))[-1], Succeeded)
    # Rebuilt after the push and not pushed again: removing it would lose this build.
    image_with_fresh_layer(docker_engine.client, offline_base, ref, tmp_path / "ctx2", 64 << 10)
    docker_login(registry_basic.host, registry_basic.username, registry_basic.password, dict(os.environ))
    failure = (await run("rmi", values))[-1]
    assert isinstance(failure, Failed) and failure.hint.code == "rmi_kept", failure
    assert "not your local image" in failure.hint.what and "Push it again" in failure.hint.next_step
    assert present(docker_engine, ref)


async def collect_push(ref: str, registry_basic) -> list:
    return [event async for event in push(ref, registry_basic.auth_config())]
