"""``login``: check the credentials with the registry, then log the learner's docker CLI in.

The secret travels only in memory and on the docker CLI's stdin. The SDK's ``login()``
answer is dropped unread (it can echo the password back).
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace

from tutor.docker_ops import docker_config
from tutor.reference import is_hub
from tutor.docker_ops import commandline
from tutor.docker_ops import credentials, engine
from tutor.docker_ops.action import RunningAction, ActionFailed, docker_action, who_stalled
from tutor.docker_ops.events import CommandLine, Event, Notice, Output, Succeeded

_REGISTRY = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$")
# What a registry account name is made of (Docker Hub, GHCR, GitLab, htpasswd users in class): anything
# else ($, backticks, ';', '/', quotes, control characters) is a paste gone wrong, said before docker sees it.
_ACCOUNT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,254}")
CLI_TIMEOUT = 120  # the most `docker login` may take, whatever the transfer bound says


def _mask(text: str, secret: str) -> str:
    return text.replace(secret, "********") if secret else text


def _verify(client, registry: str, username: str, secret: str) -> None:
    # reauth: really ask the registry; the returned dict is discarded on purpose.
    client.login(username=username, password=secret, registry=None if is_hub(registry) else registry,
                 reauth=True)


async def _cli_login(docker: str, registry: str, username: str, secret: str) -> tuple[int, list[str]]:
    # The very command the learner is shown (commandline.login), the secret only on stdin.
    proc = await asyncio.create_subprocess_exec(
        docker, *commandline.login_args(registry, username)[1:],
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        async with asyncio.timeout(min(CLI_TIMEOUT, engine.transfer_idle())):
            out, _ = await proc.communicate(secret.encode())
    finally:
        if proc.returncode is None:  # cancelled or timed out: leave no docker process behind
            proc.kill()
            await asyncio.shield(proc.wait())
    lines = [_mask(line, secret) for line in out.decode(errors="replace").splitlines() if line.strip()]
    return await proc.wait(), lines  # done already (communicate waited): its exit code, typed int


def username_problem(username: str) -> str | None:
    """None for a name a registry account can have, else which character cannot be in one."""
    if _ACCOUNT.fullmatch(username):
        return None
    from tutor.visible import quoted

    shown = quoted(username if len(username) <= 60 else username[:60] + "…")
    if len(username) > 255:
        return f"{shown} has {len(username)} characters, more than any registry takes"
    bad = next((ch for ch in username if not (ch.isascii() and (ch.isalnum() or ch in "._@+-"))), username[0])
    return f"{shown} cannot be a registry username: {quoted(bad)} is not allowed in one"


def _timed_out(exc: BaseException) -> bool:
    return any("Timeout" in cls.__name__ for cls in type(exc).__mro__) or "Read timed out" in str(exc)


@docker_action("login")
async def login(action: RunningAction, registry: str | None, username: str, secret: str) -> AsyncIterator[Event]:
    """Log in to ``registry`` (None or "docker.io" for Docker Hub) as ``username``."""
    key = credentials.registry_key(registry)
    username = (username or "").strip()
    yield CommandLine(commandline.login(key, username or "USERNAME"))
    action.facts.update(registry=key, username=username)
    if not _REGISTRY.match(key):
        raise action.fail("invalid_registry", registry=registry)
    if not username or not secret:
        raise action.fail("login_incomplete")
    if problem := username_problem(username):  # spaces too, with the value named
        raise action.fail("login_username_invalid", problem=problem)

    bound = engine.transfer_idle()
    # The login is one request through the engine to the registry: bounded like any transfer.
    client = await action.connect(timeout=bound)
    try:
        await asyncio.to_thread(_verify, client, key, username, secret)
    except Exception as exc:  # noqa: BLE001 - mapped to a hint; engine messages hold no secret, masked anyway
        if _timed_out(exc):
            raise await who_stalled(action, "the login", bound) from None
        found = action.failure(exc).hint
        raise ActionFailed(replace(found, what=_mask(found.what, secret), next_step=_mask(found.next_step, secret),
                                   detail=_mask(found.detail, secret))) from None

    docker = shutil.which("docker")
    if docker is None:
        credentials.remember(key, username, secret)
        yield Notice("No docker command was found, so your shell is not logged in. The tutor will use these "
                     "credentials for its own pushes and pulls until it exits; install the docker CLI and run "
                     f"`{commandline.login(key, username)}` to log in your shell too.")
        yield Succeeded(f"Logged in to {key} as {username} (for the tutor only)",
                        {"registry": key, "username": username, "shell_logged_in": False, "storage": "memory"})
        return

    try:
        code, lines = await _cli_login(docker, key, username, secret)
    except TimeoutError:
        raise await who_stalled(action, "the login (`docker login`)", min(CLI_TIMEOUT, bound)) from None
    if lines:
        yield Output(tuple(lines))
    if code != 0:
        raise action.failure("\n".join(lines) or f"docker login exited with {code}", output=lines,
                             config=docker_config.config_path())
    # The CLI now holds the login; drop any copy this process kept from an earlier fallback.
    credentials.forget(key)
    stored = docker_config.storage(key)
    from tutor.lesson.registries import describe

    if notice := docker_config.storage_notice(stored, tokens=describe(key).secret != "password"):
        yield Notice(notice)
    yield Succeeded(f"Logged in to {key} as {username}; your shell's docker is logged in too",
                    {"registry": key, "username": username, "shell_logged_in": True, "storage": stored.kind,
                     "config_path": str(stored.path), "helper": stored.helper})
