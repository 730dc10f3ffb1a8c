"""One learner's progress through one lesson (:class:`Progress`), and the shape a progress file
must have to be read as one (:func:`progress_from`; anything else is treated as corrupt).

Every field is plain JSON; states are the StrEnums of :mod:`tutor.states`, which serialise as
the strings the files have always held. Saving and merging are :mod:`tutor.store`'s.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, fields
from typing import Any

from tutor.states import StepState


def now() -> float:
    return round(time.time(), 3)


@dataclass
class Progress:
    """One learner's progress through one lesson; every field is plain JSON."""

    lesson: str
    # id -> {status, at, detail, commands}: the commands it was done with (absent in older files)
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    quiz: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # id -> attempts
    # id -> {status, reason, evidence, at}; a Verify item checked on the lesson screen is "verify:ID"
    checklist: dict[str, dict[str, Any]] = field(default_factory=dict)
    hints: dict[str, int] = field(default_factory=dict)  # step id -> hints opened
    position: str = ""  # the outline entry the learner was on
    # Resets on purpose, timed, so that merging with another process's copy cannot bring back
    # what was reset (tutor/progress_merge.py): step id -> when it was reset, and the whole lesson.
    resets: dict[str, float] = field(default_factory=dict)
    reset_at: float | None = None

    def set_step(self, step_id: str, status: str, detail: str = "", commands: list[str] | None = None) -> None:
        self.steps[step_id] = {"status": status, "at": now(), "detail": detail}
        if commands is not None:
            self.steps[step_id]["commands"] = list(commands)

    def step_status(self, step_id: str) -> str:
        """The saved status alone (the app's mark also asks whether it is stale: Session.step_state)."""
        return self.steps.get(step_id, {}).get("status", StepState.TODO)

    def add_attempt(self, question_id: str, answer: Any, verdict: str, score: float, **extra: Any) -> None:
        attempt = {"answer": answer, "verdict": verdict, "score": score, "at": now(), **extra}
        self.quiz.setdefault(question_id, []).append(attempt)

    def last_attempt(self, question_id: str) -> dict[str, Any] | None:
        attempts = self.quiz.get(question_id)
        return attempts[-1] if attempts else None

    def set_check(self, item_id: str, status: str, reason: str = "", evidence: dict | None = None) -> None:
        self.checklist[item_id] = {"status": status, "reason": reason, "evidence": evidence or {}, "at": now()}

    def open_hint(self, step_id: str) -> int:
        self.hints[step_id] = self.hints.get(step_id, 0) + 1
        return self.hints[step_id]

    def reset_step(self, step_id: str) -> None:
        self.steps.pop(step_id, None)
        self.hints.pop(step_id, None)
        self.resets[step_id] = now()

    def reset_all(self) -> None:
        """Every step, answer, check and hint gone, in place (screens hold this object)."""
        for records in (self.steps, self.quiz, self.checklist, self.hints, self.resets):
            records.clear()
        self.position = ""
        self.reset_at = now()

    def to_json(self) -> str:
        return json.dumps({f.name: getattr(self, f.name) for f in fields(self)}, indent=2, sort_keys=True)

    def plain(self) -> dict[str, Any]:
        """A copy as the JSON file holds it (tuples become lists): what merging compares."""
        return json.loads(self.to_json())

    def replace_with(self, data: dict[str, Any]) -> None:
        for f in fields(self):
            if f.name in data:
                setattr(self, f.name, data[f.name])


_NUMBER = (int, float)
# The JSON shape of each Progress field: a file with another shape is treated as corrupt.
_SHAPES = {"steps": (dict, dict), "quiz": (dict, list), "checklist": (dict, dict), "hints": (dict, int),
           "position": (str, None), "resets": (dict, _NUMBER)}
# ...and of the keys the tutor reads inside each record (other keys are kept as they are).
_TEXTS = "list of text"
_RECORDS = {
    "steps": {"status": str, "at": (*_NUMBER, type(None)), "detail": str, "commands": _TEXTS,
              "done_before": (dict, type(None))},
    "checklist": {"status": str, "reason": str, "evidence": (dict, type(None)), "at": (*_NUMBER, type(None))},
    "quiz": {"answer": (str, _TEXTS, type(None)), "verdict": str, "score": _NUMBER, "at": (*_NUMBER, type(None)),
             "form": str, "found": _TEXTS, "missed": _TEXTS, "misconceptions": _TEXTS},
}


def _fits(value: Any, shape: Any) -> bool:
    if shape == _TEXTS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if isinstance(shape, tuple):
        return any(_fits(value, one) for one in shape)
    return isinstance(value, shape)


def _check_record(field_name: str, key: str, record: dict[str, Any]) -> None:
    for name, shape in _RECORDS[field_name].items():
        if name in record and not _fits(record[name], shape):
            raise ValueError(f"'{field_name}' entry '{key}' has a '{name}' of the wrong shape")


def progress_from(data: Any, lesson_id: str) -> Progress:
    if not isinstance(data, dict) or data.get("lesson") != lesson_id:
        raise ValueError("not a progress file for this lesson")
    for name, (outer, inner) in _SHAPES.items():
        value = data.get(name, outer())
        if not isinstance(value, outer) or (inner and not all(isinstance(v, inner) for v in value.values())):
            raise ValueError(f"'{name}' has the wrong shape")
    if not _fits(data.get("reset_at"), (*_NUMBER, type(None))):
        raise ValueError("'reset_at' has the wrong shape")
    for name in ("steps", "checklist"):
        for key, record in data.get(name, {}).items():
            _check_record(name, key, record)
    for key, attempts in data.get("quiz", {}).items():
        if not all(isinstance(a, dict) for a in attempts):
            raise ValueError("'quiz' has the wrong shape")
        for attempt in attempts:
            _check_record("quiz", key, attempt)
    known = {f.name for f in fields(Progress)}
    return Progress(**{k: v for k, v in data.items() if k in known})


def plain_from_text(text: str, lesson_id: str) -> dict[str, Any]:
    """A progress file's text as plain JSON with every field (ValueError when it is not one)."""
    progress = progress_from(json.loads(text), lesson_id)  # fresh objects, shared with nothing
    return {f.name: getattr(progress, f.name) for f in fields(progress)}
