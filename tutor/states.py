"""The tutor's vocabularies of state, one ``StrEnum`` each.

Their values are the strings progress files and ``--json`` output have always held, so a member
compares, hashes and serialises as that string: old files load unchanged, and code that still
reads a plain string from JSON meets the member it means.  How each state *looks* (its mark,
colour and word) lives with the screens and the text reports, not here: this module has no
Textual and no Rich in it.
"""

from __future__ import annotations

from enum import StrEnum


class StepState(StrEnum):
    """Where a lesson step (or a verify item) stands for the learner."""

    TODO = "todo"  # never run, or reset
    RUNNING = "running"  # shown while its actions run; never saved
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"  # the learner skipped it with k
    STALE = "stale"  # done, but with settings (names, registry) that have changed since
    CANCELLED = "cancelled"


class CheckStatus(StrEnum):
    """One checklist item's result. ``failed``: we looked and it is not done; ``error``: we could
    not look (unreachable, rate limited, unknown host key ...); ``skipped``: an input is missing."""

    TODO = "todo"  # never checked
    RUNNING = "running"
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    ERROR = "error"
    # Shown, never stored: a quiz item skipped because its question has no answer yet.
    UNANSWERED = "unanswered"


class Verdict(StrEnum):
    """The grader's word on one quiz answer (``todo``: no answer yet)."""

    TODO = "todo"
    CORRECT = "correct"
    PARTLY = "partly"
    INCORRECT = "incorrect"


class RegistryOutcome(StrEnum):
    """What the registry said about one image reference."""

    PUBLIC = "public"
    PRIVATE = "private"
    MISSING_TAG = "missing-tag"
    MISSING_OR_PRIVATE = "missing-or-private"
    UNREACHABLE = "unreachable"
    RATE_LIMITED = "rate-limited"
    ERROR = "error"
    STALE = "stale"
    INVALID = "invalid-reference"


class DoctorStatus(StrEnum):
    """One pre-flight check of ``docker-tutor doctor``."""

    OK = "ok"
    WARN = "warn"  # works, but something is worth knowing; does not stop the lesson
    FAIL = "fail"
    SKIPPED = "skipped"  # not checked: something it needs failed first
