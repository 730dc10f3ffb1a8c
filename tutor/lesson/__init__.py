"""Lessons: Markdown files parsed into a model (no Textual, no heavy imports).

The parser (and markdown-it-py with it) is imported only when a lesson is actually
parsed: at start-up the lesson usually comes from the cache (tutor.lesson.cache).
"""

from __future__ import annotations

from tutor.lesson.errors import LessonError, Problem
from tutor.lesson.loader import find_lessons, get_lesson, lesson_dirs
from tutor.lesson.model import (
    Action, ChecklistItem, Choice, Concept, Hint, Lesson, Misconception, Option, Probe, Question, Rubric,
    RubricConcept, Step, Variable, VerifyCheck, VerifyItem,
)
from tutor.lesson.variables import render

__all__ = [
    "Action", "ChecklistItem", "Choice", "Concept", "Hint", "Lesson", "LessonError", "Misconception", "Option",
    "Probe", "Problem", "Question", "Rubric", "RubricConcept", "Step", "Variable", "VerifyCheck", "VerifyItem",
    "find_lessons", "get_lesson", "lesson_dirs", "load_lesson", "parse_lesson", "render",
]


def __getattr__(name: str):
    if name in ("load_lesson", "parse_lesson"):
        from tutor.lesson import parser

        return getattr(parser, name)
    raise AttributeError(f"module 'tutor.lesson' has no attribute {name!r}")
