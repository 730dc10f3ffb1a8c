"""The grader's agreement with labelled answers must not fall below the recorded figures.

The files in tests/data (see its README): the development set (written for this work and tuned
on); the old held-out set's tuned part (grading_tune2.jsonl, spent) and its untouched third
(grading_untouched_third.jsonl: never read, measured only); heldout2 and heldout3 (independent
labellers, each measured once as held out, then spent: read and tuned on); heldout4 (a fourth
labeller, measured once whole, then split at random with seed 15: its tuned half spent, its held
half never read, measured only); heldout5 (a fifth labeller, measured once as held out before and
after round 4, then spent in round 5: read and tuned on); heldout6 (a sixth labeller, measured
before and after round 5, then spent in round 6); heldout7 (a seventh labeller, measured
before and after round 6, spent in round 7); heldout8 (an eighth labeller, measured before
and after rounds 6 and 7, spent in round 8); heldout9 (a ninth labeller, written from the quiz
text and the milestone alone, measured before and after round 8, never read: the held-out set now).
docs/grading.md reports the figures recorded here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
DEV = DATA / "grading_dev.jsonl"
TUNE2 = DATA / "grading_tune2.jsonl"
UNTOUCHED = DATA / "grading_untouched_third.jsonl"
HELDOUT2 = DATA / "grading_heldout2.jsonl"
HELDOUT3 = DATA / "grading_heldout3.jsonl"
HELDOUT4 = DATA / "grading_heldout4.jsonl"
HELDOUT5 = DATA / "grading_heldout5.jsonl"
HELDOUT6 = DATA / "grading_heldout6.jsonl"
HELDOUT7 = DATA / "grading_heldout7.jsonl"
HELDOUT8 = DATA / "grading_heldout8.jsonl"
HELDOUT9 = DATA / "grading_heldout9.jsonl"
QUESTIONS = {"latest-in-k8s", "push-twice", "build-vs-push", "layer-upload", "always-with-latest",
             "pull-failure", "explain-naming", "private-repo"}

# (least agreement, most false accepts), recorded after the last rubric and grader change.
# A key is a file, or (file, half) for one stratified random half of it (seed 15, see the benchmark).
RECORDED: dict[Path | tuple[Path, str], tuple[float, int]] = {
    DEV: (0.969, 6),  # invented right-then-wrong answers written to probe the limit (see docs); 1169 since round 8
    # Its labeller takes the pod's state alone (pull-failure) and the tag's move alone (push-twice)
    # as correct; since round 5 push-twice needs both ideas, as heldout3's and heldout5's labellers say.
    TUNE2: (0.9166, 0),
    # Never read: 0.875 until the round that spent heldout3/4 (its two-idea conventions), 0.825 after
    # it, 0.80 after round 5 (push-twice's two ideas), with no false accept left.
    UNTOUCHED: (0.80, 0),
    # Spent: measured once as held out (0.8125, 4 false accepts), then read and tuned on.
    HELDOUT2: (0.9187, 0),
    # Spent: measured once as held out (0.8125, 1 false accept), then read and tuned on.
    HELDOUT3: (0.9687, 0),
    # Measured once as held out (0.8125, 1); then half of it (the tuned half) was read and tuned on.
    HELDOUT4: (0.90, 0),
    (HELDOUT4, "tuned"): (0.9375, 0),
    # Never read: measured only, after each change of the rounds since it was split.
    (HELDOUT4, "held"): (0.8625, 0),
    # Spent in round 5: a fifth labeller's answers, measured once as held out before round 4
    # (0.806 / 3 false accepts) and once after it (0.875 / 2), then read and tuned on.
    HELDOUT5: (1.0, 0),
    # Spent in round 6: a sixth labeller's answers, measured as held out before round 5 (0.856 / 1
    # false accept) and after it (0.919 / 0), then read and tuned on.
    HELDOUT6: (0.9625, 0),
    # Spent in round 7: a seventh labeller's answers, measured as held out before and after round 6
    # (0.9125 / 1 false accept both times), then read and tuned on (0.95 / 1 after round 7, 0.9625 / 0 after round 8).
    HELDOUT7: (0.9625, 0),
    # Spent in round 8: an eighth labeller's answers (a class of many voices), measured as held out
    # like heldout7 (0.8625 / 1 before round 6, 0.8687 / 1 after rounds 6 and 7), then read and tuned on.
    HELDOUT8: (0.95, 0),
    # Never read: a ninth labeller's answers, measured before round 8 (0.85 / 0) and after it (0.8812 / 0).
    HELDOUT9: (0.8812, 0),
}


def _measure(path: Path, half: str | None = None) -> dict:
    spec = importlib.util.spec_from_file_location("grading_agreement", ROOT / "benchmarks" / "grading_agreement.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.measure(path, which=half)


def _name(key: Path | tuple[Path, str]) -> str:
    return key.name if isinstance(key, Path) else f"{key[0].name}-{key[1]}"


@pytest.mark.parametrize("key", list(RECORDED), ids=_name)
def test_agreement_does_not_regress(key):
    figures = _measure(*key) if isinstance(key, tuple) else _measure(key)
    least, most = RECORDED[key]
    assert figures["answers"] > 0
    assert figures["agreement"] >= least, figures["agreement"]
    assert figures["false_accepts"] <= most, figures["false_accepts"]
    assert set(figures["per_question"]) == QUESTIONS


def test_the_dev_set_has_thirty_answers_per_question():
    figures = _measure(DEV)
    assert all(d["answers"] >= 30 for d in figures["per_question"].values()), figures["per_question"]


def test_the_halves_of_heldout4_are_disjoint_stratified_and_fixed():
    spec = importlib.util.spec_from_file_location("grading_agreement", ROOT / "benchmarks" / "grading_agreement.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = module.load(HELDOUT4)
    tuned, held = module.half(rows, "tuned"), module.half(rows, "held")
    assert len(tuned) == len(held) == len(rows) // 2
    assert not {r["answer"] for r in tuned} & {r["answer"] for r in held}
    for question in QUESTIONS:
        for label in ("correct", "partly", "incorrect"):
            a = sum(1 for r in tuned if (r["question"], r["label"]) == (question, label))
            b = sum(1 for r in held if (r["question"], r["label"]) == (question, label))
            assert abs(a - b) <= 1
    assert module.half(rows, "held") == held  # the same split every time
    figures = module.measure(HELDOUT4, which="held")
    assert not module.readable(figures)  # its misses are never listed
    assert module.readable(module.measure(HELDOUT4, which="tuned"))
