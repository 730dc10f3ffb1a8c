"""Free-text answers -> tokens the matcher can compare: words, lemmas, clauses, sentences, negation.

Rule-based and offline (no language model, no network), so that a verdict can always be
explained by pointing at the words that produced it:

* lower case, contractions expanded ("doesn't" -> "does not", also without the apostrophe),
* lemmas from simplemma, whose English data ships inside the package (decoded once, kept in
  the cache: tutor.quiz.lemmas) ("pushed", "pushing" -> "push"; "layers" -> "layer"), after a
  few course synonyms ("k8s" -> "kubernetes"),
* stop words dropped, but negators ("not", "no", "never", "without" ...) kept and flagged;
  "not only" / "not just" is no negation ("not only X but Y" says X and Y),
* clauses split at punctuation and at joining words ("but", "because", "and", "if" ...), so a
  negation only reaches to the end of its own clause; sentences split at . ! ? ; and new lines,
* personal pronouns are remembered (not kept as words): "the image *you* built" has its own
  subject, which the matcher needs to tell who does what,
* a leading "yes"/"no" that answers a yes/no question is taken as the answer's *stance*
  instead of as a negation of what follows ("No, you don't" is not "you do"),
* "re-" verbs also count as their plain verb ("re-checks" is also "check"), phrasal verbs
  become one word ("gives up" -> "quit", "comes up" -> "start"), "whenever" is "every" time,
* "one ... the other", "the former ... the latter" are remembered as references to the
  first and second thing the question names (who does what, see tutor.quiz.match).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein
from tutor.quiz.lemmas import again_alias, is_known, lemma

# "re-upload" stays one word; "v1.2" and "500MB" are single tokens until split below.
_WORD = re.compile(r"(?:re|un|pre|non)-[a-z]+|[a-z0-9]+(?:['\u2019][a-z]+)?", re.IGNORECASE)
# "." and ":" end a clause only before a space: "ghcr.io" and "poll-backend:v1" stay whole.
# Brackets are not boundaries: "(the namespace)" belongs to its sentence.
_BOUNDARY_CHARS = re.compile(r"[,;!?\n\u2014\u2013]|[.:](?:\s|$)|\s--?\s|->|=>|\u2192")
_SENTENCE_CHARS = re.compile(r"[;!?\n]|\.(?:\s|$)")
_NUMBER_UNIT = re.compile(r"^(\d+(?:\.\d+)?)([kmgt]i?b|b|mbs|gbs)$")

NEGATORS = frozenset({"not", "no", "never", "none", "nothing", "neither", "nor", "without", "nobody", "nowhere"})
# "not only", "not just": an addition, not a denial.
_NOT_NEGATING_AFTER = frozenset({"only", "just", "merely", "simply"})
STANCE_WORDS = {"yes": "yes", "yeah": "yes", "yep": "yes", "yup": "yes", "no": "no", "nope": "no", "nah": "no"}
# After a leading "no", these mean it answers the question ("No, you don't") rather than
# quantifying a noun ("No layers are uploaded twice").
_STANCE_FOLLOWERS = frozenset({"you", "it", "i", "we", "they", "docker", "that", "this", "the", "only", "just",
                               "because", "since", "but", "so", "as", "not"})  # "No because ...", "No, not ..."
# A person doing something: the clause's subject is then not one of the rubric's actors.
PRONOUNS = frozenset({"you", "i", "we", "they", "he", "she", "someone", "somebody", "people", "anyone"})

# Words that end one clause and start the next; they carry no content themselves.
CLAUSE_WORDS = frozenset({
    "but", "because", "since", "so", "while", "whereas", "although", "though", "however", "instead",
    "and", "then", "unless", "until", "if", "when", "whenever", "therefore", "hence",
})
# Words that start a clause and stay in it as a word a rule may name: "otherwise the node
# keeps its copy" says what happens without the thing just named.
_CLAUSE_OPENERS = frozenset({"otherwise"})
# "Without it, the node keeps its copy": "without" and a pronoun at a clause's start say
# "otherwise"; read as a negator, "without" would deny the next word ("node") instead.
_OTHERWISE_OBJECTS = frozenset({"it", "this", "that", "them"})

# Question words ("which", "what") stay: "which build" must not shrink to "build".
STOP_WORDS = frozenset({
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "am", "it", "its", "to", "of",
    "in", "on", "at", "by", "for", "from", "with", "as", "that", "this", "these", "those", "there",
    "their", "they", "them", "you", "your", "yours", "i", "me", "my", "we", "our", "us", "he", "she",
    "do", "does", "did", "doing", "will", "would", "shall", "should", "can", "could", "may", "might",
    "must", "have", "has", "had", "having", "just", "also", "than", "very", "really", "about", "into",
    "onto", "up", "some", "or", "actually", "basically",
    "s", "one", "thing", "things", "like", "well", "simply",
    "someone", "somebody", "people", "anyone", "his", "her", "him",
})

_CONTRACTIONS = {
    "can't": "can not", "cannot": "can not", "won't": "will not", "shan't": "shall not",
    "ain't": "is not", "cant": "can not", "wont": "will not",
}
_NT_WITHOUT_APOSTROPHE = frozenset({
    "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "havent", "hasnt", "hadnt",
    "shouldnt", "wouldnt", "couldnt", "mustnt", "neednt",
})
# Misspelt negated auxiliaries ("dosent", "dosen't", "doesent", "dosnt"): still a "not".
_MISSPELT_NT = re.compile(r"^(do|dos|doe|does|did|is|are|was|were|has|have|had|should|would|could)e?n'?t$")

# A few synonyms every rubric would otherwise have to repeat.
_CANONICAL = {
    "k8s": "kubernetes", "kube": "kubernetes", "repo": "repository", "repos": "repositories",
    "img": "image", "imgs": "images", "megabyte": "mb", "megabytes": "mb", "meg": "mb", "megs": "mb",
    "gigabyte": "gb", "gigabytes": "gb", "everytime": "every time", "dockerhub": "docker hub",
    "kb": "kb", "mib": "mb", "gib": "gb", "rollback": "roll back", "rollbacks": "roll backs",
    "creds": "credentials", "pwd": "password", "k3": "k3s", "pls": "please",
    "whenever": "when every",  # "whenever a pod starts" says every start
}
# Verb + particle -> the one word a rubric names it by ("gives up" is "quits").
_PHRASAL = {
    ("give", "up"): "quit", ("come", "up"): "start", ("spin", "up"): "start", ("start", "up"): "start",
    ("boot", "up"): "start", ("go", "down"): "crash", ("back", "off"): "backoff", ("go", "up"): "upload",
    ("look", "up"): "check", ("pick", "up"): "notice", ("roll", "back"): "rollback",
    ("take", "over"): "replace", ("go", "through"): "succeed",
    ("log", "in"): "login", ("log", "on"): "login", ("sign", "in"): "login",
    ("turn", "away"): "refuse", ("right", "away"): "immediately", ("straight", "away"): "immediately",
}
_PARTICLES = frozenset(particle for _verb, particle in _PHRASAL)
# "nobody but me", "everyone but the owner": "but" means "except" and joins no clauses.
_ALL_BUT = frozenset({"nobody", "none", "noone", "anyone", "anybody", "everyone", "everybody", "all", "nothing"})
# Words at the start of a clause that refer to the first or the second thing the question
# names ("One builds it, the other uploads it").
_REFERENCES = {"one": 0, "first": 0, "former": 0, "other": 1, "second": 1, "latter": 1}
_FUZZY_MIN = 6  # words shorter than this must be spelt right (a typo in "push" is another word)
LONG_LIST = 5  # words from which a run of words with no joining word is a list, whatever one plural says
SHORT_LIST = 4  # words from which such a run that ends in its only plural is a list ("... registry credentials")
# Words that join a sentence where the stop words do not ("replaces what latest means").
_QUESTION_WORDS = frozenset({"what", "which", "who", "whom", "whose", "where", "how", "why", "whatever"})


@lru_cache(maxsize=262144)
def fuzzy_same(rubric: str, answer: str) -> bool:
    """A small typo in a longer word ("uplaoded", "registy", "kubernets"), never in a short one."""
    if rubric == answer:
        return True
    if not (rubric.isalpha() and answer.isalpha()) or rubric[0] != answer[0]:
        return False
    if _dictionary_word(answer):
        return False  # a real word is no typo: "remote" is not "remove", "stare" not "store"
    shorter = min(len(rubric), len(answer))
    if shorter == _FUZZY_MIN - 1 and len(rubric) == len(answer):
        # Five letters: only two neighbours swapped ("layre", "pusll" is no "pulls").
        return OSA.distance(rubric, answer, score_cutoff=1) == 1 and Levenshtein.distance(rubric, answer) == 2
    allowed = 2 if shorter >= 9 else 1 if shorter >= _FUZZY_MIN else 0
    return allowed > 0 and OSA.distance(rubric, answer, score_cutoff=allowed) <= allowed


@lru_cache(maxsize=65536)
def _dictionary_word(word: str) -> bool:
    return is_known(word)


@dataclass(frozen=True)
class Token:
    """One content word of an answer (or of a rubric phrasing)."""

    word: str  # lower case, after contractions and synonyms ("not" for "n't")
    lemma: str
    clause: int  # which clause it is in; negation does not cross clauses
    start: int  # character span in the original text, for showing the evidence
    end: int
    sentence: int = 0  # key-term groups co-occur within one sentence
    alias: str = ""  # a second lemma it also counts as ("recheck" -> "check")

    @property
    def negator(self) -> bool:
        return self.word in NEGATORS

    @property
    def stem(self) -> str:  # the older name, kept for callers that compare stems
        return self.lemma


@dataclass
class Analysis:
    """What the matcher needs from a piece of text."""

    text: str
    tokens: list[Token] = field(default_factory=list)  # content words only, in order
    stance: str = ""  # "yes" / "no" when the text opens by answering a yes/no question
    words: int = 0  # every written word, stop words included
    function_words: int = 0  # stop words and clause words: a sentence has them, a keyword list does not
    chunks: list[int] = field(default_factory=list)  # words per comma/line-separated piece
    # (clause, index of the next content token) for each personal pronoun: "the image you built".
    pronouns: list[tuple[int, int]] = field(default_factory=list)
    # (clause, index of the next content token, 0 or 1) for "one" / "the other" at a clause start.
    references: list[tuple[int, int, int]] = field(default_factory=list)
    _index: dict[str, list[int]] | None = field(default=None, repr=False)

    @property
    def content_words(self) -> int:
        """Words that carry meaning (not stop words, not negators)."""
        return sum(1 for t in self.tokens if not t.negator)

    @property
    def keyword_list(self) -> bool:
        """Bare keywords ("tag, latest, moves", "image name registry tag"): no word that joins
        them into a claim. A written-out format ("registry/namespace/repository:tag") is not one."""
        if self.function_words or not self.chunks or re.search(r"[/:=]|->", self.text):
            return False  # "build: local. push: remote." pairs each word with another
        # An inflected word ("caches", "moved") makes a claim: "Docker caches stuff", and pairs
        # like "build creates; push publishes"; "latest tag kubernetes version" makes none.
        inflected = sum(1 for t in self.tokens if t.word != t.lemma and t.word.endswith(("s", "ed", "ing")))
        if len(self.chunks) >= 2 and max(self.chunks) <= 2:
            return not (min(self.chunks) == 2 and inflected >= len(self.chunks))
        if self.words >= LONG_LIST and inflected <= 1 and len(self.chunks) == 1 \
                and not any(t.word in _QUESTION_WORDS or t.word.endswith("ly") for t in self.tokens):
            return True  # "latest tag rollback nodes registry version": one plural makes no claim
        last = self.tokens[-1] if self.tokens else None
        if last is not None and self.words >= SHORT_LIST and inflected == 1 and len(self.chunks) == 1 \
                and last.word != last.lemma \
                and last.word.endswith("s") \
                and not any(t.word in _QUESTION_WORDS or t.word.endswith("ly") for t in self.tokens):
            return True  # "private repository registry credentials": a plural that ends a list claims nothing
        return self.words >= 3 and not inflected

    def snippet(self, tokens: list[Token]) -> str:
        if not tokens:
            return ""
        return self.text[min(t.start for t in tokens):max(t.end for t in tokens)]

    def lemmas(self) -> dict[str, list[int]]:
        """lemma -> positions of the tokens that have it; negators under :func:`negator_key`."""
        if self._index is None:
            index: dict[str, list[int]] = {}
            for i, token in enumerate(self.tokens):
                index.setdefault(negator_key(token) or token.lemma, []).append(i)
                if token.alias:
                    index.setdefault(token.alias, []).append(i)
            self._index = index
        return self._index


def _expand(raw: str) -> list[str]:
    """One written word -> the words it stands for ("doesn't" -> ["does", "not"])."""
    word = raw.lower().replace("\u2019", "'")
    if word.startswith(("re-", "un-", "pre-", "non-")):
        word = word.replace("-", "")
    if word in _CONTRACTIONS:
        return _CONTRACTIONS[word].split()
    if misspelt := _MISSPELT_NT.match(word):
        head = misspelt.group(1)
        return ["does" if head.startswith("do") and head != "did" else head, "not"]
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
    """Tokenise ``text`` into content tokens with clause and sentence numbers, and find its stance."""
    text = text or ""
    analysis = Analysis(text)
    # (word, start, end, new sentence?) with None marking a clause boundary.
    raw: list[tuple[str, int, int, bool] | None] = []
    position = 0
    chunk = 0
    new_sentence = False
    for match in _WORD.finditer(text):
        # The gap between two words, and the first letter of the next one: without it the
        # pattern's "$" would match at the gap's end, and "ghcr.io" would split at the dot.
        gap = (position, match.start() + 1)
        if _BOUNDARY_CHARS.search(text, *gap):
            raw.append(None)
            if chunk:
                analysis.chunks.append(chunk)
            chunk = 0
        if _SENTENCE_CHARS.search(text, *gap):
            new_sentence = True
        for word in _expand(match.group(0)):
            raw.append((word, match.start(), match.end(), new_sentence))
            new_sentence = False
            chunk += 1
        position = match.end()
    if chunk:
        analysis.chunks.append(chunk)
    raw = _take_stance(raw, analysis)
    raw = _by_itself(raw)
    ones: list[tuple[int, int]] = []  # (sentence, index in analysis.references) of each "one"
    clause = sentence = 0
    previous = ""
    clause_start = True  # no content word yet in this clause
    skip_next = False  # the "only" of "not only"
    for index, item in enumerate(raw):
        if item is None:
            clause += 1
            previous = ""
            clause_start = True
            continue
        word, start, end, starts_sentence = item
        analysis.words += 1
        if starts_sentence and analysis.tokens:
            sentence += 1
        if word == "but" and (previous in _ALL_BUT or (previous == "one" and _word_at(raw, index - 2) == "no")):
            analysis.function_words += 1
            previous = word
            continue  # "nobody but me": "except", no new clause
        if word == "then" and previous and previous not in CLAUSE_WORDS and not clause_start:
            analysis.function_words += 1
            previous = word
            continue  # "Docker Hub then builds it": an adverb inside the clause, not a new one
        if word == "without" and clause_start and _next_word(raw, index) in _OTHERWISE_OBJECTS:
            word = "otherwise"  # the pronoun after it is a stop word: dropped as usual
            analysis.tokens.append(Token(word, word, clause, start, end, sentence))
            previous = word
            clause_start = False
            continue
        if word in _CLAUSE_OPENERS and not clause_start:
            clause += 1
            clause_start = True
        if word in CLAUSE_WORDS:
            clause += 1
            analysis.function_words += 1
            previous = word
            clause_start = True
            continue
        if word in PRONOUNS:
            analysis.pronouns.append((clause, len(analysis.tokens)))
        if clause_start and word in _REFERENCES and (word != "first" or _next_word(raw, index) not in ("", "push", "time")):
            analysis.references.append((clause, len(analysis.tokens), _REFERENCES[word]))
            if word == "one":
                ones.append((sentence, len(analysis.references) - 1))
        if word in _PARTICLES and analysis.tokens and analysis.tokens[-1].end <= start \
                and (analysis.tokens[-1].lemma, word) in _PHRASAL and analysis.tokens[-1].clause == clause:
            verb = analysis.tokens[-1]
            merged = _PHRASAL[(verb.lemma, word)]
            analysis.tokens[-1] = Token(verb.word, merged, verb.clause, verb.start, end, verb.sentence, verb.lemma)
            analysis.function_words += 1
            previous = word
            continue
        if word in STOP_WORDS:
            analysis.function_words += 1
            previous = word
            continue
        if word == "not" and _next_word(raw, index) in _NOT_NEGATING_AFTER:
            previous = word
            skip_next = True
            continue  # "not only X but Y" says X, and more: neither a denial nor an "only"
        if skip_next:
            skip_next = False
            previous = word
            continue
        if previous == "no" and word == "longer":
            previous = word
            continue  # "no longer": the "no" already negates
        analysis.tokens.append(Token(word, lemma(word), clause, start, end, sentence, again_alias(word)))
        previous = word
        clause_start = False
    _drop_unnamed(analysis, ones)
    return analysis


# "on its own", "by themselves": nobody made it happen, the words a rubric names as "automatically".
_BY_ITSELF = (("on", ("its", "their"), "own"), ("by", ("itself", "themselves"), ""))


_BY_ITSELF_LAST = frozenset({"own", "itself", "themselves"})


def _by_itself(raw: list) -> list:
    if not any(item is not None and item[0] in _BY_ITSELF_LAST for item in raw):
        return raw  # most answers: nothing to merge
    out: list = []
    i = 0
    while i < len(raw):
        item = raw[i]
        for first, middles, last in _BY_ITSELF:
            size = 3 if last else 2
            words = [w[0] if w is not None else "" for w in raw[i:i + size]]
            if len(words) == size and words[0] == first and words[1] in middles and (not last or words[2] == last):
                end = raw[i + size - 1]
                out.append(("automatically", item[1], end[2], item[3]))
                i += size
                break
        else:
            out.append(item)
            i += 1
    return out


def _drop_unnamed(analysis: Analysis, ones: list[tuple[int, int]]) -> None:
    """"One makes it and one uploads it" never says which is which: two "one"s in a sentence
    name neither actor (unlike "one ... the other")."""
    sentences = [sentence for sentence, _ in ones]
    unnamed = {index for sentence, index in ones if sentences.count(sentence) > 1}
    if unnamed:
        analysis.references = [r for i, r in enumerate(analysis.references) if i not in unnamed]


@lru_cache(maxsize=256)
def prompt_lemmas(prompt: str) -> frozenset[str]:
    """The lemmas of a question's prompt (the words an answer repeats rather than says)."""
    return frozenset(t.lemma for t in analyse(prompt).tokens)


def _word_at(raw: list[tuple[str, int, int, bool] | None], index: int) -> str:
    item = raw[index] if 0 <= index < len(raw) else None
    return item[0] if item is not None else ""


def _next_word(raw: list[tuple[str, int, int, bool] | None], index: int) -> str:
    following = raw[index + 1] if index + 1 < len(raw) else None
    return following[0] if following is not None else ""


def _take_stance(raw: list, analysis: Analysis) -> list:
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
    analysis.words += 1
    return [None] + raw[1:]


def negator_key(token: Token) -> str:
    """Negators stand for each other ("not", "never", "no" ...), except "without", a preposition
    that only "without" matches; "" for other words."""
    if not token.negator:
        return ""
    return "without" if token.word == "without" else "not"


def same_word(rubric: Token, answer: Token) -> bool:
    """Equal lemmas, or a small typo in a longer word; any negator stands for any other."""
    if rubric.negator or answer.negator:
        return negator_key(rubric) == negator_key(answer)
    return rubric.lemma == answer.lemma or fuzzy_same(rubric.lemma, answer.lemma) \
        or fuzzy_same(rubric.word, answer.word)
