"""The self-assessment report in Markdown, HTML and JSON, from saved progress; nothing secret in it."""

from __future__ import annotations

import html.parser
import json
import re
import time
from types import SimpleNamespace

import pytest

from tutor.cli import main
from tutor.lesson import get_lesson
from tutor.quiz.report import ReportExists, build_report, format_for, human_time, render, save_report, scrub
from tutor.quiz.session import QuizSession
from tutor.store import Progress, ProgressStore

LESSON = get_lesson("04")
TOKEN = "dckr_pat_" + "Q" * 24
JWT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl"
DIGEST = "sha256:" + "a" * 64


@pytest.fixture
def saved(tmp_path):
    """A progress file with steps, answers (one containing HTML and a pasted token) and evidence."""
    store = ProgressStore(tmp_path / "state")
    progress = store.load(LESSON.id).value
    first, second = LESSON.steps[0].id, LESSON.steps[1].id
    progress.set_step(first, "done")
    progress.set_step(second, "failed", f"push denied; Authorization: Bearer {TOKEN}")
    quiz = QuizSession(LESSON, progress)
    quiz.answer("latest-in-k8s", "latest is always the newest <script>alert(1)</script>")
    quiz.answer("latest-in-k8s", f"latest moves with every push, you can't tell which version runs; my token {TOKEN}")
    quiz.answer("push-twice", ["a", "b"])
    progress.set_check("images-on-hub", "passed", "both images found on the registry",
                       {"poll-backend": {"digest": DIGEST, "password": "hunter2"}, "registry_token": JWT,
                        "authenticated": False})
    store.save(progress)
    return SimpleNamespace(store=store, folder=tmp_path / "state", first=first, second=second)


def _data(saved):
    return build_report(LESSON, saved.store.load(LESSON.id).value, {"username": "alice"})


def test_report_data(saved):
    data = _data(saved)
    assert data["lesson"] == {"id": LESSON.id, "title": LESSON.title}
    assert data["summary"]["steps_done"] == 1 and data["summary"]["steps"] == len(LESSON.steps)
    steps = {s["id"]: s for s in data["steps"]}
    assert steps[saved.first]["status"] == "done" and steps[saved.first]["at"].startswith("20")
    quiz = {q["id"]: q for q in data["quiz"]}
    latest = quiz["latest-in-k8s"]
    assert latest["status"] == "correct" and latest["explanation"]
    assert [a["verdict"] for a in latest["attempts"]] == ["incorrect", "correct"]
    assert latest["attempts"][0]["misconceptions"][0]["label"] == "latest always means the newest release"
    assert "whatever was last pushed" in latest["attempts"][0]["misconceptions"][0]["correction"]
    twice = quiz["push-twice"]["attempts"][0]
    assert twice["verdict"] == "incorrect" and twice["answer"].startswith("a) The tag `v1`")
    assert twice["misconceptions"][0]["correction"].startswith("Registries let you overwrite")
    assert quiz["layer-upload"]["status"] == "todo" and quiz["layer-upload"]["attempts"] == []
    checks = {c["id"]: c for c in data["checklist"]}
    assert checks["versioned-tags"]["status"] == "passed"  # ticked by the right answer
    assert checks["images-on-hub"]["evidence"]["poll-backend"]["digest"] == DIGEST
    assert checks["node-can-pull"]["status"] == "todo"


def test_nothing_secret_in_any_format(saved):
    data = _data(saved)
    for fmt in ("md", "html", "json"):
        text = render(data, fmt)
        for secret in (TOKEN, JWT, "hunter2"):
            assert secret not in text, (fmt, secret)
        assert DIGEST in text
    evidence = data["checklist"][[c["id"] for c in data["checklist"]].index("images-on-hub")]["evidence"]
    assert "password" not in evidence["poll-backend"] and "registry_token" not in evidence
    assert evidence["authenticated"] is False  # not secret, kept
    assert scrub({"auth": "x", "note": "Basic YWxpY2U6c2VjcmV0"}) == {"note": "[redacted]"}


def test_markdown(saved):
    text = render(_data(saved), "md")
    assert text.startswith(f"# Self-assessment: {LESSON.title}")
    assert "## Steps" in text and "## Quiz" in text and "## Checklist" in text
    assert "**✔ correct** (1 point)" in text and "**✘ not right yet** (0 points)" in text
    assert "- ✘ Misconception: latest always means the newest release." in text
    assert "\\<script>alert(1)\\</script>" in text and not re.search(r"(?<!\\)</?script", text)
    assert f"digest: `{DIGEST}`" in text
    assert "push denied; Authorization: [redacted]" in text  # the step detail, scrubbed
    # Explanations only for answered questions: the report does not give the quiz away.
    assert "Not answered yet." in text
    layer_explanation = LESSON.question("layer-upload").explanation.splitlines()[0]
    assert layer_explanation not in text
    assert LESSON.question("latest-in-k8s").explanation.splitlines()[0] in text


def test_markdown_is_written_for_a_person(saved):
    """Dates, sentences and tables; no epoch numbers, dotted keys or needless escapes."""
    data = _data(saved)
    text = render(data, "md")
    step = data["steps"][0]
    assert f"| 1. {step['title']} | ✔ done | {human_time(step['at'])} |" in text
    assert re.search(r"\| ✔ done \| \d{1,2} [A-Z][a-z]{2} 20\d\d, \d\d:\d\d \|", text)
    assert "You have done 1 of 6 steps, scored 1 of 8 in the quiz (1 answer correct)" in text
    prompt = LESSON.render(LESSON.question("explain-naming").prompt, {"username": "alice"})
    assert f"| 7 | {prompt} | not answered | 0 |" in text and "{username}" not in text
    item = next(c for c in data["checklist"] if c["id"] == "images-on-hub")
    assert f"| {item['text']} | ✔ passed |" in text
    # Evidence as a nested list in words.
    assert "- poll-backend:\n  - digest:" in text and "- authenticated: no" in text
    assert "poll-backend.digest" not in text and "registry_token" not in text
    assert not re.search(r"\b1[0-9]{9}(\.[0-9]+)?\b", text)  # no epoch seconds anywhere
    assert "\\_" not in text  # underscores are not escaped
    # A quiz check's own time (saved as epoch seconds in its evidence) is a date too.
    versioned = next(c for c in data["checklist"] if c["id"] == "versioned-tags")
    assert isinstance(versioned["evidence"]["quiz"]["at"], float)
    assert f"- at: {human_time(versioned['evidence']['quiz']['at'])}" in text


def test_choices_are_listed_one_by_one(saved):
    text = render(_data(saved), "md")
    assert "Your answer on " in text and ": you chose\n\n> a) The tag `v1` on the registry now points" in text
    assert "\n>\n> b) The second push fails because `v1` already exists." in text
    assert "- ✘ Not right: The second push fails because `v1` already exists. Registries let you" in text
    assert "- ○ Right, not chosen: A node that already has `v1`" in text


def test_learner_text_cannot_make_markdown_structure():
    progress = Progress(LESSON.id)
    quiz = QuizSession(LESSON, progress)
    quiz.answer("latest-in-k8s", "# heading\n- a list\n[link](http://x) `code` snake_case_name")
    text = render(build_report(LESSON, progress, {}), "md")
    assert "> \\# heading\n>\n> \\- a list\n>\n> [link\\](http://x) \\`code\\` snake_case_name" in text
    # What a Markdown reader makes of it: the answer stays one quote of plain paragraphs.
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(text)
    start = next(i for i, t in enumerate(tokens) if t.type == "blockquote_open")
    end = next(i for i, t in enumerate(tokens) if t.type == "blockquote_close" and i > start)
    quoted = [t.type for t in tokens[start:end] if t.type.startswith(("heading", "bullet", "ordered"))]
    inline = [c.type for t in tokens if t.type == "inline" for c in t.children or []]
    assert not quoted and "link_open" not in inline and "html_inline" not in inline


class _Collector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_escaped(saved):
    text = render(_data(saved), "html")
    assert text.startswith("<!DOCTYPE html>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    parser = _Collector()
    parser.feed(text)
    assert "script" not in parser.tags
    assert any("<script>alert(1)</script>" in chunk for chunk in parser.text)  # shown as text
    sections = [n for n, tag in enumerate(parser.tags) if tag == "h2"]  # steps, quiz, checklist
    assert parser.tags[sections[1]:sections[2]].count("h3") == len(LESSON.quiz)


def test_html_says_what_the_markdown_says(saved):
    """The HTML page is the Markdown rendered: every sentence of it is there, and it fetches nothing."""
    data = _data(saved)
    data["steps"][0]["title"] = 'Build ![logo](http://example.com/x.png) <img src=x onerror=alert(1)>'
    page = render(data, "html")
    parser = _Collector()
    parser.feed(page)
    shown = " ".join("".join(parser.text).split())
    for line in ("You have done 1 of 6 steps", "push denied; Authorization: [redacted]", "✘ not right yet",
                 "What the check saw:", "authenticated: no", "Not answered yet."):
        assert line in shown, line
    assert {"table", "blockquote", "h3"} <= set(parser.tags)
    assert "img" not in parser.tags and "script" not in parser.tags and "<img" not in page
    assert page.endswith("</body></html>\n")


def test_json(saved):
    data = json.loads(render(_data(saved), "json"))
    assert data["summary"]["quiz_correct"] == 1
    assert {q["id"] for q in data["quiz"]} == {q.id for q in LESSON.quiz}


def test_cli_report_formats(saved, tmp_path, capsys):
    assert main(["report", "--lesson", "04", "--state-dir", str(saved.folder)]) == 0
    assert capsys.readouterr().out.startswith("# Self-assessment")
    out = tmp_path / "out" / "report.html"
    assert main(["report", "--lesson", "04", "--state-dir", str(saved.folder), "-o", str(out)]) == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert "Report written to" in capsys.readouterr().err
    assert main(["report", "--state-dir", str(saved.folder), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["steps_done"] == 1


def test_cli_report_without_progress_and_bad_lesson(tmp_path, capsys):
    assert main(["report", "--state-dir", str(tmp_path / "empty"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["steps_done"] == 0 and all(q["status"] == "todo" for q in data["quiz"])
    assert main(["report", "--lesson", "nope", "--state-dir", str(tmp_path)]) == 2
    assert "no lesson named 'nope'" in capsys.readouterr().err


def test_save_report_picks_the_format_and_will_not_overwrite_unasked(saved, tmp_path, monkeypatch):
    data = _data(saved)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    written = save_report(data, "~/docker-tutor-report.md")
    assert written == tmp_path / "home" / "docker-tutor-report.md"
    assert written.read_text().startswith("# Self-assessment")
    with pytest.raises(ReportExists):
        save_report(data, written)
    assert save_report(data, written, overwrite=True) == written
    html_file = save_report(data, tmp_path / "r.HTML")
    assert html_file.read_text().startswith("<!DOCTYPE html>")
    assert json.loads(save_report(data, tmp_path / "r.json").read_text())["summary"]["steps_done"] == 1
    with pytest.raises(IsADirectoryError):
        save_report(data, tmp_path)
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError):  # not mistaken for a report that is already there
        save_report(data, tmp_path / "file" / "report.md")
    assert [format_for(name) for name in ("a.md", "a.htm", "a.json", "a.txt", "a")] == \
        ["md", "html", "json", "md", "md"]


def test_human_time(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        assert human_time("2026-12-02T14:05:09+01:00") == "2 Dec 2026, 13:05"  # in the reader's time zone
        assert human_time(1796220309) == "2 Dec 2026, 14:05"
    finally:
        monkeypatch.undo()
        time.tzset()
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} 20\d\d, \d\d:\d\d", human_time(1764684300.5))
    assert human_time(None) == "" and human_time("yesterday") == "" and human_time("") == ""


def test_a_line_starting_with_an_address_shows_no_backslash():
    from markdown_it import MarkdownIt

    from tutor.quiz.report_markdown import _md_text

    rendered = MarkdownIt().render(_md_text("127.0.0.1:5157/learner/poll-backend:v1 is on the registry"))
    assert rendered == "<p>127.0.0.1:5157/learner/poll-backend:v1 is on the registry</p>\n"
    assert "<ol" not in MarkdownIt().render(_md_text("1. not a list"))
