"""The self-assessment report written for a person: Markdown (:func:`to_markdown`), and HTML
rendered from that same Markdown (:func:`to_html`), so both say the same things.

They read the plain data of :func:`tutor.quiz.report.build_report`, already scrubbed of secrets,
and turn it into dates, sentences and tables. Learner text (answers, reasons, evidence) is
escaped so that it cannot make Markdown structure; the HTML keeps no raw HTML from anywhere.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from tutor.states import CheckStatus, StepState, Verdict

# What each saved status means to the learner, per part of the report.
_STEP_WORDS = {StepState.TODO: "not started", StepState.DONE: "✔ done", StepState.FAILED: "✘ failed",
               StepState.SKIPPED: "skipped", StepState.STALE: "done with other settings",
               StepState.CANCELLED: "cancelled",
               CheckStatus.PASSED: "✔ done"}  # a step marked passed by a check, as some files have it
_QUIZ_WORDS = {Verdict.TODO: "not answered", Verdict.CORRECT: "✔ correct", Verdict.PARTLY: "◐ partly right",
               Verdict.INCORRECT: "✘ not right yet"}
_CHECK_WORDS = {CheckStatus.TODO: "not checked", CheckStatus.PASSED: "✔ passed", CheckStatus.FAILED: "✘ failed",
                CheckStatus.SKIPPED: "skipped", CheckStatus.ERROR: "could not check",
                CheckStatus.RUNNING: "not finished"}


def human_time(value: Any) -> str:
    """Seconds since the epoch (or an ISO time) -> "2 Dec 2026, 14:05" in local time; "" when unreadable."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else datetime.fromtimestamp(float(value))
    except (TypeError, ValueError, OverflowError, OSError):
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone()  # shown in the reader's own time zone
    return f"{moment.day} {moment:%b %Y, %H:%M}"



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


def _kept(value: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
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

_STYLE = ("body{font-family:sans-serif;max-width:50em;margin:auto;padding:1em}"
          "table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:0.2em 0.6em;text-align:left}"
          "blockquote{border-left:3px solid #ccc;margin:0.3em 0;padding-left:0.6em}")


def to_html(data: dict[str, Any]) -> str:
    """The Markdown report as one self-contained HTML page. Raw HTML in any text stays text
    (``html`` off), images are not fetched (``image`` off: a link remains), and markdown-it
    refuses ``javascript:`` and similar links."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")
    title = html.escape(f"Self-assessment: {' '.join(str(data['lesson']['title']).split())}", quote=True)
    return ("<!DOCTYPE html>\n"
            f'<html lang="en"><head><meta charset="utf-8">\n<title>{title}</title>\n'
            f"<style>{_STYLE}</style></head><body>\n"
            f"{parser.render(to_markdown(data))}</body></html>\n")
