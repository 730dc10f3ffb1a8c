"""The lesson screen's Markdown, composed without Textual: commands filled in, hints in order, states said."""

from __future__ import annotations

from tutor.lesson import get_lesson
from tutor.lesson.compose import checklist_markdown, step_markdown, verify_markdown

LESSON = get_lesson("04")
VALUES = LESSON.values({"username": "alice", "registry": "127.0.0.1:5000", "project_dir": "/p"})


def render(text: str) -> str:
    return LESSON.render(text, VALUES)


def test_a_step_shows_its_commands_and_only_the_hints_opened():
    step = LESSON.step("push")
    closed = step_markdown(render, VALUES, step, 0)
    assert "docker push 127.0.0.1:5000/alice/poll-backend:v1" in closed
    assert "Hint 1" not in closed and f"({len(step.hints)} left)" in closed
    opened = step_markdown(render, VALUES, step, len(step.hints))
    assert f"Hint {len(step.hints)} of {len(step.hints)}" in opened and "left)" not in opened
    assert opened.index("Hint 1 of") < opened.index("Hint 2 of")
    assert "{" not in opened.splitlines()[0]


def test_a_verify_item_offers_the_tutors_check_and_fills_the_expected_output():
    text = verify_markdown(render, VALUES, LESSON.verify_item("local"))
    assert "docker images" in text and "127.0.0.1:5000/alice/poll-backend" in text
    assert "{username}" not in text and "Press **r** or **v**" in text


def test_a_checklist_item_says_its_state():
    item = LESSON.checklist_item("images-on-hub")
    assert "not checked yet" in checklist_markdown(render, item, {})
    said = checklist_markdown(render, item, {"status": "passed", "reason": "Both are there."})
    assert "**passed**: Both are there." in said


def test_a_verify_item_lists_its_checks_commands_or_says_there_is_none_to_type():
    from tutor.lesson.compose import NO_COMMAND, verify_commands

    commands = verify_commands(LESSON.verify_item("local"), VALUES)
    assert commands and NO_COMMAND not in commands and any("docker images" in c for c in commands)
    assert all("{" not in c for c in commands)
    asked = [v for v in LESSON.verify if not any(c.probe.commands(VALUES) for c in v.checks)]
    for item in asked:  # the tutor asks the registry itself: the pane says so instead of a command
        assert verify_commands(item, VALUES) == [NO_COMMAND]


def test_a_stale_step_says_what_ran_then_and_what_to_do_now():
    from tutor.lesson.compose import stale_text

    text = stale_text(["docker push old/x:v1"], can_run=True)
    assert text == ("Done earlier, but with other names:\n  docker push old/x:v1\nYour settings changed since, "
                    "so the commands above have not run yet: press r.")
    assert stale_text([], can_run=False).endswith("(other commands)\nYour settings changed since, so press v "
                                                  "to check it again.")


def test_the_pane_under_a_step_lists_its_commands_or_says_what_to_do_instead():
    from tutor.lesson.compose import step_pane

    for step in LESSON.steps:
        commands = [a.command(VALUES) for a in step.actions if a.command(VALUES)]
        lines, state, title = step_pane(step, commands, VALUES)
        if commands:
            assert (lines, state) == (commands, "idle")
            assert title == (None if step.verify else "r runs it")
        else:
            assert state == "manual" and all(line.startswith("(") for line in lines)
            assert title is not None or not step.verify
    lines, state, title = step_pane(LESSON.steps[0], [], VALUES)
    assert state == "manual" and lines
