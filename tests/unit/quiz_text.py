"""Grading one written answer to a question of the shipped lesson, as the grading tests do."""

from __future__ import annotations

from tutor.lesson import get_lesson
from tutor.quiz.grader import grade

LESSON = get_lesson("04")


def text_verdict(qid: str, answer: str):
    """The verdict on *answer*, written in words, to the question *qid* of lesson 04."""
    return grade(LESSON.question(qid), answer, "text")
