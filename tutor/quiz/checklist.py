"""Ticking the checklist items a quiz question is linked to (``question=ID`` in the lesson).

The item follows the learner's latest answer, as the checklist's own check does
(:mod:`tutor.probes.runner` reads the last attempt): a right answer ticks it, a later
wrong one unticks it. Evidence a probe stored on the item is kept beside the quiz's.
"""

from __future__ import annotations

from typing import Any

from tutor import states
from tutor.lesson.model import Lesson
from tutor.progress import Progress, now
from tutor.quiz.grader import Grading

_EVIDENCE_ANSWER_CHARS = 300  # enough to show what was said, not a whole essay


def tick_linked(lesson: Lesson, progress: Progress, verdict: Grading, answer: Any = "") -> list[str]:
    """Record ``verdict`` on every checklist item linked to its question; return the ids ticked."""
    ticked = []
    # The learner knows questions by their number in the quiz, not by the lesson's ids.
    number = next((n for n, q in enumerate(lesson.quiz, 1) if q.id == verdict.question), None)
    named = f"quiz question {number}" if number else "the quiz question"
    for item in lesson.checklist:
        if item.question != verdict.question:
            continue
        previous = progress.checklist.get(item.id, {})
        evidence = dict(previous.get("evidence") or {})
        evidence["quiz"] = {
            "question": verdict.question,
            "verdict": verdict.verdict,
            "score": verdict.score,
            "at": now(),
            "form": verdict.form,
            "answer": _short(answer),
            "ideas": [idea.label for idea in verdict.found],
        }
        if verdict.correct:
            reason = f"Answered {named} correctly."
            progress.set_check(item.id, states.CheckStatus.PASSED, reason, evidence)
            ticked.append(item.id)
        else:
            word = "partly right" if verdict.verdict == states.Verdict.PARTLY else "not right"
            reason = f"The last answer to {named} was {word}: try it again."
            progress.set_check(item.id, states.CheckStatus.FAILED, reason, evidence)
    return ticked


def _short(answer: Any) -> Any:
    if isinstance(answer, str) and len(answer) > _EVIDENCE_ANSWER_CHARS:
        return answer[: _EVIDENCE_ANSWER_CHARS - 1] + "…"
    return answer
