"""The Docker engine's event stream, followed for as long as someone listens.

``EngineEvents.stream()`` yields :class:`EngineEvent` (an image was tagged, pushed,
pulled, removed; a container started or stopped) and :class:`Connection` (the stream is
up, or lost and retried). The SDK's stream blocks, so it is read in a daemon thread that
hands items to asyncio. A lost connection is not an error: the thread waits (with
backoff) and connects again, asking the engine for what happened since the last event
it delivered, so nothing done in between is missed as long as the engine kept running.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# What the engine reports that can change a step of the lesson.
IMAGE_ACTIONS = ("tag", "push", "pull", "untag", "delete", "import", "load")
CONTAINER_ACTIONS = ("start", "stop")
FILTERS = {"type": ["image", "container"], "event": [*IMAGE_ACTIONS, *CONTAINER_ACTIONS]}
BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0)  # seconds between tries; the last one repeats


class ConnectionState(StrEnum):
    """The event stream's connection; the values are what the app's footer state is called too."""

    FOLLOWING = "following"
    LOST = "lost"  # the engine does not answer: retried with backoff


FOLLOWING, LOST = ConnectionState.FOLLOWING, ConnectionState.LOST


@dataclass(frozen=True)
class EngineEvent:
    type: str  # "image" or "container"
    action: str  # one of IMAGE_ACTIONS or CONTAINER_ACTIONS
    name: str  # the image name as the engine gives it ("" for untag/delete: the engine names only the id)
    image_id: str  # sha256:... for tag/untag/delete; the container id for container events
    time_ns: int


@dataclass(frozen=True)
class Connection:
    state: ConnectionState
    detail: str = ""  # why it was lost, in a few words
    retry_in: float = 0.0  # seconds until the next try (LOST only)
    attempt: int = 0  # tries since the connection was lost


def parse_event(raw: Any) -> EngineEvent | None:
    """One decoded engine event as an EngineEvent, or None for anything the lesson does not follow."""
    if not isinstance(raw, dict):
        return None
    kind, action = raw.get("Type") or "", raw.get("Action") or raw.get("status") or ""
    actor = _mapping(raw.get("Actor"))
    attributes = _mapping(actor.get("Attributes"))
    when = raw.get("timeNano") or int(raw.get("time") or 0) * 1_000_000_000
    if kind == "image" and action in IMAGE_ACTIONS:
        if action in ("push", "pull"):  # the id is the name pushed or pulled, with its tag
            name = str(actor.get("ID") or raw.get("id") or "")
        else:
            name = str(attributes.get("name") or "")
        if name.startswith("sha256:"):  # untag and delete name only the image id
            name = ""
        return EngineEvent(kind, action, name, str(actor.get("ID") or raw.get("id") or ""), int(when))
    if kind == "container" and action in CONTAINER_ACTIONS:
        image = str(attributes.get("image") or raw.get("from") or "")
        return EngineEvent(kind, action, image, str(actor.get("ID") or raw.get("id") or ""), int(when))
    return None


def _mapping(value: Any) -> dict[str, Any]:
    """``value`` when it is a dict (a decoded JSON object), else an empty one."""
    return value if isinstance(value, dict) else {}


def _since(time_ns: int) -> str:
    # The engine reads "seconds.nanoseconds" exactly; a float would lose the last digits.
    return f"{time_ns // 1_000_000_000}.{time_ns % 1_000_000_000:09d}"


def _lost_detail(exc: BaseException | None) -> str:
    if exc is None:
        return "the engine closed the event stream"
    from tutor.hints import engine_lost_reason

    return engine_lost_reason(exc)


class EngineEvents:
    """Follows one engine (``host``: a DOCKER_HOST value; None: where the tutor finds the engine)."""

    def __init__(self, host: str | None = None, backoff: Sequence[float] = BACKOFF) -> None:
        self.host = host
        self.backoff = tuple(backoff) or BACKOFF
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._current: Any = None  # the open CancellableStream, closed from another thread to stop
        self.connects = 0  # successful connections, for tests and the status line

    def _host(self) -> str:
        if self.host:
            return self.host
        from tutor.docker_ops.engine import engine_host

        return engine_host()

    def _open(self, since: int | None) -> Any:
        import docker

        from tutor.docker_ops.engine import CONNECT_TIMEOUT

        client = docker.APIClient(base_url=self._host(), timeout=CONNECT_TIMEOUT, version="auto")
        return client.events(decode=True, filters=FILTERS, since=_since(since) if since else None)

    def _work(self, put) -> None:
        last_ns = 0  # the newest event delivered: a reconnect asks for what came after it
        attempt = 0
        while not self._stop.is_set():
            error: BaseException | None = None
            connected_ns = time.time_ns()
            try:
                stream = self._open(last_ns or None)
                with self._lock:
                    self._current = stream
                if self._stop.is_set():
                    break
                self.connects += 1
                attempt = 0
                put(Connection(FOLLOWING))
                for raw in stream:
                    event = parse_event(raw)
                    if event is None or (last_ns and event.time_ns <= last_ns):
                        continue  # replayed after a reconnect: already delivered
                    last_ns = max(last_ns, event.time_ns)
                    put(event)
            except Exception as exc:  # noqa: BLE001 - any failure of the engine or the socket: try again
                error = exc
            finally:
                with self._lock:
                    stream, self._current = self._current, None
                _close(stream)
            if self._stop.is_set():
                break
            if not last_ns:
                # Nothing seen yet: what happens from the moment of this try on still counts after a reconnect.
                last_ns = connected_ns
            delay = self.backoff[min(attempt, len(self.backoff) - 1)]
            attempt += 1
            put(Connection(LOST, _lost_detail(error), delay, attempt))
            self._stop.wait(delay)

    async def stream(self) -> AsyncIterator[EngineEvent | Connection]:
        """Events and connection changes until the consumer stops iterating (or is cancelled)."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()

        def put(item: EngineEvent | Connection) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:
                self._stop.set()  # the loop is closed: nobody listens any more

        self._stop.clear()
        thread = threading.Thread(target=self._work, args=(put,), name="engine-events", daemon=True)
        thread.start()
        try:
            while True:
                yield await queue.get()
        finally:
            self.close()

    def close(self) -> None:
        """Stop following: the thread ends at once (its open stream is shut)."""
        self._stop.set()
        with self._lock:
            stream = self._current
        _close(stream)


def _close(stream: Any) -> None:
    if stream is None:
        return
    try:
        stream.close()
    except Exception:  # noqa: BLE001 - already closed, or the engine went away first
        pass
