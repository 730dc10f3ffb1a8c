"""Finding a rubric rule in an answer, with its polarity and, where it matters, who does it.

Two kinds of rule (see docs/lesson-format.md):

* a **phrasing**, e.g. ``"only changed layers upload"``: its content words appear **in that
  order**, each at most :data:`MAX_GAP` words after the previous one, inside one clause (or as
  many clauses as the phrasing itself has). ``upload|push|send`` - any one of these words fills
  the slot; an alternative that is only a stop word (``the|a|-``) makes the slot optional. A
  phrasing that starts with ``yes`` or ``no`` also requires the answer to open with that stance.
* a **key-term group**, e.g. ``"tag|latest + move|reassign|overwrite|float"``: one word of each
  ``+``-separated slot, in any order, inside one sentence and at most :data:`WINDOW` words apart.
  A leading ``~`` makes the group hold whatever its polarity ("doesn't run a *stale* image"
  states the idea of a stale copy as much as "runs a stale image" does); a leading ``=`` keeps
  every key term inside one clause ("the pull fails, but the pod starts" is no "fails to start");
  a leading ``*`` lets the terms spread over their whole sentence, past the window.
  A negator among the key terms must stand before another of them in its clause. A slot written
  ``!a|b`` is no key term but a veto: the group does not hold where one of those words stands in
  its sentence (its clause, for ``=`` groups), joining words included ("always + never + pull +
  !without|otherwise|but": "Always ..., so it never pulls a newer one" contradicts the idea,
  "without Always it never pulls a newer one" states it).

Negation: a negator in the rule ("not", "no", "never", "without" ...) must be matched by one in
the answer; any *other* negator before a matched word in that word's clause flips the match,
and a flipped match does not count. "not only" is no negator.

Actors: a rubric entry may be bound to an actor (``actor = "build"``); who the subject of a
clause is, and so whether the actor does what the rule says, is :mod:`tutor.quiz.actors`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product

from tutor.quiz.actors import Actors, actor_holds, anchor, subject
from tutor.quiz.text import Analysis, Token, analyse, fuzzy_same, negator_key

MAX_GAP = 3  # other content words allowed between two consecutive words of a phrasing
WINDOW = 10  # content words a key-term group may spread over
SHORT_NEGATORS = frozenset({"without"})
SHORT_REACH = 1  # content words a short negator reaches ("without credentials")
_NOT_COUNTED = frozenset({"any", "single"})  # "without any error", "without a single error"
MAX_COMBINATIONS = 400  # placements of one key-term group tried in one sentence
_ALT = "|"
_PLACEHOLDER = "zqslot"  # an invented word that survives tokenising, replaced by a slot
_FUZZY_MIN = 6  # as in tutor.quiz.text: shorter words must be spelt right


@dataclass
class Slot:
    """One position of a rule: any of ``options`` matches; ``optional`` slots may be skipped."""

    options: list[Token]
    optional: bool = False

    @property
    def negator(self) -> bool:
        return any(o.negator for o in self.options)


@dataclass
class Phrase:
    text: str
    slots: list[Slot] = field(default_factory=list)
    stance: str = ""
    clauses: int = 1  # how many clauses the phrasing itself spans
    kind: str = "phrasing"  # or "terms" for a key-term group
    any_polarity: bool = False  # "~" groups
    one_clause: bool = False  # "=" groups: every key term inside one clause
    vetoes: frozenset[str] = frozenset()  # "!a|b": words that may not stand in the group's sentence (clause)
    whole_sentence: bool = False  # "*" groups: anywhere in one sentence, however far apart
    # Worked out on first use (see _gates): index keys a needed exact-spelt slot must find.
    gates: tuple[frozenset[str], ...] | None = field(default=None, compare=False, repr=False)

    @property
    def usable(self) -> bool:
        return bool(self.slots) or bool(self.stance)


@dataclass
class Match:
    phrase: Phrase
    tokens: list[Token]  # the answer's words that matched, in order
    evidence: str  # the stretch of the answer they cover
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (answer word, rubric word, how)
    subject: str = ""  # the actor found as the clause's subject, for actor-bound rules


@lru_cache(maxsize=8192)
def compile_phrase(text: str) -> Phrase:
    groups: list[list[str]] = []

    def hold(chunk: str) -> str:
        groups.append(chunk.split(_ALT))
        return f"{_PLACEHOLDER}{chr(ord('a') + len(groups) - 1)}"

    # Keep "a|b|c" groups aside so the tokeniser sees one placeholder word for each.
    words = [hold(chunk) if _ALT in chunk else chunk for chunk in text.split()]
    analysis = analyse(" ".join(words))
    phrase = Phrase(text, stance=analysis.stance)
    phrase.clauses = len({t.clause for t in analysis.tokens}) or 1
    for token in analysis.tokens:
        if token.word.startswith(_PLACEHOLDER) and len(token.word) == len(_PLACEHOLDER) + 1:
            phrase.slots.append(_alternatives(groups[ord(token.word[-1]) - ord("a")]))
        else:
            phrase.slots.append(Slot([token]))
    return phrase


@lru_cache(maxsize=8192)
def compile_terms(text: str) -> Phrase:
    """``"~a|b + c|d"`` -> a group of slots that must co-occur (``~``: either polarity)."""
    body = text.strip()
    flags = body[: len(body) - len(body.lstrip("~=*"))]
    phrase = Phrase(text, kind="terms", any_polarity="~" in flags, one_clause="=" in flags,
                    whole_sentence="*" in flags)
    vetoes: set[str] = set()
    for part in body.lstrip("~=*").split("+"):
        if part.strip().startswith("!"):
            vetoes.update(choice.strip().lower() for choice in part.strip()[1:].split(_ALT) if choice.strip())
            continue
        slot = _alternatives([choice for choice in part.split(_ALT) if choice.strip()])
        if slot.options:
            slot.optional = False  # every key term of a group is needed
            phrase.slots.append(slot)
    phrase.vetoes = frozenset(vetoes)
    return phrase


_RAW_WORD = re.compile(r"[a-z0-9]+", re.IGNORECASE)


def _vetoed(phrase: Phrase, answer: Analysis, where: list[int]) -> bool:
    """A veto word of the group stands in its scope: the clause of its terms for "=" groups, else
    their sentence; written words (joining words too) and the lemmas of content words count."""
    tokens = answer.tokens
    if phrase.one_clause:
        clause = tokens[where[0]].clause
        scope = [t for t in tokens if t.clause == clause]
    else:
        sentence = tokens[where[0]].sentence
        scope = [t for t in tokens if t.sentence == sentence]
    text = answer.text[scope[0].start:scope[-1].end]
    words = {w.lower() for w in _RAW_WORD.findall(text)} | {t.lemma for t in scope}
    return not phrase.vetoes.isdisjoint(words)


def _alternatives(choices: list[str]) -> Slot:
    slot = Slot([])
    for choice in choices:
        tokens = analyse(choice).tokens
        if not tokens:
            slot.optional = True
        slot.options.extend(tokens[:1])  # one word per alternative
    return slot


# --- where a rubric word occurs in an answer ------------------------------------------------


_EMPTY: list[int] = []  # shared, never changed
_PLANS: dict[int, tuple[Token, tuple[str, str], int]] = {}  # id(rubric word) -> (it, memo key, how to look)
_NEGATOR, _EXACT, _FUZZY = 0, 1, 2


def _plan(option: Token) -> tuple[Token, tuple[str, str], int]:
    """What looking ``option`` up takes, worked out once per rubric word (they are compiled once)."""
    plan = _PLANS.get(id(option))
    if plan is None or plan[0] is not option:
        if len(_PLANS) > 65536:
            _PLANS.clear()
        negator = negator_key(option)
        if negator:
            plan = (option, (negator, ""), _NEGATOR)
        else:
            fuzzy = max(len(option.lemma), len(option.word)) >= _FUZZY_MIN - 1 and option.word[:1].isalpha()
            plan = (option, (option.lemma, option.word), _FUZZY if fuzzy else _EXACT)
        _PLANS[id(option)] = plan
    return plan


def positions(option: Token, answer: Analysis, memo: dict[tuple[str, str], list[int]]) -> list[int]:
    """Indexes of the answer's tokens that ``option`` matches: same lemma, or a small typo.
    The list returned may be shared: read it, never change it."""
    _option, key, how = _plan(option)  # rubric words are compiled once: their plans too
    found = memo.get(key)
    if found is None:
        index = answer.lemmas()
        if how == _NEGATOR:
            found = index.get(key[0], _EMPTY)
        else:
            found = index.get(option.lemma, _EMPTY)
            if how == _FUZZY:
                # Typos: only answer words with the same first letter and a length that allows one.
                near = _fuzzy_bucket(answer, memo).get(option.word[0], ())
                extra = [where for lemma, word, where in near
                         if lemma != option.lemma and _typo(option.lemma, option.word, lemma, word)]
                if extra or len(found) > 1:
                    found = sorted(set(found + extra))
        memo[key] = found
    return found


@lru_cache(maxsize=262144)
def _typo(rubric_lemma: str, rubric_word: str, lemma: str, word: str) -> bool:
    return fuzzy_same(rubric_lemma, lemma) or fuzzy_same(rubric_word, lemma) or fuzzy_same(rubric_word, word)


def _fuzzy_bucket(answer: Analysis, memo: dict) -> dict[str, list[tuple[str, str, int]]]:
    bucket = memo.get(("", "bucket"))
    if bucket is None:
        bucket = {}
        for i, token in enumerate(answer.tokens):
            if not token.negator and token.word[:1].isalpha() and len(token.word) >= _FUZZY_MIN - 1:
                bucket.setdefault(token.word[0], []).append((token.lemma, token.word, i))
        memo[("", "bucket")] = bucket
    return bucket


def _how(option: Token, token: Token) -> str:
    if option.negator:
        return "negator"
    if option.lemma == token.lemma:
        return "same word" if option.word == token.word else "same lemma"
    if option.lemma == token.alias:
        return "same verb"  # "rechecks" for "check", "gives up" for "give"
    return "typo"


# --- finding ---------------------------------------------------------------------------------


def find(phrase: Phrase, answer: Analysis, avoid: frozenset[int] = frozenset(),
         actors: Actors = Actors(), memo: dict | None = None) -> Match | None:
    """The first place ``phrase`` is stated (with the right polarity, by the right actor) in
    ``answer``, or None. ``avoid``: character offsets of answer words that may not take part."""
    if not phrase.usable:
        return None
    memo = {} if memo is None else memo
    if phrase.stance and phrase.stance != answer.stance:
        return None
    if not phrase.slots:
        return Match(phrase, [], answer.text.strip().split()[0] if answer.text.strip() else "")
    gates = phrase.gates
    if gates is None:
        gates = phrase.gates = _gates(phrase)
    if gates:
        index = answer.lemmas()
        for gate in gates:
            if gate.isdisjoint(index):
                return None  # a word the rule needs is not in the answer, seen without looking it up
    candidates = []
    for slot in phrase.slots:
        found = _slot_positions(slot, answer, avoid, memo)
        if not found and not slot.optional:
            return None  # a word the rule needs is not in the answer: no need to look further
        candidates.append(found)
    if phrase.kind == "terms":
        return _find_group(phrase, answer, candidates, actors)
    if not any(candidates[0]) and not phrase.slots[0].optional:
        return None
    if phrase.slots[0].optional:
        starts = sorted({p for c in candidates for p, _ in c})
    else:
        starts = [p for p, _ in candidates[0]]
    for first in starts:
        extended = _extend(phrase, answer, candidates, 0, [], first, actors)
        if extended is not None:
            return _match(phrase, answer, extended, actors)
    return None


def _gates(phrase: Phrase) -> tuple[frozenset[str], ...]:
    """For each needed slot whose words must be spelt exactly (short words, negators): the index
    keys one of which the answer must have."""
    gates = []
    for slot in phrase.slots:
        plans = [_plan(option) for option in slot.options]
        if not slot.optional and plans and all(how != _FUZZY for _o, _k, how in plans):
            gates.append(frozenset(key[0] for _o, key, _h in plans))
    return tuple(gates)


def _slot_positions(slot: Slot, answer: Analysis, avoid: frozenset[int], memo: dict) -> list[tuple[int, Token]]:
    options = slot.options
    if len(options) == 1:  # most slots: one word, most often not in the answer at all
        if not positions(options[0], answer, memo):
            return []
    found: dict[int, Token] = {}
    for option in options:
        for p in positions(option, answer, memo):
            if p not in found and answer.tokens[p].start not in avoid:
                found[p] = option
    return sorted(found.items())


def _extend(phrase: Phrase, answer: Analysis, candidates, slot_index: int, chosen: list[tuple[int, Token]],
            start: int, actors: Actors) -> list[tuple[int, Token]] | None:
    """Depth-first: place slot ``slot_index`` at or after ``start``; return placements when all fit."""
    tokens = answer.tokens
    if slot_index == len(phrase.slots):
        if chosen and _polarity_holds(tokens, [p for p, _ in chosen], phrase.any_polarity) \
                and actor_holds(answer, [p for p, _ in chosen], actors, strict=False):
            return chosen
        return None
    if chosen:
        last = chosen[-1][0]
        low, high = last + 1, min(len(tokens), last + MAX_GAP + 2)
    else:
        low, high = start, start + 1  # the first matched word is exactly at ``start``
    for position, option in candidates[slot_index]:
        if position < low:
            continue
        if position >= high:
            break
        if chosen and tokens[position].clause - tokens[chosen[0][0]].clause >= phrase.clauses:
            break
        found = _extend(phrase, answer, candidates, slot_index + 1, chosen + [(position, option)],
                        position + 1, actors)
        if found is not None:
            return found
    if phrase.slots[slot_index].optional:
        return _extend(phrase, answer, candidates, slot_index + 1, chosen, start, actors)
    return None


def _find_group(phrase: Phrase, answer: Analysis, candidates, actors: Actors) -> Match | None:
    if any(not c for c in candidates):
        return None
    tokens = answer.tokens
    sentences = sorted({tokens[p].sentence for p, _ in candidates[0]})
    vetoed: dict[int, bool] = {}  # clause (for "=" groups) or sentence -> holds a veto word
    for sentence in sentences:
        here = [[(p, o) for p, o in c if tokens[p].sentence == sentence] for c in candidates]
        if any(not c for c in here):
            continue
        for tried, combination in enumerate(product(*here)):
            if tried >= MAX_COMBINATIONS:
                break
            where = [p for p, _ in combination]
            if len(set(where)) < len(where) or (max(where) - min(where) > WINDOW and not phrase.whole_sentence):
                continue
            clauses = [tokens[p].clause for p in where]
            if phrase.one_clause and len(set(clauses)) > 1:
                continue
            # A negator of the rule negates its own clause only: another key term must share it.
            # (only when the word that filled the slot is a negator: "hard|not + roll back" is
            # satisfied by "rollbacks are hard" as well as by "you cannot roll back")
            if any(option.negator and not any(clauses[j] == clauses[i] and where[j] > where[i]
                                              for j in range(len(where)))
                   for i, (_p, option) in enumerate(combination)):
                continue
            if not _polarity_holds(tokens, sorted(where), phrase.any_polarity):
                continue
            if not actor_holds(answer, where, actors, strict=True):
                continue
            if phrase.vetoes:
                scope = tokens[where[0]].clause if phrase.one_clause else sentence
                if scope not in vetoed:
                    vetoed[scope] = _vetoed(phrase, answer, where)
                if vetoed[scope]:
                    continue  # a veto word stands in this clause (sentence): try another
            return _match(phrase, answer, list(combination), actors)
    return None


def _match(phrase: Phrase, answer: Analysis, chosen: list[tuple[int, Token]], actors: Actors) -> Match:
    ordered = sorted(chosen)
    tokens = [answer.tokens[p] for p, _ in ordered]
    links = [(answer.tokens[p].word if not answer.tokens[p].negator else answer.snippet([answer.tokens[p]]),
              option.word, _how(option, answer.tokens[p])) for p, option in ordered]
    doer = subject(answer, anchor(answer, [p for p, _ in chosen], actors), actors) if actors.own else ""
    return Match(phrase, tokens, answer.snippet(tokens), links, doer)


def _polarity_holds(tokens: list[Token], chosen: list[int], any_polarity: bool = False) -> bool:
    """No unmatched negator before a matched word in its clause (or an even number of them), in
    each clause on its own: "build doesn't create it and push doesn't upload it" denies twice,
    it affirms nothing."""
    if any_polarity:
        return True
    used = set(chosen)
    negators: set[int] = set()
    for position in chosen:
        if tokens[position].negator:
            continue  # the rule's own "not" is what it states, whatever stands before it
        clause = tokens[position].clause
        i = position - 1
        while i >= 0 and tokens[i].clause == clause:
            token = tokens[i]
            if token.negator and i in used:
                break  # the rule's own negator opens its phrase: "doesn't exist for anyone *not* logged in"
            if token.negator and i not in used:
                # "without" reaches only the words right after it ("without Always the node keeps ...").
                if token.word not in SHORT_NEGATORS or _reach(tokens, i, position) <= SHORT_REACH:
                    negators.add(i)
            i -= 1
    clauses = [tokens[i].clause for i in negators]
    return all(clauses.count(clause) % 2 == 0 for clause in set(clauses))


def _reach(tokens: list[Token], negator: int, position: int) -> int:
    """Content words from a short negator to ``position``; "any" does not count ("without any error")."""
    return sum(1 for k in range(negator + 1, position + 1) if tokens[k].word not in _NOT_COUNTED)


def first_match(rules: Sequence[Phrase], answer: Analysis, avoid: frozenset[int] = frozenset(),
                actors: Actors = Actors(), memo: dict | None = None,
                accept: Callable[[Match], bool] | None = None) -> Match | None:
    memo = {} if memo is None else memo
    for rule in rules:
        match = find(rule, answer, avoid, actors, memo)
        if match and (accept is None or accept(match)):
            return match
    return None
