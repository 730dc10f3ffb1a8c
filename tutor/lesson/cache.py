"""Parsed lessons kept in the user's cache folder, so that starting the tutor skips markdown-it.

Parsing the milestone costs more than drawing the first screen; unpickling it costs half
a millisecond. The key hashes the lesson file's bytes and path together with this
package's own source, so an edited lesson or a changed parser never meets a stale model.
A missing, corrupt or unwritable cache only means parsing as before: it is never an error.
The folder is the learner's own (as writable as their shell profile), so loading a pickle
from it trusts nobody new.
"""

from __future__ import annotations

import hashlib
import pickle
from functools import cache
from pathlib import Path

from tutor.lesson.model import Lesson


@cache
def _code_fingerprint() -> bytes:
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.digest()


def cached_lesson(path: Path, folder: Path | None = None) -> Lesson:
    """The lesson at *path*, from the cache when this exact file was parsed before.

    Raises LessonError exactly as parsing does (a malformed lesson is never cached).
    """
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        from tutor.lesson.parser import load_lesson

        return load_lesson(path)  # says what is wrong with the file, with its path
    if folder is None:
        from tutor.store import cache_dir

        folder = cache_dir() / "lessons"
    # One entry per lesson file (its name and a hash of its path), replaced when the file changes.
    name = f"{path.stem}-{hashlib.sha256(str(path).encode()).hexdigest()[:8]}"
    key = hashlib.sha256(_code_fingerprint() + data).hexdigest()[:32]
    entry = folder / f"{name}-{key}.pickle"
    try:
        lesson = pickle.loads(entry.read_bytes())
        if isinstance(lesson, Lesson):
            return lesson
    except Exception:  # noqa: BLE001 - any unreadable entry is simply rebuilt
        pass
    from tutor.lesson.parser import parse_lesson

    lesson = parse_lesson(text, path)
    _store(entry, name, lesson)
    return lesson


def _store(entry: Path, name: str, lesson: Lesson) -> None:
    from tutor.store import atomic_write

    try:
        atomic_write(entry, pickle.dumps(lesson, protocol=pickle.HIGHEST_PROTOCOL))
        for old in entry.parent.iterdir():  # this file's entries for its older versions
            if old != entry and old.suffix == ".pickle" and old.stem.rpartition("-")[0] == name:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):
        pass  # a read-only or full cache folder costs a parse next time, nothing more
