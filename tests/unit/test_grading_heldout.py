"""The grader's agreement with labelled answers must not fall below the recorded figures.

Four files in tests/data (see its README): the development set (written for this work and
tuned on), the old held-out set's tuned part (grading_tune2.jsonl: written independently,
read and tuned on once it was spent), its untouched third (grading_untouched_third.jsonl:
split off at random before that set was read, never looked at while tuning, measured once
after the last change), and the second held-out set (grading_heldout2.jsonl: written by an
independent labeller, measured once as held out at 81.2 % / 4 false accepts, then spent: read
and tuned on like the development set), and the third held-out set (grading_heldout3.jsonl:
another independent labeller, never shown to the grading work, measured once after the round
that spent heldout2). docs/grading.md reports the figures recorded here.
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
QUESTIONS = {"latest-in-k8s", "push-twice", "build-vs-push", "layer-upload", "always-with-latest",
             "pull-failure", "explain-naming", "private-repo"}

# (least agreement, most false accepts), recorded after the last rubric and grader change.
RECORDED = {
    DEV: (0.9677, 7),  # 7: invented right-then-wrong answers written to probe the limit (see docs)
    TUNE2: (1.0, 0),
    UNTOUCHED: (0.875, 1),  # measured once, after the last change: the targets (0.97, 0) are not met
    # Spent: measured once as held out (0.8125, 4 false accepts), then read and tuned on (0.9187: 147 of 160).
    HELDOUT2: (0.9187, 0),
    # Held out: measured once, after the round that spent heldout2 (0.8125: 130 of 160, 1 false accept;
    # the grader at that round's start: 0.8063, 1). Do not tune on it.
    HELDOUT3: (0.8125, 1),
    # Held out: a fourth independent labeller (2026-12-02), measured once with the grader of that day
    # (0.8125: 130 of 160, 1 false accept). Nobody has read it for tuning. Do not tune on it.
    HELDOUT4: (0.8125, 1),
}


def _measure(path: Path) -> dict:
    spec = importlib.util.spec_from_file_location("grading_agreement", ROOT / "benchmarks" / "grading_agreement.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.measure(path)


@pytest.mark.parametrize("path", list(RECORDED), ids=lambda p: p.name)
def test_agreement_does_not_regress(path):
    figures = _measure(path)
    least, most = RECORDED[path]
    assert figures["answers"] > 0
    assert figures["agreement"] >= least, figures["agreement"]
    assert figures["false_accepts"] <= most, figures["false_accepts"]
    assert set(figures["per_question"]) == QUESTIONS


def test_the_dev_set_has_thirty_answers_per_question():
    figures = _measure(DEV)
    assert all(d["answers"] >= 30 for d in figures["per_question"].values()), figures["per_question"]
