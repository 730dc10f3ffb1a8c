"""The rules added when the third and fourth held-out sets were spent, each on answers of its own."""

from __future__ import annotations

import pytest

from tutor.lesson import get_lesson
from tutor.quiz.grader import grade
from tutor.quiz.hedges import hedges
from tutor.quiz.text import analyse
from tutor.states import Verdict as Mark

LESSON = get_lesson("04")


def _grade(qid: str, answer: str):
    return grade(LESSON.question(qid), answer, "text")


# --- words that claim nothing new -----------------------------------------------------------


@pytest.mark.parametrize(("qid", "answer"), [
    # a preposition the stop words leave in, and a word outside the lesson
    ("layer-upload", "No: throughout the upload Docker sends only the layers the registry lacks, the rest is already there."),
    # judging a practice
    ("latest-in-k8s",
     "It is widely discouraged as a habit: latest gets reassigned on each push, so nobody can tell which build runs."),
    # where to look, and code in backticks
    ("pull-failure", "The pod never starts and Kubernetes keeps retrying with back-off; inspect `kubectl get events -w` output."),
])
def test_words_that_judge_join_or_point_somewhere_are_no_invented_claim(qid, answer):
    verdict = _grade(qid, answer)
    assert verdict.verdict == Mark.CORRECT, verdict


def test_a_clause_with_new_words_of_its_own_still_caps_the_verdict():
    verdict = _grade("pull-failure",
                     "The pod never starts and Kubernetes keeps retrying, and the kubelet mails the admin a postcard.")
    assert verdict.verdict == Mark.PARTLY, verdict


# --- keyword lists ---------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["secret registry credentials token private", "node cache tag latest layers pull"])
def test_a_long_run_of_keywords_with_one_plural_is_a_list(answer):
    assert analyse(answer).keyword_list


@pytest.mark.parametrize("answer", ["every push silently moves what latest means", "build makes images locally"])
def test_a_run_of_words_with_a_question_word_an_adverb_or_verbs_is_a_sentence(answer):
    assert not analyse(answer).keyword_list


# --- phrasal verbs and hedges ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["you must log in", "it is logged in", "sign in first"])
def test_logging_in_is_one_word(text):
    assert "login" in [t.lemma for t in analyse(text).tokens]


def test_a_bare_need_to_sign_in_is_partly_right():
    verdict = _grade("private-repo", "Somebody would have to sign in.")
    assert verdict.verdict == Mark.PARTLY, verdict


@pytest.mark.parametrize(("answer", "hedged"), [
    ("I have no idea what code is live", True),  # the learner's own
    ("not sure what happens to the old one", True),  # asks the question again
    ("idk which build", True),
    ("there is no idea what code is live", False),  # nobody can know: an idea
    ("you are never quite sure, not sure which commit runs", False),
])
def test_not_knowing_is_a_hedge_only_when_it_is_the_learners_own(answer, hedged):
    prompt = LESSON.question("latest-in-k8s").prompt
    assert bool(hedges(answer, prompt)) == hedged


def test_saying_nobody_can_know_which_build_runs_is_no_hedge():
    verdict = _grade("latest-in-k8s", "latest floats from build to build: no idea which commit a pod really runs.")
    assert verdict.verdict == Mark.CORRECT, verdict


# --- two ideas where every independent labeller asks for both ----------------------------------


@pytest.mark.parametrize(("qid", "answer"), [
    ("latest-in-k8s", "Going back to an earlier release gets hard."),  # a consequence without the moving tag
    ("latest-in-k8s", "Because latest is vague."),
    ("pull-failure", "The pod just hangs there."),  # the pod's state without the retries
    ("pull-failure", "Kubernetes tries again a bit later."),  # the retries without the pod's state
])
def test_one_idea_of_two_is_partly_right(qid, answer):
    verdict = _grade(qid, answer)
    assert verdict.verdict == Mark.PARTLY, verdict
    assert verdict.follow_up


@pytest.mark.parametrize(("qid", "answer"), [
    ("latest-in-k8s", "Every build has the same name, so going back to an earlier release gets hard."),
    ("pull-failure", "The pod hangs in ErrImagePull and Kubernetes tries again a bit later."),
    ("pull-failure", "The container sits in ImagePullBackOff while the kubelet tries again."),
])
def test_both_ideas_are_correct(qid, answer):
    verdict = _grade(qid, answer)
    assert verdict.verdict == Mark.CORRECT, verdict


# --- a misconception's words inside a phrase about something else -----------------------------


@pytest.mark.parametrize("answer", [
    "v1 now points at the new build; servers that had v1 before still use the old build.",
    "The tag is moved to the new image, but a node with v1 cached still runs the old code.",
])
def test_words_in_a_relative_clause_belong_to_the_noun_before_them(answer):
    verdict = _grade("push-twice", answer)
    assert verdict.verdict == Mark.CORRECT, verdict


def test_the_tag_itself_staying_old_is_still_a_misconception():
    verdict = _grade("push-twice", "The tag v1 still points at the old image after the second push.")
    assert verdict.verdict == Mark.INCORRECT, verdict
    assert "tag-stays" in [m.id for m in verdict.misconceptions]
