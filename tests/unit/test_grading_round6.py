"""Rules of the round that spent heldout6, each held by answers of our own (none from a data file)."""

from __future__ import annotations

import pytest

from tests.unit.quiz_text import text_verdict as _grade
from tutor.quiz.hedges import hedges
from tutor.states import Verdict as Mark


def _ids(entries) -> list[str]:
    return [e.id for e in entries]


# --- what the learner has not done is about them -------------------------------------------------


@pytest.mark.parametrize("answer", [
    "No clue, never tried a private repository myself.",
    "I have never worked with private images.",
    "I've never used Docker Hub that way.",
])
def test_what_the_learner_never_did_is_a_hedge(answer):
    assert hedges(answer, "What would happen if your repositories on Docker Hub were private?")
    assert _grade("private-repo", answer).verdict == Mark.INCORRECT


def test_a_system_that_never_used_something_is_no_hedge():
    answer = "The node never used any login, so pulls are denied and the pod sits in ImagePullBackOff."
    assert not hedges(answer, "What would happen if your repositories on Docker Hub were private?")
    assert _grade("private-repo", answer).verdict == Mark.CORRECT


# --- words that join a claim to its consequence claim nothing -------------------------------------


def test_which_means_and_whether_are_no_invented_claim():
    answer = ("First ErrImagePull, then ImagePullBackOff, which means the kubelet waits longer between tries; "
              "the pod is stuck in Waiting.")
    verdict = _grade("pull-failure", answer)
    assert verdict.verdict == Mark.CORRECT, verdict.notes


# --- misconceptions of their own ------------------------------------------------------------------


@pytest.mark.parametrize(("qid", "answer", "wrong"), [
    ("explain-naming", "ghcr.io is the host, maria the account, poll-backend the repository, and the v1 tag "
                       "makes the image private.", "name-sets-visibility"),
    ("explain-naming", "maria is the owner and ghcr.io is the file extension of the image.", "registry-is-format"),
    ("build-vs-push", "push hands the source to the registry and the registry builds the image.", "registry-builds"),
    ("push-twice", "The registry rebuilds v1 from the new code, so the tag keeps its name.", "push-rebuilds-v1"),
])
def test_a_stated_misconception_is_incorrect_with_its_correction(qid, answer, wrong):
    verdict = _grade(qid, answer)
    assert verdict.verdict == Mark.INCORRECT
    assert wrong in _ids(verdict.misconceptions)


@pytest.mark.parametrize(("qid", "answer"), [
    ("explain-naming", "It is registry/namespace/name:version, so ghcr.io is the registry, my name the namespace, "
                       "poll-backend the name and v1 the version."),
    ("build-vs-push", "build turns the Dockerfile into an image on my laptop; push uploads it and the registry "
                      "keeps the build."),
    ("push-twice", "On the registry v1 now refers to the new build, and servers that pulled v1 before keep "
                   "the old one."),
])
def test_the_same_words_in_a_right_answer_state_no_misconception(qid, answer):
    verdict = _grade(qid, answer)
    assert not verdict.misconceptions, _ids(verdict.misconceptions)
    assert verdict.verdict == Mark.CORRECT


def test_nodes_that_will_not_see_the_change_keep_their_copy():
    answer = "v1 now names the new image. Servers with v1 already on disk won't notice the push at all."
    verdict = _grade("push-twice", answer)
    assert "tag-stays" not in _ids(verdict.misconceptions)
    assert verdict.verdict == Mark.CORRECT
