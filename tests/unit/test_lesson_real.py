"""The bundled milestone lesson: it parses, lints clean, and carries every public id and topic."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.lesson import get_lesson, load_lesson
from tutor.lesson.lint import lint_file
from tutor.paths import lessons_dir

LESSON_FILE = lessons_dir() / "04-push-to-registry.md"
VALUES = {"username": "alice", "tag": "v1", "registry": "docker.io", "project_dir": "/home/alice/poll"}


@pytest.fixture(scope="module")
def lesson():
    return load_lesson(LESSON_FILE)


def test_lints_clean():
    assert [str(p) for p in lint_file(LESSON_FILE)] == []


@pytest.mark.parametrize("name", ["04", "4", "04-push-to-registry", "push-to-registry", str(LESSON_FILE), None])
def test_found_by_number_name_id_or_path(name):
    assert get_lesson(name).source == LESSON_FILE


def test_front_matter(lesson):
    assert (lesson.id, lesson.order, lesson.previous, lesson.next) == (
        "push-to-registry", 4, "03-frontend", "05-kubernetes-manifests")
    assert lesson.defaults == {"username": "", "tag": "v1", "registry": "docker.io", "project_dir": "."}
    assert lesson.missing(lesson.values()) == ["username"]


def test_public_ids(lesson):
    assert [s.id for s in lesson.steps] == ["account", "login", "build", "push", "verify-hub", "test-pull"]
    assert [q.id for q in lesson.quiz] == ["latest-in-k8s", "push-twice", "build-vs-push", "layer-upload",
                                           "always-with-latest", "pull-failure", "explain-naming", "private-repo"]
    assert [c.id for c in lesson.checklist] == ["naming", "versioned-tags", "images-on-hub", "node-can-pull",
                                                "private-repo"]
    assert [h.id for h in lesson.hints()] == ["login-fails", "push-denied", "update-image", "slow-push"]
    assert lesson.step("test-pull").optional and not lesson.step("push").optional


def test_checklist_links(lesson):
    links = {c.id: (c.question, c.probe.kind if c.probe else None) for c in lesson.checklist}
    assert links == {
        "naming": ("explain-naming", None),
        "versioned-tags": ("latest-in-k8s", None),
        "images-on-hub": (None, "registry-images"),
        "node-can-pull": (None, "node-pull"),
        "private-repo": ("private-repo", "repo-visibility"),
    }
    both = ["alice/poll-backend:v1", "alice/poll-frontend:v1"]
    assert lesson.checklist_item("node-can-pull").probe.images(VALUES) == both


def test_step_commands_are_derived_for_the_learner(lesson):
    commands = {step.id: [a.command(VALUES) for a in step.actions] for step in lesson.steps}
    assert commands == {
        "account": [None],
        "login": ["docker login -u alice --password-stdin"],
        "build": ["docker build -t alice/poll-backend:v1 /home/alice/poll/backend",
                  "docker build -t alice/poll-frontend:v1 /home/alice/poll/frontend"],
        "push": ["docker push alice/poll-backend:v1", "docker push alice/poll-frontend:v1"],
        "verify-hub": [None],
        "test-pull": ["docker rmi alice/poll-backend:v1", "docker pull alice/poll-backend:v1",
                      "docker run -p 3000:3000 alice/poll-backend:v1"],
    }
    assert lesson.step("account").actions[0].url(VALUES).startswith("https://hub.docker.com/")
    assert lesson.step("verify-hub").actions[0].url(VALUES) == "https://hub.docker.com/repositories/alice"


def test_no_docker_command_is_spelled_out_in_a_step(lesson):
    """Commands come from actions; the only literal one is the hint's deliberately wrong push."""
    for step in lesson.steps:
        for owner in [step, *step.hints]:
            literal = [line for line in lesson.render(owner.body, VALUES).splitlines() if line.startswith("docker ")]
            assert literal == (["docker push myapp/poll-backend:v1"] if owner.id == "push-denied" else [])


def test_hints_cover_the_milestone(lesson):
    hints = {h.id: h for h in lesson.hints()}
    login = hints["login-fails"].body
    assert "Account Settings → Security" in login and "token" in login and "password" in login
    denied = hints["push-denied"]
    assert "myapp/poll-backend" in denied.body
    assert [a.command(VALUES) for a in denied.actions][0] == "docker push alice/poll-backend:v1"
    update = [a.command(VALUES) for a in hints["update-image"].actions]
    assert update == ["docker build -t alice/poll-backend:v1 /home/alice/poll/backend",
                      "docker push alice/poll-backend:v1",
                      "docker build -t alice/poll-backend:v2 /home/alice/poll/backend",
                      "docker push alice/poll-backend:v2"]
    slow = hints["slow-push"].body
    assert "first push" in slow.lower() and "Alpine" in slow


def test_concepts_carry_the_milestone_tables_and_examples(lesson):
    bodies = {c.id: lesson.render(c.body, VALUES) for c in lesson.concepts}
    assert list(bodies) == ["why-registry", "image-reference", "tagging-strategy", "image-layers", "pull-policies"]
    for name in ("Docker Hub", "Amazon ECR", "GitHub Container Registry", "$0.10"):
        assert name in bodies["why-registry"]
    for text in ("registry/username/repository:tag", "`nginx:latest`", "docker.io/library/nginx:latest",
                 "`alice/poll-backend:v1`", "`ghcr.io/alice/poll-backend:v1`"):
        assert text in bodies["image-reference"]
    for tag in ("`latest`", "`v1`, `v2`", "`v1.2.3`", "`abc123`"):
        assert tag in bodies["tagging-strategy"]
    assert "node:20-alpine" in bodies["image-layers"]
    policies = bodies["pull-policies"]
    assert "image: alice/poll-backend:v1" in policies and "imagePullPolicy:" in policies
    assert all(p in policies for p in ("`Always`", "`IfNotPresent`", "`Never`"))


def test_every_question_is_answerable_and_explained(lesson):
    for q in lesson.quiz:
        assert q.explanation, q.id
        assert q.choice is not None and q.choice.correct, q.id
        assert all(o.why for o in q.choice.options if not o.correct), q.id
        if q.kind == "text":
            assert q.kinds == ["text", "choice"]
            assert len(q.rubric.concepts) >= 2 and q.rubric.misconceptions, q.id
            for entry in q.rubric.concepts + q.rubric.misconceptions:
                assert entry.id and entry.label and len(entry.phrasings) >= 3, (q.id, entry.id)
            assert all(m.correction for m in q.rubric.misconceptions)
    # Every question is asked in words first, as the milestone asks it; the options are one key away.
    assert all(q.kinds == ["text", "choice"] for q in lesson.quiz)
    assert lesson.question("push-twice").choice.multiple


def test_verify_commands(lesson):
    commands = [cmd for item in lesson.verify for check in item.checks for cmd in check.probe.commands(VALUES)]
    urls = [url for item in lesson.verify for check in item.checks for url in check.probe.urls(VALUES)]
    assert commands == ["docker images | grep poll", "sudo k3s crictl pull alice/poll-backend:v1",
                        "sudo k3s crictl pull alice/poll-frontend:v1"]
    assert urls == ["https://hub.docker.com/r/alice/poll-backend", "https://hub.docker.com/r/alice/poll-frontend"]
    expected = lesson.render(lesson.verify[0].checks[0].expected, VALUES)
    assert [line.split()[:2] for line in expected.splitlines()] == [["alice/poll-backend", "v1"],
                                                                      ["alice/poll-frontend", "v1"]]


def test_every_element_has_its_source_line(lesson):
    lines = LESSON_FILE.read_text(encoding="utf-8").split("\n")
    for step in lesson.steps:
        assert lines[step.line - 1].startswith("### ") and f"{{#{step.id}" in lines[step.line - 1]
        for action in step.actions:
            assert lines[action.line - 1].startswith("```action")
    for q in lesson.quiz:
        assert f"{{#{q.id}}}" in lines[q.line - 1]
        for entry in (q.rubric.concepts if q.rubric else []):
            assert lines[entry.line - 1].strip() == "[[concept]]"
    for item in lesson.checklist:
        assert f"{{#{item.id} " in lines[item.line - 1]


def test_bundled_lessons_come_from_paths_lessons_dir(monkeypatch, tmp_path: Path):
    """find_lessons asks tutor.paths.lessons_dir() (installed wheels map it to tutor._lessons)."""
    import tutor.paths
    from tutor.lesson import find_lessons

    (tmp_path / "07-elsewhere.md").write_text(LESSON_FILE.read_text(encoding="utf-8").replace(
        'id = "push-to-registry"', 'id = "elsewhere"'), encoding="utf-8")
    monkeypatch.setattr(tutor.paths, "lessons_dir", lambda: tmp_path)
    assert find_lessons() == [tmp_path / "07-elsewhere.md"]
    assert get_lesson("elsewhere").id == "elsewhere"
