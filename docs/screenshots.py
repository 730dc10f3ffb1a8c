"""Draw the README's screenshots from the real app: `.venv/bin/python docs/screenshots.py [NAME ...]`.

Each picture is a fresh tutor in a throw-away config and state folder, driven headlessly by
Textual's Pilot and saved as SVG in assets/screenshots/. Nothing reaches the network: Docker
points at a socket that does not exist, and HTTP goes through a "proxy" on a closed loopback
port, so the checklist's registry checks fail at once, the same way on every machine, and
the picture shows how the tutor explains a failure.
No real password is typed: the login picture uses a made-up one, which the dialog masks.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "assets" / "screenshots"
SIZE = (120, 40)
# A port nothing listens on (discard): registry requests sent through it are refused at once.
CLOSED_PROXY = "http://127.0.0.1:9"
# One idea right, one missing and one misconception: the verdict shows every kind of feedback.
QUIZ_ANSWER = "you can't roll back because latest always points to the newest version"
# Right, so the checklist item linked to this question is ticked.
GOOD_ANSWER = "latest moves with every push, so you can't tell which build a node is running"

sys.path.insert(0, str(REPO))  # run from a checkout without installing

from tutor.app import TutorApp  # noqa: E402
from tutor.session import Session  # noqa: E402
from tutor.store import Settings, save_settings, settings_path  # noqa: E402

Shot = Callable[[TutorApp, object], Awaitable[None]]


def isolate(home: Path) -> None:
    """Point every folder the tutor, Docker and SSH might read at ``home``."""
    for name in ("config", "state", "docker"):
        (home / name).mkdir(parents=True, exist_ok=True)
    os.environ.update({
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
        "DOCKER_CONFIG": str(home / "docker"),  # no stored docker login is looked at
        "DOCKER_HOST": f"unix://{home}/no-such-docker.sock",
        "HTTPS_PROXY": CLOSED_PROXY,  # httpx honours these, so Docker Hub is never asked
        "HTTP_PROXY": CLOSED_PROXY,
        "ALL_PROXY": CLOSED_PROXY,
        # The follower watches Docker's events for as long as the app runs: with it on, waiting for
        # the app's workers to finish would wait forever.
        "DOCKER_TUTOR_FOLLOW": "0",
    })
    for name in ("NO_PROXY", "no_proxy", "https_proxy", "http_proxy", "all_proxy"):
        os.environ.pop(name, None)


def open_session(home: Path, registry: str | None) -> Session:
    """A learner called alice; ``registry=None`` means a first run (no settings yet)."""
    isolate(home)
    if registry is not None:
        save_settings(Settings(username="alice", registry=registry, project_dir="~/poll-app"), settings_path())
    return Session.open()


async def take(name: str, shot: Shot, registry: str | None) -> Path:
    with tempfile.TemporaryDirectory(prefix="tutor-shot-") as folder:
        app = TutorApp(open_session(Path(folder), registry))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await shot(app, pilot)
            await app.workers.wait_for_complete()
            await pilot.pause()
            path = Path(app.save_screenshot(f"{name}.svg", str(OUT)))
    print(f"wrote {path.relative_to(REPO)}")
    return path


# --- the pictures -----------------------------------------------------------------------------


async def lesson_step(app: TutorApp, pilot) -> None:
    app.screen.goto("step", "push")
    await pilot.pause()
    await pilot.press("h")
    await pilot.pause()
    # Scroll the step text so the hint starts at the top, as a learner would: the rule drawn
    # above each hint marks where it begins.
    rule = app.screen.query("#markdown MarkdownHorizontalRule").first()
    app.screen.query_one("#step-text").scroll_to_widget(rule, animate=False, top=True)


async def answer(app: TutorApp, pilot, text: str) -> None:
    """Type ``text`` into the quiz's answer field, key by key, and check it."""
    app.screen.query_one("#quiz-text").focus()
    await pilot.press(*text, "ctrl+g")
    await pilot.pause()


async def checklist(app: TutorApp, pilot) -> None:
    await pilot.press("z")
    await pilot.pause()
    await answer(app, pilot, GOOD_ANSWER)
    await pilot.press("escape", "c")
    await pilot.pause()
    await app.screen.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("down", "down")  # the registry item, whose detail explains the failure


async def quiz(app: TutorApp, pilot) -> None:
    await pilot.press("z")
    await pilot.pause()
    await answer(app, pilot, QUIZ_ANSWER)


async def settings(app: TutorApp, pilot) -> None:
    await pilot.pause()
    await pilot.press(*"alice")


async def login(app: TutorApp, pilot) -> None:
    app.screen.goto("step", "login")
    await pilot.pause()
    await pilot.press("r")
    await pilot.pause()
    await pilot.press(*"not-a-real-token")  # shown as dots


# name -> (what to do, the registry in the settings; None: first run, no settings yet)
SHOTS: dict[str, tuple[Shot, str | None]] = {
    "lesson-step": (lesson_step, "docker.io"),
    "checklist": (checklist, "docker.io"),
    "quiz": (quiz, "docker.io"),
    "settings": (settings, None),
    "login": (login, "docker.io"),
}


async def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in SHOTS]
    if unknown:
        print(f"unknown screenshot {', '.join(unknown)}; choose from {', '.join(SHOTS)}", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names or SHOTS:
        shot, registry = SHOTS[name]
        await take(name, shot, registry)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
