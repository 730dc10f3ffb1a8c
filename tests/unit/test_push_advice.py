"""A push of a missing image: the advice re-tags only the learner's own image and builds from the lesson's folder."""

from __future__ import annotations

import pytest

from tutor import hints
from tutor.docker_ops.push import pick_similar
from tutor.lesson import get_lesson
from tutor.reference import parse
from tutor.runbook import build_folder

TARGET = parse("127.0.0.1:5000/learna/poll-backend:v1")


@pytest.mark.parametrize("tags, expected", [
    # Another learner's image on the same machine, even the newest, is never offered as the learner's.
    ([(9, "127.0.0.1:5000/learner/poll-backend:2dbc509c")], ("127.0.0.1:5000/learner/poll-backend:2dbc509c", False)),
    ([(9, "127.0.0.1:5000/learner/poll-backend:x"), (1, "poll-backend:latest")], ("poll-backend:latest", True)),
    # Own namespace on the same registry beats the same namespace elsewhere, which beats a plain name.
    ([(1, "127.0.0.1:5000/learna/poll-backend:v0"), (9, "learna/poll-backend:v1"), (9, "poll-backend:v1")],
     ("127.0.0.1:5000/learna/poll-backend:v0", True)),
    ([(9, "poll-backend:v1"), (1, "learna/poll-backend:v1")], ("learna/poll-backend:v1", True)),
    ([(1, "poll-backend:old"), (5, "poll-backend:new")], ("poll-backend:new", True)),
    ([(1, "learna/poll-frontend:v1"), (2, "<none>:<none>")], None),
])
def test_the_image_to_retag_is_the_learners_own(tags, expected):
    assert pick_similar(tags, TARGET) == expected


def test_a_strangers_image_is_mentioned_but_never_retagged():
    ref = TARGET.full
    hint = hints.hint("tag_missing", ref=ref, build_command=f"docker build -t {ref} ./backend",
                      tag_advice=hints.retag_advice(ref, "127.0.0.1:5000/learner/poll-backend:x", False))
    assert "docker tag" not in hint.next_step
    assert "127.0.0.1:5000/learner/poll-backend:x" in hint.next_step and "another user" in hint.next_step
    own = hints.hint("tag_missing", ref=ref, tag_advice=hints.retag_advice(ref, "poll-backend:v1", True))
    assert f"`docker tag poll-backend:v1 {ref}`" in own.next_step
    assert f"`docker build -t {ref} .`" in own.next_step  # no lesson folder known: the current one


def test_the_build_folder_is_the_lessons_own():
    lesson = get_lesson()
    values = lesson.values({"username": "learna", "registry": "127.0.0.1:5000", "project_dir": "~/my poll"})
    push = next(a for s in lesson.steps for a in s.actions if a.kind == "push")
    assert build_folder(lesson.source, push.image(values), values) == "~/my poll/backend"
    assert build_folder(lesson.source, "127.0.0.1:5000/learna/never-built:v1", values) is None
    assert build_folder(None, push.image(values), values) is None
