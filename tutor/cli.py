"""Command line entry point.

Each subcommand lives in ``tutor/commands/<name>.py`` with ``add_parser(subparsers)``
and ``run(args) -> int``. Those modules import their heavy libraries inside ``run``
so that ``docker-tutor --help`` and the app's first screen stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn

from tutor import __version__

# Subcommand modules, in the order --help lists them.
COMMANDS: tuple[str, ...] = ("ref", "lint", "lesson", "do", "grade", "report", "check", "doctor", "demo", "serve",
                            "practice_registry", "watch")  # module names; practice_registry is `practice-registry`


# Words that answer before any command could be meant: argparse prints and exits at them.
ANSWER_AT_ONCE = ("--version",)


def build_parser(only: str | None = None, commands: bool = True) -> argparse.ArgumentParser:
    """The whole command line; with ``only`` (a command's module name), the one command that is being
    run: each command's parser loads its module, which a plain-terminal command need not pay for
    eleven times over. Its parsing, help and errors are the same either way. ``commands=False``
    adds no command at all (for ``--version``, which is answered before any is looked at)."""
    parser = argparse.ArgumentParser(
        prog="docker-tutor",
        description="A hands-on tutor for pushing container images to a registry "
        "and pulling them on a k3s node. Run without a command to open the tutor.",
    )
    parser.add_argument("--version", action="version", version=f"docker-tutor {__version__}")
    app = parser.add_argument_group("the tutor app (no COMMAND)")
    app.add_argument("--lesson", dest="app_lesson", metavar="LESSON", help="lesson to open (default: the first)")
    app.add_argument("--lessons", dest="app_lessons", metavar="DIR", action="append", default=[],
                     help="another folder of lessons (repeatable)")
    app.add_argument("--config", dest="app_config", metavar="FILE", help="settings file (default: your config folder)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in () if not commands else (only,) if only in COMMANDS else COMMANDS:
        module = importlib.import_module(f"tutor.commands.{name}")
        module.add_parser(subparsers)
    return parser


def entry() -> None:
    """The console script (and ``python -m tutor``): :func:`main`, then :func:`leave` with its code."""
    try:
        code = main()
    except SystemExit as exc:  # argparse's --help, --version and usage errors
        if exc.code is not None and not isinstance(exc.code, int):
            raise  # a message to print: the ordinary exit says it
        code = exc.code or 0
    leave(code)


def leave(code: int) -> NoReturn:
    """Exit with ``code`` without tearing the interpreter down: freeing every module and object at
    exit costs a plain-terminal command about as much as a small push. First what the interpreter
    itself does before its tear-down, in its order: wait for the threads that are not daemons
    (threading's own shutdown, which also stops idle thread pools), run the atexit handlers (logging
    flushes there), flush the standard streams. Files are written whole before this (progress and
    settings by atomic rename, fsynced), so nothing is left half-written."""
    import atexit
    import os
    import threading

    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is None:  # an interpreter without it: leave the ordinary way
        sys.exit(code)
    shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass  # the reader has gone (`| head`) or the stream was closed: nothing more to say
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    # `docker-tutor do push ...`: a command first, so no other command can be meant.
    typed = {name.replace("_", "-"): name for name in COMMANDS}
    if words[:1] and words[0] in ANSWER_AT_ONCE:
        parser = build_parser(commands=False)  # `docker-tutor --version`: no command's module is loaded
    else:
        parser = build_parser(typed.get(words[0]) if words else None)
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        handler = run_app
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `docker-tutor lesson show | head`: the reader left; say nothing more.
        sys.stdout = None
        return 0


def run_app(args: argparse.Namespace) -> int:
    """Open the full-screen tutor. A broken lesson is reported here: before the screen opens, or on a
    first start once the settings form is saved."""
    import gc

    # No collection before the first frame (TutorApp.on_ready turns it back on): the start-up makes
    # many objects and frees few, and each collection walked them all (about 5% of a first start).
    gc.disable()
    from tutor.lesson import LessonError
    from tutor.session import Session

    try:
        # A first start with the bundled lesson reads it once the settings form is saved
        # (Session.load_lesson; a broken one ends the app then, with the same words as here). A lesson
        # the learner named (--lesson, --lessons) is read now: a mistake in it is said before any form.
        bundled = not args.app_lesson and not args.app_lessons
        session = Session.open(args.app_lesson, args.app_config, tuple(args.app_lessons), lesson_later=bundled)
    except LessonError as exc:
        return _broken_lesson(exc)
    from tutor.app import TutorApp

    ended = TutorApp(session).run()
    if isinstance(ended, LessonError):
        return _broken_lesson(ended)
    return 0


def _broken_lesson(exc: Exception) -> int:
    from tutor.commands import fail

    return fail(str(exc), "run `docker-tutor lint` to list every problem in the lesson", code=1)
