"""Named parts in their roles: "ghcr.io is the username" puts a known part in another part's role.

A rubric concept can be bound to the words that name its part, with a leading ``=``:
``actor = "=ghcr|io"`` on the concept "registry". Such a concept matches anywhere, as an
unbound one does; in addition, every place the answer names a part ("ghcr.io") is read
together with the role words right next to it in its clause ("is the username"): when the
words beside it name only another concept's role ("username" is a word of the concept
"namespace") and none of its own, the answer states a swapped role, which the grader
reports as a misconception with the part's own concept as its correction.

Only single-word phrasings of a concept count as its role words ("registry", "username"),
and a word that two concepts share names neither. Two content words or fewer may stand
between a part and its role word ("v1 after the colon is the tag").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tutor.lesson.model import Rubric, RubricConcept
from tutor.quiz.text import Analysis, analyse

NAMED = "="  # the actor prefix that marks a named part
NEAR = 3  # at most this many positions between a part's edge and its role word


@dataclass
class Swap:
    concept: RubricConcept  # the part's own concept ("registry")
    part: str  # the answer's words naming the part ("ghcr.io")
    role: str  # the role word it was given ("username")
    start: int  # character offsets, for the evidence
    end: int
    words: tuple[str, ...] = ()  # the part's own words, as tokens ("ghcr", "io")


def named(entry) -> bool:
    return entry.actor.startswith(NAMED)


@lru_cache(maxsize=256)
def _lemmas(spec: str) -> frozenset[str]:
    return frozenset(t.lemma for choice in spec.lstrip(NAMED).split("|") for t in analyse(choice).tokens[:1])


def _role_words(rubric: Rubric) -> dict[str, str]:
    return _role_table(tuple((c.id, tuple(c.phrasings)) for c in rubric.concepts))


@lru_cache(maxsize=256)
def _role_table(concepts: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    """lemma -> the concept id it names, from single-word phrasings; shared words dropped."""
    owners: dict[str, set[str]] = {}
    for concept_id, phrasings in concepts:
        for phrasing in phrasings:
            tokens = analyse(phrasing).tokens
            if len(tokens) == 1 and not tokens[0].negator:
                owners.setdefault(tokens[0].lemma, set()).add(concept_id)
    return {lemma: next(iter(ids)) for lemma, ids in owners.items() if len(ids) == 1}


def _apart(text: str, start: int, end: int) -> bool:
    """A "/" with a space beside it between two words: "where (ghcr.io) / whose (my user)" pairs
    each part with its own words, not with the next segment's (the reference's own "a/b" has no space)."""
    gap = text[start:end]
    return " /" in gap or "/ " in gap


def _glued(answer: Analysis, k: int, i: int, end: int) -> bool:
    """"username/poll-backend": a role word glued into the reference's own format by "/" or ":"
    stands in for its own part's slot; it says nothing about the part beside it."""
    tokens = answer.tokens
    gap = answer.text[tokens[k].end:tokens[i].start] if k < i else answer.text[tokens[end].end:tokens[k].start]
    return gap in ("/", ":")


def swapped_parts(rubric: Rubric, answer: Analysis) -> list[Swap]:
    bound = [c for c in rubric.concepts if named(c)]
    if not bound:
        return []
    roles = _role_words(rubric)
    part_of = {lemma: concept for concept in bound for lemma in _lemmas(concept.actor)}
    tokens = answer.tokens
    swaps: list[Swap] = []
    i = 0
    while i < len(tokens):
        concept = part_of.get(tokens[i].lemma)
        if concept is None:
            i += 1
            continue
        end = i
        while end + 1 < len(tokens) and part_of.get(tokens[end + 1].lemma) is concept \
                and tokens[end + 1].clause == tokens[i].clause:
            end += 1
        clause = tokens[i].clause
        near = [k for k in range(max(0, i - NEAR), min(len(tokens), end + NEAR + 1))
                if not i <= k <= end and tokens[k].clause == clause and tokens[k].lemma in roles
                and not _apart(answer.text, tokens[min(k, i)].end, tokens[max(k, end)].start)
                and not _glued(answer, k, i, end)
                and not any(t.negator for t in tokens[min(k, i):max(k, end)])]  # "ghcr.io isn't the user"
        own = [k for k in near if roles[tokens[k].lemma] == concept.id]
        other = [k for k in near if roles[tokens[k].lemma] != concept.id]
        if other and not own:
            k = min(other, key=lambda k: min(abs(k - i), abs(k - end)))
            swaps.append(Swap(concept, answer.snippet(tokens[i:end + 1]), answer.snippet([tokens[k]]),
                              min(tokens[i].start, tokens[k].start), max(tokens[end].end, tokens[k].end),
                              tuple(t.word for t in tokens[i:end + 1])))
        i = end + 1
    return swaps


# "registry/namespace/repository:tag": the format's own slots, written as one word.
_TEMPLATE = re.compile(r"(?<![\w./:-])[a-z]+(?:/[a-z]+){1,3}(?::[a-z]+)?(?![\w/:-])", re.IGNORECASE)


def recited_only(rubric: Rubric, answer: Analysis, used: set[int]) -> bool:
    """The answer recites the format ("It's registry/username/repository:tag") and nothing else:
    every word that showed an idea is a slot of such a template, and no part of the example
    ("ghcr.io", "poll-backend", "v1") is named anywhere, so nothing is mapped to its role."""
    bound = [c for c in rubric.concepts if named(c)]
    if not bound or not used:
        return False
    spans = [m.span() for m in _TEMPLATE.finditer(answer.text)]
    if not spans or not all(any(a <= start < b for a, b in spans) for start in used):
        return False
    parts = frozenset().union(*(_lemmas(c.actor) for c in bound))
    return not any(t.lemma in parts for t in answer.tokens)
