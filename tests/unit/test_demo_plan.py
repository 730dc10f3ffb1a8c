"""Demo mode's plan (tutor/demo.py): which steps, what is typed, which images a reset may remove."""

from __future__ import annotations

import pytest

from tests.ui.conftest import write_settings
from tutor.demo import CHECK, RUN, SHOW, demo_script, key_caption, keystroke_delay, lesson_images, typing_frames
from tutor.session import Session


@pytest.fixture
def open_session(tmp_path):
    def opener(**settings) -> Session:
        return Session.open(config=write_settings(tmp_path, **settings), state_dir=tmp_path / "state")

    return opener


def test_the_script_runs_what_r_runs_and_checks_what_v_checks(open_session):
    session = open_session(username="alice", registry="127.0.0.1:5000")
    script = demo_script(session)
    assert [s.step_id for s in script] == [s.id for s in session.lesson.steps]  # the whole lesson, in order
    modes = {s.step_id: s.mode for s in script}
    assert modes["account"] == SHOW and modes["verify-hub"] == CHECK
    assert all(modes[step] == RUN for step in ("login", "build", "push", "test-pull"))
    build = next(s for s in script if s.step_id == "build")
    assert list(build.commands) == session.step_commands(session.lesson.step("build"))
    assert build.commands[0].startswith("docker build -t 127.0.0.1:5000/alice/poll-backend:v1 ")


def test_typing_goes_one_character_at_a_time_and_ends_whole():
    frames = list(typing_frames(["ab", "c"]))
    assert frames == [(0, 1), (0, 2), (1, 1)]
    assert keystroke_delay(" ", 25) == 2 * keystroke_delay("x", 25) == 0.08


def test_a_reset_names_the_learners_images_only(open_session):
    session = open_session(username="alice", registry="127.0.0.1:5000", tag="v7")
    refs = lesson_images(session.lesson, session.values())
    assert "127.0.0.1:5000/alice/poll-backend:v7" in refs and "127.0.0.1:5000/alice/poll-frontend:v7" in refs
    assert "127.0.0.1:5000/alice/poll-backend:v2" in refs  # the hint's second version is the learner's too
    assert all("/alice/" in ref for ref in refs)  # the hint's myapp/... (someone else's name) is not
    assert len(refs) == len(set(refs))
    hub = lesson_images(session.lesson, {**session.values(), "registry": "docker.io"})
    assert "alice/poll-backend:v7" in hub


def test_key_captions():
    assert [key_caption(k, c) for k, c in [("r", "r"), ("space", " "), ("ctrl+p", None), ("escape", None),
                                          ("down", None), ("R", "R"), ("f2", None)]] == \
        ["r", "Space", "Ctrl+P", "Esc", "↓", "R", "F2"]
