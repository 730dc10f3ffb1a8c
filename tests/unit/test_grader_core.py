"""The grader's mechanics on small hand-made rubrics: negation, stance, typos, forms, traps."""

from __future__ import annotations

import pytest

from tutor.lesson.model import Choice, Misconception, Option, Question, Rubric, RubricConcept
from tutor.quiz.grader import GradeError, grade, grade_choice, grade_text, parse_keys
from tutor.quiz.match import compile_phrase, find
from tutor.quiz.text import analyse, fuzzy_same, lemma


def _question(concepts, misconceptions=(), required=None, choice=None, qid="q") -> Question:
    rubric = Rubric([RubricConcept(cid, label, list(phrasings), 1) for cid, label, phrasings in concepts],
                    [Misconception(mid, label, list(phrasings), correction, 1)
                     for mid, label, phrasings, correction in misconceptions], 1, required)
    return Question(qid, "prompt", "text", 1, rubric=rubric, choice=choice, explanation="Because layers.")


# "If your image is 500 MB, do you upload 500 MB every time you push?" as a text question.
LAYERS = _question(
    [("stance", "no, not every time", ["no", "not every time", "not the whole image"]),
     ("changed-only", "only the changed layers are uploaded",
      ["only changed layers upload", "upload only the changed layers", "only the new layers",
       "skips layers the registry already has", "layers already there are not uploaded again"])],
    [("everything", "the whole image goes up every time",
      ["yes", "upload 500mb every time", "whole image every time", "upload everything every time"],
      "Only layers the registry lacks are uploaded.")],
)


def _verdict(answer: str, question: Question = LAYERS):
    return grade_text(question, answer)


def test_no_you_dont_is_not_the_misconception():
    v = _verdict("No, you don't.")
    assert v.verdict == "partly"
    assert [i.id for i in v.found] == ["stance"]
    assert not v.misconceptions


def test_yes_every_time_states_the_misconception():
    v = _verdict("Yes, 500MB every time.")
    assert v.verdict == "incorrect" and v.score == 0
    assert [m.id for m in v.misconceptions] == ["everything"]
    assert v.misconceptions[0].correction == "Only layers the registry lacks are uploaded."
    assert "500MB every time" in v.misconceptions[0].evidence or v.misconceptions[0].evidence == "Yes,"


def test_negated_misconception_is_not_stated():
    v = _verdict("No, you don't upload 500 MB every time: only the changed layers upload.")
    assert v.verdict == "correct"
    assert not v.misconceptions


def test_negated_concept_is_not_found():
    v = _verdict("It does not upload only the changed layers.")
    assert "changed-only" not in [i.id for i in v.found]
    assert v.verdict == "incorrect"


@pytest.mark.parametrize("answer", ["It doesn\u2019t upload only the changed layers.",
                                    "It doesnt upload only the changed layers.",
                                    "It cannot upload only the changed layers."])
def test_contractions_with_and_without_apostrophes(answer):
    assert "changed-only" not in [i.id for i in _verdict(answer).found]


def test_no_as_a_quantifier_is_not_a_stance():
    analysis = analyse("No layers are uploaded twice")
    assert analysis.stance == ""
    assert analysis.tokens[0].negator
    assert analyse("Nope. Only the new layers").stance == "no"
    assert analyse("no you don't").stance == "no"


def test_full_answer_is_correct_and_explained():
    v = _verdict("No. Docker skips the layers the registry already has, so only the new layers go up.")
    assert v.verdict == "correct" and v.score == 1.0
    assert {i.id for i in v.found} == {"stance", "changed-only"}
    assert v.explanation == "Because layers."
    assert v.summary() == "Correct."


@pytest.mark.parametrize("answer", [
    "NO!!! ONLY CHANGED LAYERS UPLOAD.",
    "no -- only changed layers upload",
    "No; only (changed) layers upload...",
])
def test_case_and_punctuation_do_not_matter(answer):
    assert _verdict(answer).verdict == "correct"


def test_small_typos_in_longer_words_are_forgiven():
    v = _verdict("No, it uplaods only the chnaged layres.")
    assert "changed-only" in [i.id for i in v.found]


def test_typos_in_short_words_and_different_words_are_not():
    assert lemma("tag") != lemma("tga") and not fuzzy_same("tag", "tga")
    rubric_tag = compile_phrase("tag moves")
    assert find(rubric_tag, analyse("the tga moves")) is None
    # "unchanged" is not a typo of "changed".
    assert find(compile_phrase("changed layers"), analyse("the unchanged layers")) is None


@pytest.mark.parametrize("answer", [
    "No: it uploads only the changed layers.",
    "No, uploading only the changed layer.",
    "No, it uploaded only the changed layers",
    "No, only the changing layers are uploading",
])
def test_plurals_and_verb_forms(answer):
    assert "changed-only" in [i.id for i in _verdict(answer).found]


def test_lemma_forms():
    assert {lemma(w) for w in ("push", "pushes", "pushed", "pushing")} == {"push"}
    assert {lemma(w) for w in ("tag", "tags", "tagged", "tagging")} == {"tag"}
    assert {lemma(w) for w in ("change", "changes", "changed", "changing")} == {"change"}
    assert {lemma(w) for w in ("repository", "repositories")} == {"repository"}
    assert lemma("built") == lemma("building") == "build"
    assert lemma("pull") == lemma("pulled") == "pull"
    assert lemma("need") == lemma("needed")


def test_typo_tolerance_grows_with_the_word():
    assert fuzzy_same("upload", "uplaod")  # a transposition is one edit
    assert fuzzy_same("registry", "registy")
    assert not fuzzy_same("changed", "unchanged")
    assert not fuzzy_same("push", "pash")  # short words must be spelt right
    assert fuzzy_same("kubernetes", "kuberentes") and fuzzy_same("kubernetes", "kubernets")


@pytest.mark.parametrize("answer", ["", "   ", "?!.", "the a an"])
def test_empty_answers(answer):
    v = _verdict(answer)
    assert v.verdict == "incorrect" and v.score == 0
    assert v.notes and "empty" in v.notes[0]
    assert {i.id for i in v.missed} == {"stance", "changed-only"}


def test_one_word_answer_is_never_correct():
    # The teacher's convention (tests/data/README.md): one word names a topic, it explains nothing.
    question = _question([("mutable", "tags move", ["mutable", "moves"])])
    assert grade_text(question, "Mutable.").verdict == "incorrect"
    assert "One word" in grade_text(question, "Mutable.").notes[0]
    assert grade_text(question, "Tags are mutable.").verdict == "correct"
    assert grade_text(question, "Because tags are mutable, the image behind them changes.").verdict == "correct"


BUILD_PUSH = _question(
    [("build", "build makes the image", ["build creates the image", "build makes an image"]),
     ("push", "push uploads it", ["push uploads", "push sends the image to the registry"])],
    [("build-uploads", "build uploads", ["build uploads", "build pushes"], "Building stays local."),
     ("push-builds", "push builds", ["push builds", "push creates the image"], "Push only uploads.")],
)


def test_right_words_in_a_wrong_claim():
    v = grade_text(BUILD_PUSH, "docker push creates the image and docker build uploads it")
    assert v.verdict == "incorrect"
    assert {m.id for m in v.misconceptions} == {"build-uploads", "push-builds"}
    # The words "build", "image", "push", "uploads" are all there, yet no concept is credited
    # across the clause boundary.
    assert "build" not in [i.id for i in v.found]


def test_words_of_a_wrong_claim_do_not_also_earn_the_idea():
    question = _question([("push", "push uploads it", ["uploads it to the registry"])],
                         [("build-uploads", "build uploads", ["build uploads"], "Building stays local.")])
    v = grade_text(question, "docker build uploads it to the registry")
    assert v.found == [] and [m.id for m in v.misconceptions] == ["build-uploads"]
    v = grade_text(question, "build uploads it, no wait: push uploads it to the registry")
    assert [i.id for i in v.found] == ["push"]


def test_word_order_matters_within_a_phrasing():
    assert grade_text(BUILD_PUSH, "docker build creates the image, docker push uploads it").verdict == "correct"
    assert grade_text(BUILD_PUSH, "the image creates build").verdict == "incorrect"


def test_negation_stays_in_its_clause():
    v = grade_text(BUILD_PUSH, "Build doesn't talk to the registry, but build creates the image and push uploads it.")
    assert v.verdict == "correct"


def test_without_reaches_only_the_next_words():
    question = _question([("cached", "the cached copy is kept", ["keeps its cached copy"])])
    assert grade_text(question, "Without Always the node keeps its cached copy forever.").verdict == "correct"
    assert grade_text(question, "It runs without keeping its cached copy.").verdict == "incorrect"


def test_double_negation_cancels():
    question = _question([("fails", "the pull fails", ["pull fails"])])
    assert grade_text(question, "It is not true that the pull never fails: the pull fails.").verdict == "correct"
    assert grade_text(question, "The pull never fails.").verdict == "incorrect"


def test_alternatives_and_optional_slots():
    phrase = compile_phrase("upload|push|send the|- image")
    assert find(phrase, analyse("they send image")) is not None
    assert find(phrase, analyse("you push the image")) is not None
    assert find(phrase, analyse("they delete image")) is None


def test_required_lets_any_n_concepts_do():
    question = _question([("a", "alpha", ["alpha idea"]), ("b", "beta", ["beta idea"]),
                          ("c", "gamma", ["gamma idea"])], required=2)
    v = grade_text(question, "The alpha idea and also the gamma idea matter.")
    assert v.verdict == "correct" and v.missed == []
    v = grade_text(question, "Only the beta idea here, nothing more.")
    assert v.verdict == "partly" and v.score == 0.5


def test_evidence_points_at_the_answer():
    v = _verdict("Nope: Docker skips layers the registry already has.")
    changed = next(i for i in v.found if i.id == "changed-only")
    assert changed.evidence.startswith("skips layers the registry")
    assert changed.phrasing == "skips layers the registry already has"


# --- choices ------------------------------------------------------------------------------

SINGLE = Question("single", "Pick one", "choice", 1, choice=Choice([
    Option("a", "right one", True, 1),
    Option("b", "wrong one", False, 2, why="b is about something else"),
    Option("c", "also wrong", False, 3, why="c confuses tags and digests"),
], 1), explanation="A is right.")

MULTI = Question("multi", "Pick all", "choice", 1, choice=Choice([
    Option("a", "first right", True, 1),
    Option("b", "wrong", False, 2, why="b is wrong because"),
    Option("c", "second right", True, 3),
], 1))


def test_single_choice():
    assert grade_choice(SINGLE, "a").verdict == "correct"
    v = grade_choice(SINGLE, ["c"])
    assert v.verdict == "incorrect" and v.score == 0
    assert [(m.id, m.correction) for m in v.misconceptions] == [("c", "c confuses tags and digests")]
    assert [i.id for i in v.missed] == ["a"]
    assert v.explanation == "A is right."


def test_several_correct():
    assert MULTI.choice.multiple
    assert grade_choice(MULTI, "a, c").verdict == "correct"
    assert grade_choice(MULTI, "ca").verdict == "correct"
    half = grade_choice(MULTI, ["a"])
    assert half.verdict == "partly" and half.score == 0.5 and [i.id for i in half.missed] == ["c"]
    mixed = grade_choice(MULTI, "a,b")
    assert mixed.verdict == "incorrect" and [m.correction for m in mixed.misconceptions] == ["b is wrong because"]
    everything = grade_choice(MULTI, "a b c")
    assert everything.verdict == "partly" and everything.score == 0.5
    assert grade_choice(MULTI, "").verdict == "incorrect"


def test_unknown_option_is_a_clear_error():
    with pytest.raises(GradeError, match="no option 'z'"):
        grade_choice(SINGLE, "z")


def test_parse_keys():
    assert parse_keys("A, c") == ["a", "c"]
    assert parse_keys("b)") == ["b"]
    assert parse_keys(["c", "a", "c"]) == ["c", "a"]


def test_forms():
    both = _question([("x", "x", ["layers upload"])], choice=SINGLE.choice, qid="both")
    assert both.kinds == ["text", "choice"]
    assert grade(both, "only the layers upload here").form == "text"
    assert grade(both, "a", "choice").verdict == "correct"
    with pytest.raises(GradeError):
        grade(SINGLE, "some words", "text")


def test_verdict_to_dict_is_plain_json():
    import json

    data = json.loads(json.dumps(_verdict("Yes, 500MB every time.").to_dict()))
    assert data["verdict"] == "incorrect"
    assert data["misconceptions"][0]["correction"]
