"""Finding a rubric phrasing in an answer, with its polarity.

A phrasing is a short phrase written in the lesson's rubric, e.g. ``"only changed layers
upload"``. It is found in an answer when its content words appear **in that order**, each
at most :data:`MAX_GAP` words after the previous one, inside one clause (or as many
clauses as the phrasing itself has). Two small extensions:

* ``upload|push|send`` - any one of these words fills the slot; an alternative that is only
  a stop word (``the|a|-``) makes the slot optional;
* a phrasing that starts with ``yes`` or ``no`` also requires the answer to open with that
  stance ("No, ..."); the phrasing ``"no"`` alone matches a bare "No." answer.

Negation: a negator in the phrasing ("not", "no", "never", "without" ...) must be matched by
one in the answer; any *other* negator before the match in its clause flips it, and a
flipped match does not count. So "latest is not always the newest" does not state the
misconception "latest is always the newest", and "it does not upload only the changed
layers" does not state the concept "upload only the changed layers".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tutor.quiz.text import Analysis, Token, analyse, same_word

MAX_GAP = 3  # other content words allowed between two consecutive words of a phrasing
SHORT_NEGATORS = frozenset({"without"})
SHORT_REACH = 1  # content words a short negator reaches ("without credentials")
_ALT = "|"
_PLACEHOLDER = "zqslot"  # an invented word that survives tokenising, replaced by a slot


@dataclass
class Slot:
    """One position of a phrasing: any of ``options`` matches; ``optional`` slots may be skipped."""

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

    @property
    def usable(self) -> bool:
        return bool(self.slots) or bool(self.stance)


@dataclass
class Match:
    phrase: Phrase
    tokens: list[Token]  # the answer's words that matched, in order
    evidence: str  # the stretch of the answer they cover


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


def _alternatives(choices: list[str]) -> Slot:
    slot = Slot([])
    for choice in choices:
        tokens = analyse(choice).tokens
        if not tokens:
            slot.optional = True
        slot.options.extend(tokens[:1])  # one word per alternative
    return slot


def find(phrase: Phrase, answer: Analysis, avoid: frozenset[int] = frozenset()) -> Match | None:
    """The first place ``phrase`` is stated (with the right polarity) in ``answer``, or None.

    ``avoid``: character offsets of answer words that may not take part (already used up).
    """
    if not phrase.usable:
        return None
    if phrase.stance and phrase.stance != answer.stance:
        return None
    if not phrase.slots:
        return Match(phrase, [], answer.text.strip().split()[0] if answer.text.strip() else "")
    tokens = answer.tokens
    for first in range(len(tokens)):
        found = _extend(phrase, tokens, 0, [], first, avoid)
        if found is not None:
            return Match(phrase, [tokens[i] for i in found], answer.snippet([tokens[i] for i in found]))
    return None


def _extend(phrase: Phrase, tokens: list[Token], slot_index: int, chosen: list[int], start: int,
            avoid: frozenset[int]) -> list[int] | None:
    """Depth-first: place slot ``slot_index`` at or after ``start``; return positions when all fit."""
    if slot_index == len(phrase.slots):
        return chosen if chosen and _polarity_holds(tokens, chosen) else None
    slot = phrase.slots[slot_index]
    if chosen:
        limit = min(len(tokens), chosen[-1] + MAX_GAP + 2)
    else:
        limit = start + 1  # the first matched word is exactly at ``start``
    for position in range(start, limit):
        token = tokens[position]
        if chosen and token.clause - tokens[chosen[0]].clause >= phrase.clauses:
            break
        if token.start not in avoid and any(same_word(option, token) for option in slot.options):
            found = _extend(phrase, tokens, slot_index + 1, chosen + [position], position + 1, avoid)
            if found is not None:
                return found
    if slot.optional:
        return _extend(phrase, tokens, slot_index + 1, chosen, start, avoid)
    return None


def _polarity_holds(tokens: list[Token], chosen: list[int]) -> bool:
    """No unmatched negator before the match's end in the clauses it covers (or an even number)."""
    first, last = tokens[chosen[0]], chosen[-1]
    used = set(chosen)
    extra = 0
    for i, token in enumerate(tokens[: last + 1]):
        if not token.negator or i in used or token.clause < first.clause:
            continue
        # "without" reaches only the words right after it ("without Always the node keeps ...").
        if token.word in SHORT_NEGATORS and not any(i < p <= i + SHORT_REACH for p in chosen):
            continue
        extra += 1
    return extra % 2 == 0
