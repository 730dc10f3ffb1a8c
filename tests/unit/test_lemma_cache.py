"""The decoded lemma dictionary in the cache folder: the same lemmas as simplemma's own, rebuilt
when missing or corrupt, and no temporary file of a killed write left behind."""

from __future__ import annotations

import os
import time

import pytest

from tutor.quiz import lemmas


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    lemmas.english.cache_clear()  # one process keeps its dictionary: read this folder afresh
    yield lemmas._entry()
    lemmas.english.cache_clear()


def test_the_cached_dictionary_answers_as_simplemmas_own(cache):
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    own = DefaultDictionaryFactory().get_dictionary(lemmas.LANG)
    first = lemmas.english()  # decoded and written
    assert cache.is_file()
    lemmas.english.cache_clear()
    again = lemmas.english()  # from the cache file
    assert isinstance(again, lemmas._Shards)
    words = [word for number, word in enumerate(own) if number % 997 == 0]
    assert words and all(again.get(word) == own[word] == first.get(word) for word in words)


def test_a_corrupt_cache_is_rebuilt_and_a_killed_writes_leftover_removed(cache):
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(b"not marshal")
    leftover = cache.parent / f".{cache.name}.abcd1234.tmp"  # as atomic_write names its temporary file
    leftover.write_bytes(b"half a dictionary")
    old = time.time() - 3600
    os.utime(leftover, (old, old))
    table = lemmas.english()
    assert table.get("pushed") is not None
    assert not leftover.exists()
    lemmas.english.cache_clear()
    assert lemmas.english().get("pushed") == table.get("pushed")
