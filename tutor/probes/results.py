"""What probes find, as plain dataclasses the CLI prints and the app renders.

``ImageResult`` is one image looked at in one place (the engine, the registry, the node);
``CheckResult`` is one checklist item, made of its images' results and/or a quiz answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tutor.hints import Hint

# Item statuses. `failed`: we looked and the item is not done; `error`: we could not look
# (unreachable, rate limited, unknown host key ...); `skipped`: an input is missing.
PASSED = "passed"
FAILED = "failed"
SKIPPED = "skipped"
RUNNING = "running"
ERROR = "error"
STATUSES = (PASSED, FAILED, SKIPPED, RUNNING, ERROR)
# Shown, never stored: a quiz item skipped because its question has no answer yet. It is not a
# skip of the learner's (the outline's ↷ means a step skipped with k), just not done.
UNANSWERED = "unanswered"

# The one word for each state, in `docker-tutor check` and in the app's checklist alike.
STATUS_WORDS = {PASSED: "passed", FAILED: "failed", ERROR: "could not check", SKIPPED: "skipped",
                UNANSWERED: "not answered", RUNNING: "checking…", "todo": "not checked"}


def shown_status(status: str, outcome: str = "", evidence: dict | None = None) -> str:
    """The state a learner reads for an item's ``status``: ``unanswered`` for a quiz item nobody has
    answered yet (its ``outcome``, or for a saved result its evidence: a question and no verdict)."""
    if status == SKIPPED and (outcome == "not-answered" or (
            not outcome and evidence and "question" in evidence and "verdict" not in evidence)):
        return UNANSWERED
    return status

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
    hint: Hint | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    retry_after: float | None = None  # seconds, when the registry asked us to wait

    @property
    def status(self) -> str:
        if self.ok:
            return PASSED
        return ERROR if self.outcome in UNDETERMINED else FAILED


@dataclass
class CheckResult:
    item_id: str
    status: str  # one of STATUSES
    outcome: str  # e.g. "public", "missing-tag", "pulled", "answered", "no-node"
    reason: str  # one sentence
    hint: Hint | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    text: str = ""  # the checklist item as the lesson words it
    kind: str = ""  # the probe kind, "quiz", or both joined with "+"
    images: list[ImageResult] = field(default_factory=list)
    duration: float = 0.0  # seconds the probe took
    retry_after: float | None = None

    @property
    def ran(self) -> bool:
        return self.status not in (SKIPPED, RUNNING)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; never holds a secret (probes put none into evidence)."""
        data = asdict(self)
        data["duration"] = round(self.duration, 3)
        return data


def hint_dict(hint: Hint | None) -> dict[str, str] | None:
    return None if hint is None else {"code": hint.code, "what": hint.what, "next_step": hint.next_step}


def overall_exit_code(results: list[CheckResult]) -> int:
    """0 only when every item that ran passed (skipped items do not count either way)."""
    ran = [r for r in results if r.ran]
    return 0 if all(r.status == PASSED for r in ran) else 1
