"""What an answer says about the learner rather than about the question: "I don't know".

"I don't know", "no idea", "not sure" make an answer at most partly right, and their words
lend themselves to no idea of the rubric. A hedge about a side matter that the learner then
sets aside with "but" ("Not sure about the k3s specifics, but the registry would refuse ...")
keeps its words out of the ideas and caps nothing: what follows the "but" is the answer. A
guess the learner takes back ("I'd guess it fails... actually no, ...", "yes at first but
actually no") is no part of the answer: :func:`retracted` says where the answer they stand by
begins. The same words can also state an idea about the
system: "no idea what code is live", "you're never sure which build runs" say that nobody
*can* know, which is what a rubric may ask for. Such a phrase is no hedge when it is not the
learner's own ("I ...", "idk") and is followed by a question word whose next word is one
the question itself does not use ("what code is live": yes; "no idea what happens to the
old one": no, it asks the question again).
"""

from __future__ import annotations

import re
from tutor.quiz.text import analyse, prompt_lemmas

# What the learner has not done, after "I've" or right after a hedge ("idk, never used them").
_NEVER_DID = r"never\s+(?:used|tried|worked\s+with|touched|done)"
# "I don't know" in its usual spellings.
IGNORANCE = re.compile(
    r"\b(?:i\s*(?:do\s*not|don'?t|dont|do\s*n't)\s+(?:really\s+)?know|idk|dunno|no\s+idea|no\s+clue"
    r"|(?:i'?m|i\s+am)\s+not\s+sure|not\s+sure|i\s+have\s+no\s+idea|no\s+sé|keine\s+ahnung"
    # What the learner has not done: "I've never used private repos" is about them, not the registry.
    r"|i\s*(?:'ve|\s+have)?\s+" + _NEVER_DID +
    # "Don't know", the "I" left out: only where the answer or a sentence begins, since "you
    # don't know which build runs" is an idea; what follows it decides, as for "no idea ...".
    r"|(?:(?<=\A)|(?<=[.!?\n])|(?<=[.!?\n]\s))(?:do\s*not|don'?t|dont|do\s*n't)\s+(?:really\s+)?know)\b",
    re.IGNORECASE)
# "I don't know, never used them": the learner's own words go on after the hedge.
_GOES_ON = re.compile(r"[\s,;:-]*(?:(?:but|and)\s+)?" + _NEVER_DID + r"\b", re.IGNORECASE)
_OWN = re.compile(r"\b(?:i|i'?m|i\s+am|i\s+have|i'?ve)\s*$", re.IGNORECASE)
_OBJECT = re.compile(r"\s*(?:what|which|whether|where|who|how|if)\b([^,;.!?\n]*)", re.IGNORECASE)
# Words that say nothing about the system after "no idea what ...".
_EMPTY = frozenset({"happen", "mean", "do", "go", "answer", "question", "right", "correct", "thing", "stuff"})


# "... actually no", "wait, no", "scratch that": what came before is taken back.
_RETRACT_NO = re.compile(r"\b(?:actually|wait|oh|hmm+|hm)\s*[,.!:;-]*\s*(?=(?:no|nope)\b)", re.IGNORECASE)
_RETRACT = re.compile(r"\b(?:scratch\s+that|on\s+second\s+thoughts?|i\s+take\s+(?:that|it)\s+back"
                      r"|never\s*mind|no\s+wait|wait\s+no|i\s+was\s+wrong|correction\s*:)\W*", re.IGNORECASE)
_MIN_KEPT = 4  # words the answer must still have after a retraction for it to count as one
# "not sure about the k3s specifics, but ...": a hedge about a side matter, set aside.
_SET_ASIDE = re.compile(r"(?:\s+(?:about|on|of|with|regarding)\b[^,;.!?\n]{0,40})?\s*[,;:-]?\s*but\b", re.IGNORECASE)
_MIN_AFTER = 6  # words after "but" that make it an answer of its own


def retracted(text: str) -> int:
    """Where the answer the learner stands by begins: after the last guess they take back, or 0."""
    begin = 0
    for pattern in (_RETRACT_NO, _RETRACT):
        for found in pattern.finditer(text):
            if len(text[found.end():].split()) >= _MIN_KEPT:
                begin = max(begin, found.end())
    return begin


def set_aside(text: str, span: tuple[int, int]) -> int:
    """Where the answer of its own begins when the hedge at ``span`` is followed by "but" and
    one ("not sure about X, but ..."), else 0: the side matter up to "but" claims nothing."""
    after = _SET_ASIDE.match(text, span[1])
    if after is not None and len(re.findall(r"\w+", text[after.end():])) >= _MIN_AFTER:
        return after.end()
    return 0


def hedges(text: str, prompt: str) -> list[tuple[int, int]]:
    """Spans of ``text`` where the learner says they do not know (see the module's docstring)."""
    spans = []
    for said in IGNORANCE.finditer(text):
        phrase = said.group(0).lower()
        own = phrase.startswith(("i", "idk", "dunno")) or bool(_OWN.search(text[:said.start()]))
        following = _OBJECT.match(text, said.end())
        if not own and following and _says_something(following.group(1), prompt):
            continue  # "no idea what code is live": nobody can tell, an idea of its own
        more = _GOES_ON.match(text, said.end())
        spans.append((said.start(), more.end() if more else said.end()))
    return spans


def _says_something(words: str, prompt: str) -> bool:
    first = next((t for t in analyse(words).tokens if not t.negator), None)
    return first is not None and first.lemma not in prompt_lemmas(prompt) and first.lemma not in _EMPTY
