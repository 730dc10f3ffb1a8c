"""The rules added when the third and fourth held-out sets were spent, each on answers of its own."""

from __future__ import annotations

import pytest

from tests.unit.quiz_text import LESSON, text_verdict as _grade
from tutor.quiz.hedges import hedges
from tutor.quiz.text import analyse
from tutor.states import Verdict as Mark


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


def test_a_longer_reading_of_the_same_words_wins_over_a_misconception():
    verdict = _grade("pull-failure", "The pod never gets past Waiting, and the kubelet tries again and again.")
    assert verdict.verdict == Mark.CORRECT, verdict


def test_a_partial_idea_never_outreads_a_misconception():
    verdict = _grade("build-vs-push", "push produces the image from the Dockerfile, then build uploads it")
    assert verdict.verdict == Mark.INCORRECT, verdict


# --- who does what: unnamed and glued roles -------------------------------------------------


def test_one_and_one_names_neither_actor_but_one_and_the_other_does():
    assert analyse("one builds it and one sends it").references == []
    assert [which for _c, _k, which in analyse("one builds it, the other sends it").references] == [0, 1]


def test_two_jobs_without_saying_which_command_does_which_is_partly_right():
    verdict = _grade("build-vs-push", "One of the commands produces things, one publishes them.")
    assert verdict.verdict == Mark.PARTLY, verdict
    assert "roles-unnamed" in [i.id for i in verdict.found]


def test_a_role_word_glued_into_the_format_is_no_swap():
    from tutor.quiz.roles import swapped_parts
    rubric = LESSON.question("explain-naming").rubric
    assert not swapped_parts(rubric, analyse("owner/poll-backend is the repo, ghcr.io the registry host, v1 the tag"))
    assert swapped_parts(rubric, analyse("poll-backend is the username"))


# --- misconceptions and synonyms this round added ---------------------------------------------


@pytest.mark.parametrize(("qid", "answer", "wrong"), [
    ("latest-in-k8s", "latest moves every push, which is actually great for keeping up to date.", "latest-is-fine"),
    ("latest-in-k8s", "latest moves; no actual problem there.", "latest-is-fine"),
    ("always-with-latest", "Never is the best policy with latest.", "prefers-cache-policy"),
    ("always-with-latest", "Always asks the registry at each start, and it makes all pods hold the same version.", "always-pins"),
    ("explain-naming", "registry, owner, repo and tag; the tag v1 determines the registry host.", "tag-picks-registry"),
    ("private-repo", "The cluster is logged in too, since I logged in on my laptop.", "node-inherits-login"),
    ("private-repo", "Pulling gets slower for the node.", "private-is-faster"),
    ("private-repo", "Pulls are refused at first, but eventually they succeed.", "private-only-hides"),
])
def test_a_misconception_of_this_round_is_incorrect(qid, answer, wrong):
    verdict = _grade(qid, answer)
    assert verdict.verdict == Mark.INCORRECT, verdict
    assert wrong in [m.id for m in verdict.misconceptions], verdict.misconceptions


@pytest.mark.parametrize(("qid", "answer", "partial"), [
    ("always-with-latest", "Always is wiser with latest.", "vague-benefit"),
    ("private-repo", "Nothing would function any more.", "something-fails"),
    ("latest-in-k8s", "Honestly latest is just vague.", "vague-problem"),
])
def test_a_vague_judgement_is_partly_right_with_a_follow_up(qid, answer, partial):
    verdict = _grade(qid, answer)
    assert verdict.verdict == Mark.PARTLY, verdict
    assert partial in [i.id for i in verdict.found]
    assert verdict.follow_up


@pytest.mark.parametrize(("qid", "answer"), [
    ("always-with-latest", "Always forces the node to pull again; it would otherwise keep an old copy."),
    ("always-with-latest", "latest moves, and without Always the node never asks for the new one."),
    ("private-repo", "Authentication fails for the node's pull and the pod sits in ImagePullBackOff."),
    ("explain-naming", "ghcr.io is GitHub, then the owner, then the repository poll-backend and the tag v1."),
])
def test_a_synonym_of_this_round_completes_the_answer(qid, answer):
    verdict = _grade(qid, answer)
    assert verdict.verdict == Mark.CORRECT, verdict


def test_two_denials_in_two_clauses_affirm_nothing():
    verdict = _grade("build-vs-push", "build doesn't produce anything and push never sends anything")
    assert verdict.verdict == Mark.INCORRECT, verdict
    assert not verdict.found, verdict.found


# --- a fresh batch of our own answers, graded before any rule was written for it ------------------


@pytest.mark.parametrize(("text", "stance"), [("No because it is cached", "no"), ("No, not the whole thing", "no"),
                                               ("No layers are sent twice", "")])
def test_a_leading_no_before_a_joining_word_is_the_answers_stance(text, stance):
    assert analyse(text).stance == stance


def test_going_through_is_succeeding():
    assert "succeed" in [t.lemma for t in analyse("the upload goes through").tokens]


def test_without_any_denies_the_word_after_any():
    verdict = _grade("push-twice", "Pushing again works without any complaint, and v1 now names the new build. "
                                   "Nodes with a cached v1 keep the old one.")
    assert verdict.verdict == Mark.CORRECT, verdict


def test_otherwise_starts_a_clause_and_stays_a_word():
    tokens = analyse("it pulls each time, otherwise the node keeps its copy").tokens
    assert [t.word for t in tokens if t.clause == tokens[-1].clause] == ["otherwise", "node", "keeps", "copy"]


@pytest.mark.parametrize(("answer", "mark"), [
    ("Otherwise a node never fetches the newer latest; Always pulls on each pod start.", Mark.CORRECT),
    ("latest is repointed by each push, and Always makes each pod start fetch it again.", Mark.CORRECT),
    ("Otherwise the node just sits on its cached copy.", Mark.PARTLY),  # the stale copy alone
    ("latest is repointed by each push.", Mark.PARTLY),  # the moving tag alone
])
def test_always_needs_its_behaviour_and_why_it_matters_with_latest(answer, mark):
    verdict = _grade("always-with-latest", answer)
    assert verdict.verdict == mark, verdict


@pytest.mark.parametrize("answer", [
    "The second build inherits the v1 name; the first one ends up without a tag.",
    "Docker Hub holds only the most recent push under v1.",
    "Anyone pulling afterwards receives the newer code.",
])
def test_more_ways_to_say_the_tag_moves(answer):
    verdict = _grade("push-twice", answer)  # one of the two ideas since round 5: partly
    assert "tag-moves" in [i.id for i in verdict.found] and verdict.verdict == Mark.PARTLY, verdict


def test_a_mix_of_code_on_the_cluster_is_no_merge():
    verdict = _grade("push-twice", "Your servers could end up with a mixture of old and new code.")
    assert verdict.verdict == Mark.PARTLY, verdict


# --- the second fresh batch -----------------------------------------------------------------


@pytest.mark.parametrize(("qid", "answer", "wrong"), [
    ("build-vs-push", "build makes the image here and push uploads it, and push scans the code for bugs too", "push-runs"),
    ("pull-failure", "The pod waits and Kubernetes retries, then it reverts to an older image.", "falls-back-to-laptop"),
    ("pull-failure", "It retries twice and then the whole cluster reboots.", "cluster-crashes"),
    ("explain-naming", "registry ghcr.io, owner, repo poll-backend and v1 the tag; a tag is required to be numeric",
     "tag-must-be-number"),
    ("latest-in-k8s", "latest moves, but the deployment records every previous latest for you.", "k8s-keeps-history"),
    ("always-with-latest", "Always pulls at each start and Always wipes the older images off the node.", "always-deletes"),
])
def test_a_misconception_of_the_second_batch_is_incorrect(qid, answer, wrong):
    verdict = _grade(qid, answer)
    assert verdict.verdict == Mark.INCORRECT, verdict
    assert wrong in [m.id for m in verdict.misconceptions], verdict.misconceptions


@pytest.mark.parametrize(("qid", "answer"), [
    ("private-repo", "People wouldn't be able to view it."),
    ("latest-in-k8s", "Honestly it's not a good practice."),
    ("build-vs-push", "You do push following build."),
    ("layer-upload", "No, pushing is incremental anyway."),
])
def test_a_vague_answer_of_the_second_batch_is_partly_right(qid, answer):
    verdict = _grade(qid, answer)
    assert verdict.verdict == Mark.PARTLY, verdict


@pytest.mark.parametrize(("qid", "answer"), [
    ("build-vs-push", "build creates the image from the Dockerfile; push makes it available to the cluster"),
    ("pull-failure", "Pod state: ImagePullBackOff, and the kubelet keeps retrying."),
])
def test_a_synonym_of_the_second_batch_completes_the_answer(qid, answer):
    verdict = _grade(qid, answer)
    assert verdict.verdict == Mark.CORRECT, verdict


def test_rubric_words_never_excuse_an_invented_claim():
    """A misconception's own words join the question's vocabulary: "always" must stay out of
    explain-naming's, or "docker push always sends it to Docker Hub" passes as no new claim."""
    verdict = _grade("explain-naming", "ghcr.io is the registry, maria the namespace, poll-backend the repository, "
                                       "v1 the tag, and docker push always mails it to Docker Hub.")
    assert verdict.verdict != Mark.CORRECT, verdict


# --- the third fresh batch --------------------------------------------------------------------


@pytest.mark.parametrize(("qid", "answer", "mark"), [
    ("push-twice", "The tag now points at the last thing you uploaded.", Mark.PARTLY),  # one idea of two (round 5)
    ("always-with-latest", "Each pod start checks Docker Hub, rather than reusing the cached latest.", Mark.CORRECT),
    ("always-with-latest", "At every start the kubelet compares its copy with the registry's.", Mark.CORRECT),
    ("always-with-latest", "It guarantees the newest build.", Mark.PARTLY),
    ("private-repo", "The registry demands a token the node lacks, so the pull is refused.", Mark.CORRECT),
    ("private-repo", "Pulls get denied for the node, and the hub adds a fee for each pull.", Mark.INCORRECT),
])
def test_the_third_batch_rules(qid, answer, mark):
    verdict = _grade(qid, answer)
    assert verdict.verdict == mark, verdict
