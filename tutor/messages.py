"""The messages the screens' workers post, in one module, each with the type it carries.

A worker hands each result to its screen as a message, so the screen takes it in turn with
the learner's keys and touches its widgets only from its own handlers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # for the annotations only: nothing here loads the probes before a check runs
    from tutor.docker_ops.events import Event
    from tutor.probes.results import CheckResult


@dataclass
class CheckDone(Message):
    """One checklist item's result, from the checklist's probe worker (tutor/screens/checklist.py)."""

    result: CheckResult


@dataclass
class StepEvent(Message):
    """One event from a running docker action, from the lesson screen's worker to its pane
    (tutor/screens/lesson.py)."""

    step_id: str
    event: Event
