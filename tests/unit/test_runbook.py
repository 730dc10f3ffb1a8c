"""A lesson action the tutor cannot run is refused with its line, in `do` and in runbook, never crashed on."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.lesson import Action, LessonError, parse_lesson
from tutor.lesson.kinds import PublishError, parse_publish
from tutor.lesson.lint import lint_text
from tutor.runbook import check, problems, run_action

BROKEN = textwrap.dedent("""\
    +++
    id = "broken-actions"
    title = "Broken actions"
    order = 1

    [variables]
    username = ""
    tag = "v1"
    port = "3000"
    +++

    ## Steps

    ### Run it {#run-it}

    ```action kind=run repository=app publish=abc
    ```

    ### Build it {#build-it}

    ```action kind=build repository=app
    ```

    ### Serve on a port from the settings {#serve}

    ```action kind=run repository=app publish={port}:80
    ```
    """)
VALUES = {"username": "alice", "tag": "v1", "port": "3000"}


@pytest.fixture
def lessons(tmp_path) -> Path:
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "01-broken-actions.md").write_text(BROKEN)
    return folder


@pytest.mark.parametrize("text, expected", [
    ("3000:3000", [(3000, 3000)]),
    ("3000", [(3000, 3000)]),
    (" 8080:80 , 8443:443 ", [(8080, 80), (8443, 443)]),
])
def test_publish_is_parsed_in_one_place(text, expected):
    assert parse_publish(text) == expected


@pytest.mark.parametrize("text, message", [
    ("abc", "is not a port mapping"),
    ("3000:", "is not a port mapping"),
    ("3000,", "is not a port mapping"),
    ("127.0.0.1:80:80", "is not a port mapping"),
    ("70000:80", "70000 is not a port"),
    ("0", "0 is not a port"),
    ("8080:80,8080:81", "host port 8080 twice"),
])
def test_bad_publish_says_why(text, message):
    with pytest.raises(PublishError, match=message):
        parse_publish(text)


def test_lint_reports_a_bad_publish_and_a_missing_parameter_on_their_lines():
    found = {(p.line, p.message) for p in lint_text(BROKEN)}
    lines = BROKEN.split("\n")
    run_line = next(i for i, line in enumerate(lines, 1) if "publish=abc" in line)
    build_line = next(i for i, line in enumerate(lines, 1) if "kind=build" in line)
    assert any(line == run_line and "publish 'abc' is not a port mapping" in msg for line, msg in found)
    assert (build_line, "action build needs the parameter context=...") in found
    assert len(found) == 2, found  # publish={port}:80 is fine: it is checked once filled in


def test_run_needs_publish_and_a_valid_name():
    assert "action run needs the parameter publish=..." in problems(Action("run", {"repository": "a"}, 3), VALUES)
    bad_name = Action("run", {"repository": "a", "publish": "80", "name": "my app"}, 3)
    assert any("is not a container name" in p for p in problems(bad_name, VALUES))


def test_runbook_raises_a_lesson_error_naming_the_line_not_a_key_error(tmp_path):
    lesson = parse_lesson(BROKEN, tmp_path / "l.md")
    for step_id, words in (("run-it", "publish 'abc'"), ("build-it", "needs the parameter context")):
        action = lesson.step(step_id).actions[0]
        with pytest.raises(LessonError) as raised:
            run_action(action, VALUES, source=lesson.source)
        assert raised.value.line == action.line and words in raised.value.message
        assert str(raised.value).startswith(f"{lesson.source}:{action.line}: ")
    serve = lesson.step("serve").actions[0]
    check([serve], VALUES)  # a filled-in {port} is a port
    with pytest.raises(LessonError, match="'x1:80' is not a port mapping"):
        check([serve], {**VALUES, "port": "x1"})
    with pytest.raises(LessonError, match="cannot run a 'manual' action"):
        run_action(Action("manual", {}, 9), VALUES)


@pytest.mark.parametrize("step", ["run-it", "build-it"])
def test_do_refuses_a_broken_lesson_with_exit_2_and_no_traceback(lessons, step, capsys):
    code = main(["do", step, "--lessons", str(lessons), "--lesson", "broken-actions", "--var", "username=alice"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert "01-broken-actions.md:" in err and "docker-tutor lint" in err


def test_do_checks_the_lesson_before_asking_for_a_password(lessons, tmp_path, capsys):
    """A broken login step is refused before any password is read."""
    (lessons / "01-broken-actions.md").write_text(BROKEN.replace("### Run it {#run-it}\n\n```action kind=run",
                                                                 "### Run it {#run-it}\n\n```action kind=login colour=red"
                                                                 "\n```\n\n```action kind=run"))
    code = main(["do", "run-it", "--lessons", str(lessons), "--lesson", "broken-actions", "--var", "username=alice"])
    err = capsys.readouterr().err
    assert code == 2 and "unknown parameter 'colour' for action login" in err and "password" not in err.lower()


@pytest.mark.parametrize("values", [
    {"username": "alice", "tag": "v2", "registry": "docker.io", "project_dir": "~/my poll app"},
    {"username": "bob", "tag": "v1", "registry": "127.0.0.1:5000", "project_dir": "/src/poll"},
])
async def test_the_tutor_runs_exactly_the_command_the_lesson_shows(values):
    """The first event of every runnable action (sent before any engine is asked) is the lesson's command."""
    from contextlib import aclosing

    from tutor.docker_ops import CommandLine
    from tutor.lesson import get_lesson
    from tutor.runbook import runnable
    from tutor.secret import Secret

    lesson = get_lesson("04")
    extra = [Action("run", {"repository": "web", "publish": "8080:80, 8443", "name": "web"}, 1),
             Action("build", {"repository": "app", "context": "{project_dir}/app", "dockerfile": "Dockerfile.dev"}, 2),
             Action("images", {}, 3), Action("images", {"filter": "poll"}, 4),
             Action("tag", {"source": "app:{tag}", "repository": "app"}, 5),
             Action("pull", {"repository": "app"}, 6), Action("rmi", {"repository": "app"}, 7)]
    actions = [a for step in lesson.steps for a in runnable(step)] + extra
    assert {a.kind for a in actions} >= {"login", "build", "push", "run", "images", "tag", "pull", "rmi"}
    for action in actions:
        async with aclosing(run_action(action, values, secret=Secret("pw"))) as events:
            first = await anext(events)
        assert isinstance(first, CommandLine)
        assert first.text == action.command(values), action


def test_values_are_checked_once_filled_in():
    action = Action("run", {"repository": "a", "publish": "{port}", "name": "{username}-app"}, 4)
    assert problems(action, VALUES) == []
    assert any("is not a container name" in p for p in problems(action, {**VALUES, "username": "al ice"}))
    assert any("'{port}' is not a port mapping" in p for p in problems(action, {**VALUES, "port": ""}))


def test_do_warns_instead_of_crashing_when_progress_cannot_be_saved(tmp_path, monkeypatch, capsys):
    from tutor.cli import main

    blocker = tmp_path / "state-is-a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    code = main(["do", "account", "--var", "username=alice", "--config", str(tmp_path / "settings.toml")])
    err = capsys.readouterr().err
    assert code == 0
    assert "warning: Progress could not be saved" in err
    assert "Traceback" not in err
