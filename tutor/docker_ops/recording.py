"""The last run of a step, kept so that a learner who comes back to the step sees what happened.

Only what the action pane draws is kept, command by command: the command, its output's
last lines (notes in their place), each layer's latest state and how it ended. Replayed
through the pane it gives the same picture without holding a 100,000-line build a second
time. The screen replays a run only while the step's commands are still the ones it ran:
after a settings change the old output would sit under a command it does not belong to.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from tutor.docker_ops import events as ev

# Enough to see how a run ended; the live log keeps more while the run is on screen.
REPLAY_LINES = 1000


@dataclass
class _Part:
    """One command of the run and what it printed."""

    command: str | None
    lines: deque[str] = field(default_factory=deque)
    layers: dict[str, ev.LayerProgress] = field(default_factory=dict)
    end: ev.Succeeded | ev.Failed | None = None


class Recording:
    def __init__(self, max_lines: int = REPLAY_LINES, planned: list[str] | None = None) -> None:
        self._max_lines = max_lines
        self._planned = planned  # the commands the run was started for, if the caller knows them
        self._parts: list[_Part] = [_Part(None)]
        self._line_count = 0
        self._finished_as: object = None
        self._ended: tuple[str, str] | None = None  # (text, pane state) of a run with no verdict: a server stopped

    @property
    def commands(self) -> list[str]:
        """The commands this run was for: as planned, else those it started, in order."""
        if self._planned is not None:
            return list(self._planned)
        return [part.command for part in self._parts if part.command is not None]

    def add(self, event: object) -> None:
        part = self._parts[-1]
        match event:
            case ev.CommandLine(text=text):
                self._parts.append(_Part(text))
            case ev.Output(lines=lines):
                self._keep(part, lines)
            case ev.Notice(text=text):
                self._keep(part, (f"note: {text}",))
            case ev.LayerProgress():
                part.layers[event.layer] = event
            case ev.Succeeded() | ev.Failed():
                part.end = event

    def _keep(self, part: _Part, lines) -> None:
        part.lines.extend(lines)
        self._line_count += len(lines)
        # Drop the oldest lines, of whichever command printed them, past the bound.
        for oldest in self._parts:
            while self._line_count > self._max_lines and oldest.lines:
                oldest.lines.popleft()
                self._line_count -= 1

    def finish(self, saved: object) -> None:
        """The run is over; *saved* is what the step's saved state became (any comparable value)."""
        self._finished_as = saved

    def ended(self, text: str, state: str) -> None:
        """How a run that gave no verdict of its own ended (a served container stopped with esc)."""
        self._ended = (text, state)

    def ending(self, saved: object) -> tuple[str, str] | None:
        """That ending, while the step's saved state is still what this run left."""
        return self._ended if saved == self._finished_as else None

    def replay(self, saved: object) -> list[object]:
        """Events that draw the run again, command by command: each command, its output and
        layers, and how it ended while the step's saved state is still what this run left
        (not marked done, skipped or checked by hand since). A `run` that was serving and
        then stopped has no verdict here.
        """
        verdicts = saved == self._finished_as
        replayed: list[object] = []
        for part in self._parts:
            if part.command is not None:
                replayed.append(ev.CommandLine(part.command))
            if part.lines:
                replayed.append(ev.Output(tuple(part.lines)))
            replayed += part.layers.values()
            if part.end is not None and verdicts:
                replayed.append(part.end)
        return replayed

    def verdict_replayed(self, saved: object) -> bool:
        return saved == self._finished_as and any(part.end is not None for part in self._parts)
