"""Grading one answer against a question: the rubric for text, the keys for choices.

Deterministic and explainable: every verdict lists the ideas found (with the words of the
answer that showed them), the ideas missed, and any misconception the answer states with
its correction. Correct means every required idea is there and no misconception is stated;
partly means some ideas; incorrect means none, or a misconception.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from functools import partial as bind
from typing import Any

from tutor.lesson.model import Misconception, Question, Rubric, RubricConcept
from tutor.quiz.actors import Actors, actor_words
from tutor.quiz.claims import unaccounted
from tutor.quiz.hedges import hedges, retracted, set_aside
from tutor.quiz.match import Match, Phrase, compile_phrase, compile_terms, first_match
from tutor.quiz.roles import named, recited_only, swapped_parts
from tutor.quiz.text import Analysis, analyse, prompt_lemmas
from tutor.states import Verdict

VERDICTS = (Verdict.CORRECT, Verdict.PARTLY, Verdict.INCORRECT)  # what a graded answer can be (never todo)
# Words that tie what follows to the noun before them: "machines *that* had v1", "a node *with* v1".
_EMBEDS = re.compile(r"\b(?:that|who|which|with|having|holding)\b", re.IGNORECASE)
MIN_WORDS_FOR_CORRECT = 2  # content words; one word names a topic, it does not explain it


class GradeError(ValueError):
    """The answer cannot be graded as given (unknown option key, question without rubric ...)."""


@dataclass
class Idea:
    """A rubric concept (or a right option) and, when found, what in the answer showed it."""

    id: str
    label: str
    evidence: str = ""  # the answer's own words
    phrasing: str = ""  # the rubric rule they matched (a phrasing, or a key-term group)
    rule: str = ""  # "phrasing" or "terms"
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (answer word, rubric word, how)


@dataclass
class Stated:
    """A misconception the answer states (or a wrong option chosen), and its correction."""

    id: str
    label: str
    correction: str
    evidence: str = ""
    phrasing: str = ""
    rule: str = ""
    links: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Grading:
    question: str
    verdict: Verdict  # correct / partly / incorrect
    score: float  # 0.0 .. 1.0
    found: list[Idea] = field(default_factory=list)
    missed: list[Idea] = field(default_factory=list)
    misconceptions: list[Stated] = field(default_factory=list)
    explanation: str = ""  # the lesson's explanation, shown after answering
    form: str = "text"  # "text" or "choice"
    notes: list[str] = field(default_factory=list)  # why the verdict was capped, what to add
    follow_up: str = ""  # a question aimed at a missing idea, asked when the answer is partly right

    @property
    def correct(self) -> bool:
        return self.verdict == Verdict.CORRECT

    def summary(self) -> str:
        """One sentence for the learner."""
        if self.misconceptions:
            return f"Not quite: {self.misconceptions[0].correction}"
        if self.verdict == Verdict.CORRECT:
            return "Correct."
        if self.verdict == Verdict.PARTLY:
            missing = ", ".join(i.label for i in self.missed) or "a fuller explanation"
            return f"Partly right. Missing: {missing}."
        return "Not yet: the answer does not show the key ideas."

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def rendered(self, fill: Callable[[str], str]) -> Grading:
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
            follow_up=fill(self.follow_up),
        )


# --- text answers -------------------------------------------------------------------------


def _rules(entry: RubricConcept | Misconception) -> tuple[Phrase, ...]:
    return _compiled(tuple(entry.phrasings), tuple(entry.terms))


@lru_cache(maxsize=4096)
def _compiled(phrasings: tuple[str, ...], terms: tuple[str, ...]) -> tuple[Phrase, ...]:
    """An entry's rules, compiled once per text (entries are mutable, their texts are the key)."""
    return tuple(compile_phrase(p) for p in phrasings) + tuple(compile_terms(t) for t in terms)


def _actors(rubric: Rubric, entry: RubricConcept | Misconception) -> Actors:
    if not entry.actor or named(entry):
        return Actors()  # a named part ("=ghcr|io") is checked by tutor.quiz.roles instead
    return _bound(entry.actor, tuple(rubric.actors))


@lru_cache(maxsize=1024)
def _bound(actor: str, actors: tuple[str, ...]) -> Actors:
    return Actors(actor, tuple((name, actor_words(name)) for name in actors if not name.startswith("=")))


def grade_text(question: Question, answer: str) -> Grading:
    rubric = question.rubric
    if rubric is None:
        raise GradeError(f"question '{question.id}' has no rubric to grade text with; answer with option keys")
    # "I'd guess it fails... actually no, v1 moves": the guess taken back is no part of the answer.
    answer = answer[retracted(answer):]
    analysis = analyse(answer)
    verdict = Grading(question.id, Verdict.INCORRECT, 0.0, explanation=question.explanation, form="text")
    if not analysis.tokens and not analysis.stance:
        verdict.missed = [Idea(c.id, c.label) for c in rubric.concepts if not c.partial]
        verdict.notes.append("The answer is empty: write a sentence or two in your own words.")
        return verdict
    memo: dict = {}  # where each rubric word occurs in this answer, shared by all rules
    wrong_words: set[int] = set()  # answer words (by offset) that took part in a stated misconception
    def stated(match: Match) -> bool:
        return not _inside_concept(rubric, analysis, match, memo)

    for wrong in rubric.misconceptions:
        match = first_match(_rules(wrong), analysis, actors=_actors(rubric, wrong), memo=memo, accept=stated)
        if match:
            verdict.misconceptions.append(Stated(wrong.id, wrong.label, wrong.correction, match.evidence,
                                                 match.phrase.text, match.phrase.kind, match.links))
            wrong_words.update(t.start for t in match.tokens)
    for swap in swapped_parts(rubric, analysis):
        # "ghcr.io is the username": a part named in another part's role.
        verdict.misconceptions.append(Stated(
            f"swapped-{swap.concept.id}", f"'{swap.part}' named as the {swap.role}",
            f"'{swap.part}' is not the {swap.role}: {swap.concept.label}.", analysis.text[swap.start:swap.end],
            f"{swap.concept.actor} beside a word of another part", "roles",
            [*((word, swap.concept.id, "named part") for word in swap.words),
             (swap.role.lower(), swap.role, "role of another part")]))
    # "I don't know" says nothing about the question: its "not ... know" is no idea of the rubric.
    unsure = hedges(answer, question.prompt)
    for begin, end in unsure:
        wrong_words.update(t.start for t in analysis.tokens if begin <= t.start < end)
    avoid = frozenset(wrong_words)
    used: set[int] = set()  # answer words (by offset) that showed an idea
    for concept in rubric.concepts:
        # Words already spent on a wrong claim ("build uploads it to Docker Hub") do not also
        # earn the right idea ("uploads it to Docker Hub").
        match = first_match(_rules(concept), analysis, avoid, _actors(rubric, concept), memo)
        if match:
            verdict.found.append(Idea(concept.id, concept.label, match.evidence, match.phrase.text,
                                      match.phrase.kind, match.links))
            used.update(t.start for t in match.tokens)
        elif not concept.partial:  # a partial idea is never what an answer is missing
            verdict.missed.append(Idea(concept.id, concept.label))
    # "Not sure about the k3s specifics, but ...": a hedge set aside caps nothing.
    asides = [(span[0], set_aside(answer, span)) for span in unsure]
    _decide(verdict, rubric, analysis, question, any(not end for _, end in asides))
    side = {t.start for t in analysis.tokens for begin, end in asides if begin <= t.start < end}
    if verdict.verdict == Verdict.CORRECT and recited_only(rubric, analysis, used):
        # "registry/username/repository:tag" names the slots; it maps no part of the example to one.
        verdict.verdict, verdict.score = Verdict.PARTLY, 0.5
        verdict.notes.append("That is the format: now say which part of the example is which, and what it tells Docker.")
    if verdict.verdict == Verdict.CORRECT and (new := unaccounted(question, analysis, used | side)):
        # "v1 moves, and Docker Hub emails you to confirm it": an invented claim is never passed as right.
        verdict.verdict, verdict.score = Verdict.PARTLY, 0.5
        verdict.notes.append(f"Check this part against the explanation: the lesson says nothing about "
                             f"\"{' '.join(new)}\".")
    return verdict


def _inside_concept(rubric: Rubric, analysis: Analysis, wrong: Match, memo: dict) -> bool:
    """An idea in the same clause reads the misconception's words better: it holds all of them
    and more, or the misconception starts in a relative clause or a "with" phrase of the noun
    the idea starts with ("machines that already had v1 still run the old one" is about the
    machines: old copies stay, not the claim "v1 still ... old")."""
    first = wrong.tokens[0] if wrong.tokens else None
    if first is None:
        return False

    words = {t.start for t in wrong.tokens}

    def covers(match: Match, whole: bool) -> bool:
        tokens = match.tokens
        if not tokens or any(t.clause != first.clause for t in tokens):
            return False
        if whole and words < {t.start for t in tokens}:
            return True  # the idea reads more of the same words: "never leaves Waiting" is no "never waits"
        return tokens[0].start < first.start <= tokens[-1].start \
            and bool(_EMBEDS.search(analysis.text, tokens[0].end, first.start))

    # A partial idea is vaguer than a misconception: it never outreads one word for word.
    return any(first_match(_rules(c), analysis, actors=_actors(rubric, c), memo=memo,
                           accept=bind(covers, whole=not c.partial))
               for c in rubric.concepts)


def grade_follow_up(question: Question, first: str, reply: str) -> Grading:
    """The reply to a follow-up question, graded together with the answer it follows."""
    return grade_text(question, f"{first.rstrip()}\n{reply.strip()}")


def _copies_question(analysis: Analysis, question: Question) -> bool:
    """Every content word of the answer is already in the question: it says nothing new."""
    words = {t.lemma for t in analysis.tokens if not t.negator}
    prompt = prompt_lemmas(question.prompt)
    if not words or words <= prompt:
        return bool(words)
    # A "{username}" in the prompt stands for one word the learner fills in ("ghcr.io/maria/..."):
    # the answer copies the question if that is all it adds to nearly all of the prompt's words.
    holes = question.prompt.count("{")
    return len(words - prompt) <= holes and len(words & prompt) >= 0.8 * len(prompt)


def _decide(verdict: Grading, rubric: Rubric, analysis: Analysis, question: Question, unsure: bool) -> None:
    full = [c for c in rubric.concepts if not c.partial]
    needed = max(1, min(rubric.needed, len(full))) if full else 1
    partial = {c.id for c in rubric.concepts if c.partial}
    # A partial idea ("you get an error") shows some understanding but never makes an answer right.
    have = sum(1 for idea in verdict.found if idea.id not in partial)
    if verdict.misconceptions:
        verdict.verdict, verdict.score = Verdict.INCORRECT, 0.0
        return
    if have >= needed:
        verdict.verdict, verdict.score = Verdict.CORRECT, 1.0
    elif verdict.found:
        verdict.verdict, verdict.score = Verdict.PARTLY, max(0.25, round(have / needed, 2))
    if analysis.words < 2 and verdict.verdict != Verdict.INCORRECT:
        # One word ("No", "overwritten") names a topic or a stance; it does not explain anything.
        verdict.verdict, verdict.score = Verdict.INCORRECT, 0.0
        verdict.notes.append("One word is not an answer: explain it in a sentence.")
    copied = _copies_question(analysis, question)
    if analysis.keyword_list and verdict.verdict != Verdict.INCORRECT:
        verdict.verdict, verdict.score = Verdict.INCORRECT, 0.0
        verdict.notes.append("A list of keywords is not an explanation: say how they fit together in a sentence.")
    if copied and not analysis.stance:
        verdict.verdict, verdict.score = Verdict.INCORRECT, 0.0
        verdict.notes.append("The answer repeats the question: say what happens, and why.")
    if verdict.verdict == Verdict.CORRECT:
        # Never correct, whatever words it contains: these answers do not explain.
        cap = ""
        if unsure:
            cap = "You say you are not sure: explain the idea in your own words to show you have it."
        elif copied:
            cap = "The answer mostly repeats the question: say why."
        elif analysis.words < 2 or (analysis.content_words < MIN_WORDS_FOR_CORRECT and analysis.words < 3):
            cap = "Right direction, but explain it in a full sentence to show why."
        if cap:
            verdict.verdict, verdict.score = Verdict.PARTLY, 0.5
            verdict.notes.append(cap)
    if verdict.verdict == Verdict.CORRECT and len(rubric.concepts) > needed:
        # Ideas beyond the required number are a bonus, not a gap.
        verdict.missed = []
    if verdict.verdict == Verdict.INCORRECT and not have and unsure:
        verdict.notes.append("That's fine: read the explanation below, then try again in your own words.")
    if verdict.verdict == Verdict.PARTLY:
        wanted = {idea.id for idea in verdict.missed}
        verdict.follow_up = next((c.follow_up for c in rubric.concepts if c.id in wanted and c.follow_up), "")


def explain(question: Question, answer: str) -> list[str]:
    """Lines for a lesson author: each word of the answer and the rule it took part in."""
    verdict = grade(question, answer, "text")
    analysis = analyse(answer)
    fired: dict[str, list[str]] = {}
    for kind, entries in (("concept", verdict.found), ("misconception", verdict.misconceptions)):
        for entry in entries:
            for word, rubric_word, how in entry.links:
                fired.setdefault(word.lower(), []).append(
                    f"{kind} {entry.id} via {entry.rule} \"{entry.phrasing}\" ({how} as '{rubric_word}')")
    lines = [f"stance: {analysis.stance}"] if analysis.stance else []
    for token in analysis.tokens:
        shown = answer[token.start:token.end]
        key = shown.lower() if token.negator else token.word
        rules = fired.get(key) or fired.get(shown.lower())
        role = "negator" if token.negator else f"lemma {token.lemma}"
        where = f"clause {token.clause}, sentence {token.sentence}"
        lines.append(f"{shown:<16} {role:<20} {where}: " + ("; ".join(rules) if rules else "no rule"))
    lines.append(f"verdict: {verdict.verdict} (score {verdict.score:g})")
    lines += [f"note: {note}" for note in verdict.notes]
    return lines


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


def grade_choice(question: Question, answer: str | Sequence[str]) -> Grading:
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
    verdict = Grading(question.id, Verdict.INCORRECT, 0.0, explanation=question.explanation, form="choice")
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
        verdict.verdict, verdict.score = Verdict.CORRECT, 1.0
    elif choice.multiple:
        # Several right options: each right pick counts, each wrong pick cancels one.
        score = max(0.0, (len(verdict.found) - len(verdict.misconceptions)) / right)
        if score > 0:
            verdict.verdict, verdict.score = Verdict.PARTLY, round(score, 2)
    return verdict


# --- either -------------------------------------------------------------------------------


def grade(question: Question, answer: str | Sequence[str], form: str | None = None) -> Grading:
    """Grade in ``form`` ("text" or "choice"); by default the question's preferred form."""
    if form is None and question.choice is not None and _looks_like_keys(question, answer):
        form = "choice"  # "a, d" for a question that also takes words: the learner chose options
    form = form or question.kinds[0]
    if form not in question.kinds:
        raise GradeError(f"question '{question.id}' cannot be answered as {form} "
                         f"(it takes: {', '.join(question.kinds)})")
    if form == "choice":
        return grade_choice(question, answer)
    if not isinstance(answer, str):
        answer = " ".join(str(part) for part in answer)
    return grade_text(question, answer)


def _looks_like_keys(question: Question, answer: str | Sequence[str]) -> bool:
    if "choice" not in question.kinds:
        return False
    if not isinstance(answer, str):
        return True
    words = answer.replace(",", " ").replace(";", " ").split()
    known = {o.key for o in question.choice.options} if question.choice else set()
    # Only single letters ("a, d", "b)") are keys: "bad" or "a cab" is a word someone wrote.
    return bool(words) and all(w.strip(")").lower() in known for w in words)
