"""``docker-tutor grade``: grade one answer, or a class's CSV answer sheet, with the lesson's rubric."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tutor.commands import fail, warn
from tutor.commands.options import LESSON_PICK, MORE_LESSONS, include


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "grade", help="grade a quiz answer, or a class's answer sheet (CSV)",
        description="Grade answers with the lesson's rubric, offline and deterministically. "
                    "With --question, grade one ANSWER and show the ideas found and missed. "
                    "Without it, ANSWER is a CSV file with the columns learner,question,answer "
                    "('-' reads standard input): one verdict per row and one score per learner. "
                    "Choice questions take option keys, e.g. 'b' or 'a,d'.",
    )
    parser.add_argument("answer", metavar="ANSWER|SHEET.csv", help="the answer text, or the answer sheet")
    include(parser, LESSON_PICK)
    parser.add_argument("--question", "-q", default=None, metavar="ID", help="the question the answer is for")
    parser.add_argument("--form", choices=("text", "choice"), default=None,
                        help="grade a text question's choice form (or the other way round)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text (or CSV)")
    parser.add_argument("--explain", action="store_true",
                        help="with --question: show, word by word, which rubric rule each word of the answer fired")
    include(parser, MORE_LESSONS)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tutor.commands.lesson import learner_values
    from tutor.lesson import LessonError, get_lesson

    try:
        lesson = get_lesson(args.lesson, args.lessons)
    except LessonError as exc:
        return fail(str(exc), "list the lessons with: docker-tutor lesson list")
    # The lesson's text says {username} and the like: fill them in as the tutor would for this learner.
    values, warning = learner_values(lesson)
    if warning:
        warn(warning)

    def fill(text: str) -> str:
        return lesson.render(text, values)

    if args.question:
        return _grade_one(lesson, args, fill)
    return _grade_sheet(lesson, args, fill)


def _grade_one(lesson, args: argparse.Namespace, fill) -> int:
    from tutor.quiz.grader import GradeError, grade
    from tutor.visible import visible

    def print(line: str = "") -> None:  # noqa: A001 - every line quotes the answer or the lesson
        sys.stdout.write(visible(line, newlines=True) + "\n")

    question = lesson.question(args.question)
    if question is None:
        known = ", ".join(q.id for q in lesson.quiz)
        return fail(f"lesson '{lesson.id}' has no question '{args.question}'", f"its questions are: {known}")
    try:
        verdict = grade(question, args.answer, args.form).rendered(fill)
    except GradeError as exc:
        return fail(str(exc))
    if args.json:
        print(json.dumps(verdict.to_dict(), indent=2, ensure_ascii=False))
        return 0
    if getattr(args, "explain", False) and verdict.form == "text":
        from tutor.quiz.grader import explain

        print("rules, word by word:")
        for line in explain(question, args.answer if isinstance(args.answer, str) else " ".join(args.answer)):
            print(f"  {fill(line)}")
        print()
    print(f"{question.id}: {fill(question.prompt)}")
    print(f"verdict: {verdict.verdict} (score {verdict.score:g})")
    print(verdict.summary())
    if verdict.follow_up:
        print(f"follow-up: {verdict.follow_up}")
    for idea in verdict.found:
        source = f'  (from "{idea.evidence}")' if idea.evidence and verdict.form == "text" else ""
        print(f"  + found  {idea.id}: {idea.label}{source}")
    for idea in verdict.missed:
        print(f"  - missed {idea.id}: {idea.label}")
    for wrong in verdict.misconceptions:
        source = f'  (from "{wrong.evidence}")' if wrong.evidence and verdict.form == "text" else ""
        print(f"  ! wrong  {wrong.id}: {wrong.label}{source}")
        print(f"           {wrong.correction}")
    for note in verdict.notes:
        print(f"note: {note}")
    if verdict.explanation:
        print("\nexplanation:")
        for line in verdict.explanation.splitlines():
            print(f"  {line}" if line else "")
    return 0


def _grade_sheet(lesson, args: argparse.Namespace, fill) -> int:
    from tutor.quiz.classroom import SheetError, grade_sheet

    if args.answer == "-":
        text = sys.stdin.read()
    else:
        path = Path(args.answer).expanduser()
        if not path.is_file():
            return fail(f"no answer sheet at {path}",
                         "give a CSV file (learner,question,answer), or grade one answer with --question ID")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            return fail(f"cannot read {path}: {exc}")
    import csv

    try:
        result = grade_sheet(lesson, text)
    except SheetError as exc:
        return fail(str(exc))
    except csv.Error as exc:  # a broken file is bad input, not a crash
        return fail(f"the answer sheet is not valid CSV: {exc}")
    for row in result.rows:
        if row.verdict is not None:
            row.verdict = row.verdict.rendered(fill)
    for row in result.errors:
        warn(row.error)  # quotes the sheet's cells
    if not result.rows:
        return fail("the answer sheet has a header but no answers")
    if all(row.error for row in result.rows):
        return fail("no row of the answer sheet could be graded")
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(result.to_csv())
    return 0
