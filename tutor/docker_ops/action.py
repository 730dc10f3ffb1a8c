"""What every docker action shares: the one-result guarantee, name validation, failures as hints,
and the loop that turns a threaded SDK stream into batched events."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from contextlib import aclosing
from typing import Any

from tutor import hints
from tutor.docker_ops import engine
from tutor.docker_ops.batching import OutputBatcher
from tutor.docker_ops.events import TERMINAL, Event, Failed, Output


class ActionFailed(Exception):
    """Raised inside an action to end it with ``Failed(hint, output)``."""

    def __init__(self, hint: hints.FailureHint, output: Iterable[str] = ()) -> None:
        super().__init__(hint.what)
        self.hint = hint
        self.output = tuple(output)


class RunningAction:
    """Per-run state of one action: its name, the facts hints may quote, its engine client."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.facts: dict[str, Any] = {}
        self.client: Any = None

    async def connect(self, timeout: float | None = engine.CALL_TIMEOUT) -> Any:
        self.client = await asyncio.to_thread(engine.connect, timeout)
        return self.client

    def ref(self, text: str, fact: str = "ref"):
        """Parse an image name; an invalid one ends the action before anything runs."""
        from tutor.reference import ImageNameError, parse

        try:
            parsed = parse(text)
        except ImageNameError as err:
            hint = (err.hint or "").strip()
            advice = hint[:1].upper() + hint[1:].rstrip(".") + "." if hint else None
            raise self.fail("invalid_reference", message=str(err), advice=advice) from None
        self.facts.setdefault(fact, text.strip())
        return parsed

    def fail(self, code: str, detail: str = "", output: Iterable[str] = (), **facts: Any) -> ActionFailed:
        return ActionFailed(hints.hint(code, detail, **{**self.facts, **facts}), output)

    def failure(self, error: BaseException | str, output: Iterable[str] = (), **facts: Any) -> ActionFailed:
        """A docker exception or error message, mapped to its hint with what this action knows."""
        if isinstance(error, ActionFailed):
            return error
        known = {"host": engine.engine_host(), **self.facts, **facts}
        return ActionFailed(hints.from_docker(error, self.name, **known), output)


def docker_action(name: str) -> Callable:
    """Make ``fn(action, *args)`` an async generator of events ending in exactly one result.

    ``ActionFailed`` and any docker error become ``Failed``; cancellation propagates.
    """

    def wrap(fn: Callable[..., AsyncGenerator[Event, None]]) -> Callable[..., AsyncGenerator[Event, None]]:
        @functools.wraps(fn)
        async def run(*args: Any, **kwargs: Any) -> AsyncGenerator[Event, None]:
            action = RunningAction(name)
            finished = False
            failure: ActionFailed | None = None
            cancelled = False
            try:
                try:
                    async with aclosing(fn(action, *args, **kwargs)) as inner:
                        async for event in inner:
                            if finished:
                                break  # one result only, whatever the action does afterwards
                            finished = isinstance(event, TERMINAL)
                            yield event
                except ActionFailed as exc:
                    failure = exc
                except Exception as exc:  # noqa: BLE001 - every failure becomes a hint, never a traceback
                    failure = action.failure(exc)
                if not finished:
                    failure = failure or action.fail("unknown", detail=f"the {name} action ended without a result")
                    yield Failed(failure.hint, failure.output)
            except asyncio.CancelledError:
                cancelled = True  # a worker thread or a shielded clean-up may still use the client
                raise
            finally:
                if action.client is not None and not cancelled:
                    action.client.close()

        return run

    return wrap


class Stalled(Exception):
    """A stream made no progress for ``seconds``; the stream has been cancelled."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no progress for {seconds:g} seconds")
        self.seconds = seconds


async def pump(stream: engine.ThreadStream, batcher: OutputBatcher,
               handle: Callable[[list[Any]], Iterable[Event | str]],
               finish: Callable[[], Iterable[Event | str]] | None = None, *,
               idle: float | None = None, progress: Callable[[], Any] | None = None,
               quiet: Callable[[float], Awaitable[Event | None]] | None = None) -> AsyncGenerator[Event, None]:
    """Drive ``stream`` until it ends: ``handle`` turns each chunk of items into events and log
    lines (``finish`` gives what is left at the end); lines are batched, other events pass
    straight through after the lines before them.

    With ``idle``, raise :class:`Stalled` once ``progress()`` (any value that changes when the
    stream says something new; default: items arriving) has stayed the same that many seconds;
    with ``quiet`` too, await ``quiet(idle)`` instead and wait on (it raises to end the stream,
    or returns an event to show). Cancelling or closing the consumer cancels the stream.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + idle if idle else None
    last = progress() if progress else None
    try:
        while True:
            wait = batcher.due_in()
            if deadline is not None:
                left = max(0.0, deadline - loop.time())
                wait = left if wait is None else min(wait, left)
            items = await stream.next_chunk(timeout=wait)
            if items is None:
                break
            # Lazily: one chunk can hold 100,000 lines, which must not all exist at once.
            for event in handle(items):
                if out := _place(event, batcher):
                    yield out
                if not isinstance(event, str):
                    yield event
            for out in batcher.take():
                yield out
            if deadline is not None and idle:  # deadline is set exactly when idle is
                now = progress() if progress else None
                if items and (progress is None or now != last):
                    last, deadline = now, loop.time() + idle
                elif loop.time() >= deadline:
                    if out := batcher.flush():
                        yield out
                    if quiet is None:
                        raise Stalled(idle)
                    if said := await quiet(idle):
                        yield said
                    deadline = loop.time() + idle
        for event in finish() if finish else ():
            if out := _place(event, batcher):
                yield out
            if not isinstance(event, str):
                yield event
        if out := batcher.flush():
            yield out
    finally:
        stream.cancel()  # a no-op once the stream has ended


def _place(event: Event | str, batcher: OutputBatcher) -> Output | None:
    """A line joins the batch (returning it when full); any other event first releases the lines before it."""
    if isinstance(event, str):
        return batcher.add_line(event)
    return batcher.flush()


async def follow_layers(action: RunningAction, client: Any, tracker: Any,
                        start: Callable[[], Any]) -> AsyncGenerator[Event, None]:
    """Stream a push or pull: ``start`` opens the engine's stream, ``tracker`` turns chunks into
    layer events. Errors arrive inside the stream, not as exceptions: they end the action here.

    Bounded by inactivity (``engine.transfer_idle()``): a transfer that stops moving ends in a
    hint that says who stopped answering. When docker starts retrying a layer by itself, the
    tutor asks the registry why, says so, and stops at once if the registry itself is failing.
    """
    idle = engine.transfer_idle()
    stream = engine.ThreadStream(client, start)
    seen_retries = 0
    try:
        async with aclosing(pump(stream, OutputBatcher(), tracker.handle_chunk, idle=idle,
                                 progress=lambda: tracker.changes)) as events:
            async for event in events:
                yield event
                if tracker.retries > seen_retries:
                    first = seen_retries == 0
                    seen_retries = tracker.retries
                    if first:
                        notice = await _why_retrying(action, idle)
                        if notice is not None:
                            yield notice
    except Stalled as stall:
        raise await _stalled(action, tracker, stall.seconds) from None
    if tracker.error is not None:
        await _learn_wait(action, tracker.error)
        raise action.failure(tracker.error, output=(tracker.error,))


def _registry(action: RunningAction) -> str:
    return str(action.facts.get("registry") or "docker.io")


async def _why_retrying(action: RunningAction, idle: float) -> Event | None:
    """Docker retries a layer: ask the registry. A failing registry ends the action with its own
    answer (docker would retry for about a minute); a rate limit is said with its real wait."""
    from tutor.docker_ops.events import Notice
    from tutor.probes.registry import registry_health

    health = await registry_health(_registry(action), timeout=min(5.0, idle))
    facts = hints.action_facts(action.name)
    if health.status == 429:
        action.facts["retry_after"] = health.retry_after
        if health.retry_after is None or health.retry_after > 60:
            raise action.fail("rate_limited_wait" if health.retry_after is not None else "rate_limited",
                              wait=hints.wait_words(health.retry_after or 60), **facts)
        return Notice(hints.retrying_notice(_registry(action), hints.wait_words(health.retry_after)))
    if health.status is not None and health.status >= 500:
        raise action.fail("registry_server_error", status=_status_words(health.status), detail=health.message,
                          retrying=" (docker kept retrying, so the tutor stopped it)", **facts)
    if health.problem == "no-answer":
        raise action.fail("registry_no_answer", during="the tutor's own request",
                          within=f" (nothing for {min(5.0, idle):g} seconds)", **facts)
    return None


def _status_words(status: int) -> str:
    from http import HTTPStatus

    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


async def _learn_wait(action: RunningAction, error: str) -> None:
    """A rate-limited push or pull: docker drops the registry's Retry-After, so ask for it."""
    if action.facts.get("retry_after") is not None or hints.classify_docker_message(error, action.name) != \
            "rate_limited":
        return
    from tutor.probes.registry import registry_health

    health = await registry_health(_registry(action), timeout=5.0)
    if health.status == 429 and health.retry_after is not None:
        action.facts["retry_after"] = health.retry_after


async def _stalled(action: RunningAction, tracker: Any, seconds: float) -> ActionFailed:
    """Who stopped answering: the engine (no ping), else the registry (asked once itself)."""
    from tutor.docker_ops import humanize

    busy = tracker.moving()
    if busy is None:
        transfer = (f"the {action.name} after its layers, while saving the image's manifest" if tracker.layers
                    else f"the {action.name}, before any layer moved")
    else:
        layer_id, layer = busy
        moved = humanize.spaced_size(layer.moved) + (f" of {humanize.spaced_size(layer.total)}" if layer.total else "")
        what = {"push": "upload", "pull": "download"}.get(tracker.direction, "transfer")
        if layer.status == "extracting":
            what = "extraction"
        transfer = f"the {what} of layer {layer_id} ({moved} {'sent' if tracker.direction == 'push' else 'received'})"
    return await who_stalled(action, transfer, seconds)


async def who_stalled(action: RunningAction, transfer: str, seconds: float) -> ActionFailed:
    """``transfer`` ("the upload of layer X") went quiet for ``seconds``: the engine is blamed only
    when it does not answer a ping, a registry only for what it answers the tutor itself."""
    from tutor.probes.registry import registry_health

    facts = {"transfer": transfer, "seconds": f"{seconds:g}", **hints.action_facts(action.name)}
    if not await asyncio.to_thread(engine.engine_answers):
        return action.fail("engine_stalled", **facts)
    health = await registry_health(_registry(action), timeout=min(5.0, seconds))
    if health.failing:
        facts["status"] = _status_words(health.status or 500)
        if health.status == 429:
            return action.fail("rate_limited_wait" if health.retry_after is not None else "rate_limited",
                               retry_after=health.retry_after, wait=hints.wait_words(health.retry_after or 60),
                               **facts)
        return action.fail("registry_server_error", detail=health.message, **facts)
    if action.name == "login" or health.problem == "no-answer":
        # A login is one request: no answer to it is no answer, whatever a fresh request gets.
        return action.fail("registry_no_answer", during=transfer, within=f" (nothing for {seconds:g} seconds)",
                           **facts)
    return action.fail("transfer_stalled", **facts)
