"""The milestone's words when the settings' registry is the tutor's practice registry: the account
is the tutor's doing (no sign-up page, no htpasswd file), and privacy is its own command, not a web
site's settings. The registry is recognised the way the tutor does it, from the practice
registry's saved port in the (test's own) data folder."""

from __future__ import annotations

import json
import re

import pytest

from tests.unit.test_registry_text import HUB, LOCAL, rendered_pieces
from tutor import hints
from tutor.lesson import load_lesson
from tutor.lesson import registries
from tutor.paths import lessons_dir

PORT = 5987
PRACTICE = {**HUB, "registry": f"127.0.0.1:{PORT}"}
# Sentences true only of registries someone else runs, or of Docker Hub's web site.
FOREIGN = re.compile(r"htpasswd|whoever runs|sign up, or sign in|Settings → Visibility|hub\.docker\.com", re.IGNORECASE)


@pytest.fixture
def practice_here(tmp_path, monkeypatch):
    """A practice registry set up on this machine (its saved port); nothing needs to run for the words."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    folder = tmp_path / "data" / "docker-tutor" / "practice-registry"
    folder.mkdir(parents=True)
    (folder / "registry.json").write_text(json.dumps({"port": PORT}))
    registries.refresh()
    yield
    registries.refresh()


@pytest.fixture(scope="module")
def lesson():
    return load_lesson(lessons_dir() / "04-push-to-registry.md")


def test_the_practice_condition_is_true_only_for_the_practice_registry(practice_here):
    assert registries.conditions(PRACTICE) == {"hub": False, "web": False, "practice": True}
    assert registries.conditions(LOCAL)["practice"] is False  # another loopback port: a plain registry
    assert registries.conditions(HUB)["practice"] is False


def test_the_practice_lesson_says_the_tutor_made_the_account_and_names_its_commands(lesson, practice_here):
    pieces = rendered_pieces(lesson, PRACTICE)
    for where, text in pieces:
        if where in ("why-registry", "image-reference", "lesson show"):  # they compare registries on purpose
            continue
        assert not FOREIGN.search(text), (where, text)
    by_place: dict[str, str] = {}
    for where, text in pieces:
        by_place[where] = by_place.get(where, "") + "\n" + text
    account = by_place["account"]
    assert "the tutor made your account, alice" in account and "`docker-tutor practice-registry password`" in account
    assert "htpasswd" not in account
    assert "Enter the password the practice registry showed you" in by_place["login"]
    assert "`docker-tutor practice-registry private alice/poll-backend`" in by_place["private-repo"]
    assert "`docker-tutor practice-registry public alice/poll-backend`" in by_place["private-repo"]
    assert "`docker-tutor practice-registry status`" in by_place["node"]  # the tunnel's two ports


@pytest.mark.parametrize("values", [HUB, LOCAL], ids=["docker.io", "127.0.0.1:5000"])
def test_other_registries_hear_nothing_of_the_practice_registry(lesson, practice_here, values):
    for where, text in rendered_pieces(lesson, values):
        assert "practice-registry" not in text and "practice registry" not in text, (where, text)


def test_a_private_repository_hint_names_the_practice_command_not_docker_hubs_settings(practice_here):
    ref = f"127.0.0.1:{PORT}/alice/poll-backend:v1"
    found = hints.from_registry("private", ref=ref)
    assert found.code == "practice_private_repo"
    assert "`docker-tutor practice-registry public alice/poll-backend`" in found.next_step
    assert "Docker Hub" not in str(found)
    # Any other loopback registry gets the advice for a registry that asks everyone to log in.
    other = hints.from_registry("private", ref="127.0.0.1:5000/alice/poll-backend:v1")
    assert other.code == "registry_private_login_only" and "registries.yaml" in other.next_step
