"""``docker-tutor watch``: follow your own terminal work in a plain terminal, one line per step.

The same follower as the app (tutor/follow.py): it listens to the Docker engine's events,
checks the step an event is about, and prints a line when a step is ticked, or when a name
you used is not the lesson's (with the command that fixes it).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import textwrap
from typing import Any

from tutor.commands import fail, warn
from tutor.commands.options import APP_LESSON, include

EXIT_DONE = 0  # every followed step of the task is done
EXIT_BROKEN = 1  # the lesson cannot be used
EXIT_TIMEOUT = 3  # --timeout passed before the task was done
EXIT_INTERRUPTED = 130  # Ctrl+C

# The line marks, as in the app's outline.
MARKS = {"done": "✔", "undone": "✘", "not-yet": "·", "unchecked": "!", "seen": "▶"}

EPILOG = f"""\
exit status:
  {EXIT_DONE}    every step of the task that the tutor can follow is done
  {EXIT_BROKEN}    the lesson is broken (docker-tutor lint says why)
  2    a usage problem (an unknown option or variable)
  {EXIT_TIMEOUT}    --timeout passed before the steps were done
  {EXIT_INTERRUPTED}  interrupted with Ctrl+C (progress so far is saved)

Steps done in the browser or at the login prompt are not followed: the engine does not see them.
The node's pull is checked with `docker-tutor check`, not here.
"""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "watch", help="follow your own docker commands and tick the lesson's steps as you go",
        description=textwrap.fill(
            "Follow the Docker engine while you type docker build, tag and push in another terminal. Each time "
            "an event concerns the lesson's images, the matching step is checked and a line is printed when it "
            "is done, or when an image name is not the lesson's. Progress is saved as in the app. Names come "
            "from the tutor's settings (or --var).", 78),
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                        help="set a lesson variable for this run, e.g. --var username=alice (repeatable)")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help=f"give up after this long (exit {EXIT_TIMEOUT}); default: follow until done")
    include(parser, APP_LESSON)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tutor.commands.lesson import parse_vars
    from tutor.lesson import LessonError
    from tutor.session import Session

    if args.timeout is not None and args.timeout <= 0:
        return fail("--timeout must be a positive number of seconds")
    try:
        overrides = parse_vars(args.var)
        session = Session.open(args.lesson, args.config, tuple(args.lessons))
    except ValueError as exc:
        return fail(str(exc))
    except LessonError as exc:
        return fail(str(exc), "run `docker-tutor lint` to list every problem in the lesson", code=EXIT_BROKEN)
    for warning in session.warnings:
        warn(warning)
    session.on_save_error = warn
    unknown = [name for name in overrides if name not in session.lesson.variables]
    if unknown:
        return fail(f"unknown variable {', '.join(unknown)} (known: {', '.join(session.lesson.variables)})")
    if overrides:
        from dataclasses import replace

        known = {"username", "registry", "tag", "project_dir"}
        # Only the text fields are overridden; Any lets mypy's dataclass check accept the keywords.
        changes: dict[str, Any] = {k: v for k, v in overrides.items() if k in known}
        session.settings = replace(session.settings, **changes)
    missing = session.lesson.missing(session.values())
    if missing:
        return fail(f"no value for {', '.join(missing)}: pass --var {missing[0]}=... or save it in the tutor's "
                    "settings")
    try:
        return asyncio.run(_watch(session, args.timeout))
    except KeyboardInterrupt:
        print("Stopped watching. Your progress so far is saved.", file=sys.stderr)
        return EXIT_INTERRUPTED


async def _watch(session, timeout: float | None) -> int:
    from tutor.follow import DONE, MISTAKE, STATUS, Follower

    follower = Follower(session)
    steps = follower.followed_steps()
    if not steps:
        return fail("this lesson has no step the tutor can follow from the engine's events", code=EXIT_BROKEN)
    numbers = {step.id: n for n, step in enumerate(session.lesson.steps, 1)}
    _say(f"Following the Docker engine for: {', '.join(f'{numbers[s.id]}. {session.render(s.title)}' for s in steps)}")
    _say("Type the lesson's docker commands in another terminal; Ctrl+C stops.")
    status = ""
    said: dict[str, str] = {}  # step id -> the last line about it
    try:
        async with asyncio.timeout(timeout):
            async for update in follower.updates(check_first=True):
                if update.kind == STATUS:
                    if update.text != status:  # a retry that says the same as the last one is not repeated
                        _say(f"· {update.text}")
                        status = update.text
                    continue
                step = session.lesson.step(update.step_id) if update.step_id else None
                label = f"{numbers[step.id]}. {session.render(step.title)}: " if step else ""
                if update.kind == MISTAKE and update.hint is not None:
                    _say(f"! {label}{update.hint.what}\n  next: {update.hint.next_step}")
                elif update.changed or (update.kind != DONE and said.get(update.step_id) != update.text):
                    _say(f"{MARKS.get(update.kind, '·')} {label}{update.text}")  # a step still done is not news
                said[update.step_id] = update.text
                if follower.pending() == 0 and all(session.step_state(s) == "done" for s in steps if not s.optional):
                    _say("Every step the tutor can follow is done.")
                    return EXIT_DONE
    except TimeoutError:
        left = [f"{numbers[s.id]}. {session.render(s.title)}" for s in steps
                if not s.optional and session.step_state(s) != "done"]
        _say(f"Stopped after {timeout:g} s; not done yet: {', '.join(left)}.")
        return EXIT_TIMEOUT
    return EXIT_DONE


def _say(text: str) -> None:
    """``text`` wrapped to the terminal: each line's continuation lines start under its first word
    (after a mark such as "✔ " or "  next: "; two spaces in without one), and image names and
    `commands` stay whole."""
    import re

    from tutor.commands.wrap import terminal_width, wrap
    from tutor.visible import visible

    width = terminal_width()
    for line in text.split("\n"):
        found = re.match(r"\s*(?:next: |\S (?=\S))?", line)  # "✔ ", "! ", "  next: "
        lead = found.group(0) if found else ""
        indent = " " * len(lead) or "  "  # a line without a mark still shows that it goes on
        wrapped = wrap(line[len(lead):], width - len(indent)) or [""]
        for n, part in enumerate(wrapped):
            print(visible((lead if n == 0 else indent) + part, newlines=True), flush=True)
