"""``build``: the classic builder's stream as batched output, ending with the image id and size.

Only the current step's last lines are kept (for the failure report); the log itself
flows through to the consumer and is not held here.
"""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import aclosing
from pathlib import Path
from typing import Any

from tutor import hints
from tutor.docker_ops import commandline
from tutor.docker_ops import engine, humanize
from tutor.docker_ops.action import RunningAction, ActionFailed, docker_action, pump
from tutor.docker_ops.batching import LineSplitter, OutputBatcher
from tutor.docker_ops.engine import ThreadStream
from tutor.docker_ops.events import CommandLine, Event, Notice, Succeeded
from tutor.docker_ops.layers import LayerTracker

STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
STEP_TAIL = 40  # lines of the failing step kept for the report


class _BuildLog:
    """Reads build stream items: log lines out, the current step and the image id kept."""

    def __init__(self) -> None:
        self.splitter = LineSplitter()
        self.layers = LayerTracker("pull")  # the builder pulls a missing base image itself
        self.step = ""
        self.step_lines: deque[str] = deque(maxlen=STEP_TAIL)
        self.image_id: str | None = None
        self.error: str | None = None
        self.lines = 0

    def handle(self, items: list[dict[str, Any]]) -> Iterator[Event | str]:
        for item in items:
            if "stream" in item:
                yield from self._lines(self.splitter.feed(str(item["stream"])))
            elif "error" in item or "errorDetail" in item:
                self.error = str(item.get("error") or (item.get("errorDetail") or {}).get("message") or "")
            elif isinstance(item.get("aux"), dict) and item["aux"].get("ID"):
                self.image_id = item["aux"]["ID"]
            elif "status" in item:
                yield from self.layers.handle(item)

    def finish(self) -> Iterator[Event | str]:
        return self._lines(self.splitter.finish())

    def _lines(self, lines: Iterable[str]) -> Iterator[str]:
        for line in lines:
            if line.startswith("Step ") and STEP.match(line):
                self.step = line
                self.step_lines.clear()
            self.step_lines.append(line)
            self.lines += 1
            yield line

    def base_image(self) -> str | None:
        match = STEP.match(self.step)
        if not match:
            return None
        words = match.group(3).split()
        if not words or words[0].upper() != "FROM":
            return None
        names = [word for word in words[1:] if not word.startswith("--")]
        return names[0] if names else None

    def failure_hint(self, facts: dict[str, Any]) -> hints.FailureHint:
        step = STEP.match(self.step)
        return hints.from_build(self.error or "the build failed", base_image=self.base_image(),
                                step=step.groups() if step else self.step, **facts)


class _QuietBuild:
    """A build may say nothing for minutes (a long RUN step), so silence alone never ends it: the
    tutor pings the engine, ends the build only when the engine does not answer, and otherwise
    says once that the step is still working."""

    def __init__(self, action: RunningAction, log: _BuildLog) -> None:
        self.action, self.log, self.said = action, log, False

    async def check(self, seconds: float) -> Event | None:
        step = STEP.match(self.log.step)
        where = f"step {step.group(1)}/{step.group(2)} of the build" if step else "the build"
        if not await asyncio.to_thread(engine.engine_answers):
            raise self.action.fail("engine_stalled", transfer=where, seconds=f"{seconds:g}",
                                   **hints.action_facts("build"))
        if self.said:
            return None
        self.said = True
        return Notice(hints.quiet_build_notice(where, step.group(3) if step else "", seconds))


def _dockerfile_problem(context: Path, dockerfile: str | None) -> bool:
    if dockerfile is None:
        return not (context / "Dockerfile").is_file()
    path = Path(dockerfile)
    return not (path if path.is_absolute() else context / path).is_file()


@docker_action("build")
async def build(action: RunningAction, context: str | Path, tag: str, dockerfile: str | None = None
                ) -> AsyncIterator[Event]:
    """Build ``context`` as ``tag``; ``dockerfile`` is a path inside the context (default: Dockerfile)."""
    yield CommandLine(commandline.build(tag, str(context), dockerfile))
    action.ref(tag)
    tag = tag.strip()
    folder = Path(context).expanduser()
    action.facts["context"] = str(context)
    if not folder.is_dir():
        raise action.fail("build_context_missing")
    if _dockerfile_problem(folder, dockerfile):
        raise action.fail("dockerfile_missing")

    client = await action.connect(timeout=None)
    log = _BuildLog()
    stream = ThreadStream(client, lambda: client.api.build(
        path=str(folder), tag=tag, dockerfile=dockerfile, rm=True, forcerm=True, decode=True))
    async with aclosing(pump(stream, OutputBatcher(), log.handle, log.finish, idle=engine.transfer_idle(),
                             quiet=_QuietBuild(action, log).check)) as events:
        async for event in events:
            yield event
    if log.error is not None:
        output = (*log.step_lines, log.error)
        raise ActionFailed(log.failure_hint(action.facts), output)

    image = await asyncio.to_thread(client.api.inspect_image, log.image_id or tag)
    size = int(image.get("Size") or 0)
    image_id = image["Id"]
    short = image_id.removeprefix("sha256:")[:12]
    yield Succeeded(f"Built {tag}: image {short}, {humanize.size(size)}",
                    {"image_id": image_id, "short_id": short, "tag": tag, "size": size,
                     "size_text": humanize.size(size), "lines": log.lines})
