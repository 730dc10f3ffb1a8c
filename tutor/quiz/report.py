"""The self-assessment report: steps, quiz answers and checklist states from saved progress.

Built once as plain data (:func:`build_report`), then written as Markdown, HTML or JSON.
The data keeps machine-friendly values (ISO times, ids, nested evidence); Markdown and
HTML are written for a person (:mod:`tutor.quiz.report_markdown`). Nothing secret goes in: evidence
keys that name a secret are dropped and token-like strings anywhere (even pasted into an
answer) are masked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from tutor.lesson.model import Lesson, Question
from tutor.progress import Progress
from tutor.quiz.report_markdown import human_time as human_time  # the screens show times as the report does
from tutor.quiz.report_markdown import to_html, to_markdown
from tutor.states import CheckStatus, StepState

FORMATS = ("md", "html", "json")
REDACTED = "[redacted]"

# Keys named like a secret ("password", "registry_token", "auth") are dropped whole;
# "authenticated" or "token_realm" say nothing secret and stay.
_SECRET_KEY = re.compile(r"(?:^|[_.-])(?:password|passwd|pass|secret|token|auth|authorization|credentials?|cookie|"
                         r"api[_-]?key|private[_-]?key)$", re.IGNORECASE)
_SECRET_VALUE = re.compile(
    r"(?i:bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"  # HTTP authorisation values
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"  # JWTs
    r"|\b(?:dckr_pat_|ghp_|gho_|ghs_|github_pat_|glpat-)[A-Za-z0-9_-]{8,}"  # access tokens
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"
)
DEFAULT_NAME = "docker-tutor-report.md"  # in the learner's home folder unless they choose another place


# --- data ---------------------------------------------------------------------------------


def scrub(value: Any) -> Any:
    """A copy of ``value`` with secret-named keys dropped and token-like strings masked, and
    control characters shown as escapes (answers and reasons are input: an escape sequence in
    one must not reach the terminal or the report viewer)."""
    if isinstance(value, Mapping):
        return {_shown(str(k)): scrub(v) for k, v in value.items() if not _SECRET_KEY.search(str(k))}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    if isinstance(value, str):
        return _shown(_SECRET_VALUE.sub(REDACTED, value))
    return value


def _shown(text: str) -> str:
    if text.isprintable():
        return text  # nearly always: no import needed
    from tutor.visible import visible

    return visible(text, newlines=True)


def when(timestamp: Any) -> str:
    """Seconds since the epoch -> local ISO time; "" when missing or unreadable."""
    try:
        return datetime.fromtimestamp(float(timestamp)).astimezone().isoformat(timespec="seconds")
    except (TypeError, ValueError, OverflowError, OSError):
        return ""


def build_report(lesson: Lesson, progress: Progress, values: Mapping[str, str] | None = None,
                 generated: float | None = None) -> dict[str, Any]:
    from tutor.quiz.session import QuizSession

    render = lambda text: lesson.render(text, values)  # noqa: E731
    steps = []
    for number, step in enumerate(lesson.steps, 1):
        record = progress.steps.get(step.id, {})
        steps.append({"id": step.id, "number": number, "title": render(step.title), "optional": step.optional,
                      "status": record.get("status", StepState.TODO), "at": when(record.get("at")),
                      "detail": scrub(record.get("detail", ""))})
    session = QuizSession(lesson, progress)
    questions = []
    for number, question in enumerate(lesson.quiz, 1):
        labels = _labels(question)
        attempts = []
        for attempt in progress.quiz.get(question.id, []):
            attempts.append({
                "at": when(attempt.get("at")),
                "form": attempt.get("form", ""),
                "answer": scrub(_answer_text(question, attempt.get("answer"), render)),
                "choices": _choices(question, attempt.get("answer"), render),
                "verdict": attempt.get("verdict", ""),
                "score": attempt.get("score", 0.0),
                "found": [render(labels.get(i, i)) for i in attempt.get("found", [])],
                "missed": [render(labels.get(i, i)) for i in attempt.get("missed", [])],
                "misconceptions": [{"label": render(labels.get(i, i)), "correction": render(_correction(question, i))}
                                   for i in attempt.get("misconceptions", [])],
            })
        questions.append({"id": question.id, "number": number, "prompt": render(question.prompt),
                          "status": session.status(question.id),
                          "attempts": attempts, "explanation": render(question.explanation)})
    score = session.score()
    checklist = []
    for item in lesson.checklist:
        record = progress.checklist.get(item.id, {})
        checklist.append({"id": item.id, "text": render(item.text), "status": record.get("status", CheckStatus.TODO),
                          "reason": scrub(record.get("reason", "")), "evidence": scrub(record.get("evidence") or {}),
                          "at": when(record.get("at"))})
    done = sum(1 for s in steps if s["status"] in (StepState.DONE, CheckStatus.PASSED))
    return {
        "lesson": {"id": lesson.id, "title": render(lesson.title)},
        "generated": when(generated if generated is not None else datetime.now().timestamp()),
        "summary": {"steps_done": done, "steps": len(steps), "quiz_points": score.points, "quiz_out_of": score.out_of,
                    "quiz_correct": score.correct,
                    "checklist_passed": sum(1 for c in checklist if c["status"] == CheckStatus.PASSED),
                    "checklist": len(checklist)},
        "steps": steps,
        "quiz": questions,
        "checklist": checklist,
    }


def _labels(question: Question) -> dict[str, str]:
    labels: dict[str, str] = {}
    if question.rubric:
        labels.update({c.id: c.label for c in question.rubric.concepts})
        labels.update({m.id: m.label for m in question.rubric.misconceptions})
    if question.choice:
        labels.update({o.key: o.text for o in question.choice.options})
    return labels


def _correction(question: Question, item_id: str) -> str:
    if question.rubric:
        for wrong in question.rubric.misconceptions:
            if wrong.id == item_id:
                return wrong.correction
    if question.choice:
        for option in question.choice.options:
            if option.key == item_id:
                return option.why
    return ""


def _choices(question: Question, answer: Any, render: Callable[[str], str]) -> list[dict[str, str]]:
    """A choice answer's options one by one (key and text); [] for an answer in words."""
    if not isinstance(answer, list):
        return []
    texts = {o.key: o.text for o in question.choice.options} if question.choice else {}
    return [{"key": _shown(str(key)), "text": render(texts.get(key, "?"))} for key in answer]


def _answer_text(question: Question, answer: Any, render: Callable[[str], str]) -> str:
    """Choice answers are saved as keys; show them with their option text."""
    if isinstance(answer, list):
        texts = {o.key: o.text for o in question.choice.options} if question.choice else {}
        return "; ".join(f"{key}) {render(texts.get(key, '?'))}" for key in answer) or "(nothing chosen)"
    return str(answer if answer is not None else "")


# --- output -------------------------------------------------------------------------------


def render(data: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        return to_html(data)
    if fmt == "md":
        return to_markdown(data)
    raise ValueError(f"unknown report format '{fmt}' (formats: {', '.join(FORMATS)})")


def format_for(path: str | Path) -> str:
    """The format a file name asks for: .html/.htm and .json by their suffix, Markdown otherwise."""
    suffix = Path(path).suffix.lower().lstrip(".")
    return {"htm": "html", "html": "html", "json": "json"}.get(suffix, "md")


class ReportExists(Exception):
    """The chosen file is already there: ask before replacing it."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists")
        self.path = path


def save_report(data: dict[str, Any], path: str | Path, overwrite: bool = False) -> Path:
    """Write the report to ``path`` (``~`` allowed) in the format its suffix names; the full path written.

    Raises ReportExists when the file is there and ``overwrite`` is false, IsADirectoryError
    for a folder, and OSError when it cannot be written.
    """
    from tutor.atomic_files import atomic_write

    target = Path(path).expanduser().absolute()
    if target.is_dir():
        raise IsADirectoryError(21, "that is a folder, not a file", str(target))
    if target.exists() and not overwrite:
        raise ReportExists(target)
    try:
        atomic_write(target, render(data, format_for(target)))
    except FileExistsError as exc:  # making the folders found a file where a folder must be
        raise NotADirectoryError(20, "part of that path is a file, not a folder", str(target)) from exc
    return target
