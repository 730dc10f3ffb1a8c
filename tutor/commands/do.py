"""``docker-tutor do STEP``: run one lesson step's docker actions in a plain terminal.

The same actions and events as the full-screen tutor, rendered as lines and simple
progress bars, for instructors' scripts and for terminals without a full screen.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from tutor.commands import EXIT_USAGE, fail, warn
from tutor.commands.options import APP_LESSON, VAR, include

EXIT_OK, EXIT_FAILED = 0, 1


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "do", help="run one lesson step's docker commands in this terminal",
        description="Run one step of the lesson (login, build, push, test-pull ...) for real, "
                    "showing the equivalent docker command and live output. Exit 0 on success, "
                    "1 with a hint on failure, 2 for a usage problem.")
    parser.add_argument("step", metavar="STEP", help="step id, e.g. build, push, test-pull")
    include(parser, VAR)
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password or access token for login from standard input")
    parser.add_argument("--until-ready", action="store_true",
                        help="for `run`: stop and remove the container as soon as it answers HTTP "
                             "(the default when standard output is not a terminal)")
    include(parser, APP_LESSON)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tutor.commands.lesson import parse_vars
    from tutor.lesson import LessonError
    from tutor.runbook import check, needs_secret, runnable
    from tutor.session import Session
    from tutor.visible import visible

    try:
        overrides = parse_vars(args.var)
        session = Session.open(args.lesson, args.config, tuple(args.lessons))
    except ValueError as exc:
        return fail(str(exc))
    except LessonError as exc:
        return _lesson_broken(exc)
    for warning in session.warnings:
        warn(warning)
    # A progress file that cannot be written is worth a warning, not a lost step.
    session.on_save_error = warn
    lesson = session.lesson
    step = lesson.step(args.step)
    if step is None:
        return fail(f"lesson '{lesson.id}' has no step '{args.step}' (steps: {', '.join(s.id for s in lesson.steps)})")
    unknown = [name for name in overrides if name not in lesson.variables]
    if unknown:
        return fail(f"unknown variable {', '.join(unknown)} (known: {', '.join(lesson.variables)})")
    values = lesson.values({**session.settings.variables(), **overrides})
    missing = lesson.missing(values)
    if missing:
        return fail(f"no value for {', '.join(missing)}: "
                    f"pass --var {missing[0]}=... or save it in the tutor's settings")
    try:
        check(runnable(step), values, lesson.source)
    except LessonError as exc:
        return _lesson_broken(exc)
    secret = None
    if needs_secret(step):
        secret = _read_secret(args.password_stdin, values)
        if secret is None:
            return EXIT_USAGE
    for action in step.actions:
        if action.kind not in {a.kind for a in runnable(step)}:
            print(visible(f"• {session.render(action.text).strip() or 'Do this part yourself.'}", newlines=True))
            if action.url(values):
                print(visible(f"  {action.url(values)}"))
    until_ready = args.until_ready or not sys.stdout.isatty()
    renderer = PlainRenderer(sys.stdout)
    try:
        ok = asyncio.run(_run_step(runnable(step), values, secret, renderer, until_ready, lesson.source))
    except KeyboardInterrupt:
        print("\nCancelled: the running action was stopped cleanly.", file=sys.stderr)
        return 130
    except LessonError as exc:
        return _lesson_broken(exc)
    session.progress.set_step(step.id, "done" if ok else "failed")
    session.save_progress()
    return EXIT_OK if ok else EXIT_FAILED


def _lesson_broken(exc) -> int:
    """A lesson mistake (LessonError) found before or while starting the step (exit 2, as always)."""
    lint = f"docker-tutor lint {exc.path}" if exc.path else "docker-tutor lint"
    return fail(str(exc), f"the tutor will not run this step until the lesson is fixed; `{lint}` lists its problems")


def _read_secret(from_stdin: bool, values: dict[str, str]):
    from tutor.secret import Secret

    if from_stdin:
        secret = sys.stdin.read().rstrip("\r\n")
        if not secret:
            fail("--password-stdin got nothing on standard input")
        return Secret(secret) if secret else None
    who, where = values.get("username") or "your account", values.get("registry") or "docker.io"
    from tutor.lesson.registries import describe

    if not sys.stdin.isatty():
        # A registry without tokens is asked for its password only (tutor.lesson.registries).
        fail(f"this step logs in; pipe the {describe(where).secret} in with --password-stdin")
        return None
    import getpass

    typed = getpass.getpass(f"{describe(where).secret.capitalize()} for {who} on {where}: ")
    return Secret(typed) if typed else None


async def _run_step(actions, values, secret, renderer: PlainRenderer, until_ready: bool, source=None) -> bool:
    from contextlib import aclosing

    from tutor.docker_ops import events as ev
    from tutor.practice.ready import wake
    from tutor.runbook import run_action

    # The settings' practice registry, stopped since (a reboot): started before the step needs it.
    async for event in wake(values.get("registry"), [a.kind for a in actions]):
        renderer.show(event)
        if isinstance(event, ev.Failed):
            return False
    for action in actions:
        async with aclosing(run_action(action, values, secret=secret, source=source)) as stream:
            async for event in stream:
                renderer.show(event)
                if isinstance(event, ev.Failed):
                    return False
                if isinstance(event, ev.Ready) and until_ready:
                    break  # closing the stream stops and removes the container
    return True


class PlainRenderer:
    """Events as terminal lines: commands with `$`, output as is, one line per layer change."""

    def __init__(self, out) -> None:
        self.out = out
        self.tty = out.isatty()
        self._layer_status: dict[str, str] = {}
        self._bar_open = False  # a bar is drawn on the current line, without its newline yet
        self._done: dict[str, float] = {}  # how far each layer's bar got

    def write(self, text: str) -> None:
        """One line of ours; the values in it come from input, so control characters are shown."""
        from tutor.visible import visible

        self.out.write(visible(text) + "\n")
        self.out.flush()

    def show(self, event) -> None:
        from tutor.docker_ops import events as ev

        if self._bar_open and not isinstance(event, ev.LayerProgress):
            # Anything else starts on a line of its own.
            self.out.write("\r" if isinstance(event, ev.Failed) else "\n")
            self._bar_open = False
        if isinstance(event, ev.Failed):
            # Every layer still moving is said to have stopped where it was: nothing looks alive.
            for layer, status in self._layer_status.items():
                if status == "bar":
                    self._layer_status[layer] = "stopped"
                    self.write(f"{layer[:12]:12}  Stopped at {self._done.get(layer, 0):.0%}".ljust(60))
        match event:
            case ev.CommandLine(text=text):
                self.write(f"$ {text}")
            case ev.Output(lines=lines):
                self.out.write("".join(f"{line}\n" for line in lines))
            case ev.LayerProgress():
                self._layer(event)
            case ev.Notice(text=text):
                self.write(f"note: {text}")
            case ev.Ready(url=url):
                self.write(f"ready: answering at {url}" + ("" if not self.tty else "  (ctrl+c stops it)"))
            case ev.Succeeded(summary=summary):
                self.write(f"✔ {summary}")
            case ev.Failed(hint=hint):
                self.write(f"✘ {hint.what}")
                self.write(f"  next: {hint.next_step}")

    def _layer(self, event) -> None:
        # A bar only while bytes move and only on a terminal; scripts get one line per status.
        if event.status in ("pushing", "downloading") and event.total:
            if self.tty:
                done = min(event.current or 0, event.total) / event.total
                bar = "█" * int(done * 30) + "·" * (30 - int(done * 30))
                self.out.write(f"\r{event.layer[:12]:12}  {bar} {done:4.0%}")
                self.out.flush()
                self._layer_status[event.layer] = "bar"
                self._done[event.layer] = done
                self._bar_open = True
            return
        if self._layer_status.get(event.layer) == event.status:
            return
        prefix = "\r" if self.tty and self._layer_status.get(event.layer) == "bar" else ""
        self._layer_status[event.layer] = event.status
        label = event.detail or event.status.capitalize()
        self.out.write(prefix)  # ours: back to the start of the bar's line
        self._bar_open = False
        self.write(f"{event.layer[:12]:12}  {label}".ljust(60 if prefix else 0))
