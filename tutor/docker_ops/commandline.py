"""The docker CLI command equivalent to each action, in the CLI's own words.

Shown to the learner so they can type it themselves next time; secrets never appear:
login always reads the password from stdin.
"""

from __future__ import annotations

import shlex

HUB = "docker.io"


def _join(*args: str) -> str:
    return " ".join(shlex.quote(arg) for arg in args)


def login(registry: str, username: str) -> str:
    # A bare `docker login` means Docker Hub, which is how the course writes it.
    target = () if registry == HUB else (registry,)
    return _join("docker", "login", "-u", username, "--password-stdin", *target)


def build(tag: str, context: str, dockerfile: str | None = None) -> str:
    file_args = ("-f", dockerfile) if dockerfile else ()
    return _join("docker", "build", "-t", tag, *file_args, context)


def tag(source: str, target: str) -> str:
    return _join("docker", "tag", source, target)


def push(ref: str) -> str:
    return _join("docker", "push", ref)


def pull(ref: str) -> str:
    return _join("docker", "pull", ref)


def rmi(ref: str) -> str:
    return _join("docker", "rmi", ref)


def images(pattern: str | None) -> str:
    return f"docker images | grep {shlex.quote(pattern)}" if pattern else "docker images"


def run(ref: str, port: int, container_port: int, host_ip: str | None = None) -> str:
    publish = f"{host_ip}:{port}:{container_port}" if host_ip else f"{port}:{container_port}"
    return _join("docker", "run", "-p", publish, ref)
