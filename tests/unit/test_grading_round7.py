"""Rules of the round that spent heldout7, each held by answers of our own (none from a data file)."""

from __future__ import annotations

import pytest

from tests.unit.quiz_text import text_verdict as _grade
from tutor.states import Verdict as Mark


def _ids(entries) -> list[str]:
    return [e.id for e in entries]


def test_servers_that_do_not_know_of_the_push_keep_their_copy():
    answer = "The tag is reassigned to the new build. Servers that pulled v1 last week don't realize anything changed."
    verdict = _grade("push-twice", answer)
    assert "tag-stays" not in _ids(verdict.misconceptions)
    assert verdict.verdict == Mark.CORRECT


def test_clients_that_already_hold_v1_are_nodes_too():
    answer = "v1 is repointed to the second image, and clients that already have it cached keep using the old one."
    assert _grade("push-twice", answer).verdict == Mark.CORRECT


def test_keeping_the_first_image_as_v1_is_the_tag_staying():
    verdict = _grade("push-twice", "Docker keeps the original build as v1 and drops what you sent.")
    assert "tag-stays" in _ids(verdict.misconceptions)
    assert verdict.verdict == Mark.INCORRECT


@pytest.mark.parametrize("answer", [
    "Sort of like moving a bookmark: v1 now opens the new image, while hosts holding the old v1 keep it.",
    "Kind of like a shop relabelling a shelf: v1 now means the new image; machines with v1 cached stay old.",
])
def test_an_analogy_opened_with_kind_of_like_claims_nothing_new(answer):
    verdict = _grade("push-twice", answer)
    assert verdict.verdict == Mark.CORRECT, verdict.notes


@pytest.mark.parametrize(("answer", "wrong"), [
    ("ghcr.io is the registry, my user the namespace, poll-backend the repository and v1 the count of layers.",
     "tag-is-port"),
    ("The v1 at the end tells Docker which host to send the image to.", "tag-picks-registry"),
])
def test_wrong_roles_for_the_tag_are_misconceptions(answer, wrong):
    verdict = _grade("explain-naming", answer)
    assert wrong in _ids(verdict.misconceptions)
    assert verdict.verdict == Mark.INCORRECT


def test_the_version_number_in_the_tag_is_no_count_of_layers():
    answer = "ghcr.io is the registry, my user the namespace, poll-backend the repository and v1 the version number."
    assert _grade("explain-naming", answer).verdict == Mark.CORRECT


def test_baking_stands_for_building():
    answer = "build is the baking of the image on my own machine, push is delivering it to the registry"
    assert _grade("build-vs-push", answer).verdict == Mark.CORRECT


def test_where_a_layer_sits_in_the_stack_claims_nothing():
    answer = ("No: only the layers that changed are uploaded; the base at the bottom, the OS, is already on the "
              "registry and skipped.")
    verdict = _grade("layer-upload", answer)
    assert verdict.verdict == Mark.CORRECT, verdict.notes
