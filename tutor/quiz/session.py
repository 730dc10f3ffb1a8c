"""One sitting of a lesson's quiz: question order (optionally shuffled with a seed), answering,
retrying the missed questions, and the score. No Textual here; the quiz screen drives it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from tutor import states
from tutor.lesson.model import Lesson, Option, Question
from tutor.progress import Progress
from tutor.quiz.checklist import tick_linked
from tutor.quiz.grader import GradeError, Grading, grade, grade_follow_up, parse_keys

_GRADED = (states.Verdict.CORRECT, states.Verdict.PARTLY, states.Verdict.INCORRECT)


@dataclass
class Outcome:
    verdict: Grading
    ticked: list[str] = field(default_factory=list)  # checklist items this answer ticked


@dataclass
class Score:
    points: float  # sum of each question's latest score
    out_of: int  # number of questions
    correct: int
    answered: int

    def __str__(self) -> str:
        return f"{self.points:g}/{self.out_of}"


class QuizSession:
    """Keeps the order, the current round (all questions, or the missed ones) and the results.

    With ``progress``, every answer is saved there as an attempt (with its time), earlier
    attempts count towards the status and score, and linked checklist items are ticked.
    """

    def __init__(self, lesson: Lesson, progress: Progress | None = None, seed: int | None = None,
                 shuffle: bool = False) -> None:
        self.lesson = lesson
        self.progress = progress
        self.seed = seed
        self.shuffled = False
        self.results: dict[str, Grading] = {}  # answers given in this sitting
        self._order = [q.id for q in lesson.quiz]
        self._round: list[str] = list(self._order)
        self.retrying = False
        if shuffle:
            self.set_shuffle(True, seed)

    # --- order ------------------------------------------------------------------------------

    def set_shuffle(self, on: bool, seed: int | None = None) -> None:
        """Shuffle questions and options (reproducibly for a given seed), or restore lesson order."""
        if on:
            if seed is not None:
                self.seed = seed
            elif self.seed is None:
                self.seed = random.randrange(2**31)
            order = [q.id for q in self.lesson.quiz]
            random.Random(self.seed).shuffle(order)
            self._order = order
        else:
            self._order = [q.id for q in self.lesson.quiz]
        self.shuffled = on
        members = set(self._round)
        self._round = [qid for qid in self._order if qid in members]

    @property
    def questions(self) -> list[Question]:
        """The current round, in order."""
        return [self.question(qid) for qid in self._round]

    @property
    def all_questions(self) -> list[Question]:
        return [self.question(qid) for qid in self._order]

    def question(self, question_id: str) -> Question:
        found = self.lesson.question(question_id)
        if found is None:
            known = ", ".join(q.id for q in self.lesson.quiz)
            raise GradeError(f"lesson '{self.lesson.id}' has no question '{question_id}' (questions: {known})")
        return found

    def options(self, question_id: str) -> list[Option]:
        """The question's options, in the order to show them."""
        question = self.question(question_id)
        options = list(question.choice.options) if question.choice else []
        if self.shuffled:
            random.Random(f"{self.seed}/{question_id}").shuffle(options)
        return options

    # --- answering --------------------------------------------------------------------------

    def answer(self, question_id: str, answer: str | Sequence[str], form: str | None = None,
               follow_up_of: str | None = None) -> Outcome:
        """Grade and record an answer. ``follow_up_of``: the earlier text answer whose follow-up
        question this replies to; the two are graded (and saved) together."""
        question = self.question(question_id)
        if follow_up_of and isinstance(answer, str) and form != "choice":
            verdict = grade_follow_up(question, follow_up_of, answer)
            answer = f"{follow_up_of.rstrip()}\n{answer.strip()}"
        else:
            verdict = grade(question, answer, form)
        self.results[question_id] = verdict
        # Choices are saved as option keys, text as written.
        saved: str | list[str] = parse_keys(answer) if verdict.form == "choice" else \
            (answer if isinstance(answer, str) else " ".join(answer))
        ticked: list[str] = []
        if self.progress is not None:
            self.progress.add_attempt(
                question_id, saved, verdict.verdict, verdict.score, form=verdict.form,
                found=[i.id for i in verdict.found], missed=[i.id for i in verdict.missed],
                misconceptions=[m.id for m in verdict.misconceptions],
            )
            ticked = tick_linked(self.lesson, self.progress, verdict, saved)
        return Outcome(verdict, ticked)

    def status(self, question_id: str) -> states.Verdict:
        """correct / partly / incorrect from the latest answer, or todo."""
        if question_id in self.results:
            return states.Verdict(self.results[question_id].verdict)
        attempt = self.progress.last_attempt(question_id) if self.progress is not None else None
        if attempt and attempt.get("verdict") in _GRADED:
            return states.Verdict(attempt["verdict"])
        return states.Verdict.TODO

    def _latest_score(self, question_id: str) -> float:
        if question_id in self.results:
            return self.results[question_id].score
        attempt = self.progress.last_attempt(question_id) if self.progress is not None else None
        try:
            return float(attempt.get("score", 0.0)) if attempt else 0.0
        except (TypeError, ValueError):
            return 0.0

    # --- rounds -----------------------------------------------------------------------------

    def missed(self) -> list[str]:
        """Questions whose latest answer was not correct, in the current order."""
        return [qid for qid in self._order if self.status(qid) in (states.Verdict.PARTLY, states.Verdict.INCORRECT)]

    def retry_missed(self) -> list[str]:
        """Make the missed questions the current round; empty (and nothing changes) when none."""
        missed = self.missed()
        if missed:
            self._round = missed
            self.retrying = True
        return missed

    def all(self) -> None:
        self._round = list(self._order)
        self.retrying = False

    def score(self) -> Score:
        ids = [q.id for q in self.lesson.quiz]
        statuses = [self.status(qid) for qid in ids]
        points = round(sum(self._latest_score(qid) for qid in ids), 2)
        return Score(points, len(ids), statuses.count(states.Verdict.CORRECT),
                     sum(1 for s in statuses if s != states.Verdict.TODO))
