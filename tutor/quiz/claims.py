"""Claims the lesson does not account for: "v1 moves, and Docker Hub emails you to confirm it".

A right idea followed by a wrong one is incorrect when the wrong one is a known misconception.
Learners invent others. So that such an answer is never called correct, a clause that takes
no part in any idea found and says things in words this question's own text never uses
(its prompt, explanation, options, rubric) makes a correct verdict partly, with a note that
names the words. Hedges and fillers ("I think", "maybe", "kinda") and words that are no
English dictionary word (a username, a typo) do not count.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tutor.lesson.model import Question
from tutor.quiz.lemmas import is_known
from tutor.quiz.text import Analysis, analyse

# Words a clause may use without saying anything new about the question.
FILLERS = frozenset({
    "think", "maybe", "perhaps", "probably", "sure", "kinda", "sort", "guess", "believe", "right",
    "why", "tell", "say", "mean", "basically", "really", "quite", "pretty", "bit", "lot", "way",
    "first", "second", "third", "last", "next", "then", "part", "thing", "stuff", "actually",
    "course", "yeah", "ok", "okay", "well", "exactly", "answer", "question", "remember", "know",
    "happen", "case", "example", "e", "g", "eg", "ie", "etc", "also", "too", "even", "still",
    "just", "simply", "usually", "typically", "normally", "often", "mostly", "anyway", "instead",
    "understand", "correct", "wrong", "true", "idea", "point", "reason", "because", "sorry",
    "whoever", "whatever", "anything", "something", "nothing", "either", "other", "rest", "more",
    "any", "time", "now", "later", "again", "before", "after", "soon", "once", "twice", "day",
    "good", "bad", "big", "small", "new", "old", "same", "different", "whole", "half", "few",
    "many", "much", "less", "each", "every", "all", "both", "here", "there", "silently", "quietly",
    "automatically", "suddenly", "experience", "work", "job", "team", "production", "prod", "dev",
    "bring", "restart", "start", "run", "use", "get", "give", "take", "come", "go", "see", "look",
    # Prepositions the stop words leave in: they join words, they say nothing themselves.
    "during", "through", "via", "per", "within", "across", "against", "over", "under", "among",
    "toward", "towards", "upon", "between", "beside", "behind", "along", "around", "throughout",
    # Judging a practice ("considered poor practice", "not recommended") claims nothing about Docker.
    "consider", "considered", "practice", "poor", "recommend", "recommended", "advise", "advice",
    "avoid", "best", "better", "worse", "worst", "habit", "convention", "discourage", "encourage",
    # Where to look ("check `kubectl describe pod` events") reports, it does not explain.
    "check", "inspect", "read", "show", "display", "print", "output", "event", "message", "detail",
    "otherwise", "clue",
    # Words that join a claim to what follows from it ("which means", "whether from X or Y").
    "which", "means", "whether", "common", "commonly", "generally",
    # Where a layer sits in the stack ("the big stuff at the bottom (OS)") places it, it claims nothing.
    "bottom", "top", "os",
    # When something happened ("node B pulled it on Wednesday") dates a claim, it makes none.
    # (Spans of time stay: "expires after 24 hours", "once a month" are claims of their own.)
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "weekend",
    "yesterday", "today", "tomorrow", "ago", "recently", "earlier", "afterwards", "meanwhile",
    # Indefinite words point at something, they say nothing of it ("points somewhere else").
    "somewhere", "elsewhere", "anywhere", "everywhere", "someone", "somebody", "anyone", "anybody",
    "everyone", "everybody", "else", "somehow", "available", "unavailable", "become",
    # Sounds and stances of thinking aloud ("Hmm, yes at first ...").
    "hmm", "hm", "um", "uh", "yes", "yep", "nope", "honestly", "tbh", "frankly",
})
# A clause that opens with a comparison, or says "X is like ...", draws an analogy ("Think of
# syncing a folder to Dropbox: ...", "build is like cooking the meal"): it compares, it claims nothing.
_SOFTENED = r"(?:just\s+|kind\s+of\s+|sort\s+of\s+|a\s+bit\s+)?"  # "kind of like", "just like"
_ANALOGY_OPENS = re.compile(r"^\W*(?:(?:it'?s|it\s+is|this\s+is|that'?s)\s+)?" + _SOFTENED +
                            r"(?:like|think\s+of|imagine|as\s+if|similar\s+to|picture|compare)\b", re.IGNORECASE)
_ANALOGY_INSIDE = re.compile(r"\b(?:is|are|'s)\s+" + _SOFTENED + r"like\b", re.IGNORECASE)
MIN_UNKNOWN = 2  # unaccounted words that make a clause a claim of its own
# In an answer that draws an analogy, later sentences often go on in its scene ("The kitchen keeps
# calling the supplier"): a clause needs more words the question never uses to be a claim.
MIN_UNKNOWN_IN_ANALOGY = 4
# "the chef (pod)", "a card (credentials)": a word glossed by a bracket is the analogy's name for it.
_GLOSSED = re.compile(r"([A-Za-z][\w-]*)\s*\(([^()]{1,40})\)")
MIN_VOCABULARY = 40  # lemmas a question's text needs before words can be "unaccounted"


def _vocabulary(question: Question) -> frozenset[str]:
    """Every lemma of the question's own text (keyed by that text: questions are not hashable)."""
    texts = [question.prompt, question.body, question.explanation]
    if question.choice is not None:
        for option in question.choice.options:
            texts += [option.text, option.why]
    rubric = question.rubric
    if rubric is not None:
        for entry in rubric.entries:
            texts += [entry.label, getattr(entry, "correction", ""), getattr(entry, "follow_up", ""), *entry.phrasings]
            # A group's veto words ("!without|otherwise") are what it must not meet, not what it says.
            texts += [" ".join(part.replace("|", " ") for part in term.lstrip("~=*").split("+")
                               if not part.strip().startswith("!")) for term in entry.terms]
    return _lemmas_of(tuple(texts))


@lru_cache(maxsize=64)
def _lemmas_of(texts: tuple[str, ...]) -> frozenset[str]:
    return frozenset(token.lemma for text in texts for token in analyse(text).tokens)


def _in_identifier(text: str, token) -> bool:
    """Part of a name, a path, a token someone pasted ("dckr_pat_...", "my-app/v2") or code in
    backticks ("`kubectl describe pod`"), not a word of a claim."""
    if text.count("`", 0, token.start) % 2:
        return True
    start = text.rfind(" ", 0, token.start) + 1
    end = text.find(" ", token.end)
    chunk = text[start:len(text) if end < 0 else end].strip(".,;:!?()\"'")
    return any(mark in chunk for mark in "_/@=") or (any(c.isdigit() for c in chunk) and any(c.isalpha() for c in chunk))


def unaccounted(question: Question, answer: Analysis, used_starts: set[int]) -> list[str]:
    """The words of the first clause that states something the question's text never speaks of."""
    known = _vocabulary(question)
    if len(known) < MIN_VOCABULARY:
        return []  # a question with little text of its own gives too little to judge by
    scene: set[str] = _glossed(answer, known)  # the analogy's own words, known once it has used them
    drawn = False  # an analogy was drawn before this clause
    for clause in sorted({t.clause for t in answer.tokens}):
        words = [t for t in answer.tokens if t.clause == clause and not t.negator]
        if not words:
            continue
        if _analogy(answer, words) or _analogy(answer, _sentence_start(answer, words[0])):
            scene.update(t.lemma for t in words)
            drawn = True
            continue  # a comparison goes on to the end of its sentence ("It's like moving house when ...")
        if any(t.start in used_starts for t in words):
            continue
        new = [t for t in words if t.lemma not in known and t.lemma not in FILLERS and t.word not in FILLERS
               and t.lemma not in scene
               and len(t.word) > 1 and t.word.isalpha() and is_known(t.word) and not _in_identifier(answer.text, t)]
        if len(new) >= (MIN_UNKNOWN_IN_ANALOGY if drawn else MIN_UNKNOWN):
            return [answer.text[t.start:t.end] for t in new]
    return []


def _glossed(answer: Analysis, known: frozenset[str]) -> set[str]:
    """Lemmas of words glossed in brackets by a word the question uses ("the chef (pod)")."""
    scene: set[str] = set()
    for found in _GLOSSED.finditer(answer.text):
        if any(t.lemma in known for t in analyse(found.group(2)).tokens):
            scene.update(t.lemma for t in analyse(found.group(1)).tokens)
    return scene


def _sentence_start(answer: Analysis, token) -> list:
    """The words of the first clause of ``token``'s sentence."""
    first = next(t for t in answer.tokens if t.sentence == token.sentence)
    return [t for t in answer.tokens if t.clause == first.clause]


def _analogy(answer: Analysis, words: list) -> bool:
    """The clause of ``words`` draws a comparison (from the end of the clause before it)."""
    first = answer.tokens.index(words[0])
    begin = answer.tokens[first - 1].end if first else 0
    text = answer.text[begin:words[-1].end]
    return bool(_ANALOGY_OPENS.match(text) or _ANALOGY_INSIDE.search(text))
