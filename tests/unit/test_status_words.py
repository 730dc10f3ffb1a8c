"""One word per checklist state, in `docker-tutor check` and the app alike; an unanswered quiz item is
"not answered" (never the ↷ skipped of a step the learner chose to skip)."""

from __future__ import annotations

from tutor.probes.results import STATUS_WORDS, shown_status
from tutor.states import CheckStatus
from tutor.widgets.marks import MARKS


def test_an_unanswered_quiz_item_is_not_a_skip_live_or_saved():
    assert shown_status("skipped", "not-answered") == CheckStatus.UNANSWERED
    assert shown_status("skipped", evidence={"question": "naming"}) == CheckStatus.UNANSWERED  # as saved: no outcome
    assert shown_status("skipped", evidence={"question": "naming", "verdict": "correct"}) == "skipped"
    assert shown_status("skipped", "no-node") == "skipped"  # a real skip stays one
    assert shown_status("failed", "answered-partly") == "failed"
    assert STATUS_WORDS[CheckStatus.UNANSWERED] == "not answered" and MARKS[CheckStatus.UNANSWERED] != MARKS["skipped"]


def test_failed_reads_the_same_as_the_cli_says_it():
    assert STATUS_WORDS["failed"] == "failed"
    assert len(set(STATUS_WORDS.values())) == len(STATUS_WORDS)  # no word stands for two states
