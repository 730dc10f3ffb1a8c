"""A class sheet graded in two forked processes gives the verdicts one process gives, in order."""

import csv
import io
import json
from pathlib import Path

import pytest

from tutor.lesson import get_lesson
from tutor.quiz import classroom

DATA = Path(__file__).resolve().parents[1] / "data" / "grading_dev.jsonl"


def _sheet(rows: int) -> str:
    answers = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["learner", "question", "answer"])
    for n in range(rows):
        item = answers[(n * 7) % len(answers)]
        writer.writerow([f"learner{n // 8:03d}", item["question"], item["answer"]])
    writer.writerow(["zed", "no-such-question", "anything"])  # an error row stays in its place
    writer.writerow(["zed", "push-twice", ""])
    return out.getvalue()


@pytest.mark.skipif(classroom._workers(10**6) < 2, reason="needs Linux and two CPUs to fork onto")
def test_two_processes_give_the_same_verdicts_in_the_same_order(monkeypatch):
    lesson = get_lesson("04")
    text = _sheet(120)
    monkeypatch.setattr(classroom, "PARALLEL_FROM", 10**9)
    alone = classroom.grade_sheet(lesson, text)
    monkeypatch.setattr(classroom, "PARALLEL_FROM", 50)
    assert classroom._workers(121) == 2
    together = classroom.grade_sheet(lesson, text)
    assert together.to_dict() == alone.to_dict()
    assert together.to_csv() == alone.to_csv()
    assert [r.error for r in together.rows] == [r.error for r in alone.rows]
    assert sum(1 for r in together.rows if r.verdict) == 121


def test_a_small_sheet_stays_in_one_process():
    assert classroom._workers(classroom.PARALLEL_FROM - 1) == 1
