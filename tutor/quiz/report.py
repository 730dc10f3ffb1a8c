"""The self-assessment report: steps, quiz answers and checklist states from saved progress.

Built once as plain data (:func:`build_report`), then written as Markdown, HTML or JSON.
The data keeps machine-friendly values (ISO times, ids, nested evidence); Markdown and
HTML are written for a person: dates, sentences, tables. Nothing secret goes in: evidence
keys that name a secret are dropped and token-like strings anywhere (even pasted into an
answer) are masked.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping
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
DEFAULT_NAME = "docker-tutor-report.md"  # in the learner's home folder unless they choose another place

# What each saved status means to the learner, per part of the report.
_STEP_WORDS = {"todo": "not started", "done": "✔ done", "passed": "✔ done", "failed": "✘ failed",
               "skipped": "skipped", "stale": "done with other settings", "cancelled": "cancelled"}
_QUIZ_WORDS = {"todo": "not answered", "correct": "✔ correct", "partly": "◐ partly right",
               "incorrect": "✘ not right yet"}
_CHECK_WORDS = {"todo": "not checked", "passed": "✔ passed", "failed": "✘ failed", "skipped": "skipped",
                "error": "could not check", "running": "not finished"}


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


def human_time(value: Any) -> str:
    """Seconds since the epoch (or an ISO time) -> "2 Dec 2026, 14:05" in local time; "" when unreadable."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else datetime.fromtimestamp(float(value))
    except (TypeError, ValueError, OverflowError, OSError):
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone()  # shown in the reader's own time zone
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def build_report(lesson: Lesson, progress: Progress, values: Mapping[str, str] | None = None,
                 generated: float | None = None) -> dict[str, Any]:
    from tutor.quiz.session import QuizSession

    render = lambda text: lesson.render(text, values)  # noqa: E731
    steps = []
    for number, step in enumerate(lesson.steps, 1):
        record = progress.steps.get(step.id, {})
        steps.append({"id": step.id, "number": number, "title": render(step.title), "optional": step.optional,
                      "status": record.get("status", "todo"), "at": when(record.get("at")),
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


def _choices(question, answer: Any, render: Callable[[str], str]) -> list[dict[str, str]]:
    """A choice answer's options one by one (key and text); [] for an answer in words."""
    if not isinstance(answer, list):
        return []
    texts = {o.key: o.text for o in question.choice.options} if question.choice else {}
    return [{"key": _shown(str(key)), "text": render(texts.get(key, "?"))} for key in answer]


def _answer_text(question, answer: Any, render: Callable[[str], str]) -> str:
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
    from tutor.store import atomic_write

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


def _summary_sentence(summary: Mapping[str, Any]) -> str:
    return (f"You have done {summary['steps_done']} of {summary['steps']} steps, scored "
            f"{summary['quiz_points']:g} of {summary['quiz_out_of']} in the quiz ({summary['quiz_correct']} "
            f"{'answer' if summary['quiz_correct'] == 1 else 'answers'} correct) and passed "
            f"{summary['checklist_passed']} of {summary['checklist']} checklist items.")


def _points(score: Any) -> str:
    try:
        value = float(score)
    except (TypeError, ValueError):
        return ""
    return f"{value:g} {'point' if value == 1 else 'points'}"


def _humane_key(key: str) -> str:
    """An evidence key as words ("anonymous_status" -> "anonymous status"); names such as
    image references are kept as they are."""
    return key if re.search(r"[/:.]", key) else key.replace("_", " ")


def _is_time_key(key: str) -> bool:
    return key in ("at", "created", "checked", "time") or key.endswith(("_at", "_time"))


def _kept(value: Mapping[str, Any]):
    """(key, item) pairs of one level of evidence; empty items say nothing and are left out,
    and a list of groups becomes numbered groups."""
    for key, item in value.items():
        if item is None or item == "" or item == {} or item == []:
            continue
        if isinstance(item, list) and any(isinstance(v, (Mapping, list)) for v in item):
            item = {str(i): v for i, v in enumerate(item, 1)}
        yield str(key), item


def _facts(evidence: Any, depth: int = 0) -> list[tuple[int, str, Any]]:
    """Nested evidence -> (depth, key, value) rows in a stable order; None as the value marks
    the heading of a nested group."""
    rows: list[tuple[int, str, Any]] = []
    if isinstance(evidence, Mapping):
        for key, item in _kept(evidence):
            if isinstance(item, Mapping):
                rows.append((depth, key, None))
                rows += _facts(item, depth + 1)
            else:
                rows.append((depth, key, item))
    return rows


def _fact_value(key: str, value: Any) -> str:
    """One evidence value as a person reads it: yes/no, a date, or the value itself."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_fact_value(key, v) for v in value)
    if _is_time_key(key) and human_time(value):
        return human_time(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# --- Markdown -----------------------------------------------------------------------------

_MD_LINE_START = re.compile(r"^(\s*)(\d+)?([#>+=*-]|(?<=\d)[.)])")


def _md_text(text: Any) -> str:
    """Learner text (an answer, a reason) as one Markdown line that keeps its own characters:
    only what would turn into structure (HTML, code, links, a heading or list at the start)
    is escaped, so underscores and the like read as written."""
    text = " ".join(str(text).split())
    text = re.sub(r"\\(?=[!-/:-@\[-`{-~])", r"\\\\", text)  # a backslash that would escape
    text = text.replace("`", "\\`")
    text = re.sub(r"\](?=[(\[])", r"\\]", text)  # [text](url) or [text][ref] would be a link
    text = re.sub(r"<(?=[A-Za-z/!?])", r"\\<", text)
    # "1." or "127.0.0.1" would start a list: the escape goes before the punctuation ("127\."),
    # since a backslash before a digit is no escape and would be shown.
    return _MD_LINE_START.sub(lambda m: m.group(1) + (m.group(2) or "") + "\\" + m.group(3), text)


def _lesson_md(text: str) -> str:
    """Lesson text is Markdown already; only fold it onto one line."""
    return " ".join(str(text).split())


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def _cell(text: str) -> str:
    """Markdown inside a table cell: one line, and no | that would end the cell."""
    return _lesson_md(text).replace("|", "\\|")


def _code(value: Any) -> str:
    text = " ".join(str(value).split())
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def _technical(text: str) -> bool:
    """A digest, reference, address or path: read best as code (a plain word is not)."""
    return " " not in text.strip() and bool(re.search(r"[/:@]|\.\w", text))


def _md_fact(key: str, value: Any) -> str:
    name = _code(key) if _technical(key) else _humane_key(key)
    if value is None:
        return f"{name}:"
    shown = _fact_value(key, value)
    return f"{name}: {_code(shown) if _technical(shown) else _md_text(shown)}"


def _md_quote(text: str) -> list[str]:
    """The learner's answer as a block quote, each of their lines a paragraph of its own."""
    lines = [_md_text(line) for line in str(text).splitlines() if line.strip()]
    quoted: list[str] = []
    for line in lines or ["(empty)"]:
        quoted += [">", f"> {line}"] if quoted else [f"> {line}"]
    return quoted


def to_markdown(data: dict[str, Any]) -> str:
    written = human_time(data["generated"])
    out = [f"# Self-assessment: {data['lesson']['title']}", "",
           f"Written {written} for the lesson “{data['lesson']['id']}”." if written
           else f"For the lesson “{data['lesson']['id']}”.", "",
           _summary_sentence(data["summary"]), "", "## Steps", "",
           "| Step | State | When |", "|------|-------|------|"]
    for step in data["steps"]:
        title = f"{step.get('number', '')}. {step['title']}".lstrip(". ")
        if step["optional"]:
            title += " (optional)"
        out.append(f"| {_cell(title)} | {_STEP_WORDS.get(step['status'], step['status'])} | "
                   f"{human_time(step['at']) or '—'} |")
    details = [step for step in data["steps"] if step["detail"]]
    if details:
        out += ["", "What happened:", ""]
        out += [f"- **{_lesson_md(step['title'])}**: {_md_text(step['detail'])}" for step in details]
    out += ["", "## Quiz", "", "| # | Question | Result | Answers |", "|---|----------|--------|---------|"]
    for question in data["quiz"]:
        attempts = question["attempts"]
        result = _QUIZ_WORDS.get(question["status"], question["status"])
        if attempts and _points(attempts[-1]["score"]):
            result += f" ({_points(attempts[-1]['score'])})"
        out.append(f"| {question.get('number', '')} | {_cell(question['prompt'])} | {result} | {len(attempts)} |")
    for question in data["quiz"]:
        out += ["", f"### {question.get('number', '')}. {_lesson_md(question['prompt'])}".replace("### . ", "### "),
                ""]
        attempts = question["attempts"]
        if not attempts:
            out.append("Not answered yet.")
            continue
        for number, attempt in enumerate(attempts, 1):
            verdict = _QUIZ_WORDS.get(attempt["verdict"], attempt["verdict"] or "not graded")
            when = f" on {human_time(attempt['at'])}" if human_time(attempt["at"]) else ""
            choice = attempt["form"] == "choice"
            heading = f"Answer {number} of {len(attempts)}" if len(attempts) > 1 else "Your answer"
            out += [f"{heading}{when}: you {'chose' if choice else 'wrote'}", ""]
            if choice:  # the options are lesson text (Markdown already), one line each
                chosen = [f"{c['key']}) {_lesson_md(c['text'])}" for c in attempt.get("choices", [])]
                for line in chosen or ["(nothing chosen)"]:
                    out += [">", f"> {line}"] if out[-1].startswith(">") else [f"> {line}"]
            else:
                out += _md_quote(attempt["answer"])
            out += ["", f"**{verdict}** ({_points(attempt['score']) or 'no score'})", ""]
            right, missing = ("Right choice", "Right, not chosen") if choice else ("Idea you had", "Idea missing")
            out += [f"- ✔ {right}: {_sentence(_lesson_md(label))}" for label in attempt["found"]]
            for wrong in attempt["misconceptions"]:
                label = "Not right" if choice else "Misconception"
                out.append(f"- ✘ {label}: {_sentence(_lesson_md(wrong['label']))} {_lesson_md(wrong['correction'])}")
            out += [f"- ○ {missing}: {_sentence(_lesson_md(label))}" for label in attempt["missed"]]
            if out[-1]:
                out.append("")
        if question["explanation"]:  # only after an answer: the report should not spoil the quiz
            quoted = [f"> {line}" if line else ">" for line in question["explanation"].splitlines()]
            out += ["**Explanation**", ""] + quoted
    out += ["", "## Checklist", "", "| Item | State | When |", "|------|-------|------|"]
    for item in data["checklist"]:
        out.append(f"| {_cell(item['text'])} | {_CHECK_WORDS.get(item['status'], item['status'])} | "
                   f"{human_time(item['at']) or '—'} |")
    for item in data["checklist"]:
        facts = _facts(item["evidence"])
        if not item["reason"] and not facts:
            continue
        out += ["", f"### {_lesson_md(item['text'])}", ""]
        if item["reason"]:
            out += [_sentence(_md_text(item["reason"])), ""]
        if facts:
            out += ["What the check saw:", ""]
            out += [f"{'  ' * depth}- {_md_fact(key, value)}" for depth, key, value in facts]
    return "\n".join(out).rstrip() + "\n"


# --- HTML ---------------------------------------------------------------------------------


def _html_facts(evidence: Any) -> str:
    """Nested evidence as nested lists, in words."""
    if not isinstance(evidence, Mapping):
        return ""
    items = []
    for key, item in _kept(evidence):
        name = html.escape(_humane_key(key))
        if isinstance(item, Mapping):
            items.append(f"<li>{name}:{_html_facts(item)}</li>")
        else:
            items.append(f"<li>{name}: <code>{html.escape(_fact_value(key, item))}</code></li>")
    return f"<ul>{''.join(items)}</ul>" if items else ""


def to_html(data: dict[str, Any]) -> str:
    e = lambda value: html.escape(str(value), quote=True)  # noqa: E731
    written = human_time(data["generated"])
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>Self-assessment: {e(data['lesson']['title'])}</title>",
             "<style>body{font-family:sans-serif;max-width:50em;margin:auto;padding:1em}"
             "table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:0.2em 0.6em;text-align:left}"
             ".correct,.passed,.done{color:#070}.partly{color:#a60}.incorrect,.failed{color:#b00}"
             "blockquote{border-left:3px solid #ccc;margin:0.3em 0;padding-left:0.6em}</style></head><body>",
             f"<h1>Self-assessment: {e(data['lesson']['title'])}</h1>",
             f"<p>Written {e(written)} for the lesson “{e(data['lesson']['id'])}”.</p>" if written else
             f"<p>For the lesson “{e(data['lesson']['id'])}”.</p>",
             f"<p>{e(_summary_sentence(data['summary']))}</p>",
             "<h2>Steps</h2>", "<table><tr><th>Step</th><th>State</th><th>When</th></tr>"]
    for step in data["steps"]:
        title = f"{step.get('number', '')}. {step['title']}".lstrip(". ") + (" (optional)" if step["optional"] else "")
        detail = f"<br><small>{e(step['detail'])}</small>" if step["detail"] else ""
        parts.append(f'<tr><td>{e(title)}{detail}</td><td class="{e(step["status"])}">'
                     f'{e(_STEP_WORDS.get(step["status"], step["status"]))}</td>'
                     f'<td>{e(human_time(step["at"]))}</td></tr>')
    parts += ["</table>", "<h2>Quiz</h2>"]
    for question in data["quiz"]:
        status = question["status"]
        parts.append(f'<h3>{e(question.get("number", ""))}. {e(question["prompt"])}</h3><p>Result: '
                     f'<strong class="{e(status)}">{e(_QUIZ_WORDS.get(status, status))}</strong></p>')
        if question["attempts"]:
            parts.append("<ol>")
            for attempt in question["attempts"]:
                verdict = attempt["verdict"]
                items = [f'<li>{e(human_time(attempt["at"]))}: <strong class="{e(verdict)}">'
                         f'{e(_QUIZ_WORDS.get(verdict, verdict))}</strong> ({e(_points(attempt["score"]))})'
                         f'<blockquote>{e(attempt["answer"]) or "(empty)"}</blockquote><ul>']
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
    parts += ["<h2>Checklist</h2>", "<table><tr><th>Item</th><th>State</th><th>When</th></tr>"]
    for item in data["checklist"]:
        reason = f"<br>{e(item['reason'])}" if item["reason"] else ""
        parts.append(f'<tr><td>{e(item["text"])}{reason}{_html_facts(item["evidence"])}</td>'
                     f'<td class="{e(item["status"])}">{e(_CHECK_WORDS.get(item["status"], item["status"]))}</td>'
                     f'<td>{e(human_time(item["at"]))}</td></tr>')
    parts += ["</table>", "</body></html>"]
    return "\n".join(parts) + "\n"
