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
from tutor.quiz.grader import CORRECT, GradeError, Verdict, grade

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
    verdict: Verdict | None = None
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
        cells = [record[index[c]].strip() if index[c] < len(record) else "" for c in COLUMNS]
        row = Row(number, *cells)
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header):]):
            # An unquoted comma split an answer: grading a piece of it would be unfair.
            row.error = (f"line {row.line}: {len(record)} cells but the header names {len(header)}: "
                         "quote answers that contain commas (\"like, this\")")
        rows.append(row)
    return rows


def grade_sheet(lesson: Lesson, text: str) -> ClassResult:
    result = ClassResult(read_sheet(text))
    for row in result.rows:
        question = lesson.question(row.question)
        if row.error:
            continue  # found while reading the sheet
        if not row.learner:
            row.error = f"line {row.line}: no learner name"
        elif question is None:
            row.error = f"line {row.line}: no question '{row.question}' in lesson '{lesson.id}'"
        else:
            try:
                row.verdict = grade(question, row.answer, _form(question, row.answer))
            except GradeError as exc:
                row.error = f"line {row.line}: {exc}"
    asked = list(dict.fromkeys(r.question for r in result.rows if r.verdict))
    latest: dict[str, dict[str, Verdict]] = {}
    for row in result.rows:
        if row.verdict:
            latest.setdefault(row.learner, {})[row.question] = row.verdict
    for learner in dict.fromkeys(r.learner for r in result.rows if r.learner):
        answers = latest.get(learner, {})
        points = round(sum(v.score for v in answers.values()), 2)
        correct = sum(1 for v in answers.values() if v.verdict == CORRECT)
        result.learners.append(LearnerScore(learner, points, len(asked), correct, len(answers)))
    return result


def _form(question, answer: str) -> str:
    """A text question with options may be answered on the sheet by option keys ("b", "a,c")."""
    if question.kind == "text" and question.choice is not None:
        keys = {o.key for o in question.choice.options}
        parts = answer.replace(",", " ").split()
        if parts and all(p.strip().strip(")").lower() in keys for p in parts):
            return "choice"
    return question.kinds[0]
