"""The self-assessment report in Markdown, HTML and JSON, from saved progress; nothing secret in it."""

from __future__ import annotations

import html.parser
import json
from types import SimpleNamespace

import pytest

from tutor.cli import main
from tutor.lesson import get_lesson
from tutor.quiz.report import build_report, render, scrub, write_default_report
from tutor.quiz.session import QuizSession
from tutor.store import ProgressStore

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
    assert "**correct** (score 1)" in text and "**incorrect** (score 0)" in text
    assert "- Misconception: latest always means the newest release." in text
    assert "\\<script\\>" in text and "<script>" not in text
    assert f"poll-backend.digest: `{DIGEST}`" in text
    assert "push denied; Authorization: \\[redacted\\]" in text  # the step detail, scrubbed
    # Explanations only for answered questions: the report does not give the quiz away.
    assert "Not answered yet." in text
    layer_explanation = LESSON.question("layer-upload").explanation.splitlines()[0]
    assert layer_explanation not in text
    assert LESSON.question("latest-in-k8s").explanation.splitlines()[0] in text


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
    assert parser.tags.count("h3") == len(LESSON.quiz)


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


def test_write_default_report_for_the_app(saved):
    session = SimpleNamespace(lesson=LESSON, progress=saved.store.load(LESSON.id).value, store=saved.store,
                              values=lambda: {"username": "alice"})
    path = write_default_report(session)
    assert path.parent == saved.folder and path.suffix == ".md"
    assert "Self-assessment" in path.read_text()
