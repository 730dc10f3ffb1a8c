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


class Recording:
    def __init__(self, max_lines: int) -> None:
        self._lines: deque[str] = deque(maxlen=max_lines)
        self._layers: dict[str, ev.LayerProgress] = {}
        self._end: ev.Succeeded | ev.Failed | None = None

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

    def replay(self, status: str) -> list[object]:
        """Events that draw the run again, given the step's saved status now.

        The output and the layers, then the outcome when it still is the step's status: a
        step marked done by hand after a failed run shows the failure's output, not its
        verdict. A step back to "todo" (reset, or never finished) shows nothing, and so does
        a `run` that was serving and then stopped: its saved status says how it went.
        """
        if status == "todo":
            return []
        replayed: list[object] = [ev.Output(tuple(self._lines))] if self._lines else []
        replayed += self._layers.values()
        if (isinstance(self._end, ev.Succeeded) and status == "done") or (
                isinstance(self._end, ev.Failed) and status == "failed"):
            replayed.append(self._end)
        return replayed
