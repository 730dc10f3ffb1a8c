"""Grading one answer against a question: the rubric for text, the keys for choices.

Deterministic and explainable: every verdict lists the ideas found (with the words of the
answer that showed them), the ideas missed, and any misconception the answer states with
its correction. Correct means every required idea is there and no misconception is stated;
partly means some ideas; incorrect means none, or a misconception.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from tutor.lesson.model import Question, Rubric
from tutor.quiz.match import Match, compile_phrase, find
from tutor.quiz.text import Analysis, analyse

CORRECT, PARTLY, INCORRECT = "correct", "partly", "incorrect"
VERDICTS = (CORRECT, PARTLY, INCORRECT)
MIN_WORDS_FOR_CORRECT = 3  # content words; a one- or two-word answer explains nothing


class GradeError(ValueError):
    """The answer cannot be graded as given (unknown option key, question without rubric ...)."""


@dataclass
class Idea:
    """A rubric concept (or a right option) and, when found, what in the answer showed it."""

    id: str
    label: str
    evidence: str = ""  # the answer's own words
    phrasing: str = ""  # the rubric phrasing they matched


@dataclass
class Stated:
    """A misconception the answer states (or a wrong option chosen), and its correction."""

    id: str
    label: str
    correction: str
    evidence: str = ""


@dataclass
class Verdict:
    question: str
    verdict: str  # correct / partly / incorrect
    score: float  # 0.0 .. 1.0
    found: list[Idea] = field(default_factory=list)
    missed: list[Idea] = field(default_factory=list)
    misconceptions: list[Stated] = field(default_factory=list)
    explanation: str = ""  # the lesson's explanation, shown after answering
    form: str = "text"  # "text" or "choice"
    notes: list[str] = field(default_factory=list)  # why the verdict was capped, what to add

    @property
    def correct(self) -> bool:
        return self.verdict == CORRECT

    def summary(self) -> str:
        """One sentence for the learner."""
        if self.misconceptions:
            return f"Not quite: {self.misconceptions[0].correction}"
        if self.verdict == CORRECT:
            return "Correct."
        if self.verdict == PARTLY:
            missing = ", ".join(i.label for i in self.missed) or "a fuller explanation"
            return f"Partly right. Missing: {missing}."
        return "Not yet: the answer does not show the key ideas."

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def rendered(self, fill: Callable[[str], str]) -> Verdict:
        """A copy with the lesson's text (labels, corrections, explanation, notes) passed through ``fill``,
        e.g. ``lambda text: lesson.render(text, values)``; the answer's own words are left as written."""
        return replace(
            self,
            found=[replace(idea, label=fill(idea.label)) for idea in self.found],
            missed=[replace(idea, label=fill(idea.label)) for idea in self.missed],
            misconceptions=[replace(wrong, label=fill(wrong.label), correction=fill(wrong.correction))
                            for wrong in self.misconceptions],
            explanation=fill(self.explanation),
            notes=[fill(note) for note in self.notes],
        )


# --- text answers -------------------------------------------------------------------------


def grade_text(question: Question, answer: str) -> Verdict:
    rubric = question.rubric
    if rubric is None:
        raise GradeError(f"question '{question.id}' has no rubric to grade text with; answer with option keys")
    analysis = analyse(answer)
    verdict = Verdict(question.id, INCORRECT, 0.0, explanation=question.explanation, form="text")
    if not analysis.tokens and not analysis.stance:
        verdict.missed = [Idea(c.id, c.label) for c in rubric.concepts]
        verdict.notes.append("The answer is empty: write a sentence or two in your own words.")
        return verdict
    wrong_words: set[int] = set()  # answer words (by offset) that took part in a stated misconception
    for wrong in rubric.misconceptions:
        match = _first_match(wrong.phrasings, analysis)
        if match:
            verdict.misconceptions.append(Stated(wrong.id, wrong.label, wrong.correction, match.evidence))
            wrong_words.update(t.start for t in match.tokens)
    for concept in rubric.concepts:
        # Words already spent on a wrong claim ("build uploads it to Docker Hub") do not also
        # earn the right idea ("uploads it to Docker Hub").
        match = _first_match(concept.phrasings, analysis, frozenset(wrong_words))
        if match:
            verdict.found.append(Idea(concept.id, concept.label, match.evidence, match.phrase.text))
        else:
            verdict.missed.append(Idea(concept.id, concept.label))
    _decide(verdict, rubric, analysis)
    return verdict


def _first_match(phrasings: Iterable[str], analysis: Analysis,
                 avoid: frozenset[int] = frozenset()) -> Match | None:
    for text in phrasings:
        match = find(compile_phrase(text), analysis, avoid)
        if match:
            return match
    return None


def _decide(verdict: Verdict, rubric: Rubric, analysis: Analysis) -> None:
    needed = max(1, min(rubric.needed, len(rubric.concepts))) if rubric.concepts else 1
    have = len(verdict.found)
    if verdict.misconceptions:
        verdict.verdict, verdict.score = INCORRECT, 0.0
        return
    if have >= needed:
        verdict.verdict, verdict.score = CORRECT, 1.0
    elif have:
        verdict.verdict, verdict.score = PARTLY, round(have / needed, 2)
    if verdict.verdict == CORRECT and analysis.content_words < MIN_WORDS_FOR_CORRECT:
        verdict.verdict, verdict.score = PARTLY, 0.5
        verdict.notes.append("Right direction, but explain it in a full sentence to show why.")
    if verdict.verdict == CORRECT and len(rubric.concepts) > needed:
        # Ideas beyond the required number are a bonus, not a gap.
        verdict.missed = []


# --- choice answers -----------------------------------------------------------------------


def parse_keys(answer: str | Sequence[str]) -> list[str]:
    """"a, c" / "ac" / ["a", "c"] -> ["a", "c"] (lower case, in order, no repeats)."""
    if isinstance(answer, str):
        text = answer.replace(",", " ").replace(";", " ").split()
        parts = [ch for word in text for ch in (word if word.isalpha() and len(word) <= 8 else [word])]
    else:
        parts = list(answer)
    keys: list[str] = []
    for part in parts:
        key = str(part).strip().strip(")").lower()
        if key and key not in keys:
            keys.append(key)
    return keys


def grade_choice(question: Question, answer: str | Sequence[str]) -> Verdict:
    choice = question.choice
    if choice is None:
        raise GradeError(f"question '{question.id}' has no options; answer it in words")
    chosen = parse_keys(answer)
    known = {o.key for o in choice.options}
    unknown = [k for k in chosen if k not in known]
    if unknown and isinstance(answer, str) and len(answer.split()) > 2:
        # A sentence given to a choice-only question: say so instead of listing its letters.
        raise GradeError(f"question '{question.id}' is answered by choosing options, not in words: "
                         f"give option keys ({', '.join(sorted(known))}), e.g. '{sorted(known)[0]}'")
    if unknown:
        raise GradeError(f"question '{question.id}' has no option {', '.join(repr(k) for k in unknown)} "
                         f"(options: {', '.join(sorted(known))})")
    verdict = Verdict(question.id, INCORRECT, 0.0, explanation=question.explanation, form="choice")
    for option in choice.options:
        if option.correct and option.key in chosen:
            verdict.found.append(Idea(option.key, option.text, option.key))
        elif option.correct:
            verdict.missed.append(Idea(option.key, option.text))
        elif option.key in chosen:
            why = option.why or "This option is not right."
            verdict.misconceptions.append(Stated(option.key, option.text, why, option.key))
    right = len(choice.correct)
    if not chosen:
        verdict.notes.append("No option chosen.")
    elif not verdict.misconceptions and len(verdict.found) == right:
        verdict.verdict, verdict.score = CORRECT, 1.0
    elif choice.multiple:
        # Several right options: each right pick counts, each wrong pick cancels one.
        score = max(0.0, (len(verdict.found) - len(verdict.misconceptions)) / right)
        if score > 0:
            verdict.verdict, verdict.score = PARTLY, round(score, 2)
    return verdict


# --- either -------------------------------------------------------------------------------


def grade(question: Question, answer: str | Sequence[str], form: str | None = None) -> Verdict:
    """Grade in ``form`` ("text" or "choice"); by default the question's preferred form."""
    form = form or question.kinds[0]
    if form not in question.kinds:
        raise GradeError(f"question '{question.id}' cannot be answered as {form} "
                         f"(it takes: {', '.join(question.kinds)})")
    if form == "choice":
        return grade_choice(question, answer)
    if not isinstance(answer, str):
        answer = " ".join(str(part) for part in answer)
    return grade_text(question, answer)
