"""The last run of a step, kept so that a learner who comes back to the step sees what happened.

Only what the action pane draws is kept: the output's last lines (notes in their place),
each layer's latest state and how the run ended. Replayed through the pane it gives the
same picture without holding a 100,000-line build a second time. The command is left
out on purpose: the pane shows the command that `r` would run now, which may differ
after a settings change; the output says what the earlier run did.
"""

from __future__ import annotations

from collections import deque

from tutor.docker_ops import events as ev

# Enough to see how a run ended; the live log keeps more while the run is on screen.
REPLAY_LINES = 1000


class Recording:
    def __init__(self, max_lines: int = REPLAY_LINES) -> None:
        self._lines: deque[str] = deque(maxlen=max_lines)
        self._layers: dict[str, ev.LayerProgress] = {}
        self._end: ev.Succeeded | ev.Failed | None = None
        self._finished_as: object = None

    def add(self, event: object) -> None:
        match event:
            case ev.Output(lines=lines):
                self._lines.extend(lines)
            case ev.Notice(text=text):
                self._lines.append(f"note: {text}")
            case ev.LayerProgress():
                self._layers[event.layer] = event
            case ev.Succeeded() | ev.Failed():
                self._end = event
            case ev.CommandLine():
                self._end = None  # a step's next action starts: its outcome is not known yet

    def finish(self, saved: object) -> None:
        """The run is over; *saved* is what the step's saved state became (any comparable value)."""
        self._finished_as = saved

    def replay(self, saved: object) -> list[object]:
        """Events that draw the run again: the output and the layers, then its verdict while
        the step's saved state is still what this run left (not marked done, skipped or
        checked by hand since). A `run` that was serving and then stopped has no verdict here.
        """
        replayed: list[object] = [ev.Output(tuple(self._lines))] if self._lines else []
        replayed += self._layers.values()
        if self._end is not None and saved == self._finished_as:
            replayed.append(self._end)
        return replayed
