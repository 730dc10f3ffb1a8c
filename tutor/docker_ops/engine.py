"""Reaching the Docker engine, and running the SDK's blocking streams off the event loop.

The docker SDK is synchronous: a build or push stream blocks while it waits for the
engine. ``ThreadStream`` iterates such a stream in a worker thread and hands its items
to asyncio in chunks (one wake-up per chunk, not per item), with a bound on how many
items may wait so a slow consumer slows the reader instead of filling memory.
Cancelling shuts the HTTP response's socket down, which makes the engine abandon the
build/push/pull and unblocks the worker.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

DEFAULT_HOST = "unix:///var/run/docker.sock"
CONNECT_TIMEOUT = 10  # seconds for the first answer (the API version); a dead engine fails fast
CALL_TIMEOUT = 120
MAX_PENDING = 2000  # stream items waiting for the consumer before the worker pauses
# A push, pull or login that makes no progress for this long is stopped and explained: a registry
# that goes silent mid-upload would otherwise leave it hanging for ever. Tests set it low.
TRANSFER_IDLE = 90.0
TRANSFER_IDLE_ENV = "DOCKER_TUTOR_TRANSFER_TIMEOUT"
PING_TIMEOUT = 5.0


def transfer_idle() -> float:
    """Seconds without progress after which a transfer is given up (``DOCKER_TUTOR_TRANSFER_TIMEOUT``)."""
    try:
        value = float(os.environ.get(TRANSFER_IDLE_ENV, ""))
    except ValueError:
        return TRANSFER_IDLE
    return value if 0 < value < 86400 else TRANSFER_IDLE


def engine_answers(timeout: float = PING_TIMEOUT) -> bool:
    """Whether the engine answers a ping now (a fresh client: the stalled one is busy)."""
    host = engine_host()
    if host.startswith("unix://"):
        from tutor.docker_ops.engine_api import UnixEngine

        return UnixEngine(host.removeprefix("unix://")).ping(timeout)
    try:
        import docker

        client = docker.APIClient(base_url=host, timeout=timeout, version="auto")
    except Exception:  # noqa: BLE001 - no usable host: not answering
        return False
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001
        return False
    finally:
        client.close()


def engine_host() -> str:
    """Where the engine is expected: DOCKER_HOST, else the docker CLI's current context, else the default socket."""
    host = os.environ.get("DOCKER_HOST")
    if host:
        return host
    # Docker Desktop registers its socket as a CLI context rather than the default path.
    from tutor.docker_ops.docker_config import context_host

    return context_host() or DEFAULT_HOST


def connect(timeout: float | None = CALL_TIMEOUT):
    """A new docker client (new per action, so it sees credentials stored since the last one).

    Raises the SDK's DockerException when the engine cannot be reached.
    """
    import docker

    environment = dict(os.environ)
    environment["DOCKER_HOST"] = engine_host()
    client = docker.from_env(timeout=CONNECT_TIMEOUT, environment=environment)
    # Streams may be quiet for minutes (a long RUN step); only the version check needs a short timeout.
    client.api.timeout = timeout
    return client


def shutdown_response(response: Any) -> None:
    """Shut down the socket under a streaming HTTP response (or that socket itself), from any thread."""
    if isinstance(response, socket.socket):
        try:
            response.shutdown(socket.SHUT_RDWR)
        except OSError:  # not connected yet: closed, its connect fails (or it was closed already)
            response.close()
        return
    raw = getattr(response, "raw", None)
    for path in (("_fp", "fp", "raw", "_sock"), ("_connection", "sock"), ("_fp", "fp", "_sock")):
        obj = raw
        for attr in path:
            obj = getattr(obj, attr, None)
        if isinstance(obj, socket.socket):
            try:
                obj.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed
            return


class ThreadStream(Generic[T]):
    """Iterates ``produce()`` in a worker thread; ``await next_chunk()`` returns what has arrived."""

    def __init__(self, client: Any | None, produce: Callable[[], Iterable[T]], max_pending: int = MAX_PENDING
                 ) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._cond = threading.Condition()
        self._pending: deque[T] = deque()
        self._max_pending = max_pending
        self._done = False
        self._error: BaseException | None = None
        self._cancelled = False
        self._responses: list[Any] = []
        self._thread = threading.Thread(target=self._work, args=(produce,), name="docker-stream", daemon=True)
        # A hook sees the streaming response (or its socket) before its body is read, which is what
        # cancel() needs to shut down: the engine_api clients' own hooks, else the SDK's APIClient
        # (a requests Session) response hooks.
        if client is not None:
            hooks = getattr(client, "response_hooks", None)
            (client.api.hooks["response"] if hooks is None else hooks).append(self._capture)
        self._thread.start()

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def _capture(self, response: Any, *args: Any, **kwargs: Any) -> None:
        if threading.current_thread() is not self._thread:
            return  # another call on the same client (e.g. an inspect) is not ours to cancel
        with self._cond:
            self._responses.append(response)
            cancelled = self._cancelled
        if cancelled:
            shutdown_response(response)

    def _notify(self) -> None:
        try:
            self._loop.call_soon_threadsafe(self._wake.set)
        except RuntimeError:
            pass  # the loop is closed: nobody is listening any more

    def _work(self, produce: Callable[[], Iterable[T]]) -> None:
        iterator = None
        try:
            iterator = iter(produce())
            for item in iterator:
                with self._cond:
                    while len(self._pending) >= self._max_pending and not self._cancelled:
                        self._cond.wait()
                    if self._cancelled:
                        break
                    was_empty = not self._pending
                    self._pending.append(item)
                if was_empty:
                    self._notify()
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            with self._cond:
                if not self._cancelled:
                    self._error = exc
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: BLE001 - a half-read stream may complain while closing
                    pass
            with self._cond:
                self._done = True
            self._notify()

    async def next_chunk(self, timeout: float | None = None) -> list[T] | None:
        """Items that arrived since the last call; [] if ``timeout`` passed first; None at the end.

        Raises whatever the stream raised in the worker.
        """
        while True:
            with self._cond:
                if self._pending:
                    items = list(self._pending)
                    self._pending.clear()
                    self._cond.notify_all()
                    return items
                if self._done:
                    if self._error is not None:
                        raise self._error
                    return None
                self._wake.clear()
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation that
            # arrives just as the wait ends, and a cancelled action would then run on.
            try:
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            except TimeoutError:
                return []

    def cancel(self) -> None:
        """Stop reading: the worker ends at its next item and the engine sees the connection close."""
        with self._cond:
            self._cancelled = True
            self._pending.clear()
            self._cond.notify_all()
            responses = list(self._responses)
        for response in responses:
            shutdown_response(response)
