"""Grading a class from a CSV answer sheet (columns: learner, question, answer).

One verdict per row, and one score per learner: the sum of their latest answer's score
for each question the sheet asks, out of the number of distinct questions in the sheet
(a question a learner skipped counts 0).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from tutor.lesson.model import Lesson
from tutor.quiz.grader import GradeError, Grading, grade
from tutor.states import Verdict

COLUMNS = ("learner", "question", "answer")
ROW_FIELDS = ("learner", "question", "verdict", "score", "found", "missed", "misconceptions", "error")


class SheetError(ValueError):
    """The sheet itself is unusable (no header, missing columns)."""


@dataclass
class Row:
    line: int
    learner: str
    question: str
    answer: str
    verdict: Grading | None = None
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        v = self.verdict
        return {
            "learner": self.learner, "question": self.question,
            "verdict": v.verdict if v else "ungraded", "score": v.score if v else 0.0,
            "found": [i.label for i in v.found] if v else [],
            "missed": [i.label for i in v.missed] if v else [],
            "misconceptions": [m.label for m in v.misconceptions] if v else [],
            "error": self.error,
        }


@dataclass
class LearnerScore:
    learner: str
    points: float
    out_of: int
    correct: int
    answered: int

    def to_dict(self) -> dict[str, Any]:
        percent = round(100 * self.points / self.out_of) if self.out_of else 0
        return {"learner": self.learner, "points": self.points, "out_of": self.out_of,
                "percent": percent, "correct": self.correct, "answered": self.answered}


@dataclass
class ClassResult:
    rows: list[Row] = field(default_factory=list)
    learners: list[LearnerScore] = field(default_factory=list)

    @property
    def errors(self) -> list[Row]:
        return [r for r in self.rows if r.error]

    def to_dict(self) -> dict[str, Any]:
        return {"rows": [r.to_dict() for r in self.rows], "learners": [s.to_dict() for s in self.learners]}

    def to_csv(self) -> str:
        """The rows, then one ``(total)`` row per learner whose score is the fraction of points.

        Cells the sheet gave us come back as text a spreadsheet will not run (``=cmd|...``
        gets a leading '), with control characters shown rather than sent to a terminal.
        """
        from tutor.visible import spreadsheet_safe, visible

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")

        def write(cells: list[str]) -> None:
            writer.writerow([spreadsheet_safe(visible(cell)) for cell in cells])

        write(list(ROW_FIELDS))
        for row in self.rows:
            data = row.to_dict()
            write([data["learner"], data["question"], data["verdict"], f"{data['score']:g}",
                   "; ".join(data["found"]), "; ".join(data["missed"]),
                   "; ".join(data["misconceptions"]), data["error"]])
        for score in self.learners:
            write([score.learner, "(total)", f"{score.correct}/{score.out_of} correct",
                   f"{score.points:g}/{score.out_of}", "", "", "", ""])
        return out.getvalue()


def read_sheet(text: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        raise SheetError("the answer sheet is empty; it needs a header row: learner,question,answer")
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise SheetError(f"the answer sheet's first row must name the columns learner, question, answer "
                         f"(missing: {', '.join(missing)}; found: {', '.join(header) or 'nothing'})")
    index = {c: names.index(c) for c in COLUMNS}
    rows = []
    for number, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        learner, question, answer = (record[index[c]].strip() if index[c] < len(record) else "" for c in COLUMNS)
        row = Row(number, learner, question, answer)
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header):]):
            # An unquoted comma split an answer: grading a piece of it would be unfair.
            row.error = (f"line {row.line}: {len(record)} cells but the header names {len(header)}: "
                         "quote answers that contain commas (\"like, this\")")
        rows.append(row)
    return rows


def grade_sheet(lesson: Lesson, text: str) -> ClassResult:
    result = ClassResult(read_sheet(text))
    jobs: list[tuple[Row, Any]] = []
    for row in result.rows:
        question = lesson.question(row.question)
        if row.error:
            continue  # found while reading the sheet
        if not row.learner:
            row.error = f"line {row.line}: no learner name"
        elif question is None:
            row.error = f"line {row.line}: no question '{row.question}' in lesson '{lesson.id}'"
        else:
            jobs.append((row, question))
    for (row, _question), (verdict, error) in zip(jobs, _grade_all([(q, r.answer) for r, q in jobs])):
        row.verdict = verdict
        if error:
            row.error = f"line {row.line}: {error}"
    asked = list(dict.fromkeys(r.question for r in result.rows if r.verdict))
    latest: dict[str, dict[str, Grading]] = {}
    for row in result.rows:
        if row.verdict:
            latest.setdefault(row.learner, {})[row.question] = row.verdict
    for learner in dict.fromkeys(r.learner for r in result.rows if r.learner):
        answers = latest.get(learner, {})
        points = round(sum(v.score for v in answers.values()), 2)
        correct = sum(1 for v in answers.values() if v.verdict == Verdict.CORRECT)
        result.learners.append(LearnerScore(learner, points, len(asked), correct, len(answers)))
    return result


# Below this many answers a second process costs more than it saves (forking, sending the
# verdicts back); above it, the answers are graded in two halves at once.
PARALLEL_FROM = 400
_JOBS: list[tuple[Any, str]] = []  # what the forked workers grade, inherited at the fork


def _grade_one(question, answer: str) -> tuple[Grading | None, str]:
    try:
        return grade(question, answer, _form(question, answer)), ""
    except GradeError as exc:
        return None, str(exc)


def _grade_part(bounds: tuple[int, int]) -> list[tuple[Grading | None, str]]:
    return [_grade_one(question, answer) for question, answer in _JOBS[bounds[0]:bounds[1]]]


def _grade_all(jobs: list[tuple[Any, str]]) -> list[tuple[Grading | None, str]]:
    """Every answer graded on its own (a verdict depends on nothing but its question and
    answer), so grading them in forked processes gives the same verdicts, in order."""
    workers = _workers(len(jobs))
    if workers < 2:
        return [_grade_one(question, answer) for question, answer in jobs]
    import multiprocessing

    global _JOBS
    _JOBS = jobs
    size = -(-len(jobs) // workers)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_grade_part, [(start, start + size) for start in range(0, len(jobs), size)])
    except OSError:  # no processes to be had: grade here
        return [_grade_one(question, answer) for question, answer in jobs]
    finally:
        _JOBS = []
    return [graded for part in parts for graded in part]


def _workers(answers: int) -> int:
    import os
    import sys

    if answers < PARALLEL_FROM or not sys.platform.startswith("linux"):
        return 1  # fork is the cheap start, and only Linux forks safely
    try:
        return min(2, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return 1


def _form(question, answer: str) -> str:
    """A text question with options may be answered on the sheet by option keys ("b", "a,c")."""
    if question.kind == "text" and question.choice is not None:
        keys = {o.key for o in question.choice.options}
        parts = answer.replace(",", " ").split()
        if parts and all(p.strip().strip(")").lower() in keys for p in parts):
            return "choice"
    return question.kinds[0]
