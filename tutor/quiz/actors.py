"""Who does what a rule says: the rubric's actors (e.g. build and push) and the subject of a clause.

A rubric entry bound to an actor (``actor = "build"``) matches only where that actor does what
the rule says: a match is refused when the subject of its clause is another of the rubric's
actors ("push creates the image" is not "build creates the image"); a key-term group needs its
own actor as the subject (or, with a person as the subject, named in the sentence: "you upload
it with docker push"). Used by :mod:`tutor.quiz.match`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from tutor.quiz.text import Analysis, Token, analyse

PERSON = "(a person)"
SOMEONE_ELSE = "(another subject)"
# Things that do something themselves when they open a clause ("the registry stores it"): such a
# clause does not take the actor of the clause before it.
OTHER_SUBJECTS = frozenset({"registry", "hub", "server", "node", "cluster", "kubernetes", "k8s", "kubelet",
                            "daemon", "engine", "repository", "repo"})
_ALT = "|"
_LEAD_WORDS = frozenset({"docker", "command", "cmd", "step"})  # "docker push sends ...": push is the subject


@dataclass(frozen=True)
class Actors:
    """The rubric's actors (e.g. build and push) and the one a rule belongs to."""

    own: str = ""  # "" : the rule is not bound to an actor
    all: tuple[tuple[str, tuple[Token, ...]], ...] = ()  # (actor name, the words that name it)

    def of(self, token: Token) -> str:
        for name, words in self.all:
            if any(w.lemma == token.lemma for w in words):
                return name
        return ""


@lru_cache(maxsize=4096)
def actor_words(spec: str) -> tuple[Token, ...]:
    return tuple(t for choice in spec.split(_ALT) for t in analyse(choice).tokens[:1])


# --- who does it -----------------------------------------------------------------------------


def anchor(answer: Analysis, chosen: Sequence[int], actors: Actors) -> int:
    """The matched word whose subject counts: in the rule's order (a group names its action
    first), the first that does not name the rule's own actor."""
    for p in chosen:
        if actors.of(answer.tokens[p]) != actors.own:
            return p
    return max(chosen)


def subject(answer: Analysis, position: int, actors: Actors) -> str:
    """Who does what the word at ``position`` says: an actor's name, PERSON, or "" (unknown)."""
    tokens = answer.tokens
    clause = tokens[position].clause
    pronoun = max((k for c, k in answer.pronouns if c == clause and k <= position), default=None)
    begin = position
    while begin > 0 and tokens[begin - 1].clause == clause:
        begin -= 1
    low = pronoun if pronoun is not None else begin
    before = position - 1
    while before >= low and tokens[before].word in _LEAD_WORDS:
        before -= 1
    if before >= low and (name := actors.of(tokens[before])):
        return name  # "build pushes it": the actor right before the action does it
    if name := actors.of(tokens[position]):
        return name  # "push sends it", "the image that build made": the word names its actor
    for i in range(before, low - 1, -1):  # the nearest actor before the word
        if name := actors.of(tokens[i]):
            return name
    after = position + 1
    while after < len(tokens) and tokens[after].word in _LEAD_WORDS:
        after += 1
    if after < len(tokens) and tokens[after].clause == clause and (name := actors.of(tokens[after])) \
            and "(" in answer.text[tokens[position].end:tokens[after].start]:
        return name  # "the shipping (docker push) sends it": the actor in brackets names its word
    # "One builds it, the other uploads it": the first and the second actor the rubric names.
    reference = max(((k, which) for c, k, which in answer.references if c == clause and k <= position), default=None)
    if reference is not None and len(actors.all) >= 2:
        return actors.all[reference[1]][0]
    if pronoun is not None:
        return PERSON
    if any(tokens[i].lemma in OTHER_SUBJECTS for i in range(begin, position)) and begin < position \
            and tokens[begin].lemma in OTHER_SUBJECTS:
        return SOMEONE_ELSE  # "..., and the registry only stores what push sends": the registry does it
    return _clause_subject(answer, clause - 1, actors)


def _clause_subject(answer: Analysis, clause: int, actors: Actors) -> str:
    """The subject an earlier clause hands on ("build: makes the image" - build makes it)."""
    while clause >= 0:
        words = [(i, t) for i, t in enumerate(answer.tokens) if t.clause == clause]
        for _i, token in words:
            if name := actors.of(token):
                return name
        if any(c == clause for c, _ in answer.pronouns):
            return PERSON
        clause -= 1
    return ""


def actor_holds(answer: Analysis, chosen: Sequence[int], actors: Actors, strict: bool) -> bool:
    if not actors.own:
        return True
    doer = subject(answer, anchor(answer, chosen, actors), actors)
    if doer == actors.own:
        return True
    if doer and doer != PERSON:
        return False  # another actor does it: a swapped role
    clause = answer.tokens[anchor(answer, chosen, actors)].clause
    others = {actors.of(t) for t in answer.tokens if t.clause == clause} - {"", actors.own}
    if others:
        return False
    if not strict:
        return True
    sentence = answer.tokens[chosen[0]].sentence
    return any(actors.of(t) == actors.own for t in answer.tokens if t.sentence == sentence)
