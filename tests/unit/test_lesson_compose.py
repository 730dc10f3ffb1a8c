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
