"""A lesson's `run` action on the real engine: every published port and the container's name reach docker."""

from __future__ import annotations

import uuid
from contextlib import aclosing

import pytest

from tests.fixtures.engine import CONTEXTS
from tests.fixtures.services import TEST_PREFIX, free_port
from tutor.docker_ops import commandline
from tutor.docker_ops import CommandLine, Failed, Ready, Succeeded, build
from tutor.docker_ops.run import answers_http
from tutor.lesson import Action
from tutor.runbook import run_action

pytestmark = pytest.mark.integration


@pytest.fixture
async def backend(docker_engine, offline_base) -> str:
    """The offline poll backend (httpd on port 3000 inside), built under a name of this test's own."""
    namespace, tag = TEST_PREFIX, uuid.uuid4().hex[:8]
    events = [event async for event in build(CONTEXTS / "backend", f"{namespace}/poll-backend:{tag}")]
    assert isinstance(events[-1], Succeeded), events[-1]
    return tag


def _run(tag: str, publish: str, name: str) -> Action:
    return Action("run", {"namespace": TEST_PREFIX, "repository": "poll-backend", "tag": tag,
                          "publish": publish, "name": name}, line=1)


def _gone(docker_engine, name: str) -> bool:
    return not docker_engine.client.containers.list(all=True, filters={"name": f"^{name}$"})


async def test_every_mapping_and_the_name_are_used(docker_engine, backend):
    first, second, name = free_port(), free_port(), f"{TEST_PREFIX}-run-{backend}"
    action = _run(backend, f"{first}:3000, {second}:3000", name)
    ref = f"{TEST_PREFIX}/poll-backend:{backend}"
    async with aclosing(run_action(action, {}, host_ip="127.0.0.1")) as events:
        seen = []
        async for event in events:
            seen.append(event)
            assert not isinstance(event, Failed), event.hint
            if isinstance(event, Ready):
                break
        assert isinstance(seen[0], CommandLine)
        assert seen[0].text == commandline.run(ref, first, 3000, "127.0.0.1", more_ports=[(second, 3000)], name=name)
        assert seen[0].text == f"docker run -p 127.0.0.1:{first}:3000 -p 127.0.0.1:{second}:3000 --name {name} {ref}"
        assert seen[-1].url == f"http://127.0.0.1:{first}/"
        assert await answers_http("127.0.0.1", second), "the second mapping was not published"
        container = docker_engine.client.containers.get(name)
        bound = container.attrs["HostConfig"]["PortBindings"]["3000/tcp"]
        assert sorted(int(b["HostPort"]) for b in bound) == sorted([first, second])
    assert _gone(docker_engine, name), "closing the action removes the named container"


async def test_a_taken_name_fails_with_its_hint_and_leaves_the_other_container_alone(docker_engine, offline_base,
                                                                                     backend):
    name = f"{TEST_PREFIX}-taken-{backend}"
    other = docker_engine.client.containers.create(offline_base, ["true"], name=name)
    try:
        events = [event async for event in run_action(_run(backend, str(free_port()), name), {},
                                                      host_ip="127.0.0.1")]
        assert isinstance(events[-1], Failed)
        assert events[-1].hint.code == "container_name_in_use"
        assert f"docker rm -f {name}" in events[-1].hint.next_step
        assert docker_engine.client.containers.get(name).id == other.id
    finally:
        other.remove(force=True)
