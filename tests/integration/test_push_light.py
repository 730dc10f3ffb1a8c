"""`docker-tutor do push` against a local engine, as a learner runs it: the push really happens, per
layer, and the command loads no docker SDK (nor requests or urllib3) for it: the engine's socket is
spoken to with the standard library (tutor.docker_ops.engine_api)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest

from tests.fixtures.transfers import LESSON, docker_login, learner_env, step_status

pytestmark = pytest.mark.integration

# Runs `do push` in this interpreter, then says which modules it loaded (on stderr, after the output).
SCRIPT = """
import json, sys
from tutor.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def do_push(env: dict[str, str], variables: dict[str, str]) -> tuple[int, str, set[str]]:
    args = ["do", "push", "--lesson", LESSON]
    for name, value in variables.items():
        args += ["--var", f"{name}={value}"]
    done = subprocess.run([sys.executable, "-c", SCRIPT, *args], env=env, capture_output=True, text=True,
                          timeout=120)
    said = json.loads(done.stderr.strip().splitlines()[-1])
    return said["code"], done.stdout, set(said["modules"])


def test_do_push_pushes_every_layer_and_loads_no_docker_sdk(registry_basic, docker_engine, offline_base, tmp_path):
    tag = uuid.uuid4().hex[:8]
    prefix = f"{registry_basic.host}/{registry_basic.username}"
    for name in ("poll-backend", "poll-frontend"):
        docker_engine.client.images.get(offline_base).tag(f"{prefix}/{name}", tag)
    env = learner_env(tmp_path, docker_engine.host)
    docker_login(registry_basic.host, registry_basic.username, registry_basic.password, env)
    variables = {"username": registry_basic.username, "registry": registry_basic.host, "tag": tag}
    try:
        code, output, modules = do_push(env, variables)
    finally:
        for name in ("poll-backend", "poll-frontend"):
            docker_engine.client.images.remove(f"{prefix}/{name}:{tag}")
    assert code == 0, output
    assert f"✔ Pushed {prefix}/poll-backend:{tag}" in output and f"✔ Pushed {prefix}/poll-frontend:{tag}" in output
    layers = output.split("✔")[0]  # the layers' own lines came before the result
    # A layer another test pushed first to this session's registry is reported as already there.
    assert "Pushed" in layers or "Layer already exists" in layers, layers
    assert registry_basic.password not in output
    assert tag in registry_basic.tags(f"{registry_basic.username}/poll-backend")
    assert step_status(env, "push") == "done"
    assert not modules & {"docker", "requests", "urllib3", "http.client"}, sorted(modules & {"docker", "requests"})


def test_do_push_of_a_missing_image_says_so_without_the_docker_sdk(docker_engine, tmp_path):
    env = learner_env(tmp_path, docker_engine.host)
    code, output, modules = do_push(env, {"username": "learner", "registry": "127.0.0.1:1",
                                          "tag": f"missing-{uuid.uuid4().hex[:8]}"})
    assert code == 1 and "There is no local image called 127.0.0.1:1/learner/poll-backend" in output, output
    assert "docker" not in modules and "requests" not in modules
