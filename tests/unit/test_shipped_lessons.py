"""Lessons shipped parsed (setup.py writes them at build time): a first start, with an empty cache,
takes the lesson from there without markdown-it; an edited lesson or a damaged file is parsed."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tutor.lesson import cache as lesson_cache
from tutor.lesson.shipped import parsed_path, write_parsed
from tutor.paths import lessons_dir

MILESTONE = lessons_dir() / "04-push-to-registry.md"


@pytest.fixture
def shipped(tmp_path):
    path = tmp_path / "lessons" / MILESTONE.name
    path.parent.mkdir()
    shutil.copy(MILESTONE, path)
    write_parsed(path)
    return path


@pytest.fixture
def parses(monkeypatch):
    import tutor.lesson.parser as parser

    calls = []
    real = parser.parse_lesson
    monkeypatch.setattr(parser, "parse_lesson", lambda text, source=None: calls.append(source) or real(text, source))
    return calls


def test_an_empty_cache_takes_the_shipped_lesson(shipped, tmp_path, parses):
    lesson = lesson_cache.cached_lesson(shipped, tmp_path / "cache")
    assert parses == []
    assert lesson.source == shipped
    assert [s.id for s in lesson.steps] == [s.id for s in lesson_cache.parse(MILESTONE).steps]
    assert list((tmp_path / "cache").glob("*.pickle"))  # and the learner's cache has it from now on


def test_an_edited_lesson_is_parsed_again(shipped, tmp_path, parses):
    shipped.write_text(shipped.read_text().replace("### Get an account on {registry_name}", "### Get a Docker Hub account", 1))
    lesson = lesson_cache.cached_lesson(shipped, tmp_path / "cache")
    assert len(parses) == 1
    assert any(step.title == "Get a Docker Hub account" for step in lesson.steps)


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05K\x01."])
def test_a_damaged_shipped_file_is_parsed_instead(shipped, tmp_path, parses, content):
    parsed_path(shipped).write_bytes(content)
    lesson_cache.cached_lesson(shipped, tmp_path / "cache")
    assert len(parses) == 1


def test_a_first_start_from_a_shipped_lesson_imports_no_markdown_it(shipped, tmp_path):
    code = ("import sys; from pathlib import Path; from tutor.lesson.cache import cached_lesson; "
            f"lesson = cached_lesson(Path({str(shipped)!r}), Path({str(tmp_path / 'cache')!r})); "
            "assert lesson.steps; print(sorted(m for m in sys.modules if m.startswith('markdown_it')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
