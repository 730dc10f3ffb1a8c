"""Parsed lessons kept in the user's cache folder, so that starting the tutor skips markdown-it.

Parsing the milestone (and importing markdown-it for it) costs about as much as drawing
the first screen; unpickling it costs half a millisecond. Each lesson file has one entry,
stamped the way Python stamps its .pyc files: the modification time and size of the lesson,
of this package's own source and of markdown-it's, so an edited lesson or a changed parser
never meets a stale model, and a hit costs a few stat calls without reading the lesson.
A missing, stale, corrupt or unwritable entry only means parsing as before: never an error.
The folder is the learner's own (as writable as their shell profile), so loading a pickle
from it trusts nobody new.
"""

from __future__ import annotations

import pickle
import zlib
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from tutor.lesson.model import Lesson


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size


@cache
def _code_stamp() -> tuple[tuple[str, int, int], ...]:
    """Our parser's source files, and markdown-it's (an upgrade of it may parse differently)."""
    sources = sorted(Path(__file__).parent.glob("*.py"))
    markdown_it = find_spec("markdown_it")
    if markdown_it is not None and markdown_it.origin:
        sources.append(Path(markdown_it.origin))
    return tuple((str(source), *_stamp(source)) for source in sources)


def cached_lesson(path: Path, folder: Path | None = None) -> Lesson:
    """The lesson at *path*, from the cache while neither it nor the parser changed.

    Raises LessonError exactly as parsing does (a malformed lesson is never cached); what lint
    finds in a lesson that parses is kept in ``Lesson.lint``.
    """
    try:
        stamp = (_stamp(path), _code_stamp())
    except OSError:
        return parse(path)  # says what is wrong with the file, with its path
    from tutor.paths import child

    folder = folder or _folder()
    try:  # the name comes from the lesson's file name: it must stay in the cache folder
        entry = child(folder, f"{path.stem}-{zlib.crc32(str(path.resolve()).encode()):08x}.pickle")
    except ValueError:
        return parse(path)
    try:
        saved_stamp, lesson = pickle.loads(entry.read_bytes())
        if saved_stamp == stamp and isinstance(lesson, Lesson):
            lesson.source = path  # the same file, named as the caller named it
            return lesson
    except Exception:  # noqa: BLE001 - any unreadable entry is simply rebuilt
        pass
    lesson = _shipped(path) or parse(path)
    try:
        from tutor.store import atomic_write

        atomic_write(entry, pickle.dumps((stamp, lesson), protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # noqa: BLE001 - a read-only or full folder costs a parse next time, nothing more
        pass
    return lesson


def _folder() -> Path:
    from tutor.store import cache_dir

    return cache_dir() / "lessons"


def clean_cache_leftovers(folder: Path | None = None) -> list[Path]:
    """Temporary entries a killed save left behind (see tutor.store.clean_leftovers)."""
    import re

    from tutor.store import clean_leftovers

    return clean_leftovers(folder or _folder(), re.compile(r".+-[0-9a-f]{8}\.pickle"))


def _shipped(path: Path) -> Lesson | None:
    """Nothing cached yet (a first start): the lesson the wheel shipped parsed, if it is this one."""
    from tutor.lesson.shipped import parsed_path, shipped_lesson

    if not parsed_path(path).exists():
        return None
    try:
        return shipped_lesson(path, path.read_bytes())
    except OSError:
        return None


def parse(path: Path) -> Lesson:
    """Parsed and linted: lint costs a few milliseconds beside the parse, and is cached with it."""
    from tutor.lesson.lint import lint_lesson
    from tutor.lesson.parser import load_lesson, read_text

    text = read_text(path)
    lesson = load_lesson(path, text)
    lesson.lint = lint_lesson(lesson, text)
    return lesson
