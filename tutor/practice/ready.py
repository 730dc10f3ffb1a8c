"""What the settings' "Practice registry (offline)" choice does: start the registry when it is not
running, make the learner's account, and log the learner's docker in with its new password.

The password is handed back once, for the screen to show; it is never kept. An account made
earlier has no password to give: docker's stored login (if any) is what counts then.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from tutor.hints import FailureHint


@dataclass
class PracticeReady:
    address: str  # 127.0.0.1:PORT, the settings' registry from now on
    username: str
    started: bool  # started now, not found running
    password: str = field(default="", repr=False)  # only for an account made now: show it once
    logged_in: bool = False  # docker holds a login for this account on this registry
    made: bool = False  # the account was made now (its password is this one)
    login_problem: FailureHint | None = None  # why the automatic login failed


async def prepare(username: str) -> PracticeReady:
    """Start (or find) the practice registry for ``username``; PracticeError when it cannot run."""
    from tutor.practice import control
    from tutor.practice.state import Layout

    layout = Layout.default()
    started = await asyncio.to_thread(control.start, layout, _first_port(layout), [username])
    from tutor.lesson import registries

    registries.refresh()  # 127.0.0.1:PORT is the practice registry now, in every sentence of the lesson
    ready = PracticeReady(started.running.address, username, not started.already, started.passwords.get(username, ""))
    ready.made = bool(ready.password)
    if ready.password:
        ready.logged_in, ready.login_problem = await _login(ready.address, username, ready.password)
    else:
        ready.logged_in = await _has_login(ready.address, username)
    return ready


def _first_port(layout) -> int | None:
    """None (the saved port) once there is one; for the very first start, the first free port from
    5000 on: a learner choosing from a menu should not have to know that another program has 5000."""
    from tutor.practice import control
    from tutor.practice.state import DEFAULT_PORT, saved_port

    if saved_port(layout) or control.running(layout):
        return None
    return next((port for port in range(DEFAULT_PORT, DEFAULT_PORT + 100) if control.port_free(port)), None)


async def _login(address: str, username: str, password: str) -> tuple[bool, FailureHint | None]:
    from contextlib import aclosing

    from tutor.docker_ops import events, login

    async with aclosing(login(address, username, password)) as stream:
        async for event in stream:
            if isinstance(event, events.Succeeded):
                return True, None
            if isinstance(event, events.Failed):
                return False, event.hint
    return False, None


async def _has_login(address: str, username: str) -> bool:
    from tutor.docker_ops import docker_config

    try:
        found = await docker_config.lookup_async(address)
    except Exception:  # noqa: BLE001 - an unreadable docker config is no login
        return False
    return found is not None and found.username == username


# --- before a step: the practice registry stopped since it was chosen (a reboot stops it) -------------

# What talks to the registry: lesson actions (a test pull's rmi asks it first) and checks.
REGISTRY_ACTIONS = frozenset({"login", "push", "pull", "rmi"})
REGISTRY_PROBES = frozenset({"registry-images", "repo-visibility", "node-pull"})


def needs_waking(registry: str | None, kinds) -> bool:
    """Is ``registry`` (the settings') the practice registry, stopped, and about to be used by ``kinds``?
    Cheap for every other registry: only a loopback host reads the practice registry's files."""
    if not (REGISTRY_ACTIONS | REGISTRY_PROBES) & set(kinds):
        return False
    from tutor.lesson.registries import describe

    if not describe(registry).practice:
        return False
    from tutor.practice import control
    from tutor.practice.state import Layout

    return control.running(Layout.default()) is None


async def wake(registry: str | None, kinds):
    """Events for the pane or the terminal: when ``needs_waking``, a Notice, the start (on its saved
    port, no account made or password shown), then a Notice that it runs, or Failed with the start's
    hint. Nothing at all otherwise."""
    if not await asyncio.to_thread(needs_waking, registry, kinds):
        return
    import time

    from tutor import hints
    from tutor.docker_ops import events
    from tutor.lesson.registries import describe
    from tutor.practice import control
    from tutor.practice.state import Layout

    address = describe(registry).key
    yield events.Notice(hints.practice_starting_notice(address))
    began = time.monotonic()
    try:
        started = await asyncio.to_thread(control.start, Layout.default())
    except control.PracticeError as exc:
        yield events.Failed(exc.hint())
        return
    except OSError as exc:  # the state folder cannot be written (a full disk, a read-only home)
        yield events.Failed(hints.hint("practice_state_unwritable", detail=str(exc), folder=Layout.default().root))
        return
    yield events.Notice(hints.practice_started_notice(started.running.address, time.monotonic() - began))
