"""What a learner does and sees in the app, for Pilot tests written against behaviour: wait for
something to show, read the screen's text, run a palette entry by typing its name."""

from __future__ import annotations

import re


async def until(pilot, test, what: str, seconds: float = 5.0) -> None:
    """Pause until ``test()`` holds (AssertionError naming ``what`` after ``seconds``)."""
    for _ in range(max(1, int(seconds / 0.05))):
        if test():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"not reached: {what}\n--- on screen ---\n" + "\n".join(screen_lines(pilot.app)))


def screen_lines(app) -> list[str]:
    """The text of each line of the terminal, as the learner reads it (the screen in front and what shows
    through a dialog)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def screen_text(app) -> str:
    """The screen's text as one line, runs of spaces and line breaks made one space."""
    return " ".join(" ".join(screen_lines(app)).split())


def screen_name(app) -> str:
    return type(app.screen).__name__


def stack_names(app) -> list[str]:
    return [type(screen).__name__ for screen in app.screen_stack]


def outline_mark(app, title: str) -> str:
    """The mark in front of the outline line that starts ``title`` (its first line, if it wraps)."""
    for line in screen_lines(app):
        found = re.search(r"(\S) " + re.escape(title), line)
        if found:
            return found.group(1)
    raise AssertionError(f"{title!r} is not in the outline on screen:\n" + "\n".join(screen_lines(app)))


async def palette(pilot, typed: str) -> list[str]:
    """Open the command palette (ctrl+p), type ``typed`` and return the entries it lists."""
    await pilot.press("ctrl+p")
    await until(pilot, lambda: screen_name(pilot.app) == "CommandPalette", "the palette is open")
    await pilot.press(*typed)
    return await settled_entries(pilot)


async def settled_entries(pilot, seconds: float = 5.0) -> list[str]:
    """The palette's entries once its search, run as the words are typed, has stopped changing
    them (a slow machine takes longer, so this waits on the list rather than on a fixed time)."""
    await pilot.pause(0.3)
    entries, same = palette_entries(pilot.app), 0
    for _ in range(int(seconds / 0.05)):
        await pilot.pause(0.05)
        now = palette_entries(pilot.app)
        same = same + 1 if now == entries and now else 0
        if same >= 4:
            break
        entries = now
    return entries


def palette_entries(app) -> list[str]:
    from textual.command import CommandList

    listed = app.screen.query_one(CommandList)
    return [str(option.prompt).split("\n")[0] if not hasattr(option.prompt, "plain")
            else option.prompt.plain.split("\n")[0] for option in listed.options]


async def run_from_palette(pilot, name: str, typed: str | None = None) -> None:
    """Type an entry's name (or ``typed``, a shorter search) in the palette; the entry must be the first
    match, and enter runs it."""
    entries = await palette(pilot, name if typed is None else typed)
    assert entries and entries[0].startswith(name), entries
    await pilot.press("enter")
    await until(pilot, lambda: screen_name(pilot.app) != "CommandPalette", "the palette is closed")
    await pilot.pause()


def offered(app) -> list:
    """The palette's entries over the screen in front, as Textual gathers them: the app's system
    commands, and the lesson's own when that screen lists the lesson's provider."""
    from tutor.screens.palette import LessonCommands, lesson_commands

    entries = list(app.get_system_commands(app.screen))
    if LessonCommands in app.screen.COMMANDS:
        entries += lesson_commands(app.screen)
    return entries
