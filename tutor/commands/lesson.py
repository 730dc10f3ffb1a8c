"""``docker-tutor lesson show|list``: a lesson as the tutor parsed it, commands filled in."""

from __future__ import annotations

import argparse
import json
import sys

from tutor.commands import fail, warn
from tutor.commands.options import MORE_LESSONS, VAR, include

EXIT_BAD_LESSON = 1  # the lesson cannot be read; 2 stays for a usage mistake


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("lesson", help="show a lesson as the tutor reads it",
                                   description="Show lessons as the tutor parsed them.")
    actions = parser.add_subparsers(dest="lesson_command", metavar="ACTION")

    show = actions.add_parser(
        "show", help="one lesson: steps, rendered commands, hints, quiz, checklist",
        description="Show one lesson with its commands rendered for your variables "
                    "(your settings, then --var). Answers are left out unless --with-answers.",
    )
    show.add_argument("lesson", nargs="?", metavar="LESSON",
                      help="file name (04-push-to-registry), number (04), lesson id, or path; default: the first")
    include(show, VAR, MORE_LESSONS)
    show.add_argument("--json", action="store_true", help="print the parsed lesson as JSON")
    show.add_argument("--with-answers", action="store_true",
                      help="include correct options, why-nots, rubrics and explanations")
    show.set_defaults(handler=run_show)

    listing = actions.add_parser("list", help="the lessons the tutor can find")
    include(listing, MORE_LESSONS)
    listing.set_defaults(handler=run_list)

    parser.set_defaults(handler=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def parse_vars(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--var needs NAME=VALUE, got '{pair}'")
        values[name.strip()] = value
    return values


def learner_values(lesson, given: dict[str, str] | None = None) -> tuple[dict[str, str], str]:
    """The lesson's variables as this learner sees them: defaults, then saved settings, then ``given``
    (--var); and a warning when the settings could not be read. Read-only: nothing is repaired."""
    from tutor.store import load_settings, settings_path

    loaded = load_settings(settings_path(), repair=False)
    settings = {k: v for k, v in loaded.value.variables().items() if k in lesson.variables}
    return lesson.values({**settings, **(given or {})}), loaded.warning


def run_show(args: argparse.Namespace) -> int:
    from tutor.lesson import LessonError, get_lesson
    from tutor.lesson.export import lesson_to_dict, outline
    from tutor.visible import visible

    try:
        given = parse_vars(args.var)
    except ValueError as exc:
        return fail(str(exc))
    try:
        lesson = get_lesson(args.lesson, args.lessons)
    except LessonError as exc:
        return fail(str(exc), _lint_hint(exc), code=EXIT_BAD_LESSON)
    unknown = [name for name in given if name not in lesson.variables]
    if unknown:
        return fail(f"lesson '{lesson.id}' has no variable {', '.join(unknown)} "
                    f"(variables: {', '.join(lesson.variables)})")
    values, warning = learner_values(lesson, given)
    if warning:
        warn(warning)
    for name in lesson.missing(values):
        print(visible(f"note: '{name}' has no value, so it is shown as {{{name}}}; pass --var {name}=..."),
              file=sys.stderr)
    if args.json:
        json.dump(lesson_to_dict(lesson, values, args.with_answers), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        # The lesson's text with the learner's values in it: either may hold control characters.
        sys.stdout.write(visible(outline(lesson, values), newlines=True))
    return 0


def _lint_hint(exc) -> str:
    if exc.path is None:
        return "list the lessons with: docker-tutor lesson list"
    return f"`docker-tutor lint {exc.path}` lists every problem in the lesson"


def run_list(args: argparse.Namespace) -> int:
    from tutor.lesson import LessonError, find_lessons
    from tutor.lesson.loader import checked_lesson
    from tutor.visible import visible

    try:
        paths = find_lessons(args.lessons)
    except LessonError as exc:
        return fail(str(exc), code=EXIT_BAD_LESSON)
    for path in paths:
        # Titles and file names are the lesson author's: shown, never sent to the terminal as controls.
        try:
            lesson = checked_lesson(path)
            print(visible(f"{path.stem:<28} {lesson.id:<22} {lesson.title}"))
        except LessonError as exc:
            print(visible(f"{path.stem:<28} (not usable: {exc.message}; see docker-tutor lint {path})"))
    return 0
