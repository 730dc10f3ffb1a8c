"""The harness itself is real: the engine builds and runs the offline contexts."""

from __future__ import annotations

import urllib.request

import pytest

from tests.fixtures.engine import CONTEXTS
from tests.fixtures.services import TEST_PREFIX, free_port, wait_until

pytestmark = pytest.mark.integration


def test_offline_base_runs_busybox(docker_engine, offline_base):
    out = docker_engine.client.containers.run(offline_base, ["sh", "-c", "echo hello from $(uname -s)"], remove=True)
    assert out.decode().strip() == "hello from Linux"


@pytest.mark.parametrize("name, port", [("backend", 3000), ("frontend", 8080)])
def test_contexts_build_and_serve(docker_engine, offline_base, name, port):
    tag = f"{TEST_PREFIX}/poll-{name}:harness"
    image, _ = docker_engine.client.images.build(path=str(CONTEXTS / name), tag=tag, rm=True)
    host_port = free_port()
    container = docker_engine.client.containers.run(tag, detach=True, ports={f"{port}/tcp": ("127.0.0.1", host_port)})
    try:
        url = f"http://127.0.0.1:{host_port}/"
        wait_until(lambda: urllib.request.urlopen(url, timeout=1).status == 200, 20, f"{name} container")
        body = urllib.request.urlopen(url, timeout=2).read().decode()
        expected = (CONTEXTS / name / ("public" if name == "backend" else "html") / "index.html").read_text()
        assert body == expected
    finally:
        container.remove(force=True)
