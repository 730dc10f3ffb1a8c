"""The rules added when the second held-out set was spent, each on answers of its own."""

from __future__ import annotations

import pytest

from tests.unit.quiz_text import text_verdict as _grade
from tutor.quiz.text import analyse
from tutor.states import Verdict as Mark


@pytest.mark.parametrize("word", ["dosent", "dosen't", "doesent", "dosnt", "wasent"])
def test_a_misspelt_negated_auxiliary_is_a_not(word):
    assert [t.negator for t in analyse(f"it {word} fail").tokens] == [True, False]


def test_a_word_that_only_looks_like_one_is_no_negator():
    assert not any(t.negator for t in analyse("the docent went").tokens)


def test_a_misspelt_denial_of_a_misconception_is_read_as_one():
    verdict = _grade("push-twice", "Pushing again doesent fail: v1 is now attached to the new image. "
                                   "A node that already has v1 keeps running the old code.")
    assert verdict.verdict == Mark.CORRECT, verdict


@pytest.mark.parametrize(("qid", "answer", "wrong"), [
    ("private-repo", "The pull is refused, and no token or secret will fix that, it stays locked.", "credentials-do-not-help"),
    ("private-repo", "Access denied, not even with a password can the cluster get it.", "credentials-do-not-help"),
    ("latest-in-k8s",
     "latest moves, but the kubelet remembers the first latest it saw, so every replica has the same build anyway.",
     "k8s-pins-latest"),
    ("always-with-latest", "latest moves on; Always then only fetches once, the first time the node needs it.", "always-pins"),
    ("always-with-latest", "With Always the node never asks the registry again after that first pull.", "always-pins"),
    ("always-with-latest", "The cluster would refuse to start latest otherwise.", "k8s-requires-always"),
    ("layer-upload", "No, on a second push nothing travels at all.", "nothing-uploaded"),
])
def test_a_right_idea_with_a_new_misconception_is_incorrect(qid, answer, wrong):
    verdict = _grade(qid, answer)
    assert verdict.verdict == Mark.INCORRECT, verdict
    assert wrong in [m.id for m in verdict.misconceptions], verdict.misconceptions


def test_credentials_that_are_needed_are_no_misconception():
    verdict = _grade("private-repo", "The node is refused; it won't work until you give k3s credentials.")
    assert verdict.verdict == Mark.CORRECT, verdict


@pytest.mark.parametrize(("qid", "answer", "partial"), [
    ("push-twice", "Two of your servers could end up running different code.", "consequence-only"),
    ("push-twice", "You had better choose a unique tag for every build.", "consequence-only"),
    ("always-with-latest", "So that the pods keep getting the current image.", "stay-up-to-date"),
    ("layer-upload", "That depends on what you edited since the last push.", "depends-on-change"),
])
def test_a_vague_but_relevant_answer_is_partly_right_and_asks_a_follow_up(qid, answer, partial):
    verdict = _grade(qid, answer)
    assert verdict.verdict == Mark.PARTLY, verdict
    assert partial in [i.id for i in verdict.found]
    assert verdict.follow_up


def test_a_copy_of_the_question_with_its_username_filled_in_is_a_copy():
    verdict = _grade("explain-naming", "explain how an image name like ghcr.io/tom/poll-backend:v1 is put together?")
    assert verdict.verdict == Mark.INCORRECT, verdict


def test_an_answer_that_names_one_new_word_beside_the_prompt_is_no_copy():
    verdict = _grade("explain-naming", "ghcr.io is the registry, tom the user, poll-backend the repository, v1 the tag.")
    assert verdict.verdict == Mark.CORRECT, verdict


def test_an_analogy_is_no_invented_claim():
    verdict = _grade("layer-upload", "No. Imagine a removal van carrying only the furniture the new flat lacks: "
                                     "only layers the registry does not have are uploaded.")
    assert verdict.verdict == Mark.CORRECT, verdict


def test_an_invented_claim_that_is_no_analogy_still_caps_the_verdict():
    verdict = _grade("layer-upload", "No, only layers the registry lacks are uploaded, and the upload gets "
                                     "notarised by a lawyer in Geneva.")
    assert verdict.verdict != Mark.CORRECT, verdict
