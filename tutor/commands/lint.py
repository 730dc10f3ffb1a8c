"""``docker-tutor lint [PATH ...]``: check lessons; one ``file:line: message`` per problem."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tutor.commands import fail


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lint", help="check lesson files for mistakes",
        description="Check lessons for mistakes. Exit 0 when clean, else 1 with one "
                    "'file:line: message' per problem. Without PATH, checks the bundled lessons "
                    "(and those in any --lessons folder).",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="lesson files, or folders of them")
    parser.add_argument("--lessons", action="append", default=[], metavar="DIR",
                        help="also check the lessons in this folder (repeatable)")
    parser.add_argument("--answers", metavar="FILE",
                        help="labelled answers (JSON lines, e.g. tests/data/grading_dev.jsonl): warn about rubric "
                             "concepts and misconceptions that none of them exercises (warnings do not fail lint)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tutor.lesson import LessonError, find_lessons
    from tutor.lesson.lint import duplicate_ids, lint_file
    from tutor.visible import visible

    try:
        files = _expand(args.paths) if args.paths else []
        if not args.paths or args.lessons:
            files += find_lessons(args.lessons) if not args.paths else _expand(args.lessons)
        together = find_lessons(args.lessons)  # what the tutor loads side by side: ids must differ there
    except LessonError as exc:
        return fail(f"{_shown(exc.path)}: {exc.message}")
    if not files:
        return fail("no lesson files to check")
    first: dict[Path, Path] = {}
    for path in files:
        first.setdefault(path.resolve(), path)
    files = list(first.values())  # each file once, where it was first named
    known = {p.resolve() for p in together}
    shared = duplicate_ids(together, [p for p in files if p.resolve() not in known])
    count = 0
    for path in files:
        found = lint_file(path, answers=args.answers) + [p for p in shared
                                                         if p.path is not None and p.path.resolve() == path.resolve()]
        for problem in sorted(found, key=lambda p: (p.line, p.message)):
            # A rubric entry no test answer exercises is worth knowing, not a broken lesson.
            count += not problem.message.startswith("warning:")
            where = f"{_shown(path)}:{problem.line}" if problem.line else _shown(path)
            print(visible(f"{where}: {problem.message}"))  # messages quote the lesson's text
    noun = "lesson" if len(files) == 1 else "lessons"
    if count:
        print(f"{count} problem{'s' if count != 1 else ''} in {len(files)} {noun}", file=sys.stderr)
        return 1
    print(f"{len(files)} {noun} checked, no problems", file=sys.stderr)
    return 0


def _expand(paths: list[str]) -> list[Path]:
    from tutor.lesson import LessonError

    files: list[Path] = []
    for name in paths:
        path = Path(name).expanduser()
        if path.is_dir():
            files += sorted(p for p in path.glob("*.md") if p.name.lower() != "readme.md")
        elif path.is_file():
            files.append(path)
        else:
            raise LessonError(path, 0, "no such file or folder")
    return files


def _shown(path: Path | None) -> str:
    """Paths under the current folder are shown relative to it, like compilers do."""
    if path is None:
        return "<lesson>"
    try:
        return os.path.relpath(path) if Path(path).resolve().is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)
