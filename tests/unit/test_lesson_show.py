"""`docker-tutor lesson show`: the parsed lesson with the learner's variables, answers kept back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tutor.cli import main
from tutor.paths import lessons_dir

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lessons"


def show_json(capsys, *args: str) -> dict:
    assert main(["lesson", "show", "--json", *args]) == 0
    out, _ = capsys.readouterr()
    return json.loads(out)


def test_json_renders_commands_with_the_learners_variables(capsys):
    data = show_json(capsys, "04", "--var", "username=alice", "--var", "tag=v3", "--var", "project_dir=/src/poll")
    assert data["id"] == "push-to-registry" and data["missing_variables"] == []
    steps = {s["id"]: s for s in data["steps"]}
    assert [a["command"] for a in steps["build"]["actions"]] == [
        "docker build -t alice/poll-backend:v3 /src/poll/backend",
        "docker build -t alice/poll-frontend:v3 /src/poll/frontend"]
    assert [a["command"] for a in steps["push"]["actions"]] == [
        "docker push alice/poll-backend:v3", "docker push alice/poll-frontend:v3"]
    assert steps["login"]["actions"][0]["command"] == "docker login -u alice --password-stdin"
    assert steps["test-pull"]["actions"][-1]["command"] == "docker run -p 3000:3000 alice/poll-backend:v3"
    assert [h["id"] for h in steps["push"]["hints"]] == ["push-denied", "update-image", "slow-push"]
    # Prose is rendered too, and blocks keep prose and actions in their order.
    body = " ".join(b.get("markdown", "") for b in steps["build"]["blocks"])
    assert "{username}" not in json.dumps(data) and "alice" in data["concepts"][1]["body"]
    assert [b.get("action") for b in steps["build"]["blocks"] if "action" in b] == ["build-backend", "build-frontend"]
    assert "build context" in body
    checks = [c for v in data["verify"] for c in v["checks"]]
    assert checks[2]["commands"] == ["sudo k3s crictl pull alice/poll-backend:v3",
                                     "sudo k3s crictl pull alice/poll-frontend:v3"]
    hub = next(c for c in data["checklist"] if c["id"] == "images-on-hub")
    assert hub["probe"]["images"] == ["alice/poll-backend:v3", "alice/poll-frontend:v3"]
    assert next(c for c in data["checklist"] if c["id"] == "naming")["question"] == "explain-naming"


def test_another_registry_is_prefixed(capsys):
    data = show_json(capsys, "--var", "username=alice", "--var", "registry=ghcr.io")
    push = next(s for s in data["steps"] if s["id"] == "push")
    assert push["actions"][0]["command"] == "docker push ghcr.io/alice/poll-backend:v1"
    login = next(s for s in data["steps"] if s["id"] == "login")
    assert login["actions"][0]["command"] == "docker login -u alice --password-stdin ghcr.io"


def test_answers_only_with_the_flag(capsys):
    quiz = {q["id"]: q for q in show_json(capsys, "--var", "username=alice")["quiz"]}
    question = quiz["latest-in-k8s"]
    assert question["kinds"] == ["text", "choice"] and question["choice"]["options"]
    assert "rubric" not in question and "explanation" not in question
    assert all(set(o) == {"key", "text", "line"} for q in quiz.values() for o in q["choice"]["options"])

    quiz = {q["id"]: q for q in show_json(capsys, "--var", "username=alice", "--with-answers")["quiz"]}
    question = quiz["latest-in-k8s"]
    assert [o["key"] for o in question["choice"]["options"] if o["correct"]] == ["b"]
    assert question["rubric"]["concepts"][0]["id"] == "ambiguous" and question["rubric"]["required"] == 1
    assert question["rubric"]["misconceptions"][0]["correction"]
    assert question["explanation"]
    assert quiz["push-twice"]["rubric"]["concepts"] and quiz["push-twice"]["choice"]["multiple"] is True


def test_missing_username_is_shown_and_noted(capsys):
    assert main(["lesson", "show", "--json"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["missing_variables"] == ["username"]
    push = next(s for s in data["steps"] if s["id"] == "push")
    assert push["actions"][0]["command"] == "docker push {username}/poll-backend:v1"
    assert "--var username=" in err


def test_text_outline(capsys):
    assert main(["lesson", "show", "04-push-to-registry", "--var", "username=alice", "--var", "project_dir=."]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("04 push-to-registry: Push your images to a registry")
    for line in ("$ docker build -t alice/poll-backend:v1 ./backend", "$ docker push alice/poll-frontend:v1",
                 "hint login-fails:", "latest-in-k8s", "$ sudo k3s crictl pull alice/poll-frontend:v1",
                 "open https://hub.docker.com/r/alice/poll-backend", "<- question private-repo, probe repo-visibility"):
        assert line in out


def test_extra_lessons_folder_and_errors(capsys, tmp_path):
    shutil.copy(FIXTURES / "ok.md", tmp_path / "90-ok.md")
    assert show_json(capsys, "90", "--lessons", str(tmp_path), "--var", "username=bo")["steps"][0]["actions"][0][
        "command"] == "docker build -t bo/app:v1 ."

    assert main(["lesson", "show", "nope"]) == 1
    _, err = capsys.readouterr()
    assert "no lesson named 'nope'" in err and "04-push-to-registry" in err

    assert main(["lesson", "show", "--var", "colour=blue"]) == 2
    assert "has no variable colour" in capsys.readouterr().err

    assert main(["lesson", "show", "--var", "username"]) == 2
    assert "NAME=VALUE" in capsys.readouterr().err


def test_malformed_lesson_is_a_message_not_a_traceback(capsys, tmp_path):
    shutil.copy(FIXTURES / "malformed-front-matter.md", tmp_path / "91-bad.md")
    assert main(["lesson", "show", "91", "--lessons", str(tmp_path)]) == 1
    _, err = capsys.readouterr()
    assert err.startswith(f"error: {tmp_path / '91-bad.md'}:3: malformed front matter")


def test_settings_fill_variables(capsys, isolated_home):
    from tutor.store import Settings, save_settings, settings_path

    path = settings_path()
    save_settings(Settings(username="carol", tag="v7", project_dir="/work/poll"), path)
    try:
        data = show_json(capsys)
        push = next(s for s in data["steps"] if s["id"] == "push")
        assert push["actions"][0]["command"] == "docker push carol/poll-backend:v7"
        # --var wins over the settings
        data = show_json(capsys, "--var", "username=dave")
        assert next(s for s in data["steps"] if s["id"] == "push")["actions"][0]["command"] == \
            "docker push dave/poll-backend:v7"
    finally:
        path.unlink()


def test_list(capsys):
    assert main(["lesson", "list"]) == 0
    assert "04-push-to-registry" in capsys.readouterr().out
    assert lessons_dir().is_dir()
