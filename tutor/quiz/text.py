"""Free-text answers -> tokens the matcher can compare: words, stems, clauses and negation.

Deliberately small and rule-based (no language model, no network), so that a verdict can
always be explained by pointing at the words that produced it:

* lower case, contractions expanded ("doesn't" -> "does not", also without the apostrophe),
* light stemming ("pushes", "pushed", "pushing" -> "push"; "changed layers" -> "chang layer"),
* stop words dropped, but negators ("not", "no", "never", "without" ...) kept and flagged,
* clauses split at punctuation and at joining words ("but", "because", "and", "if" ...), so a
  negation only reaches to the end of its own clause,
* a leading "yes"/"no" that answers a yes/no question is taken as the answer's *stance*
  instead of as a negation of what follows ("No, you don't" is not "you do").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# "re-upload" stays one word; "v1.2" and "500MB" are single tokens until split below.
_WORD = re.compile(r"(?:re|un|pre|non)-[a-z]+|[a-z0-9]+(?:['\u2019][a-z]+)?", re.IGNORECASE)
# "." and ":" end a clause only before a space: "ghcr.io" and "poll-backend:v1" stay whole.
# Brackets are not boundaries: "(the namespace)" belongs to its sentence.
_BOUNDARY_CHARS = re.compile(r"[,;!?\n\u2014\u2013]|[.:](?:\s|$)|\s--?\s")
_NUMBER_UNIT = re.compile(r"^(\d+(?:\.\d+)?)([kmgt]i?b|b|mbs|gbs)$")

NEGATORS = frozenset({"not", "no", "never", "none", "nothing", "neither", "nor", "without", "nobody", "nowhere"})
STANCE_WORDS = {"yes": "yes", "yeah": "yes", "yep": "yes", "yup": "yes", "no": "no", "nope": "no", "nah": "no"}
# After a leading "no", these mean it answers the question ("No, you don't") rather than
# quantifying a noun ("No layers are uploaded twice").
_STANCE_FOLLOWERS = frozenset({"you", "it", "i", "we", "they", "docker", "that", "this", "the", "only", "just"})

# Words that end one clause and start the next; they carry no content themselves.
CLAUSE_WORDS = frozenset({
    "but", "because", "since", "so", "while", "whereas", "although", "though", "however", "instead",
    "and", "then", "otherwise", "unless", "until", "if", "when", "whenever", "therefore", "hence",
})

# Question words ("which", "what") stay: "which build" must not shrink to "build".
STOP_WORDS = frozenset({
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "am", "it", "its", "to", "of",
    "in", "on", "at", "by", "for", "from", "with", "as", "that", "this", "these", "those", "there",
    "their", "they", "them", "you", "your", "yours", "i", "me", "my", "we", "our", "us", "he", "she",
    "do", "does", "did", "doing", "will", "would", "shall", "should", "can", "could", "may", "might",
    "must", "have", "has", "had", "having", "just", "also", "than", "very", "really", "about", "into",
    "onto", "up", "some", "or", "actually", "basically",
    "get", "gets", "got", "getting", "s", "one", "thing", "things", "like", "well", "simply",
})

_CONTRACTIONS = {
    "can't": "can not", "cannot": "can not", "won't": "will not", "shan't": "shall not",
    "ain't": "is not", "cant": "can not", "wont": "will not",
}
_NT_WITHOUT_APOSTROPHE = frozenset({
    "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "havent", "hasnt", "hadnt",
    "shouldnt", "wouldnt", "couldnt", "mustnt", "neednt",
})

# A few synonyms every rubric would otherwise have to repeat.
_CANONICAL = {
    "k8s": "kubernetes", "kube": "kubernetes", "repo": "repository", "repos": "repositories",
    "img": "image", "imgs": "images", "megabyte": "mb", "megabytes": "mb", "meg": "mb", "megs": "mb",
    "gigabyte": "gb", "gigabytes": "gb", "everytime": "every time", "dockerhub": "docker hub",
    "kb": "kb", "mib": "mb", "gib": "gb", "rollback": "roll back", "rollbacks": "roll backs",
}
_IRREGULAR = {
    "built": "build", "rebuilt": "rebuild", "sent": "send", "resent": "resend", "ran": "run",
    "wrote": "write", "written": "write", "overwrote": "overwrite", "overwritten": "overwrite",
    "rewritten": "rewrite", "gotten": "get", "went": "go", "gone": "go", "made": "make", "took": "take",
    "taken": "take", "kept": "keep", "found": "find", "chose": "choose", "chosen": "choose", "knew": "know",
    "known": "know", "lost": "lose", "meant": "mean", "broke": "break", "broken": "break", "saw": "see",
    "seen": "see", "gave": "give", "given": "give", "stole": "steal", "stolen": "steal", "hid": "hide",
    "hidden": "hide", "ate": "eat", "led": "lead", "fed": "feed", "held": "hold", "stuck": "stick",
}
_VOWELS = set("aeiouy")


def stem(word: str) -> str:
    """A light suffix stripper: plurals, -ed, -ing and a final -e, applied the same to answers and rubrics."""
    word = _IRREGULAR.get(word, word)
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith(("ies", "ied")) and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "shes", "ches", "xes", "zzes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        rest = word[: -len(suffix)]
        if word.endswith(suffix) and not word.endswith("eed") and len(rest) >= 2 and _VOWELS & set(rest):
            word = _undouble(rest)
            break
    if word.endswith("e") and len(word) > 2:
        word = word[:-1]
    return word


def _undouble(word: str) -> str:
    """"tagg" -> "tag", "skipp" -> "skip", but "pull" and "pass" keep their double letter."""
    if len(word) >= 3 and word[-1] == word[-2] and word[-1] not in _VOWELS | {"l", "s", "z"}:
        return word[:-1]
    return word


@dataclass(frozen=True)
class Token:
    """One content word of an answer (or of a rubric phrasing)."""

    word: str  # lower case, after contractions and synonyms ("not" for "n't")
    stem: str
    clause: int  # which clause it is in; negation does not cross clauses
    start: int  # character span in the original text, for showing the evidence
    end: int

    @property
    def negator(self) -> bool:
        return self.word in NEGATORS


@dataclass
class Analysis:
    """What the matcher needs from a piece of text."""

    text: str
    tokens: list[Token] = field(default_factory=list)  # content words only, in order
    stance: str = ""  # "yes" / "no" when the text opens by answering a yes/no question

    @property
    def content_words(self) -> int:
        """Words that carry meaning (not stop words, not negators)."""
        return sum(1 for t in self.tokens if not t.negator)

    def snippet(self, tokens: list[Token]) -> str:
        if not tokens:
            return ""
        return self.text[min(t.start for t in tokens):max(t.end for t in tokens)]


def _expand(raw: str) -> list[str]:
    """One written word -> the words it stands for ("doesn't" -> ["does", "not"])."""
    word = raw.lower().replace("\u2019", "'")
    if word.startswith(("re-", "un-", "pre-", "non-")):
        word = word.replace("-", "")
    if word in _CONTRACTIONS:
        return _CONTRACTIONS[word].split()
    if word.endswith("n't"):
        return [word[:-3], "not"]
    if word in _NT_WITHOUT_APOSTROPHE:
        return [word[:-2], "not"]
    if "'" in word:  # "it's", "image's", "you're": keep the stem word
        word = word.split("'", 1)[0]
    unit = _NUMBER_UNIT.match(word)
    if unit:
        return [unit.group(1), _CANONICAL.get(unit.group(2), unit.group(2).rstrip("s"))]
    return _CANONICAL.get(word, word).split()


def analyse(text: str) -> Analysis:
    """Tokenise ``text`` into content tokens with clause numbers, and find its stance."""
    text = text or ""
    analysis = Analysis(text)
    # (word, start, end) with None marking a clause boundary.
    raw: list[tuple[str, int, int] | None] = []
    position = 0
    for match in _WORD.finditer(text):
        if _BOUNDARY_CHARS.search(text, position, match.start()):
            raw.append(None)
        for word in _expand(match.group(0)):
            raw.append((word, match.start(), match.end()))
        position = match.end()
    raw = _take_stance(raw, analysis)
    clause = 0
    for item in raw:
        if item is None or item[0] in CLAUSE_WORDS:
            clause += 1
            continue
        word, start, end = item
        if word in STOP_WORDS:
            continue
        analysis.tokens.append(Token(word, stem(word), clause, start, end))
    return analysis


def _take_stance(raw: list[tuple[str, int, int] | None], analysis: Analysis) -> list[tuple[str, int, int] | None]:
    """Remove a leading "yes"/"no" that answers the question, remembering which it was."""
    while raw and raw[0] is None:
        raw = raw[1:]
    if not raw or raw[0] is None or raw[0][0] not in STANCE_WORDS:
        return raw
    word = raw[0][0]
    following = raw[1] if len(raw) > 1 else None
    if word == "no" and following is not None and following[0] not in _STANCE_FOLLOWERS:
        return raw  # "No layers are uploaded twice": a quantifier, not an answer
    analysis.stance = STANCE_WORDS[word]
    return [None] + raw[1:]


def distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, giving up above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def same_word(rubric: Token, answer: Token) -> bool:
    """Equal stems, or a small typo in a longer word ("uplaoded", "registy", "kubernets")."""
    if rubric.negator or answer.negator:
        return rubric.negator and answer.negator  # any negator stands for any other
    if rubric.stem == answer.stem:
        return True
    if not (rubric.word.isalpha() and answer.word.isalpha()) or rubric.word[0] != answer.word[0]:
        return False
    shorter = min(len(rubric.word), len(answer.word))
    allowed = 2 if shorter >= 9 else 1 if shorter >= 6 else 0
    return allowed > 0 and distance(rubric.stem, answer.stem, allowed) <= allowed
