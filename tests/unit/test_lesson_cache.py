"""Parsed lessons come back from the cache only while the file is unchanged; a bad cache never hurts."""

from __future__ import annotations

import os
import shutil

import pytest

from tutor.lesson import LessonError
from tutor.lesson import cache as lesson_cache
from tutor.lesson.parser import load_lesson
from tutor.paths import lessons_dir

MILESTONE = lessons_dir() / "04-push-to-registry.md"


@pytest.fixture
def lesson_file(tmp_path):
    path = tmp_path / "lessons" / MILESTONE.name
    path.parent.mkdir()
    shutil.copy(MILESTONE, path)
    return path


@pytest.fixture
def parses(monkeypatch):
    """How many times the parser really ran."""
    import tutor.lesson.parser as parser

    calls = []
    real = parser.parse_lesson

    def counting(text, source=None):
        calls.append(source)
        return real(text, source)

    monkeypatch.setattr(parser, "parse_lesson", counting)
    return calls


def entries(folder):
    return sorted(p.name for p in folder.glob("*.pickle")) if folder.exists() else []


def test_the_second_load_is_the_same_lesson_without_parsing(lesson_file, tmp_path, parses):
    folder = tmp_path / "cache"
    first = lesson_cache.cached_lesson(lesson_file, folder)
    second = lesson_cache.cached_lesson(lesson_file, folder)
    assert len(parses) == 1
    assert second == first == load_lesson(lesson_file)
    assert second is not first
    assert len(entries(folder)) == 1


def test_an_edited_lesson_is_parsed_again_and_replaces_its_entry(lesson_file, tmp_path, parses):
    folder = tmp_path / "cache"
    before = lesson_cache.cached_lesson(lesson_file, folder)
    text = lesson_file.read_text(encoding="utf-8")
    # Same length, so only the modification time tells the edit apart (as for .pyc files).
    lesson_file.write_text(text.replace(before.title, before.title.upper(), 1), encoding="utf-8")
    stat = lesson_file.stat()
    os.utime(lesson_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after = lesson_cache.cached_lesson(lesson_file, folder)
    assert after.title == before.title.upper() != before.title
    assert lesson_cache.cached_lesson(lesson_file, folder) == after
    assert len(parses) == 2
    assert len(entries(folder)) == 1


def test_a_changed_parser_parses_again(lesson_file, tmp_path, parses, monkeypatch):
    folder = tmp_path / "cache"
    lesson_cache.cached_lesson(lesson_file, folder)
    monkeypatch.setattr(lesson_cache, "_code_stamp", lambda: (("parser.py", 1, 2),))
    lesson_cache.cached_lesson(lesson_file, folder)
    assert len(parses) == 2


def test_same_lesson_name_in_two_folders_keeps_two_entries(lesson_file, tmp_path, parses):
    folder = tmp_path / "cache"
    other = tmp_path / "instructor" / lesson_file.name
    other.parent.mkdir()
    other.write_text(lesson_file.read_text(encoding="utf-8").replace("Push your", "Publish your", 1), encoding="utf-8")
    for _ in range(2):
        mine, theirs = lesson_cache.cached_lesson(lesson_file, folder), lesson_cache.cached_lesson(other, folder)
    assert len(parses) == 2
    assert (mine.source, theirs.source) == (lesson_file, other)
    assert mine.title != theirs.title


def test_a_corrupt_entry_is_rebuilt(lesson_file, tmp_path, parses):
    folder = tmp_path / "cache"
    lesson_cache.cached_lesson(lesson_file, folder)
    (entry,) = folder.glob("*.pickle")
    entry.write_bytes(b"\x80\x05not a pickle")
    again = lesson_cache.cached_lesson(lesson_file, folder)
    assert len(parses) == 2
    assert again == load_lesson(lesson_file)
    assert entry.read_bytes()[:2] != b"\x80\x05n"  # rewritten whole


def test_a_cache_path_that_is_a_file_only_costs_a_parse(lesson_file, tmp_path, parses):
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    for _ in range(2):
        assert lesson_cache.cached_lesson(lesson_file, blocker / "lessons").id == "push-to-registry"
    assert len(parses) == 2


def test_a_malformed_lesson_raises_and_is_never_cached(tmp_path):
    folder = tmp_path / "cache"
    broken = tmp_path / "09-broken.md"
    broken.write_text("+++\nid = \n+++\n# nothing\n", encoding="utf-8")
    with pytest.raises(LessonError):
        lesson_cache.cached_lesson(broken, folder)
    assert entries(folder) == []
    with pytest.raises(LessonError, match="no such lesson file"):
        lesson_cache.cached_lesson(tmp_path / "missing.md", folder)


def test_the_same_file_named_two_ways_shares_one_entry_and_keeps_the_callers_name(lesson_file, tmp_path, parses,
                                                                                  monkeypatch):
    folder = tmp_path / "cache"
    lesson_cache.cached_lesson(lesson_file, folder)
    monkeypatch.chdir(lesson_file.parent)
    relative = lesson_cache.cached_lesson(type(lesson_file)(lesson_file.name), folder)
    assert len(parses) == 1 and len(entries(folder)) == 1
    assert relative.source == type(lesson_file)(lesson_file.name)


def test_the_parsers_own_dependency_is_part_of_the_stamp():
    lesson_cache._code_stamp.cache_clear()
    assert any("markdown_it" in name for name, _, _ in lesson_cache._code_stamp())
