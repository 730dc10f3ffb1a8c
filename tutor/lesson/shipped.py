"""Lessons shipped parsed: the wheel carries, beside each bundled ``NAME.md``, ``NAME.md.parsed``,
the lesson the build parsed from it (setup.py writes them), so a first start, with nothing in the
learner's cache yet, needs no markdown-it before its first frame.

A parsed file is used only for the very text it was parsed from and the very parser code: its
stamp is a hash of the lesson's bytes, of this package's sources and of the tutor's version. An
edited lesson, another parser or an unreadable file means parsing as before, never an error.
Like the compiled byte-code beside it, the file is part of the installed package: loading it trusts
nobody new.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from tutor.lesson.model import Lesson

SUFFIX = ".parsed"


def _code_hash() -> str:
    import tutor

    digest = hashlib.sha256(tutor.__version__.encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def stamp(text: bytes) -> str:
    return f"{hashlib.sha256(text).hexdigest()}:{_code_hash()}"


def parsed_path(path: Path) -> Path:
    return path.with_name(path.name + SUFFIX)


def shipped_lesson(path: Path, text: bytes) -> Lesson | None:
    """The lesson parsed at build time from *text* (the bytes of *path*), or None."""
    try:
        saved_stamp, lesson = pickle.loads(parsed_path(path).read_bytes())
        if isinstance(lesson, Lesson) and saved_stamp == stamp(text):
            lesson.source = path
            return lesson
    except Exception:  # noqa: BLE001 - missing, stale or damaged: the lesson is parsed instead
        pass
    return None


def write_parsed(path: Path) -> Path:
    """At build time: parse (and lint) the lesson at *path* and write its parsed file beside it."""
    from tutor.atomic_files import atomic_write
    from tutor.lesson.cache import parse

    text = path.read_bytes()
    target = parsed_path(path)
    atomic_write(target, pickle.dumps((stamp(text), parse(path)), protocol=pickle.HIGHEST_PROTOCOL))
    return target
