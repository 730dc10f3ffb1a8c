"""Commands and image references are derived from an action's kind and parameters."""

from __future__ import annotations

import pytest

from tutor.lesson import Action, Probe
from tutor.lesson.kinds import ACTION_KINDS, compose_ref, ref_problem

HUB = {"username": "alice", "tag": "v1", "registry": "docker.io", "project_dir": "."}
GHCR = {**HUB, "registry": "ghcr.io"}


@pytest.mark.parametrize("kind, params, values, command", [
    ("login", {}, HUB, "docker login -u alice --password-stdin"),
    ("login", {}, GHCR, "docker login -u alice --password-stdin ghcr.io"),
    ("login", {"registry": "localhost:5000"}, HUB, "docker login -u alice --password-stdin localhost:5000"),
    ("build", {"repository": "poll-backend", "context": "{project_dir}/backend"}, HUB,
     "docker build -t alice/poll-backend:v1 ./backend"),
    ("build", {"repository": "poll-backend", "context": "{project_dir}/backend"}, GHCR,
     "docker build -t ghcr.io/alice/poll-backend:v1 ./backend"),
    ("build", {"repository": "app", "context": "my app", "dockerfile": "Dockerfile.dev", "tag": "v2"}, HUB,
     "docker build -t alice/app:v2 -f 'my app/Dockerfile.dev' 'my app'"),
    ("build", {"repository": "app", "context": "~/my app"}, HUB, "docker build -t alice/app:v1 ~/'my app'"),
    ("tag", {"source": "myapp/poll-backend:{tag}", "repository": "poll-backend"}, HUB,
     "docker tag myapp/poll-backend:v1 alice/poll-backend:v1"),
    ("push", {"repository": "poll-frontend"}, HUB, "docker push alice/poll-frontend:v1"),
    ("push", {"repository": "poll-frontend", "registry": "index.docker.io"}, HUB, "docker push alice/poll-frontend:v1"),
    ("push", {"repository": "app", "registry": "127.0.0.1:5000", "namespace": "team"}, HUB,
     "docker push 127.0.0.1:5000/team/app:v1"),
    ("images", {"filter": "poll"}, HUB, "docker images | grep poll"),
    ("images", {}, HUB, "docker images"),
    ("rmi", {"repository": "poll-backend"}, HUB, "docker rmi alice/poll-backend:v1"),
    ("pull", {"repository": "poll-backend"}, GHCR, "docker pull ghcr.io/alice/poll-backend:v1"),
    ("run", {"repository": "poll-backend", "publish": "3000:3000"}, HUB, "docker run -p 3000:3000 alice/poll-backend:v1"),
    ("run", {"repository": "web", "publish": "8080:80, 8443:443", "name": "web"}, HUB,
     "docker run -p 8080:80 -p 8443:443 --name web alice/web:v1"),
    ("manual", {"url": "https://hub.docker.com/"}, HUB, None),
])
def test_command_for_each_kind(kind, params, values, command):
    assert Action(kind, params, line=1).command(values) == command


def test_every_kind_is_covered_above():
    assert set(ACTION_KINDS) == {"login", "build", "tag", "push", "images", "rmi", "pull", "run", "manual"}


def test_unfilled_username_stays_visible():
    action = Action("push", {"repository": "poll-backend"}, line=1)
    declared_but_empty = {"username": "", "tag": "v1", "registry": "docker.io"}
    assert action.command(declared_but_empty) == "docker push {username}/poll-backend:v1"
    # A lesson without a registry variable means Docker Hub, not a "{registry}/" prefix.
    assert action.command({"username": "alice", "tag": "v1"}) == "docker push alice/poll-backend:v1"


def test_image_and_url_and_resolved_params():
    build = Action("build", {"repository": "poll-backend", "context": "{project_dir}/backend"}, line=3)
    assert build.image(HUB) == "alice/poll-backend:v1"
    assert build.resolved(HUB) == {"namespace": "alice", "registry": "docker.io", "tag": "v1",
                                   "repository": "poll-backend", "context": "./backend"}
    manual = Action("manual", {"url": "https://hub.docker.com/r/{username}/poll-backend"}, line=4)
    assert (manual.image(HUB), manual.url(HUB)) == (None, "https://hub.docker.com/r/alice/poll-backend")


def test_references_are_normalised_by_tutor_reference():
    assert compose_ref("nginx", "", "docker.io", "") == "nginx:latest"
    assert compose_ref("app", "alice", "registry-1.docker.io", "v1") == "alice/app:v1"
    assert ref_problem("Poll-Backend", "alice", "docker.io", "v1").startswith("repository name must be lowercase")
    assert ref_problem("poll-backend", "alice", "docker.io", "v1") is None


def test_probes_give_images_commands_and_pages():
    probe = Probe("node-pull", {"repositories": "poll-backend, poll-frontend"}, line=1)
    assert probe.images(HUB) == ["alice/poll-backend:v1", "alice/poll-frontend:v1"]
    assert probe.commands(HUB) == ["sudo k3s crictl pull alice/poll-backend:v1",
                                   "sudo k3s crictl pull alice/poll-frontend:v1"]
    assert probe.where == "node"
    hub = Probe("registry-images", {"repository": "poll-backend"}, line=1)
    assert hub.urls(HUB) == ["https://hub.docker.com/r/alice/poll-backend"]
    assert hub.urls(GHCR) == []  # no Docker Hub page for another registry
    assert hub.images(GHCR) == ["ghcr.io/alice/poll-backend:v1"]
    assert Probe("local-images", {"filter": "poll"}, line=1).commands(HUB) == ["docker images | grep poll"]
