"""simplemma's English lemmas, without decoding its whole dictionary on every start.

simplemma ships each language's dictionary compressed and front-coded, and decodes all of
it (about 180,000 entries) on the first lookup: 0.4-1 s on a loaded machine, more than the
rest of a class sheet's start-up. The decoded English dictionary is kept in the user's
cache folder as a marshal file, in parts by the first three letters (each part decoded
only when a word of it is looked up), stamped with simplemma's version and its install, and
handed to simplemma's own strategies through its dictionary-factory interface, so every
lemma and every "is it a word" answer is simplemma's own, by construction. A missing,
stale, corrupt or unwritable entry only means decoding as before: never an error.
The folder is the learner's own, so loading from it trusts nobody new.

``lemma()`` is the lemma the grader compares (simplemma's, with the few fixes the course needs:
"building" is the verb "build"), and ``again_alias()`` the plain verb of a "re-" verb.
"""

from __future__ import annotations

import marshal
from collections.abc import Mapping
from functools import cache, lru_cache
from pathlib import Path
from unicodedata import normalize

import simplemma
from simplemma import Lemmatizer
from simplemma.strategies import DefaultStrategy, DictionaryLookupStrategy
from simplemma.strategies.dictionaries import DefaultDictionaryFactory, DictionaryFactory

LANG = "en"
_FORMAT = 2  # bump when the entry's layout changes
_PREFIX = 3  # letters that name a part of the dictionary


def _stamp() -> tuple:
    info = Path(simplemma.__file__).stat()
    return (_FORMAT, simplemma.__version__, str(Path(simplemma.__file__).parent), info.st_mtime_ns, info.st_size)


def _entry() -> Path:
    from tutor.store import cache_dir

    return cache_dir() / "simplemma-en.marshal"


def _shard(key: str) -> str:
    # Lookups try a word's other casings too ("Push", "push"): they share a shard.
    return key[:_PREFIX].lower()


class _Shards(Mapping[str, str]):
    """The dictionary split by the first letters of its words, each part decoded when first
    asked for: a class sheet meets a few thousand distinct words, not 180,000."""

    def __init__(self, parts: dict[str, bytes]) -> None:
        self._parts = parts
        self._open: dict[str, dict[str, str]] = {}

    def _part(self, key: str) -> dict[str, str]:
        name = _shard(key)
        part = self._open.get(name)
        if part is None:
            blob = self._parts.get(name)
            part = self._open[name] = marshal.loads(blob) if blob is not None else {}
        return part

    def get(self, key, default=None):  # noqa: ANN001 - Mapping's signature
        return self._part(key).get(key, default)

    def __getitem__(self, key: str) -> str:
        return self._part(key)[key]

    def __iter__(self):
        for name in self._parts:
            yield from self._part(name)

    def __len__(self) -> int:
        return sum(len(self._part(name)) for name in self._parts)


@cache
def english() -> Mapping[str, str]:
    """simplemma's English dictionary (word -> lemma), from the cache while simplemma is unchanged."""
    try:
        stamp = _stamp()
        entry = _entry()
    except (OSError, ValueError):
        return DefaultDictionaryFactory().get_dictionary(LANG)
    try:
        saved_stamp, parts = marshal.loads(entry.read_bytes())
        if saved_stamp == stamp and isinstance(parts, dict) and parts \
                and all(isinstance(blob, bytes) for blob in parts.values()):
            return _Shards(parts)
    except (OSError, ValueError, EOFError, TypeError):
        pass  # absent or unreadable: decode it below
    table = DefaultDictionaryFactory().get_dictionary(LANG)
    split: dict[str, dict[str, str]] = {}
    for key, value in table.items():
        split.setdefault(_shard(key), {})[key] = value
    try:
        from tutor.store import atomic_write, clean_leftovers

        entry.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(entry.parent, entry.name)  # 4 MB a time: a write killed before must not stay
        atomic_write(entry, marshal.dumps((stamp, {name: marshal.dumps(part) for name, part in split.items()})))
    except (OSError, ValueError):
        pass  # a read-only cache only costs the decoding next time
    return table


class _Factory(DictionaryFactory):
    """simplemma's dictionary interface, answering English from :func:`english`."""

    def __init__(self) -> None:
        self._others = DefaultDictionaryFactory()

    def get_dictionary(self, lang: str) -> Mapping[str, str]:
        return english() if lang == LANG else self._others.get_dictionary(lang)


_FACTORY = _Factory()
# The same strategies simplemma's own lemmatize() and is_known() use, over the same entries.
_LEMMATIZER = Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=_FACTORY))
_LOOKUP = DictionaryLookupStrategy(_FACTORY)


def lemmatize(word: str) -> str:
    """simplemma.lemmatize(word, lang="en")."""
    return _LEMMATIZER.lemmatize(word, LANG)


def is_known(word: str) -> bool:
    """simplemma.is_known(word, lang="en"): the same lookup, of the same NFC form."""
    return _LOOKUP.get_lemma(normalize("NFC", word), LANG) is not None


# --- the course's lemmas: simplemma's, with a few fixes ------------------------------------

# Where simplemma's dictionary answers with a noun or an adjective we need as the verb.
_LEMMA_FIXES = {
    "building": "build", "latest": "latest", "newest": "newest", "caching": "cache", "cached": "cache",
    "pending": "pending", "stuck": "stuck", "lost": "lose", "left": "leave", "rebuilt": "rebuild",
    "overwrote": "overwrite", "uploaded": "upload", "authenticated": "authenticate",
    "kubernetes": "kubernetes",
    "fixed": "fix",
    "backing": "back",
}
# "re-" meaning "again" before a verb the course talks about: "rechecks" is also "checks".
_AGAIN_VERBS = frozenset({
    "check", "send", "upload", "download", "pull", "fetch", "push", "tag", "deploy", "run", "use",
    "assign", "point", "verify", "query", "ask", "copy", "transfer", "load",
    # Asking again and trying again: "re-resolves the tag", "re-contacts the registry", "re-tries".
    "resolve", "contact", "poll", "try", "attempt", "consult", "sync", "start", "launch", "read",
})


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The dictionary form of an English word, the same for answers and rubrics."""
    if word in _LEMMA_FIXES:
        return _LEMMA_FIXES[word]
    if not word.isalpha() or len(word) <= 2:
        return word
    found = lemmatize(word)
    if found == word and len(word) > 4 and not is_known(word):
        # A misspelt or unknown word: strip a plural or tense ending so that a typo of
        # "uploads" ("uplaods") still reaches "upload".
        for suffix in ("ing", "ed", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                return word[: -len(suffix)]
    return found


@lru_cache(maxsize=16384)
def again_alias(word: str) -> str:
    """"rechecks" -> "check": the plain verb a "re-" verb also counts as ("" when none)."""
    if not word.startswith("re") or len(word) < 5:
        return ""
    stem = lemma(word[2:].lstrip("-"))  # "re-resolves" as "reresolves"
    return stem if stem in _AGAIN_VERBS else ""
