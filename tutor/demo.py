"""Demo mode's plan: which steps the tutor walks through, what it types, and what a reset removes.

Nothing here draws or runs anything: the lesson screen's demo driver (tutor/screens/demo.py)
follows this plan, and ``docker-tutor demo --reset`` hands :func:`lesson_images` to
tutor/docker_ops/cleanup.py.

What ``--pause`` means: without it the tutor types a step's commands and runs them at once,
then waits for a key before the next step. With it, it also waits for a key after typing and
before running, so a presenter can explain a command while it stands on the screen unrun.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

# About the speed of a person typing carefully in front of a class: a 70-character `docker
# build` takes about three seconds, slow enough to read along, quick enough not to bore.
CHARS_PER_SECOND = 25.0

RUN, CHECK, SHOW = "run", "check", "show"  # how the demo treats a step (see DemoStep.mode)


@dataclass(frozen=True)
class DemoOptions:
    pause: bool = False  # also wait for a key between typing a command and running it
    chars_per_second: float = CHARS_PER_SECOND


@dataclass(frozen=True)
class DemoStep:
    """One stop of the demo.

    ``mode``: ``run`` presses r (the step's docker commands run for real), ``check`` presses v
    (a step done in a browser, whose result the tutor looks for), ``show`` only shows the step
    (nothing the tutor can do or check: the presenter talks about it).
    """

    step_id: str
    title: str
    mode: str
    commands: tuple[str, ...]  # what is typed out: the commands the pane shows for this step


def demo_script(session) -> list[DemoStep]:
    """Every step of the lesson, in order, with what the demo does there (a tutor.session.Session)."""
    from tutor.runbook import runnable

    lesson, values = session.lesson, session.values()
    script = []
    for step in lesson.steps:
        title = session.render(step.title)
        item = lesson.verify_item(step.verify) if step.verify else None
        if runnable(step):
            script.append(DemoStep(step.id, title, RUN, tuple(session.step_commands(step))))
        elif item is not None and item.checks:
            commands = tuple(c for check in item.checks for c in check.probe.commands(values))
            script.append(DemoStep(step.id, title, CHECK, commands))
        else:
            script.append(DemoStep(step.id, title, SHOW, ()))
    return script


def typing_frames(commands: tuple[str, ...] | list[str]) -> Iterator[tuple[int, int]]:
    """(command index, characters of it shown) for each keystroke of typing ``commands`` out,
    one character at a time; the last frame shows every command whole."""
    for index, command in enumerate(commands):
        for count in range(1, len(command) + 1):
            yield index, count


def keystroke_delay(character: str, chars_per_second: float) -> float:
    """Seconds to wait before the next character: a space is a short breath between words."""
    base = 1.0 / chars_per_second if chars_per_second > 0 else 0.0
    return base * 2 if character == " " else base


def lesson_images(lesson, values: dict[str, str]) -> list[str]:
    """The image references the lesson makes for these values (its steps' and hints' build, tag,
    pull ... targets, e.g. alice/poll-backend:v1 and the hint's :v2), without repeats, in order.

    A tag's source (the hint's ``myapp/...``, someone else's name) is not among them: a reset
    removes what the learner's own steps create and nothing else.
    """
    from tutor import reference

    refs: list[str] = []
    for action in lesson.actions():
        ref = action.image(values)
        try:  # a name with a variable left unfilled is no image anyone has
            reference.parse(ref or "")
        except reference.ImageNameError:
            continue
        if ref not in refs:
            refs.append(ref)
    return refs


# Keys as a presenter's overlay names them; the rest are shown as Textual names them.
_KEY_NAMES = {"space": "Space", "enter": "Enter", "escape": "Esc", "tab": "Tab", "shift+tab": "Shift+Tab",
              "backspace": "Backspace", "delete": "Del", "up": "↑", "down": "↓", "left": "←", "right": "→",
              "pageup": "PgUp", "pagedown": "PgDn", "home": "Home", "end": "End"}


def key_caption(key: str, character: str | None = None) -> str:
    """How a key press is named on screen: `r`, `Space`, `Ctrl+P`, `↓` ..."""
    if key in _KEY_NAMES:
        return _KEY_NAMES[key]
    if character and character.isprintable() and len(character) == 1 and "+" not in key:
        return character
    parts = key.split("+")
    return "+".join(p.capitalize() if len(p) > 1 else p.upper() for p in parts)
