"""Which docker action a lesson action runs, and with which arguments.

The app's Run key and `docker-tutor do STEP` both go through here, so a lesson action
means the same thing in the full-screen tutor and in a plain terminal.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from pathlib import Path

from tutor.lesson import Action, Step
from tutor.secret import Secret, reveal

RUNNABLE = {"login", "build", "tag", "push", "images", "rmi", "pull", "run"}


def runnable(step: Step) -> list[Action]:
    """The step's actions the tutor can run (manual ones are done by the learner in a browser)."""
    return [action for action in step.actions if action.kind in RUNNABLE]


def needs_secret(step: Step) -> bool:
    return any(action.kind == "login" for action in runnable(step))


def _publish(spec: str) -> tuple[int, int]:
    """`3000:3000` or `3000` as docker run -p takes them (host port first)."""
    host, _, container = spec.partition(":")
    return int(host), int(container or host)


def run_action(action: Action, values: Mapping[str, str], secret: Secret | None = None,
               host_ip: str | None = None) -> AsyncIterator:
    """Start the docker action behind a lesson action; iterate it for its events."""
    from tutor import docker_ops

    params = action.resolved(values)
    username = values.get("username") or None
    if action.kind == "login":
        registry = params.get("registry") or values.get("registry") or "docker.io"
        return docker_ops.login(registry, params.get("username") or username or "", reveal(secret))
    if action.kind == "images":
        return docker_ops.images(params.get("filter") or "poll")
    ref = action.image(values) or ""
    if action.kind == "build":
        context = Path(params["context"]).expanduser()
        return docker_ops.build(context, ref, params.get("dockerfile") or None)
    if action.kind == "tag":
        return docker_ops.tag(params["source"], ref)
    if action.kind == "push":
        return docker_ops.push(ref, username=username)
    if action.kind == "rmi":
        return docker_ops.rmi(ref)
    if action.kind == "pull":
        return docker_ops.pull(ref)
    if action.kind == "run":
        port, container_port = _publish(params.get("publish") or "3000:3000")
        return docker_ops.run(ref, port, container_port, host_ip=host_ip)
    raise ValueError(f"the tutor cannot run a '{action.kind}' action")
