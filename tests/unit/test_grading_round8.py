"""Rules of the round that spent heldout8, each held by answers of our own (none from a data file).

Each test but the guards (marked) fails on the grader before the round (fc5b216)."""

from __future__ import annotations

import pytest

from tests.unit.quiz_text import text_verdict as _grade
from tutor.states import Verdict as Mark


@pytest.mark.parametrize("answer", [
    "Always asks the registry every time a pod starts, and it also makes rolling back to an earlier latest easy.",
    "Always asks the registry at every pod start; the upside is that reverting to an old latest is trivial.",
])
def test_always_making_rollback_easy_is_a_misconception(answer):
    verdict = _grade("always-with-latest", answer)
    assert verdict.misconceptions
    assert verdict.verdict == Mark.INCORRECT


@pytest.mark.parametrize("answer", [
    "With Always the node checks the registry on each pod start, but once it has pulled latest it never runs a"
    " different image again.",
    "Always checks the registry at each start, though after the first pull the node will never use another image.",
])
def test_never_a_different_image_after_the_first_pull_is_a_misconception(answer):
    assert _grade("always-with-latest", answer).verdict == Mark.INCORRECT


def test_the_other_case_pulled_once_and_kept_is_no_pin_claim():
    answer = ("Every pod start has the node ask the registry. Otherwise a node that pulled latest once would keep"
              " that copy for good.")
    assert _grade("always-with-latest", answer).verdict == Mark.CORRECT


def test_being_built_on_the_hub_is_the_registry_building():
    answer = "Build only validates the Dockerfile; the image itself is built on Docker Hub after you push."
    verdict = _grade("build-vs-push", answer)
    assert verdict.misconceptions
    assert verdict.verdict == Mark.INCORRECT


def test_a_clause_opened_by_the_registry_does_not_take_builds_role():
    answer = "Build makes the image on my laptop, and the registry simply stores whatever push uploads to it."
    verdict = _grade("build-vs-push", answer)
    assert not verdict.misconceptions
    assert verdict.verdict == Mark.CORRECT


@pytest.mark.parametrize("answer", [
    "v1 now names build #2 on the registry, while a node that cached build #1 as v1 keeps running that one.",
    "v1 now points at image #2 in the hub, and a server that cached image #1 as v1 keeps running it.",
])
def test_numbered_builds_are_builds_not_rebuilds(answer):
    assert _grade("push-twice", answer).verdict == Mark.CORRECT


@pytest.mark.parametrize(("qid", "answer"), [
    ("push-twice", "I'd have guessed the push fails... actually no: v1 just moves to the new image, and nodes that"
                   " cached v1 keep running the old one."),
    ("pull-failure", "It deletes the deployment, I think. Scratch that: the pod never starts, it goes to ErrImagePull"
                     " then ImagePullBackOff and Kubernetes retries with growing waits."),
])
def test_a_guess_taken_back_is_no_part_of_the_answer(qid, answer):
    verdict = _grade(qid, answer)
    assert not verdict.misconceptions
    assert verdict.verdict == Mark.CORRECT


def test_guard_a_right_idea_taken_back_for_a_misconception_stays_wrong():
    """Guard (held before the round too): what is taken back is the right idea, the rest is wrong."""
    answer = "Only the changed layers go up, actually no, every push sends all 500 MB again."
    assert _grade("layer-upload", answer).verdict == Mark.INCORRECT


def test_a_hedge_about_a_side_matter_set_aside_by_but_caps_nothing():
    answer = ("I'm not sure about the defaults, but ghcr.io is the registry host, {username} the account namespace,"
              " poll-backend the repository and v1 the tag.")
    assert _grade("explain-naming", answer).verdict == Mark.CORRECT


def test_an_analogys_scene_is_no_invented_claim():
    answer = ("Picture a delivery that never arrives: the customer (pod) can't open the shop. The courier is called"
              " again, each time after a longer wait, that's ImagePullBackOff after ErrImagePull.")
    assert _grade("pull-failure", answer).verdict == Mark.CORRECT


def test_indefinite_words_claim_nothing():
    answer = ("With Always the node asks the registry at each pod start and pulls whenever the tag points somewhere"
              " else now; otherwise it keeps running its old cached latest.")
    assert _grade("always-with-latest", answer).verdict == Mark.CORRECT


@pytest.mark.parametrize("answer", [
    "Latest moves but nodes keep cached copies; with Always each pod start re-resolves the tag against the registry.",
    "Cached latest goes stale on nodes; with Always every pod start re-contacts the registry for the tag.",
    "The node keeps a stale copy of latest otherwise; with Always each pod start pings the registry for what latest is now.",
])
def test_hyphenated_re_verbs_and_pinging_the_registry_are_asking_it(answer):
    assert _grade("always-with-latest", answer).verdict == Mark.CORRECT


@pytest.mark.parametrize(("qid", "answer"), [
    ("private-repo", "private registry access tokens"),
    ("layer-upload", "image registry cache layers"),
])
def test_four_keywords_ending_in_a_plural_are_a_list(qid, answer):
    verdict = _grade(qid, answer)
    assert verdict.verdict == Mark.INCORRECT
    assert any("keywords" in note for note in verdict.notes)
