"""The rules added for answers nobody wrote down (issue 13), each on answers of its own: partial
ideas, one word, parts bound to their roles, "one ... the other", re- and phrasal verbs,
"whenever", the scope of a rule's own negator, keyword runs, and right-then-wrong answers."""

from __future__ import annotations

import pytest

from tests.unit.quiz_text import LESSON, text_verdict as _grade
from tutor.lesson.model import Question, Rubric, RubricConcept
from tutor.lesson.parser import parse_lesson
from tutor.quiz.grader import explain, grade_text
from tutor.quiz.match import compile_terms, find
from tutor.quiz.roles import swapped_parts
from tutor.quiz.text import analyse


def _ids(items) -> list[str]:
    return [i.id for i in items]


# --- partial ideas -----------------------------------------------------------------------


def _partial_question() -> Question:
    concepts = [RubricConcept("why", "the reason", ["tags move"], 1, ["tag + move|change"]),
                RubricConcept("fix", "the remedy only", ["use v2"], 2, ["use + version"], partial=True)]
    return Question("q", "Why?", "text", 1, rubric=Rubric(concepts, [], 1, required=1))


def test_a_partial_idea_alone_is_partly_right_never_correct():
    question = _partial_question()
    v = grade_text(question, "you should use a version number")
    assert v.verdict == "partly" and _ids(v.found) == ["fix"] and _ids(v.missed) == ["why"]
    assert _ids(grade_text(question, "the tag can change under you").missed) == []  # never missing
    assert grade_text(question, "the tag can change under you").verdict == "correct"
    assert question.rubric.needed == 1


def test_a_partial_idea_does_not_count_towards_the_required_number():
    concepts = [RubricConcept("a", "a", ["alpha word"], 1), RubricConcept("b", "b", ["beta word"], 1),
                RubricConcept("h", "hint", ["gamma word"], 1, partial=True)]
    question = Question("q", "Which?", "text", 1, rubric=Rubric(concepts, [], 1))
    assert question.rubric.needed == 2  # all full ideas, not the hint
    assert grade_text(question, "the alpha word and the gamma word").verdict == "partly"
    assert grade_text(question, "the alpha word and the beta word").verdict == "correct"


def test_partial_is_read_from_the_rubric_and_must_be_a_boolean():
    text = ("+++\nid = \"t\"\ntitle = \"T\"\n+++\n\n# T\n\n## Quiz\n\n### Why? {#why}\n\n```rubric\nrequired = 1\n\n"
            "[[concept]]\nid = \"a\"\nlabel = \"a\"\nphrasings = [\"alpha\"]\n\n"
            "[[concept]]\nid = \"b\"\nlabel = \"b\"\nphrasings = [\"beta\"]\npartial = \"yes\"\n```\n")
    lesson = parse_lesson(text, "t.md")
    assert any("'partial' must be true or false" in p.message for p in lesson.problems)
    good = parse_lesson(text.replace('partial = "yes"', "partial = true"), "t.md")
    assert good.question("why").rubric.concepts[1].partial and not good.problems


@pytest.mark.parametrize(("qid", "answer"), [
    ("latest-in-k8s", "Tag your releases with a proper semantic version."),
    ("push-twice", "Servers holding an older v1 go on running it."),
    ("layer-upload", "Docker images are built in layers."),
    ("always-with-latest", "Because the latest tag gets moved around."),
    ("pull-failure", "Some error shows up in kubectl."),
])
def test_the_lessons_partial_ideas_give_partly(qid, answer):
    assert _grade(qid, answer).verdict == "partly"


# --- one word, keyword runs ---------------------------------------------------------------


@pytest.mark.parametrize(("qid", "answer"), [
    ("layer-upload", "Nope."), ("push-twice", "replaced"), ("latest-in-k8s", "Mutable!"),
    ("private-repo", "unauthorized"),
])
def test_one_word_is_never_an_answer(qid, answer):
    v = _grade(qid, answer)
    assert v.verdict == "incorrect" and any("One word" in n for n in v.notes)


@pytest.mark.parametrize(("qid", "answer"), [
    ("explain-naming", "host namespace repository tag version"),
    ("always-with-latest", "always pull registry latest node cache"),
])
def test_a_run_of_keywords_without_a_verb_is_salad(qid, answer):
    assert analyse(answer).keyword_list
    assert _grade(qid, answer).verdict == "incorrect"


def test_a_claim_or_a_written_format_is_no_salad():
    assert not analyse("Docker reuses layers").keyword_list  # an inflected verb makes a claim
    assert not analyse("host/owner/repo:tag").keyword_list
    recited = _grade("explain-naming", "host/owner/repo:tag")  # a format recited maps no part: partly
    assert recited.verdict == "partly" and any("format" in note for note in recited.notes), recited.notes


# --- named parts in their roles -----------------------------------------------------------


def test_a_part_named_in_another_parts_role_is_a_stated_swap():
    v = _grade("explain-naming", "ghcr.io is my user account, then the registry, the repository and the tag v1")
    assert v.verdict == "incorrect"
    assert _ids(v.misconceptions) == ["swapped-registry"]
    assert "ghcr.io" in v.misconceptions[0].correction and "registry host" in v.misconceptions[0].correction


@pytest.mark.parametrize("answer", [
    "registry ghcr.io / user name / repository poll-backend / tag v1",
    "The host is ghcr.io, the owner comes next, poll-backend is the repo and v1 is the version tag.",
    "ghcr.io (registry), then my account, then poll-backend (repository), then :v1, the tag",
])
def test_parts_in_their_own_roles_are_no_swap(answer):
    assert swapped_parts(LESSON.question("explain-naming").rubric, analyse(answer)) == []
    assert _grade("explain-naming", answer).verdict == "correct"


def test_a_part_beside_its_own_role_and_another_is_no_swap():
    # "ghcr.io registry username ...": the registry word stands next to it, so no claim is swapped.
    answer = analyse("ghcr.io registry, username, repository, tag")
    assert swapped_parts(LESSON.question("explain-naming").rubric, answer) == []


def test_the_part_names_alone_are_no_explanation():
    assert _grade("explain-naming", "It is ghcr.io and then poll-backend and v1.").verdict == "incorrect"


# --- "one ... the other" ------------------------------------------------------------------


@pytest.mark.parametrize("answer", [
    "One produces an image from the Dockerfile on my PC, the other sends it to Docker Hub.",
    "The first one packages the app into an image locally; the second one publishes it to a registry.",
])
def test_one_and_the_other_refer_to_the_actors_in_order(answer):
    assert _grade("build-vs-push", answer).verdict == "correct"


def test_one_and_the_other_in_swapped_order_state_the_swap():
    v = _grade("build-vs-push", "One uploads the image to the registry, the other compiles it from the Dockerfile.")
    assert v.verdict == "incorrect"


# --- verbs --------------------------------------------------------------------------------


def test_a_re_verb_also_counts_as_its_plain_verb():
    tokens = analyse("it re-downloads and refetches").tokens
    assert [(t.lemma, t.alias) for t in tokens][:1] == [("redownload", "download")]
    assert find(compile_terms("fetch"), analyse("the node refetches it"))
    assert not find(compile_terms("move"), analyse("the tag is removed"))  # "remove" is no "re-move"


def test_phrasal_verbs_become_one_word():
    assert [t.lemma for t in analyse("Kubernetes gives up").tokens] == ["kubernetes", "quit"]
    assert find(compile_terms("=not + start"), analyse("the pod never comes up"))
    assert _grade("pull-failure", "It tries a few times, then gives up on the pod for good.").verdict == "incorrect"


def test_whenever_says_every_time():
    assert find(compile_terms("every + pull + start"), analyse("it pulls whenever a pod starts"))


# --- negation scope -----------------------------------------------------------------------


def test_a_rules_own_negator_opens_its_scope():
    group = compile_terms("=not + log")
    assert find(group, analyse("it doesn't work for people not logged in"))
    assert not find(group, analyse("it works for people logged in"))
    # A negator before the rule's words, with none of the rule's own, still flips them.
    assert not find(compile_terms("pull + image"), analyse("the node does not pull the image"))


# --- right, then wrong --------------------------------------------------------------------


@pytest.mark.parametrize(("qid", "answer", "wrong"), [
    ("layer-upload", "Only changed layers go up, though every push resends the base image as well.", "whole-every-time"),
    ("layer-upload", "Just the new layers, because the registry purges old layers after each push.", "registry-forgets"),
    ("always-with-latest", "Always pulls at each start, which keeps the version locked to the first pull.", "always-pins"),
    ("pull-failure", "It sits in ImagePullBackOff for a bit, then the container just starts without the image.",
     "pod-runs-anyway"),
    ("private-repo", "The node pulls fine, private merely means it is not listed in search.", "private-only-hides"),
    ("explain-naming", "registry, namespace, repository, and the tag v1 which is the size in MB", "tag-is-port"),
])
def test_a_right_idea_then_a_misconception_is_incorrect(qid, answer, wrong):
    v = _grade(qid, answer)
    assert v.verdict == "incorrect" and wrong in _ids(v.misconceptions)


def test_explain_names_the_swap_and_the_partial_idea():
    lines = explain(LESSON.question("explain-naming"), "ghcr.io is the username and v1 is the tag")
    assert any("misconception swapped-registry" in line for line in lines if line.startswith("ghcr "))
    lines = explain(LESSON.question("pull-failure"), "you would see an error")
    assert any("concept an-error" in line for line in lines if line.startswith("error"))


# --- clause words that join nothing -------------------------------------------------------


def test_then_inside_a_clause_is_an_adverb():
    assert len({t.clause for t in analyse("Docker Hub then builds the image").tokens}) == 1
    assert len({t.clause for t in analyse("build it, then push it").tokens}) == 2
    v = _grade("layer-upload", "Only new layers go up, but the registry then rebuilds the full image from them.")
    assert v.verdict == "incorrect" and "registry-builds" in _ids(v.misconceptions)


def test_nobody_but_me_is_one_clause():
    assert len({t.clause for t in analyse("nobody but the owner can pull it").tokens}) == 1
    assert _grade("private-repo", "No one but the owner may pull, so the node needs a secret with a token.").verdict \
        == "correct"


def test_i_dont_know_lends_no_words_to_an_idea():
    # "don't know" would otherwise be the "not + know" of a rubric idea ("nodes don't know").
    for answer in ("I don't know", "no idea, sorry", "I do not really know."):
        assert _grade("push-twice", answer).verdict == "incorrect", answer
    # With an idea besides it, the answer is partly right (a hedge of ignorance is never correct).
    assert _grade("push-twice", "I don't know, but v1 should point to the new image then.").verdict == "partly"


def test_a_spaced_slash_keeps_each_part_with_its_own_words():
    rubric = LESSON.question("explain-naming").rubric
    assert swapped_parts(rubric, analyse("where (ghcr.io) / whose (my user) / what (poll-backend)")) == []
    assert swapped_parts(rubric, analyse("ghcr.io is the user / the repo comes next"))  # same segment


def test_a_negated_role_is_no_swap():
    rubric = LESSON.question("explain-naming").rubric
    assert swapped_parts(rubric, analyse("ghcr.io isn't the user, it is the registry")) == []


def test_not_only_denies_the_only():
    assert [t.word for t in analyse("it is not only hidden").tokens] == ["hidden"]
    v = _grade("private-repo", "It's not just hidden from search: pulls without credentials get refused.")
    assert v.verdict == "correct" and not v.misconceptions


def test_first_and_last_name_parts_by_position():
    rubric = LESSON.question("explain-naming").rubric
    assert [s.concept.id for s in swapped_parts(rubric, analyse("The first part is the tag, then the rest"))] == \
        ["registry"]
    assert swapped_parts(rubric, analyse("the first part is the registry host and the last part is the tag")) == []
    v = _grade("explain-naming", "registry, then the username which is random, then repository and tag")
    assert "namespace-is-free" in _ids(v.misconceptions)


def test_retrying_without_waiting_is_a_misconception():
    v = _grade("pull-failure", "The pod is stuck and the kubelet retries right away with no delay at all.")
    assert v.verdict == "incorrect" and "no-backoff" in _ids(v.misconceptions)


def test_a_slot_with_a_negator_among_its_words_filled_by_another_word():
    group = compile_terms("not|hard + roll")
    assert find(group, analyse("rolling back gets hard"))  # "hard" needs no word after it
    assert find(group, analyse("you can not roll back"))
    assert find(group, analyse("rolling back does not work")) is None  # a real "not" must come first


def test_pairs_of_actor_and_verb_are_no_keyword_list():
    assert not analyse("build creates; push publishes").keyword_list
    assert analyse("layers, cache, registry").keyword_list
    assert _grade("build-vs-push", "build creates; push publishes").verdict == "correct"


# --- claims the lesson does not account for ------------------------------------------------


@pytest.mark.parametrize(("qid", "answer"), [
    ("push-twice", "The tag is moved to the new image, nodes with a cached v1 keep the old one, "
                   "and Docker Hub sends an invoice for the storage."),
    ("latest-in-k8s", "latest moves with each push, and latest tags glow green in the dashboard."),
])
def test_a_right_idea_with_an_invented_claim_is_not_correct(qid, answer):
    v = _grade(qid, answer)
    assert v.verdict == "partly" and any("Check this part" in n for n in v.notes), v.notes


@pytest.mark.parametrize(("qid", "answer"), [
    ("push-twice", "I think the tag is moved to the new image, basically, and a node with v1 cached keeps the old one."),
    ("pull-failure", "The pod can't start; kubelet keeps backing off and retrying."),
    ("latest-in-k8s", "latest moves with each push, so in production you never know what runs."),
])
def test_hedges_fillers_and_the_questions_own_words_are_no_invented_claim(qid, answer):
    assert _grade(qid, answer).verdict == "correct"


def test_a_real_word_is_no_typo_of_another():
    from tutor.quiz.text import fuzzy_same
    assert not fuzzy_same("remove", "remote")  # "the remote registry" deletes nothing
    assert fuzzy_same("registry", "regsitry") and fuzzy_same("credentials", "credentails")
    v = _grade("pull-failure",
               "The pod can't pull the image from the remote registry, so it never starts and Kubernetes keeps retrying.")
    assert not v.misconceptions and v.verdict == "correct"


def test_names_paths_and_pasted_tokens_are_no_invented_claim():
    answer = "latest moves with every push, so you can't tell what runs; see my-team/app_v2 and dckr_pat_QQQQ"
    assert _grade("latest-in-k8s", answer).verdict == "correct"
