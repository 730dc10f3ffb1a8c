"""The follower's pure rules: which engine events it reads, and which names are the learner's mistakes.
Event shapes are as the real engine (20.10) sends them; tests/integration/test_follow.py drives the real one."""

from __future__ import annotations

import pytest

from tutor import hints, reference
from tutor.docker_ops.follow import _since, parse_event
from tutor.follow import wrong_name

TAG = {"status": "tag", "id": "sha256:a3", "Type": "image", "Action": "tag",
       "Actor": {"ID": "sha256:a3", "Attributes": {"name": "127.0.0.1:5000/learner/poll-backend:v1"}},
       "scope": "local", "time": 1796190667, "timeNano": 1796190667898569610}
PUSH = {"status": "push", "id": "127.0.0.1:5000/learner/poll-backend:v1", "Type": "image", "Action": "push",
        "Actor": {"ID": "127.0.0.1:5000/learner/poll-backend:v1", "Attributes": {"name": "127.0.0.1:5000/learner/poll-backend"}},
        "time": 1796190668, "timeNano": 1796190668225111359}
UNTAG = {"status": "untag", "id": "sha256:a3", "Type": "image", "Action": "untag",
         "Actor": {"ID": "sha256:a3", "Attributes": {"name": "sha256:a3"}}, "time": 1796190669}
START = {"status": "start", "id": "afb0", "from": "learner/poll-backend:v1", "Type": "container", "Action": "start",
         "Actor": {"ID": "afb0", "Attributes": {"image": "learner/poll-backend:v1", "name": "f16run"}},
         "time": 1796190668, "timeNano": 1796190668732847302}


def test_engine_events_are_read_with_the_name_they_concern():
    tag, push, untag, start = map(parse_event, (TAG, PUSH, UNTAG, START))
    assert (tag.action, tag.name, tag.image_id) == ("tag", "127.0.0.1:5000/learner/poll-backend:v1", "sha256:a3")
    assert (push.action, push.name) == ("push", "127.0.0.1:5000/learner/poll-backend:v1")  # with its tag
    assert untag.name == "" and untag.time_ns == 1796190669 * 10**9  # the engine names only the id
    assert (start.type, start.action, start.name) == ("container", "start", "learner/poll-backend:v1")
    assert parse_event({"Type": "network", "Action": "connect"}) is None
    assert parse_event({"Type": "container", "Action": "exec_start: sh"}) is None
    assert parse_event("not an event") is None


def test_a_reconnect_asks_for_events_since_the_exact_nanosecond():
    assert _since(1796190667898569610) == "1796190667.898569610"
    assert _since(1796190667000000001) == "1796190667.000000001"


LESSON = [reference.parse(f"learner/poll-{name}:v1") for name in ("backend", "frontend")]
LOCAL = [reference.parse(f"127.0.0.1:5000/learner/poll-{name}:v1") for name in ("backend", "frontend")]


@pytest.mark.parametrize("name, expected, problem", [
    ("poll-backend:v1", LESSON, "no-namespace"),
    ("library/poll-backend:v1", LESSON, "no-namespace"),
    ("myapp/poll-backend:v1", LESSON, "other-namespace"),
    ("learner/poll-backend:latest", LESSON, "latest"),
    ("learner/poll-frontend", LESSON, "latest"),  # no tag is latest
    ("learner/poll-backend:v1", LOCAL, "other-registry"),  # would go to Docker Hub
    ("127.0.0.1:5000/poll-backend:v1", LOCAL, "no-namespace"),
    ("127.0.0.1:5000/myapp/poll-frontend:latest", LOCAL, "other-namespace"),
    ("learner/poll-backend:v1", LESSON, None),  # right
    ("learner/poll-backend:v2", LESSON, None),  # another version: the learner's choice
    ("myapp/poll-backend:v7", LESSON, None),  # not the lesson's tag: some other work
    ("alice/other-app:v1", LESSON, None),
    ("tutor-test/base:1", LESSON, None),
])
def test_names_that_look_like_the_lessons_but_are_not(name, expected, problem):
    found = wrong_name(name, expected)
    assert (found[0] if found else None) == problem
    if found:
        assert found[1].path.rsplit("/", 1)[-1] == reference.parse(name).path.rsplit("/", 1)[-1]


def test_each_mistake_says_what_to_type():
    for problem in ("no-namespace", "other-namespace", "other-registry", "latest"):
        for pushed in (False, True):
            found = hints.follow_wrong_name(problem, "myapp/poll-backend:v1", "learner/poll-backend:v1",
                                            pushed=pushed, username="learner", registry="docker.io", tag="v1")
            assert found.code == f"follow_{problem.replace('-', '_')}"
            assert "`docker tag myapp/poll-backend:v1 learner/poll-backend:v1`" in found.next_step
            assert "`docker push learner/poll-backend:v1`" in found.next_step
            assert ("pushed" in found.what) == pushed
    denied = hints.follow_wrong_name("other-namespace", "myapp/poll-backend:v1", "learner/poll-backend:v1",
                                     username="learner", registry="docker.io")
    assert "Docker Hub denies that push" in denied.what and "under myapp/" in denied.what
    elsewhere = hints.follow_wrong_name("other-namespace", "h:5000/myapp/poll-backend:v1", "h:5000/learner/poll-backend:v1",
                                        username="learner", registry="h:5000")
    assert "Docker Hub" not in elsewhere.what and "refuses that push" in elsewhere.what


@pytest.mark.parametrize("pushed", [False, True])
def test_a_bare_name_with_another_registry_lacks_its_host_too_and_goes_to_docker_hub(pushed):
    found = hints.follow_wrong_name("no-namespace", "poll-backend:v1", "127.0.0.1:5000/learner/poll-backend:v1",
                                    pushed=pushed, username="learner", registry="127.0.0.1:5000", tag="v1")
    assert "without the registry's host (127.0.0.1:5000) and your username in front" in found.what
    assert "Docker Hub" in found.what and "not to 127.0.0.1:5000" in found.what
    # With the host there, only the username is missing, and Docker Hub has nothing to do with it.
    hosted = hints.follow_wrong_name("no-namespace", "127.0.0.1:5000/poll-backend:v1",
                                     "127.0.0.1:5000/learner/poll-backend:v1", pushed=pushed, username="learner",
                                     registry="127.0.0.1:5000", tag="v1")
    assert "without your username in front" in hosted.what and "Docker Hub" not in hosted.what


def test_the_latest_note_says_the_tag_once():
    for name in ("learner/poll-backend:latest", "learner/poll-backend"):
        found = hints.follow_wrong_name("latest", name, "learner/poll-backend:v1", username="learner",
                                        registry="docker.io", tag="v1")
        assert found.what.count("latest") == 1, found.what
        assert "the tag v1" in found.what
