"""``run``: start a container with published ports, say when it answers HTTP, stream its logs,
and remove it when asked, when cancelled, when it exits, or when the tutor exits.

Event order: CommandLine, Notice (started), Output..., Ready(url), Output..., then
Succeeded (stopped via ``stop`` or exited with 0) or Failed; cancelling raises
CancelledError after the container is gone.
"""

from __future__ import annotations

import asyncio
import atexit
import codecs
import os
import time
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Sequence
from contextlib import aclosing
from typing import Any

from tutor.docker_ops import commandline
from tutor.docker_ops import engine
from tutor.docker_ops.action import RunningAction, docker_action
from tutor.docker_ops.batching import LineSplitter, OutputBatcher
from tutor.docker_ops.engine import ThreadStream
from tutor.docker_ops.events import CommandLine, Event, Notice, Ready, Succeeded

OWNER_LABEL = "org.docker-tutor.owner-pid"
READY_TIMEOUT = 30.0
POLL = 0.1  # how often the log loop looks at readiness and the stop request
TAIL = 40  # log lines kept for a failure report

_started: set[str] = set()  # ids of containers this process started and has not removed
_stopping: set[str] = set()  # ids stop_all() is removing, so their end is not reported as a crash
_atexit_registered = False


def _create_and_start(client: Any, ref: str, mappings: Sequence[tuple[int, int]], host_ip: str | None,
                      name: str | None = None) -> str:
    global _atexit_registered
    bindings: dict[int, list] = {}  # container port -> the host ports (and address) it is published on
    for port, container_port in mappings:
        bindings.setdefault(container_port, []).append((host_ip, port) if host_ip else port)
    created = client.api.create_container(
        ref, ports=list(bindings), name=name, labels={OWNER_LABEL: str(os.getpid())},
        host_config=client.api.create_host_config(port_bindings=bindings))
    container_id = created["Id"]
    _started.add(container_id)
    if not _atexit_registered:
        atexit.register(stop_all)
        _atexit_registered = True
    try:
        client.api.start(container_id)
    except BaseException:
        _remove(client, container_id)  # a container that never started is not left behind either
        raise
    return container_id


def _going(exc: BaseException) -> bool:
    """The engine says the container is gone or is being removed by someone else."""
    text = str(exc)
    return getattr(exc, "status_code", None) == 404 or "No such container" in text or "already in progress" in text


def _outcome(client: Any, container_id: str) -> dict | None:
    """How the container ended; None when it was removed (or is being removed) from outside."""
    try:
        state = client.api.wait(container_id)
        if container_id in _stopping or client.api.inspect_container(container_id)["State"]["Status"] == "removing":
            return None
        return state
    except Exception as exc:  # noqa: BLE001
        if _going(exc):
            return None
        raise


def _remove(client: Any, container_id: str) -> None:
    try:
        client.api.remove_container(container_id, force=True)
    except Exception as exc:  # noqa: BLE001
        if not _going(exc):
            raise
    _started.discard(container_id)
    _stopping.discard(container_id)


def stop_all() -> int:
    """Remove every container this process started (call on tutor exit). Returns how many went."""
    try:
        client = engine.connect(timeout=30)
    except Exception:  # noqa: BLE001 - no engine, nothing we can remove
        return 0
    removed = 0
    try:
        mine = {c["Id"] for c in client.api.containers(all=True, filters={"label": f"{OWNER_LABEL}={os.getpid()}"})}
        for container_id in mine | set(_started):
            _stopping.add(container_id)
            try:
                _remove(client, container_id)
                removed += 1
            except Exception:  # noqa: BLE001 - best effort at exit
                pass
    finally:
        client.close()
    return removed


async def answers_http(host: str, port: int, timeout: float = 2.0) -> bool:
    """True when something on host:port replies with an HTTP status line (a 404 counts)."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(f"GET / HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode())
        # docker-proxy accepts connections before the app listens, so only a reply counts.
        async with asyncio.timeout(timeout):
            await writer.drain()
            line = await reader.readline()
        return line.startswith(b"HTTP/")
    except (OSError, TimeoutError):
        return False
    finally:
        writer.close()


async def _wait_until_answering(host: str, port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if await answers_http(host, port):
            return True
        await asyncio.sleep(0.2)
    return False


class _Logs:
    def __init__(self) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.splitter = LineSplitter()
        self.tail: deque[str] = deque(maxlen=TAIL)

    def lines(self, chunks: list[bytes]) -> Iterator[str]:
        for line in self.splitter.feed("".join(self.decoder.decode(chunk) for chunk in chunks)):
            self.tail.append(line)
            yield line

    def finish(self) -> Iterator[str]:
        for line in [*self.splitter.feed(self.decoder.decode(b"", final=True)), *self.splitter.finish()]:
            self.tail.append(line)
            yield line


@docker_action("run")
async def run(action: RunningAction, ref: str, port: int, container_port: int | None = None, *,
              host_ip: str | None = None, more_ports: Sequence[tuple[int, int]] = (), name: str | None = None,
              ready_timeout: float = READY_TIMEOUT, stop: asyncio.Event | None = None) -> AsyncIterator[Event]:
    """Run ``ref`` publishing ``port`` (to ``container_port``, default the same) like ``docker run -p``.

    ``more_ports``: further (host, container) mappings; readiness is judged on ``port`` alone.
    ``host_ip`` limits the published ports to one address (docker's default is all of them).
    ``name`` names the container (docker's ``--name``). Set ``stop`` to stop and remove the
    container and end with Succeeded.
    """
    container_port = container_port or port
    mappings = [(port, container_port), *more_ports]
    yield CommandLine(commandline.run(ref, port, container_port, host_ip, more_ports=more_ports, name=name))
    action.ref(ref)
    action.facts.update(port=port, container_port=container_port, seconds=int(ready_timeout), name=name)
    for number in (number for mapping in mappings for number in mapping):
        if not isinstance(number, int) or not 0 < number < 65536:
            raise action.fail("invalid_port", port=number)

    client = await action.connect(timeout=None)
    # The start runs on in its thread even if we are cancelled meanwhile; the finally waits for it.
    starting = asyncio.ensure_future(
        asyncio.to_thread(_create_and_start, client, ref.strip(), mappings, host_ip, name))
    try:
        container_id = await asyncio.shield(starting)
        probe_host = host_ip if host_ip not in (None, "", "0.0.0.0", "::") else "127.0.0.1"
        url = f"http://{probe_host}:{port}/"
        yield Notice(f"Started container {container_id[:12]}; waiting for {url} to answer")
        following = _follow(action, client, container_id, probe_host, port, url, ready_timeout, stop)
        async with aclosing(following) as events:
            async for event in events:
                yield event
    finally:
        # Shielded: a cancelled run still removes its container before the cancellation goes on.
        await asyncio.shield(_remove_started(client, starting))


async def _remove_started(client: Any, starting: asyncio.Future) -> None:
    try:
        container_id = await starting
    except Exception:  # noqa: BLE001 - it never started, and _create_and_start removed what it made
        return
    await asyncio.to_thread(_remove, client, container_id)


async def _follow(action: RunningAction, client: Any, container_id: str, host: str, port: int, url: str,
                  ready_timeout: float, stop: asyncio.Event | None) -> AsyncGenerator[Event, None]:
    logs = _Logs()
    batcher = OutputBatcher()
    stream = ThreadStream(client, lambda: client.api.logs(container_id, stream=True, follow=True))
    ready = asyncio.create_task(_wait_until_answering(host, port, time.monotonic() + ready_timeout))
    is_ready = stopped = False
    try:
        while True:
            due = batcher.due_in()
            items = await stream.next_chunk(timeout=POLL if due is None else min(due, POLL))
            if items is None:
                break  # the log ends when the container does
            for line in logs.lines(items):
                if out := batcher.add_line(line):
                    yield out
            for out in batcher.take():
                yield out
            if not is_ready and ready.done():
                if not ready.result():
                    if out := batcher.flush():
                        yield out
                    raise action.fail("not_answering", output=tuple(logs.tail))
                is_ready = True
                if out := batcher.flush():
                    yield out
                yield Ready(url, container_id)
            if stop is not None and stop.is_set():
                stopped = True
                break
    finally:
        ready.cancel()
        stream.cancel()
    for line in logs.finish():
        if out := batcher.add_line(line):
            yield out
    if out := batcher.flush():
        yield out
    if stopped:
        yield Succeeded(f"Stopped and removed container {container_id[:12]}",
                        {"container_id": container_id, "url": url})
        return
    state = await asyncio.to_thread(_outcome, client, container_id)
    if state is None:
        # Removed from outside the action, e.g. by stop_all() as the tutor exits.
        yield Succeeded(f"Container {container_id[:12]} was stopped and removed",
                        {"container_id": container_id, "url": url})
        return
    exit_code = state.get("StatusCode")
    if not is_ready:
        raise action.fail("container_exited", exit_code=exit_code, output=tuple(logs.tail))
    if exit_code != 0:
        raise action.fail("container_stopped", exit_code=exit_code, output=tuple(logs.tail))
    yield Succeeded("The container exited with code 0 and was removed",
                    {"container_id": container_id, "url": url, "exit_code": 0})
