"""What probes find, as plain dataclasses the CLI prints and the app renders.

``ImageResult`` is one image looked at in one place (the engine, the registry, the node);
``CheckResult`` is one checklist item, made of its images' results and/or a quiz answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tutor.hints import FailureHint
from tutor.states import CheckStatus

# The one word for each state, in `docker-tutor check` and in the app's checklist alike.
# UNANSWERED is shown, never stored: a quiz item skipped because its question has no answer yet. It
# is not a skip of the learner's (the outline's ↷ means a step skipped with k), just not done.
# Keyed by the enum, read with any saved status string (an unknown one is shown as it is).
STATUS_WORDS: dict[str, str] = {
    CheckStatus.PASSED: "passed", CheckStatus.FAILED: "failed", CheckStatus.ERROR: "could not check",
    CheckStatus.SKIPPED: "skipped", CheckStatus.UNANSWERED: "not answered", CheckStatus.RUNNING: "checking…",
    CheckStatus.TODO: "not checked",
}


def shown_status(status: str, outcome: str = "", evidence: dict[str, Any] | None = None) -> str:
    """The state a learner reads for an item's ``status``: ``unanswered`` for a quiz item nobody has
    answered yet (its ``outcome``, or for a saved result its evidence: a question and no verdict)."""
    if status == CheckStatus.SKIPPED and (outcome == "not-answered" or (
            not outcome and evidence and "question" in evidence and "verdict" not in evidence)):
        return CheckStatus.UNANSWERED
    return status


def record_status(record: dict[str, Any]) -> str:
    """:func:`shown_status` of a saved check record (todo when it has none)."""
    return shown_status(record.get("status") or CheckStatus.TODO, evidence=record.get("evidence"))


# Outcomes that mean "the tutor could not find out", whichever probe met them.
UNDETERMINED = frozenset({
    "unreachable", "rate-limited", "error", "timeout", "engine-unreachable", "unknown-host-key",
    "host-key-changed", "login-failed", "node-unreachable", "identity-unreadable", "probe-crashed",
    "stalled", "known-hosts-unreadable",
})


@dataclass
class ImageResult:
    ref: str
    outcome: str
    ok: bool
    reason: str  # one sentence for the learner
    hint: FailureHint | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    retry_after: float | None = None  # seconds, when the registry asked us to wait

    @property
    def status(self) -> CheckStatus:
        if self.ok:
            return CheckStatus.PASSED
        return CheckStatus.ERROR if self.outcome in UNDETERMINED else CheckStatus.FAILED


@dataclass
class CheckResult:
    item_id: str
    status: CheckStatus
    outcome: str  # e.g. "public", "missing-tag", "pulled", "answered", "no-node"
    reason: str  # one sentence
    hint: FailureHint | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    text: str = ""  # the checklist item as the lesson words it
    kind: str = ""  # the probe kind, "quiz", or both joined with "+"
    images: list[ImageResult] = field(default_factory=list)
    duration: float = 0.0  # seconds the probe took
    retry_after: float | None = None

    @property
    def ran(self) -> bool:
        return self.status not in (CheckStatus.SKIPPED, CheckStatus.RUNNING)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; never holds a secret (probes put none into evidence)."""
        data = asdict(self)
        data["duration"] = round(self.duration, 3)
        return data


def overall_exit_code(results: list[CheckResult]) -> int:
    """0 only when every item that ran passed (skipped items do not count either way)."""
    ran = [r for r in results if r.ran]
    return 0 if all(r.status == CheckStatus.PASSED for r in ran) else 1
