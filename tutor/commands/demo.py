"""``docker-tutor demo [--reset] [--pause]``: the app walks through the lesson by itself.

Each step's commands are typed out in the action pane and run for real (as r runs them);
space goes on to the next step. ``--reset`` first removes what an earlier demo left: the
learner's poll images for the current settings, the tutor's containers and the steps' marks.
"""

from __future__ import annotations

import argparse

from tutor.commands import fail, warn
from tutor.commands.options import APP_LESSON, include


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="walk through the lesson in the app, typing and running each step",
        description="Open the tutor in demo mode: each step's docker commands are typed out in the action pane "
                    "and run for real; press space for the next step. F2 switches presenter mode on "
                    "(each key pressed is shown, the command line is larger).")
    parser.add_argument("--reset", action="store_true",
                        help="first remove the lesson's images for your settings (e.g. alice/poll-backend:v1), "
                             "the containers the tutor started and the steps' marks, so the demo starts afresh; "
                             "no other image is touched")
    parser.add_argument("--pause", action="store_true",
                        help="also wait for space after typing a step's commands, before running them "
                             "(without it they run as soon as they are typed)")
    parser.add_argument("--presenter", action="store_true", help="start in presenter mode")
    include(parser, APP_LESSON)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    app = build_app(args)
    if isinstance(app, int):
        return app
    app.run()
    return 0


def build_app(args: argparse.Namespace):
    """The app in demo mode, after the reset if asked for; an exit status instead when it cannot start."""
    from tutor.demo import DemoOptions, lesson_images
    from tutor.lesson import LessonError
    from tutor.session import Session

    try:
        session = Session.open(args.lesson, args.config, tuple(args.lessons))
    except LessonError as exc:
        return fail(str(exc), "run `docker-tutor lint` to list every problem in the lesson", code=1)
    session.on_save_error = warn  # an unwritable progress file is said, the demo goes on
    missing = session.lesson.missing(session.values())
    if missing:
        return fail(f"the demo needs a value for {', '.join(missing)}",
                    "open `docker-tutor` once and fill in the settings, or pass --config FILE")
    if args.reset:
        code = _reset(session, lesson_images(session.lesson, session.values()))
        if code:
            return code
    from tutor.app import TutorApp

    return TutorApp(session, demo=DemoOptions(pause=args.pause), presenter=args.presenter)


def _reset(session, refs: list[str]) -> int:
    from tutor import hints
    from tutor.docker_ops import cleanup, engine
    from tutor.visible import visible

    try:
        report = cleanup.reset_for_demo(refs)
    except Exception as exc:  # noqa: BLE001 - the engine's failures are worded by hints
        found = hints.from_docker(exc, "rmi", host=engine.engine_host())
        return fail(found.what, found.next_step, code=1)
    for name in report.containers:
        print(visible(f"removed container {name}"))
    for ref in report.images:
        print(visible(f"removed image {ref}"))
    for what, why in report.kept:
        warn(f"kept {what}: {why}")
    if not report.containers and not report.images:
        print(visible(f"nothing to remove: none of {', '.join(refs)} is here, and no container of the tutor"))
    for step in session.lesson.steps:
        session.progress.reset_step(step.id)
    session.save_progress()
    return 0
