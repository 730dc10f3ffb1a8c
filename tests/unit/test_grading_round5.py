"""Rules of the round that spent heldout5, each held by answers of our own (none from a data file)."""

from __future__ import annotations

import pytest

from tests.unit.quiz_text import text_verdict as _grade
from tutor.quiz.hedges import hedges
from tutor.quiz.match import compile_terms, find
from tutor.quiz.text import analyse
from tutor.states import Verdict as Mark


def _ids(entries) -> list[str]:
    return [e.id for e in entries]


# --- key-term groups: vetoes and whole sentences --------------------------------------------


def test_a_veto_word_in_the_sentence_stops_the_group():
    rule = compile_terms("always + never + pull + !without|otherwise")
    assert find(rule, analyse("Always is set, so it never pulls again."))
    assert not find(rule, analyse("Without Always set, it never pulls again."))
    assert not find(rule, analyse("Always is set, otherwise it never pulls again."))


def test_a_veto_of_a_one_clause_group_looks_at_its_clause_only():
    rule = compile_terms("=latest + fine + !pull")
    assert not find(rule, analyse("the cluster pulls latest fine"))
    assert find(rule, analyse("it can pull anything, latest is fine"))


def test_a_star_group_spreads_over_its_whole_sentence():
    text = ("Always is what the team picked for every pod, every node, every service, every cron job, every test "
            "cluster and every staging box, and so it all breaks")
    assert not find(compile_terms("always + break"), analyse(text))
    assert find(compile_terms("*always + break"), analyse(text))


# --- words --------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["dont know", "Don't know.", "Latest moves. Don't know, sorry"])
def test_dont_know_where_an_answer_or_sentence_begins_is_a_hedge(answer):
    assert hedges(answer, "If you push poll-backend:v1 twice, what happens?")


def test_dont_know_followed_by_what_nobody_can_tell_is_an_idea():
    assert not hedges("Don't know which commit is live, that is the trouble", "Why not latest?")
    assert _grade("push-twice", "don't know").verdict == Mark.INCORRECT


def test_without_it_at_a_clause_start_means_otherwise():
    tokens = analyse("Without it the node keeps its copy").tokens
    assert [t.word for t in tokens][:2] == ["otherwise", "node"] and not tokens[0].negator


def test_on_its_own_is_automatically():
    assert "automatically" in [t.word for t in analyse("the node updates on its own").tokens]
    assert "immediately" in [t.lemma for t in analyse("they get it right away").tokens]


# --- ideas, conventions and misconceptions ------------------------------------------------------


@pytest.mark.parametrize(("answer", "mark"), [
    ("The tag is moved onto the second build.", Mark.PARTLY),  # one idea of two
    ("A server that pulled v1 earlier still runs the old code.", Mark.PARTLY),
    ("The tag is moved onto the second build; a server that pulled v1 earlier still runs the old code.", Mark.CORRECT),
    ("v1 is moved to the second build, and the servers holding v1 fetch it by themselves.", Mark.INCORRECT),
    ("v1 moves, and every server gets the second build right away.", Mark.INCORRECT),
])
def test_push_twice_wants_the_moved_tag_and_the_cached_node(answer, mark):
    assert _grade("push-twice", answer).verdict == mark


@pytest.mark.parametrize(("answer", "mark"), [
    ("The pull is refused.", Mark.PARTLY),
    ("The pull is refused and the pod hangs in ImagePullBackOff.", Mark.CORRECT),
    ("The node lacks credentials, so its pod waits in ErrImagePull.", Mark.CORRECT),
    ("Anonymous pulls are refused; give the node an imagePullSecret.", Mark.CORRECT),
    ("The cluster would compile the image itself when the pull fails.", Mark.INCORRECT),
])
def test_private_repo_wants_two_of_refusal_stuck_pod_and_credentials(answer, mark):
    assert _grade("private-repo", answer).verdict == mark


def test_a_recited_format_maps_nothing_until_a_part_is_named():
    assert _grade("explain-naming", "It is host/account/repo:tag.").verdict == Mark.PARTLY
    named = _grade("explain-naming", "It is host/account/repository:tag, so ghcr.io is the host, poll-backend the "
                                     "repository, v1 the tag and my name the account.")
    assert named.verdict == Mark.CORRECT


def test_a_comparison_runs_to_the_end_of_its_sentence():
    answer = ("It's like a library when most books are already on the shelf, you only bring the missing volumes. "
              "Docker skips layers the registry already holds.")
    assert _grade("layer-upload", answer).verdict == Mark.CORRECT


def test_an_actor_in_brackets_names_the_word_before_it():
    answer = ("The kitchen (docker build) makes the image from the Dockerfile, "
              "the delivery (docker push) sends it to the registry.")
    verdict = _grade("build-vs-push", answer)
    assert verdict.verdict == Mark.CORRECT and not verdict.misconceptions


@pytest.mark.parametrize(("qid", "answer", "wrong"), [
    ("latest-in-k8s", "latest tags expire after a while, so the pods break", "latest-expires"),
    ("always-with-latest", "Always asks the registry at each start, which means the node will never pull a newer one.",
     "always-pins"),
    ("pull-failure", "The pod backs off, then Kubernetes switches to another registry.", "falls-back-to-laptop"),
    ("private-repo", "Access is denied, so the node copies it from my laptop.", "public-fallback"),
    ("push-twice", "After the second push v1 is a list of several images.", "keeps-both"),
])
def test_new_misconceptions(qid, answer, wrong):
    verdict = _grade(qid, answer)
    assert verdict.verdict == Mark.INCORRECT and wrong in _ids(verdict.misconceptions), verdict


def test_pulling_latest_fine_is_no_claim_that_latest_is_fine():
    verdict = _grade("latest-in-k8s", "The cluster pulls latest fine; the trouble is that every push moves the tag, "
                                      "so nobody knows which build runs.")
    assert verdict.verdict == Mark.CORRECT and not verdict.misconceptions


@pytest.mark.parametrize(("qid", "answer"), [
    ("latest-in-k8s", "maybe it's older on some servers"),
    ("build-vs-push", "Build happens before push."),
    ("build-vs-push", "one is local, one is remote"),
    ("always-with-latest", "so fresh versions show up"),
    ("pull-failure", "The website is down."),
])
def test_vague_answers_on_topic_are_partly(qid, answer):
    assert _grade(qid, answer).verdict == Mark.PARTLY


# --- the fourth fresh batch -------------------------------------------------------------------


@pytest.mark.parametrize(("qid", "answer", "mark"), [
    ("latest-in-k8s", "latest this morning need not be latest tonight, today is not tomorrow for it", Mark.CORRECT),
    ("push-twice", "The tag is re-pointed; stale on the servers that cached it", Mark.CORRECT),
    ("push-twice", "Overwritten upstream, while cached on the servers", Mark.CORRECT),
    ("push-twice", "Overwritten upstream, and the cache on the servers is refreshed", Mark.PARTLY),
    ("push-twice", "v1 is moved and every server is updated within a minute.", Mark.INCORRECT),
    ("build-vs-push", "build makes the image locally, push sends it up, and push needs the Dockerfile there too",
     Mark.INCORRECT),
    ("layer-upload", "Mostly not.", Mark.PARTLY),
    ("pull-failure", "The pod is stuck in ImagePullBackOff while retrying, then the server reboots.", Mark.INCORRECT),
    ("pull-failure", "The pod waits in ImagePullBackOff and retries, then runs a placeholder container instead.",
     Mark.INCORRECT),
    ("private-repo", "Access is refused without a token, yet the pods keep running from the cache anyway.",
     Mark.INCORRECT),
    ("private-repo", "The node would need permission.", Mark.PARTLY),
])
def test_the_fourth_batch_rules(qid, answer, mark):
    assert _grade(qid, answer).verdict == mark
