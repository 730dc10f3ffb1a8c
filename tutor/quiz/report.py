"""The self-assessment report: steps, quiz answers and checklist states from saved progress.

Built once as plain data (:func:`build_report`), then written as Markdown, HTML or JSON.
Nothing secret goes in: evidence keys that name a secret are dropped and token-like
strings anywhere (even pasted into an answer) are masked.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from tutor.lesson.model import Lesson
from tutor.store import Progress

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
_STATUS_MARK = {"passed": "[x]", "done": "[x]", "correct": "[x]", "partly": "[~]", "skipped": "[-]"}


# --- data ---------------------------------------------------------------------------------


def scrub(value: Any) -> Any:
    """A copy of ``value`` with secret-named keys dropped and token-like strings masked."""
    if isinstance(value, Mapping):
        return {str(k): scrub(v) for k, v in value.items() if not _SECRET_KEY.search(str(k))}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    if isinstance(value, str):
        return _SECRET_VALUE.sub(REDACTED, value)
    return value


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
    for step in lesson.steps:
        record = progress.steps.get(step.id, {})
        steps.append({"id": step.id, "title": render(step.title), "optional": step.optional,
                      "status": record.get("status", "todo"), "at": when(record.get("at")),
                      "detail": scrub(record.get("detail", ""))})
    session = QuizSession(lesson, progress)
    questions = []
    for question in lesson.quiz:
        labels = _labels(question)
        attempts = []
        for attempt in progress.quiz.get(question.id, []):
            attempts.append({
                "at": when(attempt.get("at")),
                "form": attempt.get("form", ""),
                "answer": scrub(_answer_text(question, attempt.get("answer"))),
                "verdict": attempt.get("verdict", ""),
                "score": attempt.get("score", 0.0),
                "found": [labels.get(i, i) for i in attempt.get("found", [])],
                "missed": [labels.get(i, i) for i in attempt.get("missed", [])],
                "misconceptions": [{"label": labels.get(i, i), "correction": _correction(question, i)}
                                   for i in attempt.get("misconceptions", [])],
            })
        questions.append({"id": question.id, "prompt": render(question.prompt), "status": session.status(question.id),
                          "attempts": attempts, "explanation": render(question.explanation)})
    score = session.score()
    checklist = []
    for item in lesson.checklist:
        record = progress.checklist.get(item.id, {})
        checklist.append({"id": item.id, "text": render(item.text), "status": record.get("status", "todo"),
                          "reason": scrub(record.get("reason", "")), "evidence": scrub(record.get("evidence") or {}),
                          "at": when(record.get("at"))})
    done = sum(1 for s in steps if s["status"] in ("done", "passed"))
    return {
        "lesson": {"id": lesson.id, "title": render(lesson.title)},
        "generated": when(generated if generated is not None else datetime.now().timestamp()),
        "summary": {"steps_done": done, "steps": len(steps), "quiz_points": score.points, "quiz_out_of": score.out_of,
                    "quiz_correct": score.correct,
                    "checklist_passed": sum(1 for c in checklist if c["status"] == "passed"),
                    "checklist": len(checklist)},
        "steps": steps,
        "quiz": questions,
        "checklist": checklist,
    }


def _labels(question) -> dict[str, str]:
    labels: dict[str, str] = {}
    if question.rubric:
        labels.update({c.id: c.label for c in question.rubric.concepts})
        labels.update({m.id: m.label for m in question.rubric.misconceptions})
    if question.choice:
        labels.update({o.key: o.text for o in question.choice.options})
    return labels


def _correction(question, item_id: str) -> str:
    if question.rubric:
        for wrong in question.rubric.misconceptions:
            if wrong.id == item_id:
                return wrong.correction
    if question.choice:
        for option in question.choice.options:
            if option.key == item_id:
                return option.why
    return ""


def _answer_text(question, answer: Any) -> str:
    """Choice answers are saved as keys; show them with their option text."""
    if isinstance(answer, list):
        texts = {o.key: o.text for o in question.choice.options} if question.choice else {}
        return "; ".join(f"{key}) {texts.get(key, '?')}" for key in answer) or "(nothing chosen)"
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


def _flat(evidence: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Nested evidence -> ("quiz.verdict", "correct") pairs, in a stable order."""
    if isinstance(evidence, Mapping):
        pairs = []
        for key in evidence:
            pairs += _flat(evidence[key], f"{prefix}.{key}" if prefix else str(key))
        return pairs
    if isinstance(evidence, list):
        if all(not isinstance(v, (Mapping, list)) for v in evidence):
            return [(prefix, ", ".join(str(v) for v in evidence))]
        return [pair for i, v in enumerate(evidence) for pair in _flat(v, f"{prefix}[{i}]")]
    return [(prefix, "" if evidence is None else str(evidence))]


def _md_inline(text: str) -> str:
    """Keep learner text from turning into Markdown structure (headings, lists, HTML)."""
    text = " ".join(str(text).split())
    return re.sub(r"([\\`*_<>\[\]#|])", r"\\\1", text)


def _lesson_md(text: str) -> str:
    """Lesson text is Markdown already; only fold it onto one line."""
    return " ".join(str(text).split())


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def _md_status_line(text: str, status: str, at: str) -> str:
    """`- [x] Text: status (when)` for a step or a checklist item."""
    line = f"- {_STATUS_MARK.get(status, '[ ]')} {_lesson_md(text)}: {status}"
    return f"{line} ({at})" if at else line


def to_markdown(data: dict[str, Any]) -> str:
    s = data["summary"]
    out = [f"# Self-assessment: {data['lesson']['title']}", "",
           f"Lesson `{data['lesson']['id']}`, report written {data['generated']}.", "",
           f"- Steps done: {s['steps_done']}/{s['steps']}",
           f"- Quiz score: {s['quiz_points']:g}/{s['quiz_out_of']} ({s['quiz_correct']} correct)",
           f"- Checklist: {s['checklist_passed']}/{s['checklist']} passed", "", "## Steps", ""]
    for step in data["steps"]:
        out.append(_md_status_line(step["title"], step["status"], step["at"]))
        if step["detail"]:
            out.append(f"  - {_md_inline(step['detail'])}")
    out += ["", "## Quiz", ""]
    for question in data["quiz"]:
        out += [f"### {_lesson_md(question['prompt'])}", "", f"Status: **{question['status']}**", ""]
        for number, attempt in enumerate(question["attempts"], 1):
            out.append(f"{number}. {attempt['at']}: **{attempt['verdict']}** (score {attempt['score']:g})")
            answer = attempt["answer"] if attempt["form"] == "choice" else _md_inline(attempt["answer"])
            out.append(f"   > {_lesson_md(answer) or '(empty)'}")
            if attempt["found"]:
                out.append(f"   - Ideas found: {_lesson_md('; '.join(attempt['found']))}")
            if attempt["missed"]:
                out.append(f"   - Ideas missed: {_lesson_md('; '.join(attempt['missed']))}")
            for wrong in attempt["misconceptions"]:
                out.append(f"   - Misconception: {_sentence(_lesson_md(wrong['label']))} "
                           f"{_lesson_md(wrong['correction'])}")
        if not question["attempts"]:
            out.append("Not answered yet.")
        elif question["explanation"]:  # not before an answer: the report should not spoil the quiz
            quoted = [f"> {line}" if line else ">" for line in question["explanation"].splitlines()]
            out += ["", "Explanation:", ""] + quoted
        out.append("")
    out += ["## Checklist", ""]
    for item in data["checklist"]:
        out.append(_md_status_line(item["text"], item["status"], item["at"]))
        if item["reason"]:
            out.append(f"  - {_md_inline(item['reason'])}")
        for key, value in _flat(item["evidence"]):
            out.append(f"  - {_md_inline(key)}: `{value.replace('`', chr(39))}`")
    return "\n".join(out).rstrip() + "\n"


def to_html(data: dict[str, Any]) -> str:
    e = lambda value: html.escape(str(value), quote=True)  # noqa: E731
    s = data["summary"]
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>Self-assessment: {e(data['lesson']['title'])}</title>",
             "<style>body{font-family:sans-serif;max-width:50em;margin:auto;padding:1em}"
             ".correct,.passed,.done{color:#070}.partly{color:#a60}.incorrect,.failed{color:#b00}"
             "blockquote{border-left:3px solid #ccc;margin:0.3em 0;padding-left:0.6em}</style></head><body>",
             f"<h1>Self-assessment: {e(data['lesson']['title'])}</h1>",
             f"<p>Lesson <code>{e(data['lesson']['id'])}</code>, report written {e(data['generated'])}.</p>",
             f"<ul><li>Steps done: {s['steps_done']}/{s['steps']}</li>",
             f"<li>Quiz score: {s['quiz_points']:g}/{s['quiz_out_of']} ({s['quiz_correct']} correct)</li>",
             f"<li>Checklist: {s['checklist_passed']}/{s['checklist']} passed</li></ul>",
             "<h2>Steps</h2>", "<ul>"]
    for step in data["steps"]:
        at = f" <small>{e(step['at'])}</small>" if step["at"] else ""
        detail = f"<br><small>{e(step['detail'])}</small>" if step["detail"] else ""
        parts.append(f'<li>{e(step["title"])}: <span class="{e(step["status"])}">{e(step["status"])}</span>{at}'
                     f"{detail}</li>")
    parts += ["</ul>", "<h2>Quiz</h2>"]
    for question in data["quiz"]:
        parts.append(f'<h3>{e(question["prompt"])}</h3><p>Status: '
                     f'<strong class="{e(question["status"])}">{e(question["status"])}</strong></p>')
        if question["attempts"]:
            parts.append("<ol>")
            for attempt in question["attempts"]:
                items = [f'<li>{e(attempt["at"])}: <strong class="{e(attempt["verdict"])}">{e(attempt["verdict"])}'
                         f'</strong> (score {attempt["score"]:g})<blockquote>{e(attempt["answer"]) or "(empty)"}'
                         "</blockquote><ul>"]
                if attempt["found"]:
                    items.append(f"<li>Ideas found: {e('; '.join(attempt['found']))}</li>")
                if attempt["missed"]:
                    items.append(f"<li>Ideas missed: {e('; '.join(attempt['missed']))}</li>")
                for wrong in attempt["misconceptions"]:
                    items.append(f"<li>Misconception: {e(_sentence(wrong['label']))} {e(wrong['correction'])}</li>")
                parts.append("".join(items) + "</ul></li>")
            parts.append("</ol>")
        else:
            parts.append("<p>Not answered yet.</p>")
        if question["attempts"] and question["explanation"]:
            parts.append(f"<details><summary>Explanation</summary><p>{e(question['explanation'])}</p></details>")
    parts += ["<h2>Checklist</h2>", "<ul>"]
    for item in data["checklist"]:
        at = f" <small>{e(item['at'])}</small>" if item["at"] else ""
        evidence = "".join(f"<li>{e(k)}: <code>{e(v)}</code></li>" for k, v in _flat(item["evidence"]))
        reason = f"<br>{e(item['reason'])}" if item["reason"] else ""
        parts.append(f'<li>{e(item["text"])}: <span class="{e(item["status"])}">{e(item["status"])}</span>{at}'
                     f"{reason}{f'<ul>{evidence}</ul>' if evidence else ''}</li>")
    parts += ["</ul>", "</body></html>"]
    return "\n".join(parts) + "\n"


# --- the app's shortcut -------------------------------------------------------------------


def write_default_report(session: Any, fmt: str = "md") -> Path:
    """Write the report beside the progress file (the app's "Self-assessment report" command)."""
    from tutor.store import atomic_write

    data = build_report(session.lesson, session.progress, session.values())
    path = Path(session.store.folder) / f"report-{session.lesson.id}.{fmt}"
    atomic_write(path, render(data, fmt))
    return path
