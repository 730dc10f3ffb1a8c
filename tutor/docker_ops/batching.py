"""Turning a stream of text chunks into batched ``Output`` events.

A build can print 100,000 lines; one event per line would swamp a UI. Lines are
collected and released as one ``Output`` when a batch is full or has waited long
enough, so a slow trickle still shows up promptly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator

from tutor.docker_ops.events import Output

MAX_LINES = 500
MAX_DELAY = 0.05  # seconds a line may wait for company before it is shown


class LineSplitter:
    """Splits text chunks into whole lines, carrying a partial last line to the next chunk.

    ``feed`` yields lazily, so a chunk holding 100,000 lines is never copied into a list;
    consume each ``feed`` fully before the next.
    """

    def __init__(self) -> None:
        self._partial = ""

    def feed(self, text: str) -> Iterator[str]:
        if self._partial:
            text, self._partial = self._partial + text, ""
        cut = text.rfind("\n")
        self._partial = text[cut + 1:]
        start = 0
        while start <= cut:
            end = text.find("\n", start)
            yield _last_redraw(text[start:end])
            start = end + 1

    def finish(self) -> list[str]:
        rest, self._partial = self._partial, ""
        return [_last_redraw(rest)] if rest else []


def _last_redraw(line: str) -> str:
    # A carriage return redraws a progress line in a terminal; keep what it ends up showing.
    line = line.rstrip("\r")
    return line.rsplit("\r", 1)[-1]


class OutputBatcher:
    """Collects lines; ``take()`` hands out an ``Output`` when one is due."""

    def __init__(self, max_lines: int = MAX_LINES, max_delay: float = MAX_DELAY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_lines = max_lines
        self.max_delay = max_delay
        self._clock = clock
        self._lines: list[str] = []
        self._since: float | None = None  # when the oldest waiting line arrived

    def add(self, lines: Iterable[str]) -> None:
        before = len(self._lines)
        self._lines.extend(lines)
        if before == 0 and self._lines:
            self._since = self._clock()

    def add_line(self, line: str) -> Output | None:
        """Add one line; returns a full batch as soon as there is one."""
        if not self._lines:
            self._since = self._clock()
        self._lines.append(line)
        return self._drain() if len(self._lines) >= self.max_lines else None

    @property
    def pending(self) -> int:
        return len(self._lines)

    def due_in(self) -> float | None:
        """Seconds until the waiting lines are due (0 when due now); None when nothing waits."""
        if not self._lines:
            return None
        if len(self._lines) >= self.max_lines:
            return 0.0
        since = self._since if self._since is not None else self._clock()  # always set while a line waits
        return max(0.0, since + self.max_delay - self._clock())

    def take(self) -> list[Output]:
        """The batches that are due now: every full batch, plus the rest if it has waited long enough."""
        batches = []
        while len(self._lines) >= self.max_lines:
            batches.append(Output(tuple(self._lines[: self.max_lines])))
            del self._lines[: self.max_lines]
            self._since = self._clock()
        if self._lines and self.due_in() == 0.0:
            batches.append(self._drain())
        return batches

    def flush(self) -> Output | None:
        """Everything still waiting, due or not (at the end of a stream)."""
        return self._drain() if self._lines else None

    def _drain(self) -> Output:
        out = Output(tuple(self._lines))
        self._lines = []
        self._since = None
        return out
