"""What every docker action shares: the one-result guarantee, name validation, failures as hints,
and the loop that turns a threaded SDK stream into batched events."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import aclosing
from typing import Any

from tutor import hints
from tutor.docker_ops import engine
from tutor.docker_ops.batching import OutputBatcher
from tutor.docker_ops.events import TERMINAL, Event, Failed, Output


class ActionFailed(Exception):
    """Raised inside an action to end it with ``Failed(hint, output)``."""

    def __init__(self, hint: hints.Hint, output: Iterable[str] = ()) -> None:
        super().__init__(hint.what)
        self.hint = hint
        self.output = tuple(output)


class Action:
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
        from tutor.reference import ReferenceError, parse

        try:
            parsed = parse(text)
        except ReferenceError as err:
            advice = (err.hint or "").strip()
            advice = advice[:1].upper() + advice[1:].rstrip(".") + "." if advice else None
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

    def wrap(fn: Callable[..., AsyncIterator[Event]]) -> Callable[..., AsyncIterator[Event]]:
        @functools.wraps(fn)
        async def run(*args: Any, **kwargs: Any) -> AsyncIterator[Event]:
            action = Action(name)
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


async def pump(stream: engine.ThreadStream, batcher: OutputBatcher,
               handle: Callable[[list[Any]], Iterable[Event | str]],
               finish: Callable[[], Iterable[Event | str]] | None = None) -> AsyncIterator[Event]:
    """Drive ``stream`` until it ends: ``handle`` turns each chunk of items into events and log
    lines (``finish`` gives what is left at the end); lines are batched, other events pass
    straight through after the lines before them.

    Cancelling or closing the consumer cancels the stream.
    """
    try:
        while True:
            items = await stream.next_chunk(timeout=batcher.due_in())
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


async def follow_layers(action: Action, client: Any, tracker: Any, start: Callable[[], Any]) -> AsyncIterator[Event]:
    """Stream a push or pull: ``start`` opens the engine's stream, ``tracker`` turns chunks into
    layer events. Errors arrive inside the stream, not as exceptions: they end the action here."""
    stream = engine.ThreadStream(client, start)
    async with aclosing(pump(stream, OutputBatcher(), tracker.handle_chunk)) as events:
        async for event in events:
            yield event
    if tracker.error is not None:
        raise action.failure(tracker.error, output=(tracker.error,))
