"""What ``docker-tutor doctor`` checks and what it finds: the setup a lesson implies, and one
:class:`Finding` per check in a fixed order with stable ids (:data:`CHECK_IDS`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor import hints, reference
from tutor.probes.node_target import NodeTarget
from tutor.states import DoctorStatus

READY_STATES = frozenset({DoctorStatus.OK, DoctorStatus.WARN})

CHECK_IDS = ("engine", "base-images", "disk", "registry", "pull-quota", "login", "node-ssh", "node-k3s",
             "node-sudo")

# Space the lesson's builds want where the engine keeps images. The two base images are about
# 0.2 GB unpacked (node:20-alpine ~135 MB, nginx:1.27-alpine ~50 MB), each build adds its layers
# and a temporary container per step, the test pull fetches a layer set again, and a class
# repeats builds: 2 GB covers that several times over, so no build meets "no space left on device".
BUILD_SPACE = 2 * 10**9
# Docker Hub's documented test repository for reading the pull quota; a HEAD on it costs no pull.
HUB_QUOTA_IMAGE = "ratelimitpreview/test:latest"


@dataclass
class Finding:
    id: str
    state: DoctorStatus
    message: str  # one sentence: what the check found
    fix: str = ""  # what to do, from tutor.hints ("" when nothing needs doing)
    hint: str = ""  # the hint's catalogue code
    evidence: dict[str, Any] = field(default_factory=dict)  # facts for --json; never a secret

    @property
    def ok(self) -> bool:
        return self.state in READY_STATES

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "ok": self.ok, "state": self.state, "message": self.message, "fix": self.fix,
                "hint": self.hint or None, "evidence": self.evidence}


def from_hint(check: str, state: DoctorStatus, message: str, found: hints.FailureHint | None,
              **evidence: Any) -> Finding:
    if found is not None and found.detail:
        evidence.setdefault("detail", found.detail)
    return Finding(check, state, message, found.next_step if found else "", found.code if found else "", evidence)


def skipped(check: str, why: str) -> Finding:
    return Finding(check, DoctorStatus.SKIPPED, f"Not checked: {why}.")


def ready(findings: list[Finding]) -> bool:
    """The milestone can be done end to end: every check ran and passed (warnings allowed)."""
    return all(f.ok for f in findings)


# --- what the checks are about ------------------------------------------------------------------


@dataclass
class BuildContext:
    folder: str  # the build context, e.g. <project>/backend
    dockerfile: str = "Dockerfile"  # inside the folder

    @property
    def label(self) -> str:
        return f"{Path(self.folder).name}/{self.dockerfile}"

    @property
    def path(self) -> Path:
        file = Path(self.dockerfile)
        return file if file.is_absolute() else Path(self.folder).expanduser() / file


@dataclass
class DoctorSetup:
    registry: str  # the settings' registry key: docker.io, 127.0.0.1:5000 ...
    username: str = ""  # the namespace the lesson names images under
    contexts: list[BuildContext] = field(default_factory=list)
    pull_refs: list[str] = field(default_factory=list)  # what the lesson pulls on this machine
    node: NodeTarget | None = None
    node_problem: str = ""  # the configured node cannot be used (a bad host in the settings)
    timeout: float = 10.0  # one request, connection or command
    trust_command: str = ""  # how to trust a host key: "{fingerprint}" is filled in
    needed_space: int = BUILD_SPACE

    @property
    def is_hub(self) -> bool:
        return reference.is_hub(self.registry)

    @property
    def label(self) -> str:
        return "Docker Hub" if self.is_hub else reference.registry_key(self.registry)


def setup_for(lesson: Any, values: dict[str, str], **options: Any) -> DoctorSetup:
    """The setup a lesson implies: its build contexts and pulls, with ``values`` filled in."""
    contexts: list[BuildContext] = []
    pulls: list[str] = []
    for action in lesson.actions():
        params = action.resolved(values)
        if action.kind == "build" and params.get("context"):
            found = BuildContext(params["context"], params.get("dockerfile") or "Dockerfile")
            if all((c.folder, c.dockerfile) != (found.folder, found.dockerfile) for c in contexts):
                contexts.append(found)
        elif action.kind == "pull" and "{" not in (ref := action.image(values) or "{") and ref not in pulls:
            pulls.append(ref)
    return DoctorSetup(registry=values.get("registry") or reference.DOCKER_HUB,
                       username=values.get("username", ""), contexts=contexts, pull_refs=pulls, **options)


def joined_and(names: list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def is_or_are(names: Any) -> str:
    return "is" if len(names) == 1 else "are"


def login_command(registry: str, username: str = "") -> str:
    from tutor.docker_ops.commandline import join, login_by_hand

    if not username:
        return login_by_hand(registry)
    return join("docker", "login", "-u", username, *([] if reference.is_hub(registry) else [registry]))
