"""`docker-tutor grade`: one answer (text and JSON), a class's CSV sheet, and the error cases."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tutor.cli import main
from tutor.lesson import get_lesson
from tutor.quiz.classroom import SheetError, grade_sheet

CLASS_SHEET = """learner,question,answer
ana,latest-in-k8s,"latest is ambiguous: it moves with every push, so you can't roll back."
ana,push-twice,"a, d"
ana,build-vs-push,docker push uploads the image to the registry.
ben,latest-in-k8s,Kubernetes doesn't support the latest tag.
ben,push-twice,b
ben,layer-upload,b
cleo,explain-naming,"registry/namespace/repository:tag, docker.io and latest being the defaults"
"""


def test_one_text_answer(capsys):
    assert main(["grade", "--lesson", "04", "--question", "build-vs-push",
                 "docker build creates the image locally, then docker push uploads it to Docker Hub"]) == 0
    out = capsys.readouterr().out
    assert "verdict: correct (score 1)" in out
    assert "+ found  build-makes-image" in out and "+ found  push-uploads" in out
    assert '(from "push uploads")' in out
    assert "explanation:" in out and "docker build" in out


def test_one_answer_shows_missed_and_misconception(capsys):
    assert main(["grade", "--lesson", "04", "-q", "latest-in-k8s", "latest is always the newest, k8s can't pull it"]) == 0
    out = capsys.readouterr().out
    assert "verdict: incorrect (score 0)" in out
    assert "! wrong  latest-is-newest" in out
    assert "whatever was last pushed" in out  # the correction
    assert "- missed ambiguous" in out


def test_one_answer_as_json(capsys):
    assert main(["grade", "--lesson", "04", "--question", "build-vs-push", "--json",
                 "docker push uploads the image to a registry"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "partly" and data["score"] == 0.5
    assert [i["id"] for i in data["found"]] == ["push-uploads"]
    assert [i["id"] for i in data["missed"]] == ["build-makes-image"]
    assert data["explanation"]


def test_choice_answer_and_choice_form(capsys):
    assert main(["grade", "--lesson", "04", "--question", "layer-upload", "--json", "a"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "incorrect" and data["misconceptions"][0]["correction"].startswith("Before uploading")
    assert main(["grade", "--lesson", "04", "--question", "latest-in-k8s", "--form", "choice", "b"]) == 0
    assert "verdict: correct" in capsys.readouterr().out


@pytest.mark.parametrize("argv,message", [
    (["--lesson", "04", "--question", "nope", "x"], "has no question 'nope'"),
    (["--lesson", "99", "--question", "latest-in-k8s", "x"], "no lesson named '99'"),
    (["--lesson", "04", "--question", "push-twice", "--form", "choice", "z"], "no option 'z'"),
    (["--lesson", "04", "--question", "push-twice", "--form", "choice", "the tag moves to the new image"],
     "answered by choosing options"),
    (["--lesson", "04", "no-such-sheet.csv"], "no answer sheet at"),
])
def test_bad_input_exits_2_with_a_message(capsys, argv, message):
    assert main(["grade", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_class_sheet_as_csv(tmp_path, capsys):
    sheet = tmp_path / "answers.csv"
    sheet.write_text(CLASS_SHEET)
    assert main(["grade", "--lesson", "04", str(sheet)]) == 0
    rows = _csv_rows(capsys.readouterr().out)
    graded = [r for r in rows if r["question"] != "(total)"]
    assert [(r["learner"], r["question"], r["verdict"]) for r in graded] == [
        ("ana", "latest-in-k8s", "correct"), ("ana", "push-twice", "correct"), ("ana", "build-vs-push", "partly"),
        ("ben", "latest-in-k8s", "incorrect"), ("ben", "push-twice", "incorrect"), ("ben", "layer-upload", "correct"),
        ("cleo", "explain-naming", "correct"),
    ]
    assert "Kubernetes refuses" in graded[3]["misconceptions"]
    totals = {r["learner"]: r for r in rows if r["question"] == "(total)"}
    # Five distinct questions on the sheet; a skipped one counts 0.
    assert totals["ana"]["score"] == "2.5/5" and totals["ana"]["verdict"] == "2/5 correct"
    assert totals["ben"]["score"] == "1/5"
    assert totals["cleo"]["score"] == "1/5"


def test_class_sheet_as_json_from_stdin(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(CLASS_SHEET))
    assert main(["grade", "--lesson", "04", "-", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["rows"]) == 7
    scores = {s["learner"]: s for s in data["learners"]}
    assert scores["ana"] == {"learner": "ana", "points": 2.5, "out_of": 5, "percent": 50, "correct": 2, "answered": 3}
    assert data["rows"][3]["misconceptions"] == ["Kubernetes refuses or cannot use the latest tag"]


def test_sheet_rows_with_problems_are_flagged_not_fatal(tmp_path, capsys):
    sheet = tmp_path / "answers.csv"
    sheet.write_text("Answer,Learner,Question\nb,dan,layer-upload\nhello,dan,nope\nz,eve,push-twice\n")
    assert main(["grade", "--lesson", "04", str(sheet), "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    # "z" is no option of push-twice, which takes words too: graded as a (meaningless) text answer.
    assert [r["verdict"] for r in data["rows"]] == ["correct", "ungraded", "incorrect"]
    assert "no question 'nope'" in captured.err


def test_sheet_without_the_columns(tmp_path, capsys):
    sheet = tmp_path / "answers.csv"
    sheet.write_text("name,answer\nann,yes\n")
    assert main(["grade", "--lesson", "04", str(sheet)]) == 2
    assert "missing: learner, question" in capsys.readouterr().err
    with pytest.raises(SheetError):
        grade_sheet(get_lesson("04"), "")


def test_text_question_answered_by_option_keys_on_a_sheet():
    result = grade_sheet(get_lesson("04"), "learner,question,answer\nfay,private-repo,b\n")
    assert result.rows[0].verdict.form == "choice" and result.rows[0].verdict.correct


def test_a_comma_that_splits_an_answer_is_an_error_for_that_row_not_a_truncated_answer(tmp_path, capsys):
    sheet = tmp_path / "answers.csv"
    sheet.write_text("learner,question,answer\n"
                     "gus,build-vs-push,docker build makes the image locally, docker push uploads it\n"
                     "hal,push-twice,b\n"
                     "ivy,push-twice,b,\n")  # an empty trailing cell, as spreadsheets write, is harmless
    assert main(["grade", "--lesson", "04", str(sheet), "--json"]) == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out)["rows"]
    assert [(r["learner"], r["verdict"]) for r in rows] == [("gus", "ungraded"), ("hal", "incorrect"),
                                                            ("ivy", "incorrect")]
    assert "line 2:" in rows[0]["error"] and "quote answers that contain commas" in rows[0]["error"]
    assert "quote answers that contain commas" in captured.err
    quoted = grade_sheet(get_lesson("04"), 'learner,question,answer\ngus,build-vs-push,"docker build makes the '
                                           'image locally, docker push uploads it"\n')
    assert quoted.rows[0].verdict.verdict == "correct" and not quoted.rows[0].error


def _save_username(tmp_path, monkeypatch, username: str) -> None:
    from tutor.store import Settings, save_settings, settings_path

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    save_settings(Settings(username=username), settings_path())


def test_grade_fills_the_lessons_variables_from_the_learners_settings(tmp_path, monkeypatch, capsys):
    _save_username(tmp_path, monkeypatch, "alice")
    assert main(["grade", "--lesson", "04", "-q", "explain-naming",
                 "registry host, then the namespace account, the repository name, and the tag version"]) == 0
    out = capsys.readouterr().out
    assert "explain-naming: Explain how an image name like `ghcr.io/alice/poll-backend:v1`" in out
    assert "namespace (`alice`, the account" in out
    assert "{username}" not in out
    # The choice form's wrong option quotes a variable too; the JSON carries it filled in.
    assert main(["grade", "--lesson", "04", "-q", "explain-naming", "--form", "choice", "--json", "b"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["misconceptions"][0]["label"] == "`alice`."
    assert "{username}" not in json.dumps(data)


def test_grade_without_settings_keeps_an_unset_variable_visible(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "empty"))
    assert main(["grade", "--lesson", "04", "-q", "explain-naming", "--form", "choice", "b"]) == 0
    out = capsys.readouterr().out
    assert "`ghcr.io/{username}/poll-backend:v1`" in out  # no default to fill it with: the gap shows
