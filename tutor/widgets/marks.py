"""How a state looks on the tutor's screens: one mark and colour for each member of the
vocabularies in tutor/states.py, and the quiz's words for its verdicts.

The enums are ``StrEnum``s, so a saved record's plain string finds its mark here too.  Members
that mean the same to a learner share a mark (done, passed and correct are all a green ✔).
"""

from __future__ import annotations

from tutor.states import CheckStatus, StepState, Verdict

Mark = tuple[str, str]  # the symbol, and its Rich style

MARKS: dict[str, Mark] = {
    StepState.TODO: ("·", "dim"),  # also CheckStatus.TODO and Verdict.TODO
    StepState.DONE: ("✔", "green"),
    CheckStatus.PASSED: ("✔", "green"),
    Verdict.CORRECT: ("✔", "green"),
    StepState.FAILED: ("✘", "red"),  # also CheckStatus.FAILED
    Verdict.INCORRECT: ("✘", "red"),
    Verdict.PARTLY: ("◐", "yellow"),
    StepState.RUNNING: ("▶", "yellow"),  # also CheckStatus.RUNNING, except in the checklist (CHECKING)
    StepState.SKIPPED: ("↷", "dim"),  # also CheckStatus.SKIPPED
    StepState.STALE: ("○", "yellow"),
    CheckStatus.ERROR: ("!", "yellow"),
    CheckStatus.UNANSWERED: ("·", "dim"),
}
# The checklist's item being checked right now (its table's own mark; the outline shows ▶).
CHECKING: Mark = ("…", "yellow")

VERDICT_WORDS: dict[str, str] = {Verdict.CORRECT: "Correct", Verdict.PARTLY: "Partly right",
                                 Verdict.INCORRECT: "Not right yet"}

# The outline's mark of a quiz question, from its last verdict: a wrong answer is a failed entry.
QUIZ_ENTRY_STATES: dict[str, str] = {Verdict.CORRECT: StepState.DONE, Verdict.PARTLY: Verdict.PARTLY,
                                     Verdict.INCORRECT: StepState.FAILED}


def mark_of(state: str) -> Mark:
    """The mark of any state; one the table does not know looks like todo."""
    return MARKS.get(state, MARKS[StepState.TODO])
