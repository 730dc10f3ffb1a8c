"""Hostile input in every field of the app, typed and pasted through Pilot at 80x24: the settings
form, the login dialog and the quiz's text answers. Shell syntax must never run (a marker file
under tmp_path never appears, even after a step ran with the value against the real engine),
nothing may be written outside our folders, Rich/Textual markup and control characters must show
on screen as typed, and a refused value is named with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import tomllib
import uuid
from pathlib import Path

import pytest
from rich.text import Text
from textual import events

from tests.fixtures.engine import CONTEXTS
from tutor.app import TutorApp
from tutor.screens.lesson import LessonScreen
from tutor.screens.login import LoginDialog
from tutor.screens.quiz import QuizScreen
from tutor.screens.settings import LABELS, SettingsScreen
from tutor.session import Session
from tutor.visible import visible
from tutor.widgets.action_pane import ActionPane

SIZE = (80, 24)
LESSON = "push-to-registry"
SETTINGS_FIELDS = ["username", "registry-custom", "tag", "project_dir", "node-host", "node-user", "node-port",
                   "node-identity"]
PATH_FIELDS = {"project_dir", "node-identity"}  # any file name is a path: shell syntax in one is only text


def hostile(marker: Path) -> dict[str, str]:
    return {
        "dollar": f"$(touch {marker})",
        "backticks": f"`touch {marker}`",
        "semicolon": "; rm -rf ~",
        "dotdot": "../../etc/passwd",
        "newline": "alice\nbob",
        "nul": "al\x00ice",
        "long": "a" * 300,
        "unicode": "jürgen-straße-🐳",
        "csi": "a\x1b[2Jb",
        "osc": "a\x1b]0;T\x07b",
        "markup": "[bold red]x[/]",
        "click": "[@click=app.quit]x[/]",
    }


RAW_CONTROLS = "raw control"
REFUSED_IN_PATHS = {"newline", "nul", "long", "csi", "osc"}  # a control character, or a name over 255 bytes


OURS = ("config/docker-tutor", "state/docker-tutor", "cache/docker-tutor", "docker")


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def written_outside(home: Path, before: set[str]) -> list[str]:
    """New paths under the test's root that are not in one of our folders (or their parents)."""
    new = tree(home) - before
    return sorted(p for p in new if not any(p == o or p.startswith(o + "/") or o.startswith(p + "/") for o in OURS))


def system_tmp_entries(token: str) -> list[str]:
    """Anything in the real /tmp named after this test's marker (the hostile values name it)."""
    return [name for name in os.listdir("/tmp") if token in name]


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def squashed(app) -> str:
    """The screen's text without spaces, so a value wrapped over two lines is still found."""
    return "".join("".join(screen_lines(app)).split())


def raw_controls(lines: list[str]) -> list[str]:
    return [line for line in lines if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in line)]


def shown_messages(app) -> list[str]:
    """Every toast as the learner reads it (the markup the app built, rendered to plain text)."""
    return [Text.from_markup(n.message).plain for n in app._notifications]


async def paste(app, pilot, text: str) -> None:
    """A paste as the terminal delivers one: to the app, which hands it to the focused widget."""
    app.post_message(events.Paste(text))
    await pilot.pause()


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def lesson_of(app) -> LessonScreen:
    return next(s for s in app.screen_stack if isinstance(s, LessonScreen))


def settings_file(home: Path) -> Path:
    return home / "config" / "docker-tutor" / "settings.toml"


def write_settings(home: Path, body: str) -> None:
    settings_file(home).parent.mkdir(parents=True, exist_ok=True)
    settings_file(home).write_text(body)


# --- the settings form ----------------------------------------------------------------------


@pytest.mark.parametrize("name", list(hostile(Path("/x"))))
async def test_every_settings_field_with_a_hostile_value(home, name):
    """Fault: each hostile value pasted into each field of the settings form, then ctrl+s."""
    marker = home / f"MARKER-{uuid.uuid4().hex[:8]}"
    value = hostile(marker)[name]
    shown = visible(value)
    before = tree(home)
    app = TutorApp(Session.open())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SettingsScreen)
        form.query_one("#registry").value = "custom"
        await pilot.pause()
        good = {"username": "alice", "registry-custom": "127.0.0.1:5000", "tag": "v1", "project_dir": "",
                "node-host": "", "node-user": "", "node-port": "22", "node-identity": ""}
        for other, ok in good.items():
            form.query_one(f"#{other}").value = ok

        async def paste_into(field_id: str):
            field = form.query_one(f"#{field_id}")
            field.value = ""
            field.focus()
            await pilot.pause()
            await paste(app, pilot, value)
            assert not raw_controls(screen_lines(app)), f"{field_id}: a control character reached the screen"
            if field_id != "node-port" and len(shown) < 60:
                # Exactly as pasted, markup and all, with control characters as escapes.
                assert field.value == shown
                assert any(shown in line for line in screen_lines(app)), (field_id, screen_lines(app))
            return field

        # Every field that is not a path refuses every one of these values, naming it and why.
        for field_id in [f for f in SETTINGS_FIELDS if f not in PATH_FIELDS]:
            app._notifications.clear()
            field = await paste_into(field_id)
            if field_id == "node-port":  # digits only: nothing was taken, and the toast says what was not
                assert field.value == ""
                assert [m for m in shown_messages(app) if m.startswith("Node SSH port takes digits only: '")
                        and shown[:20] in m], shown_messages(app)
                field.value = "22"
                continue
            await pilot.press("ctrl+s")
            await pilot.pause()
            messages = shown_messages(app)
            assert not raw_controls(messages + screen_lines(app))
            assert app.screen is form, f"{field_id} took {value!r}"
            label = f"{LABELS[field_id]} not saved: "
            refusal = next((m for m in messages if m.startswith(label)), None)
            assert refusal is not None, (field_id, messages)
            # The value is named as the learner sees it (a long one by its start), then why it is refused.
            assert f"'{shown[:40]}" in refusal and len(refusal) > len(label) + len(shown[:40]) + 20, refusal
            assert app.screen.focused is field, "the learner lands on the field to fix"
            assert not settings_file(home).exists(), "a refused value must not be saved"
            field.value = good[field_id]

        # A path may hold shell syntax, markup, '..' or emoji (it is only ever a quoted argument);
        # never a control character or a name longer than 255 bytes.
        for field_id in sorted(PATH_FIELDS):
            await paste_into(field_id)
        app._notifications.clear()
        await pilot.press("ctrl+s")
        await pilot.pause()
        messages = shown_messages(app)
        assert not raw_controls(messages + screen_lines(app))
        if name in REFUSED_IN_PATHS:
            assert app.screen is form and not settings_file(home).exists()
            assert {field_id for field_id, _ in form.problems()} == PATH_FIELDS
            assert any(m.startswith(("Node key file not saved: '", "Project folder not saved: '"))
                       and f"'{shown[:40]}" in m for m in messages), messages
        else:
            assert isinstance(app.screen, LessonScreen), messages
            saved = tomllib.loads(settings_file(home).read_text())
            assert (saved["project_dir"], saved["node"]["identity"]) == (value, value)
            assert app.session.settings.project_dir == value
    assert not marker.exists()
    assert written_outside(home, before) == []
    assert system_tmp_entries(marker.name) == []


async def test_typing_shell_syntax_key_by_key_is_text(home, monkeypatch):
    """Fault: `$(touch MARKER)` typed key by key (not pasted) into the username and the project folder."""
    monkeypatch.chdir(home)  # a `touch MARKER-typed` that ran would leave it here
    marker = home / "MARKER-typed"
    app = TutorApp(Session.open())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = app.screen
        form.query_one("#username").focus()
        await pilot.press(*"$(touch", "space", *"x)")
        await pilot.pause()
        assert form.query_one("#username").value == "$(touch x)"
        problem = form.query_one("#username-problem").render()
        assert "'$' is not allowed" in str(problem), problem
        form.query_one("#username").value = "alice"
        form.query_one("#project_dir").focus()
        await pilot.press(*"`touch", "space", *marker.name, "grave_accent")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert app.session.settings.project_dir == f"`touch {marker.name}`"
        lesson = app.screen
        lesson.goto("step", "build")
        await pilot.pause()
        # The command the pane shows (and `y` copies) quotes the folder: pasted in a shell it stays a name.
        commands = app.session.step_commands(app.session.lesson.step("build"))
        assert [c for c in commands if c.endswith(f" '`touch {marker.name}`/backend'")], commands
        assert f"'`touch{marker.name}`/frontend'" in squashed(app), screen_lines(app)
    assert not marker.exists()


# --- values a step then uses, against the real engine -------------------------------------------


def _remove_images(docker_engine, refs) -> None:
    for ref in refs:
        try:
            docker_engine.client.images.remove(ref, force=True)
        except Exception:  # noqa: BLE001 - not built when the test failed early
            pass


@pytest.mark.parametrize("folder", ["$(touch MARKER-dollar)", "`touch MARKER-backticks`", "x; touch MARKER-semi"])
async def test_a_project_folder_named_like_a_command_is_built_as_a_folder(home, docker_engine, offline_base, folder,
                                                                           monkeypatch):
    """Fault: a project folder whose name is shell syntax, pasted in the form, then `r` on the build step
    with the real engine: docker gets the folder as data and builds it; nothing runs."""
    work = home / "work"
    project = work / folder  # a real folder under that very name
    shutil.copytree(CONTEXTS, project, ignore=shutil.ignore_patterns("base"))
    monkeypatch.chdir(work)  # a `touch MARKER` that ran would leave MARKER here
    tag = f"hostile-{uuid.uuid4().hex[:8]}"
    refs = [f"tutortest/poll-{part}:{tag}" for part in ("backend", "frontend")]
    before = tree(home)
    app = TutorApp(Session.open())
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            form = app.screen
            form.query_one("#username").value = "tutortest"
            form.query_one("#tag").value = tag
            form.query_one("#project_dir").focus()
            await paste(app, pilot, str(project))
            await pilot.press("ctrl+s")
            await pilot.pause()
            lesson = lesson_of(app)
            assert app.screen is lesson, shown_messages(app)
            lesson.goto("step", "build")
            await pilot.press("r")
            await settle(pilot)
            pane = lesson.query_one(ActionPane)
            assert pane.state == "succeeded", pane.result_text
            # The command copied by y quotes the folder whole: pasted in a shell it stays a name.
            assert any(f"'{project}/backend'" in command for command in pane.commands), pane.commands
            # And so does the one on screen, folded at its spaces under the pane's ↪ marks.
            assert f"'{project}/backend'".replace(" ", "") in squashed(app).replace("↪", ""), screen_lines(app)
        tags = {t for image in docker_engine.client.images.list() for t in image.tags}
        assert set(refs) <= tags
    finally:
        _remove_images(docker_engine, refs)
    assert not [p for p in tree(home) if "MARKER" in Path(p).name and p.count("/") <= 2 and p != f"work/{folder}"]
    assert written_outside(home, before) == []


async def test_a_hand_edited_username_with_shell_syntax_is_refused_by_the_build(home, docker_engine, offline_base):
    """Fault: settings.toml edited by hand to hold username = "$(touch MARKER)" (the form refuses it):
    the build step says the name is not a valid image name, naming it, and nothing runs."""
    marker = home / "MARKER-username"
    write_settings(home, f'username = "$(touch {marker})"\nproject_dir = "{CONTEXTS}"\n')
    before = tree(home)
    app = TutorApp(Session.open())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lesson = lesson_of(app)
        lesson.goto("step", "build")
        await pilot.press("r")
        await settle(pilot)
        pane = lesson.query_one(ActionPane)
        assert pane.state == "failed"
        assert f"$(touch {marker})" in pane.result_text and "not a valid image name" in pane.result_text
        assert not raw_controls(screen_lines(app))
    assert not marker.exists()
    assert written_outside(home, before) == []


async def test_a_hand_edited_username_with_backticks_is_refused_before_docker_login(home, registry_basic,
                                                                                    monkeypatch):
    """Fault: a username with backticks reaching the login step: the tutor refuses it by name before
    `docker login` (or the registry) sees it; the masked password field shows only bullets."""
    monkeypatch.chdir(home)  # where a `touch MARKER-login` that ran would leave it
    marker = home / "MARKER-login"
    value = f"`touch {marker.name}`"
    write_settings(home, f'username = "{value}"\nregistry = "{registry_basic.host}"\n')
    app = TutorApp(Session.open())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lesson = lesson_of(app)
        lesson.goto("step", "login")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, LoginDialog)
        # The username is shown literally in the dialog's title, backticks and all.
        assert f"as {value}".replace(" ", "") in squashed(app), screen_lines(app)
        await paste(app, pilot, "$(touch /nonexistent)")
        assert "nonexistent" not in squashed(app), "the password must stay masked"
        await pilot.press("enter")
        await settle(pilot)
        pane = lesson.query_one(ActionPane)
        assert pane.state == "failed"
        # As the learner reads it: the backticks are shown, not taken for code.
        assert f"{value} cannot be a registry username: ` is not allowed" in pane.result_text, pane.result_text
        assert "$(touch /nonexistent)" not in pane.result_text
    assert not marker.exists()
    assert not (Path(os.environ["DOCKER_CONFIG"]) / "config.json").exists(), "docker login must not have run"


async def test_the_login_dialog_masks_hostile_passwords_and_shows_markup_usernames_literally(home):
    """Fault: markup in the username (hand-edited file) and every hostile value as the password."""
    write_settings(home, 'username = "[i]alice[/i]"\n')
    marker = home / "MARKER-password"
    app = TutorApp(Session.open())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lesson = lesson_of(app)
        lesson.goto("step", "login")
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, LoginDialog)
        assert "dockerlogindocker.ioas[i]alice[/i]" in squashed(app), screen_lines(app)
        secret = dialog.query_one("#secret")
        for value in hostile(marker).values():
            secret.value = ""
            await paste(app, pilot, value)
            lines = screen_lines(app)
            assert not raw_controls(lines)
            first_line = value.splitlines()[0]
            assert secret.value == first_line  # a password is taken as typed: not ours to change
            assert any("•" * min(len(first_line), 20) in line for line in lines)
            assert not any(part in line for line in lines for part in ("touch", "rm -rf", "etc/passwd", "jürgen",
                                                                        "bold red]x", "@click"))
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is lesson and secret.value == ""
    assert not marker.exists()


# --- the quiz's answers -------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(hostile(Path("/x"))))
async def test_a_hostile_quiz_answer_is_graded_and_kept_as_text(home, name):
    """Fault: each hostile value pasted as a quiz answer in words, then checked (ctrl+g)."""
    marker = home / f"MARKER-{name}"
    value = f"the layers {hostile(marker)[name]} move"
    write_settings(home, 'username = "alice"\n')
    before = tree(home)
    app = TutorApp(Session.open())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_quiz()
        await pilot.pause()
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        question = quiz.current_id
        await paste(app, pilot, value)
        expected = visible(value, newlines=True)
        assert quiz.query_one("#quiz-text").text == expected
        lines = screen_lines(app)
        assert not raw_controls(lines)
        if "\n" not in expected and len(expected) < 40:
            assert any(expected in line for line in lines), lines
        await pilot.press("ctrl+g")
        await pilot.pause()
        lines = screen_lines(app)
        assert not raw_controls(lines)
        assert any(mark in " ".join(lines) for mark in ("Correct", "Partly right", "Not right yet"))
        assert app.is_running, "markup in an answer must not act (no [@click=app.quit])"
        app.exit()
    progress = json.loads((home / "state" / "docker-tutor" / f"progress-{LESSON}.json").read_text())
    assert progress["quiz"][question][-1]["answer"] == expected.strip()
    assert not marker.exists()
    assert written_outside(home, before) == []


async def test_a_missing_project_folder_with_backticks_is_named_as_typed(home, docker_engine, monkeypatch):
    """Fault: a project folder `touch MARKER` that does not exist: the build's failure names it with its
    backticks shown (our messages mark code with backticks; the learner's must not become code)."""
    monkeypatch.chdir(home)
    marker = home / "MARKER-missing"
    write_settings(home, f'username = "alice"\nproject_dir = "`touch {marker.name}`"\n')
    app = TutorApp(Session.open())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lesson = lesson_of(app)
        lesson.goto("step", "build")
        await pilot.press("r")
        await settle(pilot)
        pane = lesson.query_one(ActionPane)
        assert pane.state == "failed"
        assert f"The build folder `touch {marker.name}`/backend does not exist." in pane.result_text, \
            pane.result_text
    assert not marker.exists()


def test_do_login_refuses_a_username_with_shell_syntax_by_name(home, monkeypatch):
    """Fault: `do login --var username='$(touch MARKER)'` (a flag, not the form): refused by name before
    docker login runs; nothing executes and docker's config is not written."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    tutor = root / ".venv" / "bin" / "docker-tutor"
    command = [str(tutor)] if tutor.exists() else [sys.executable, "-m", "tutor"]
    marker = home / "MARKER-cli"
    for value in (f"$(touch {marker})", f"`touch {marker}`", "al\nice", "a;b"):
        done = subprocess.run([*command, "do", "login", "--password-stdin", "--var", f"username={value}",
                               "--var", "registry=127.0.0.1:9"], input="pw\n", capture_output=True, text=True,
                              timeout=60, cwd=home)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        assert f"{visible(value)}" in done.stdout and "cannot be a registry username" in done.stdout, done.stdout
    assert not marker.exists()
    assert not (home / "docker" / "config.json").exists()


# --- the report screen's file name --------------------------------------------------------------


async def test_the_report_file_name_with_hostile_values(home, monkeypatch):
    """Fault: each hostile value pasted as the report's file name (the app's one other field): a control
    character or NUL is refused by name (a NUL used to reach the file system as a ValueError), shell
    syntax and markup are only a file name, saved where the learner said and shown literally."""
    from tutor.screens.report import ReportScreen

    cwd = home / "home" / "course" / "week1"  # deep enough that ../../etc stays in the test's home
    cwd.mkdir(parents=True)
    monkeypatch.chdir(cwd)  # a relative name is saved here, where the learner runs the tutor
    marker = cwd / "MARKER-report"
    write_settings(home, 'username = "alice"\n')
    before = tree(home)
    saved: list[str] = []
    app = TutorApp(Session.open())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.write_report()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        field = screen.query_one("#report-path")
        for name, value in hostile(Path(marker.name)).items():
            field.value = ""
            field.focus()
            await pilot.pause()
            await paste(app, pilot, value + ".md")
            await pilot.press("enter")
            await pilot.pause()
            lines = screen_lines(app)
            assert not raw_controls(lines), name
            said = str(screen.query_one("#report-message").render())
            if name in REFUSED_IN_PATHS:
                assert said.startswith(f"Not saved: '{visible(value)[:40]}"), (name, said)
            else:
                assert said.startswith("✔ Saved to "), (name, said)
                assert said.endswith(f"{value}.md") or name == "dotdot", (name, said)
                saved.append(value)
        assert app.is_running
    assert not marker.exists() and not (home / "home" / marker.name).exists()
    assert (cwd / f"$(touch {marker.name}).md").is_file() and (cwd / "; rm -rf ~.md").is_file()
    assert (cwd / "[@click=app.quit]x[").is_dir()  # '/' in a name makes folders: the learner's own path
    assert (home / "home" / "etc" / "passwd.md").is_file()  # ../../ from where the tutor runs, as typed
    # Everything new is ours, or where the learner said to save it.
    assert [p for p in written_outside(home, before) if not p.startswith("home/")] == []
