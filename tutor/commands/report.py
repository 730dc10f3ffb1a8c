"""``docker-tutor report``: the self-assessment report from saved progress (Markdown, HTML or JSON)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tutor.commands import fail, warn

FORMATS = ("md", "html", "json")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="write your self-assessment report (steps, quiz answers, checklist)",
        description="Write a report of your saved progress: steps completed, quiz answers with "
                    "their verdicts and explanations, checklist states with their evidence, and "
                    "when each happened. Nothing secret is included. Prints to standard output "
                    "unless -o is given.",
    )
    parser.add_argument("--lesson", default=None, metavar="LESSON",
                        help="lesson number, name or file (default: the first)")
    parser.add_argument("--format", "-f", choices=FORMATS, default=None,
                        help="md (default), html or json; -o FILE.html/.json picks it too")
    parser.add_argument("-o", "--output", default=None, metavar="FILE", help="write the report to FILE")
    parser.add_argument("--state-dir", default=None, metavar="DIR",
                        help="where progress is saved (default: your state folder)")
    parser.add_argument("--lessons", action="append", default=[], metavar="DIR",
                        help="also look for lessons in this folder (repeatable)")
    parser.set_defaults(handler=run)


def _format(args: argparse.Namespace) -> str:
    from tutor.quiz.report import format_for

    if args.format:
        return args.format
    return format_for(args.output) if args.output else "md"


def _variables() -> dict[str, str]:
    """Lesson variables from the saved settings, read without touching the file."""
    import tomllib

    from tutor.store import Settings, settings_path

    path = settings_path()
    try:
        return Settings.from_dict(tomllib.loads(path.read_text(encoding="utf-8"))).variables()
    except (OSError, ValueError, TypeError, RecursionError):  # the report does without them
        return {}


def run(args: argparse.Namespace) -> int:
    from tutor.lesson import LessonError, get_lesson
    from tutor.quiz.report import build_report, render
    from tutor.atomic_files import atomic_write
    from tutor.store import ProgressStore

    try:
        lesson = get_lesson(args.lesson, args.lessons)
    except LessonError as exc:
        return fail(str(exc), "list the lessons with: docker-tutor lesson list")
    folder = Path(args.state_dir).expanduser() if args.state_dir else None
    if folder is not None and folder.exists() and not folder.is_dir():
        return fail(f"--state-dir {folder} is not a folder")
    loaded = ProgressStore(folder).load(lesson.id, repair=False)
    if loaded.warning:
        warn(loaded.warning)
    text = render(build_report(lesson, loaded.value, _variables()), _format(args))
    if not args.output:
        sys.stdout.write(text)
        return 0
    target = Path(args.output).expanduser()
    try:
        atomic_write(target, text)
    except OSError as exc:
        return fail(f"cannot write {target}: {exc.strerror or exc}")
    print(f"Report written to {target}", file=sys.stderr)
    return 0
