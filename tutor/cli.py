"""Command line entry point.

Each subcommand lives in ``tutor/commands/<name>.py`` with ``add_parser(subparsers)``
and ``run(args) -> int``. Those modules import their heavy libraries inside ``run``
so that ``docker-tutor --help`` and the app's first screen stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from tutor import __version__

# Subcommand modules, in the order --help lists them.
COMMANDS: tuple[str, ...] = ("ref", "lint", "lesson", "do", "grade", "report", "check", "doctor", "demo", "serve",
                            "practice_registry", "watch")  # module names; practice_registry is `practice-registry`


def build_parser() -> argparse.ArgumentParser:
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
    for name in COMMANDS:
        module = importlib.import_module(f"tutor.commands.{name}")
        module.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
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
    """Open the full-screen tutor. A broken lesson is reported here, before the screen opens."""
    from tutor.lesson import LessonError
    from tutor.session import Session

    try:
        session = Session.open(args.app_lesson, args.app_config, tuple(args.app_lessons))
    except LessonError as exc:
        from tutor.commands import fail

        return fail(str(exc), "run `docker-tutor lint` to list every problem in the lesson", code=1)
    from tutor.app import TutorApp

    TutorApp(session).run()
    return 0
