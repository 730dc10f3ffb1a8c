"""Finding lessons: the bundled folder (``tutor.paths.lessons_dir()``) plus ``--lessons DIR`` folders."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from tutor.lesson.cache import cached_lesson
from tutor.lesson.errors import LessonError
from tutor.lesson.model import Lesson

_NUMBER = re.compile(r"^(\d+)")


def lesson_dirs(extra_dirs: Iterable[str | Path] = ()) -> list[Path]:
    """Extra folders first, so an instructor's copy of a lesson shadows the bundled one."""
    from tutor.paths import lessons_dir

    dirs = []
    for folder in extra_dirs:
        folder = Path(folder).expanduser()
        if not folder.is_dir():
            raise LessonError(folder, 0, "no such lessons folder")
        dirs.append(folder)
    return dirs + [lessons_dir()]


def find_lessons(extra_dirs: Iterable[str | Path] = ()) -> list[Path]:
    """Every lesson file, one per file name, sorted by name (names start with the lesson number)."""
    found: dict[str, Path] = {}
    for folder in lesson_dirs(extra_dirs):
        for path in sorted(folder.glob("*.md")):
            if path.name.lower() != "readme.md":
                found.setdefault(path.name, path)
    return [found[name] for name in sorted(found)]


def get_lesson(name: str | None = None, extra_dirs: Iterable[str | Path] = ()) -> Lesson:
    """A lesson by file name ("04-push-to-registry"), number ("04" or "4"), id, or path.

    Without a name, the first lesson. LessonError when nothing matches or the file is malformed.
    """
    extra_dirs = list(extra_dirs)
    if name and (name.endswith(".md") or "/" in name) and Path(name).expanduser().is_file():
        return checked_lesson(Path(name).expanduser())
    paths = find_lessons(extra_dirs)
    if not paths:
        raise LessonError(None, 0, "no lessons found")
    if not name:
        return checked_lesson(paths[0])
    wanted = name.removesuffix(".md")
    for path in paths:
        if path.stem == wanted:
            return checked_lesson(path)
    if wanted.isdigit():
        for path in paths:
            number = _NUMBER.match(path.stem)
            if number and int(number.group(1)) == int(wanted):
                return checked_lesson(path)
    for path in paths:
        if _lesson_id(path) == wanted:
            return checked_lesson(path)
    available = ", ".join(p.stem for p in paths)
    raise LessonError(None, 0, f"no lesson named '{name}' (lessons: {available})")


def checked_lesson(path: Path) -> Lesson:
    """The lesson at ``path``, refused (LessonError) unless its id is plain: the id names its
    progress file, so ``../x`` or ``a/b`` would put the learner's work outside the state folder."""
    from tutor.paths import is_plain_id

    lesson = cached_lesson(path)
    if not is_plain_id(lesson.id):
        what = f"lesson id {lesson.id!r} is not a plain id" if lesson.id else "the lesson has no id"
        raise LessonError(lesson.source, lesson.meta_lines.get("id", 1),
                          f"{what}: give it one of lowercase letters, digits and '-' (id = \"push-to-registry\"); "
                          "the tutor names the learner's progress file after it, so it will not open this lesson")
    return lesson


def _lesson_id(path: Path) -> str | None:
    from tutor.lesson.frontmatter import read_front_matter

    try:
        lines = path.read_text(encoding="utf-8").split("\n")
        value = read_front_matter(lines, path).data.get("id")
    except (OSError, UnicodeDecodeError, LessonError):
        return None  # a broken lesson is not the one asked for by id; lint reports it
    return value if isinstance(value, str) else None
