"""A quiz sitting on the real lesson: shuffle, retry, score, saved attempts and checklist ticks."""

from __future__ import annotations

import pytest

from tutor.lesson import get_lesson
from tutor.quiz.grader import GradeError
from tutor.quiz.session import QuizSession
from tutor.store import Progress, ProgressStore

LESSON = get_lesson("04")
LESSON_ORDER = [q.id for q in LESSON.quiz]

RIGHT = {
    "explain-naming": "ghcr.io is the registry, then the username as namespace, then the repository and the tag.",
    "latest-in-k8s": "latest is ambiguous: it moves with every push, so you can't tell which version runs.",
    "private-repo": "The pull fails with access denied, so the node needs credentials in registries.yaml.",
}


def _ids(questions):
    return [q.id for q in questions]


def test_lesson_order_without_shuffle():
    session = QuizSession(LESSON)
    assert _ids(session.questions) == LESSON_ORDER
    assert [o.key for o in session.options("latest-in-k8s")] == ["a", "b", "c", "d"]


def test_shuffle_with_a_seed_is_reproducible():
    first = QuizSession(LESSON, seed=7, shuffle=True)
    second = QuizSession(LESSON, seed=7, shuffle=True)
    assert _ids(first.questions) == _ids(second.questions)
    assert sorted(_ids(first.questions)) == sorted(LESSON_ORDER)
    for qid in LESSON_ORDER:
        assert [o.key for o in first.options(qid)] == [o.key for o in second.options(qid)]
    other = QuizSession(LESSON, seed=8, shuffle=True)
    assert _ids(other.questions) != _ids(first.questions)
    # Over the whole lesson some question's options move away from a, b, c ...
    assert any([o.key for o in first.options(q)] != sorted(o.key for o in first.options(q)) for q in LESSON_ORDER)


def test_shuffle_off_restores_lesson_order_and_on_again_repeats():
    session = QuizSession(LESSON, seed=3, shuffle=True)
    shuffled = _ids(session.questions)
    session.set_shuffle(False)
    assert _ids(session.questions) == LESSON_ORDER and not session.shuffled
    session.set_shuffle(True)
    assert _ids(session.questions) == shuffled and session.seed == 3


def test_shuffle_without_seed_picks_and_reports_one():
    session = QuizSession(LESSON)
    session.set_shuffle(True)
    assert isinstance(session.seed, int)
    again = QuizSession(LESSON, seed=session.seed, shuffle=True)
    assert _ids(again.questions) == _ids(session.questions)


def test_retry_missed_then_back_to_all():
    progress = Progress(LESSON.id)
    session = QuizSession(LESSON, progress)
    assert session.retry_missed() == [] and not session.retrying
    session.answer("latest-in-k8s", "It is not ambiguous at all.")  # incorrect
    session.answer("build-vs-push", "docker push uploads the image to the registry.")  # partly
    session.answer("push-twice", ["a", "d"])  # correct
    assert session.status("latest-in-k8s") == "incorrect"
    assert session.status("build-vs-push") == "partly"
    assert session.status("layer-upload") == "todo"
    assert session.retry_missed() == ["latest-in-k8s", "build-vs-push"]
    assert _ids(session.questions) == ["latest-in-k8s", "build-vs-push"] and session.retrying
    session.answer("latest-in-k8s", RIGHT["latest-in-k8s"])
    assert session.missed() == ["build-vs-push"]
    session.all()
    assert _ids(session.questions) == LESSON_ORDER and not session.retrying


def test_retry_round_keeps_shuffled_order():
    session = QuizSession(LESSON, Progress(LESSON.id), seed=11, shuffle=True)
    for qid in ("pull-failure", "latest-in-k8s", "explain-naming"):
        session.answer(qid, "no idea")
    missed = session.retry_missed()
    assert set(missed) == {"pull-failure", "latest-in-k8s", "explain-naming"}
    assert missed == [qid for qid in _ids(session.all_questions) if qid in missed]


def test_score_counts_latest_answers():
    session = QuizSession(LESSON, Progress(LESSON.id))
    session.answer("push-twice", "a,d")
    session.answer("layer-upload", "b")
    session.answer("build-vs-push", "docker push uploads the image to the registry.")
    score = session.score()
    assert (score.points, score.out_of, score.correct, score.answered) == (2.5, 8, 2, 3)
    assert str(score) == "2.5/8"
    session.answer("layer-upload", "a")  # a later wrong answer replaces the right one
    assert session.score().points == 1.5


def test_every_attempt_is_saved_with_its_time(tmp_path):
    store = ProgressStore(tmp_path)
    progress = store.load(LESSON.id).value
    session = QuizSession(LESSON, progress)
    session.answer("latest-in-k8s", "Kubernetes doesn't support the latest tag.")
    session.answer("latest-in-k8s", "b", form="choice")
    store.save(progress)
    attempts = store.load(LESSON.id).value.quiz["latest-in-k8s"]
    assert [a["verdict"] for a in attempts] == ["incorrect", "correct"]
    assert [a["form"] for a in attempts] == ["text", "choice"]
    assert attempts[0]["misconceptions"] == ["k8s-rejects-latest"]
    assert attempts[1]["answer"] == ["b"]
    assert all(isinstance(a["at"], float) and a["at"] > 1.6e9 for a in attempts)
    assert attempts[0]["at"] <= attempts[1]["at"]


def test_a_new_sitting_remembers_earlier_answers():
    progress = Progress(LESSON.id)
    QuizSession(LESSON, progress).answer("layer-upload", "b")
    later = QuizSession(LESSON, progress)
    assert later.status("layer-upload") == "correct"
    assert later.score().points == 1.0


@pytest.mark.parametrize("qid,item", [("explain-naming", "naming"), ("latest-in-k8s", "versioned-tags"),
                                      ("private-repo", "private-repo")])
def test_right_answer_ticks_the_linked_checklist_item(qid, item):
    progress = Progress(LESSON.id)
    session = QuizSession(LESSON, progress)
    wrong = session.answer(qid, "I am not sure.")
    assert wrong.ticked == [] and progress.checklist[item]["status"] == "failed"
    outcome = session.answer(qid, RIGHT[qid])
    assert outcome.verdict.verdict == "correct", outcome.verdict
    assert outcome.ticked == [item]
    record = progress.checklist[item]
    assert record["status"] == "passed"
    number = [q.id for q in LESSON.quiz].index(qid) + 1
    assert f"quiz question {number} " in record["reason"], "named as the learner sees it, by its number"
    assert record["evidence"]["quiz"]["question"] == qid
    assert record["evidence"]["quiz"]["answer"] == RIGHT[qid]
    # The item follows the latest answer, as the checklist's own check does.
    session.answer(qid, "I am not sure.")
    assert progress.checklist[item]["status"] == "failed"
    assert "try it again" in progress.checklist[item]["reason"]


def test_choice_form_ticks_too_and_keeps_probe_evidence():
    progress = Progress(LESSON.id)
    progress.set_check("private-repo", "failed", "repositories are private",
                       {"repo-visibility": {"poll-backend": "private"}})
    outcome = QuizSession(LESSON, progress).answer("private-repo", ["b"], form="choice")
    assert outcome.ticked == ["private-repo"]
    evidence = progress.checklist["private-repo"]["evidence"]
    assert evidence["repo-visibility"] == {"poll-backend": "private"}
    assert evidence["quiz"]["form"] == "choice" and evidence["quiz"]["verdict"] == "correct"


def test_questions_without_links_tick_nothing():
    progress = Progress(LESSON.id)
    outcome = QuizSession(LESSON, progress).answer("push-twice", "a,d")
    assert outcome.verdict.correct and outcome.ticked == [] and progress.checklist == {}


def test_unknown_question_is_a_clear_error():
    with pytest.raises(GradeError, match="no question 'nope'.*latest-in-k8s"):
        QuizSession(LESSON).answer("nope", "x")
