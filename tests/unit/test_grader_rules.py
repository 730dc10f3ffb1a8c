"""Each grading rule of issue 13 on answers of its own (not those of the labelled sets)."""

from __future__ import annotations

import json

import pytest

from tests.unit.quiz_text import LESSON, text_verdict as _grade
from tutor.cli import main
from tutor.lesson.lint import lint_file, rubric_coverage
from tutor.lesson.model import Misconception, Question, Rubric, RubricConcept
from tutor.lesson.parser import parse_lesson
from tutor.quiz.grader import explain, grade_text
from tutor.quiz.match import compile_terms, find
from tutor.quiz.session import QuizSession
from tutor.quiz.text import analyse


def _ids(items) -> list[str]:
    return [i.id for i in items]


# --- key-term groups ---------------------------------------------------------------------


def test_a_group_matches_its_terms_in_any_order_within_a_sentence():
    group = compile_terms("tag|latest + move|reassign|float")
    assert find(group, analyse("Every push reassigns the tag."))
    assert find(group, analyse("It floats, that latest thing."))
    assert find(group, analyse("The tag is fine. Things move on.")) is None  # two sentences


def test_a_group_respects_negation_unless_marked_either_way():
    plain, either = compile_terms("stale + image"), compile_terms("~stale + image")
    answer = analyse("so the node does not run a stale image")
    assert find(plain, answer) is None and find(either, answer)


def test_a_one_clause_group_does_not_join_two_clauses():
    group = compile_terms("=fail + start")
    assert find(group, analyse("the pod fails to start"))
    assert find(group, analyse("the pull fails but the pod starts anyway")) is None


def test_a_negator_term_must_come_before_another_term_of_its_clause():
    group = compile_terms("not + pull")
    assert find(group, analyse("the node cannot pull"))
    assert find(group, analyse("the pull does not fail")) is None


@pytest.mark.parametrize("answer", [
    "Every push can reassign latest to another image, so what runs is anyone's guess.",
    "latest floats from build to build",
    "You can't tell which commit is running.",
])
def test_right_ideas_in_unusual_words(answer):
    assert _grade("latest-in-k8s", answer).verdict == "correct"


# --- who does what -----------------------------------------------------------------------


def test_swapped_roles_are_a_stated_misconception_with_its_correction():
    v = _grade("build-vs-push", "docker push makes the image out of the Dockerfile, docker build uploads it to Hub")
    assert v.verdict == "incorrect"
    assert {"build-uploads", "push-builds"} & set(_ids(v.misconceptions))
    assert all(m.correction for m in v.misconceptions)
    assert "push-uploads" not in _ids(v.found)


@pytest.mark.parametrize("answer", [
    "docker build turns my Dockerfile into an image here on my laptop; docker push ships that image to the registry",
    "Build: produces the image locally.\nPush: stores it on Docker Hub.",
    "You build the image on your own computer, then you push it up to the registry.",
])
def test_the_right_actor_doing_each_thing_is_correct(answer):
    assert _grade("build-vs-push", answer).verdict == "correct"


def test_an_action_on_anothers_result_is_not_a_swap():
    v = _grade("build-vs-push", "push only uploads the image that build produced on my machine")
    assert "push-builds" not in _ids(v.misconceptions)
    assert "push-uploads" in _ids(v.found)


# --- negation scope ----------------------------------------------------------------------


def test_negation_in_another_clause_does_not_flip_the_idea():
    v = _grade("always-with-latest", "Always asks the registry each time a pod starts, so nodes don't keep running "
                                     "an outdated copy.")
    assert v.verdict == "correct"


def test_not_only_x_but_y_says_both():
    analysis = analyse("not only the tag but the layers")
    assert not any(t.negator for t in analysis.tokens)


def test_never_reuploads_shared_layers_is_the_idea():
    v = _grade("layer-upload", "No: it never re-uploads the shared layers, only what changed.")
    assert v.verdict == "correct"


def test_a_denied_idea_is_not_found():
    v = _grade("layer-upload", "Docker does not skip the layers the registry already has.")
    assert "only-missing-layers" not in _ids(v.found)


# --- hedges, contradictions and non-answers ----------------------------------------------


def test_a_right_idea_then_a_misconception_is_incorrect_with_the_correction():
    v = _grade("pull-failure", "The pod hangs in ImagePullBackOff, and then the whole cluster goes down.")
    assert v.verdict == "incorrect" and v.found
    assert v.misconceptions[0].correction.startswith("Only the pods")


@pytest.mark.parametrize("qid,answer", [
    ("push-twice", "no idea sorry"),
    ("private-repo", "I dont know"),
    ("layer-upload", "do you upload 500 MB every time you push"),  # the question back
    ("build-vs-push", "build image, push registry, dockerfile"),  # keywords
    ("explain-naming", "registry"),  # one word
    ("latest-in-k8s", "ambiguous"),
])
def test_non_answers_are_never_correct(qid, answer):
    assert _grade(qid, answer).verdict != "correct"


def test_i_dont_know_with_a_right_idea_is_capped_with_a_note():
    v = _grade("push-twice", "I'm not sure, the tag gets overwritten with the new image and nodes that already "
                             "pulled v1 keep the old one?")
    assert v.verdict == "partly" and any("not sure" in note for note in v.notes)


def test_a_hedge_does_not_cost_a_right_answer():
    assert _grade("push-twice", "Probably the tag v1 just moves to the new image, and nodes that already "
                                "pulled v1 keep the old code.").verdict == "correct"


# --- follow-ups --------------------------------------------------------------------------


def test_partly_right_carries_the_follow_up_for_the_missing_idea():
    v = _grade("always-with-latest", "With Always the node pulls the image every time a pod starts.")
    assert v.verdict == "partly"
    assert "already has a copy" in v.follow_up


def test_the_reply_is_graded_together_with_the_first_answer():
    session = QuizSession(LESSON)
    first = "the pull fails with access denied"
    assert session.answer("private-repo", first).verdict.follow_up
    outcome = session.answer("private-repo", "it would need a pull secret", follow_up_of=first)
    assert outcome.verdict.verdict == "correct"
    assert _grade("private-repo", "it would need a pull secret").verdict == "partly"  # alone it is not


def test_grade_command_shows_the_follow_up_and_explains_words(capsys):
    code = main(["grade", "--lesson", "04", "-q", "build-vs-push", "--explain", "push sends the image to Docker Hub"])
    out = capsys.readouterr().out
    assert code == 0
    assert "follow-up:" in out
    assert "concept push-uploads via" in out and "no rule" in out


def test_explain_names_the_rule_for_each_word():
    lines = explain(LESSON.question("layer-upload"), "No, only new layers go up")
    assert lines[0] == "stance: no"
    layer = next(line for line in lines if line.startswith("layers"))
    assert "only-missing-layers" in layer and ("terms" in layer or "phrasing" in layer)


# --- rubric syntax and lint ----------------------------------------------------------------


RUBRIC_LESSON = '''+++
id = "t"
title = "T"
+++

# T

## Quiz

### Why? {#why}

```rubric
[[concept]]
id = "moves"
label = "the tag moves"
actor = "push"
terms = ["tag + move|reassign"]
follow_up = "What happens to the tag?"
phrasings = []

[[concept]]
id = "never-said"
label = "an idea nobody states"
phrasings = ["zebra crossing"]
```

#### Explanation

Because.
'''


def test_parser_reads_terms_actor_and_follow_up(tmp_path):
    lesson = parse_lesson(RUBRIC_LESSON, None)
    concept = lesson.question("why").rubric.concepts[0]
    assert concept.terms == ["tag + move|reassign"] and concept.actor == "push"
    assert concept.follow_up == "What happens to the tag?"
    assert not lesson.problems


def test_lint_warns_about_rubric_entries_no_answer_exercises(tmp_path):
    path = tmp_path / "t.md"
    path.write_text(RUBRIC_LESSON)
    answers = tmp_path / "answers.jsonl"
    answers.write_text(json.dumps({"question": "why", "answer": "push reassigns the tag", "label": "correct"}) + "\n")
    warnings = [p.message for p in lint_file(path, answers)]
    assert any("'never-said'" in m and "exercised by no answer" in m for m in warnings)
    assert not any("'moves'" in m for m in warnings)
    assert not [p for p in lint_file(path) if "exercised" in p.message]  # only when asked


def test_every_rubric_entry_of_the_lesson_is_exercised_by_the_dev_set():
    from pathlib import Path

    dev = Path(__file__).resolve().parents[1] / "data" / "grading_dev.jsonl"
    assert rubric_coverage(LESSON, dev) == []


def test_a_hand_made_actor_rubric():
    rubric = Rubric([RubricConcept("b", "build makes it", [], 1, ["make|create + image"], "build")],
                    [Misconception("p", "push makes it", [], "No.", 1, ["make|create + image"], "push")], 1)
    question = Question("q", "prompt", "text", 1, rubric=rubric)
    assert grade_text(question, "build makes the image").verdict == "correct"
    v = grade_text(question, "push makes the image")
    assert v.verdict == "incorrect" and _ids(v.misconceptions) == ["p"]
