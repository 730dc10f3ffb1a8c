"""What the docker actions report, in order: one ``CommandLine`` first, then any number of
``Output`` / ``LayerProgress`` / ``Notice`` / ``Ready`` events, then exactly one ``Succeeded``
or ``Failed`` (a cancelled action raises ``CancelledError`` instead).

The UI and the plain-terminal renderer match on these classes by name, so the names stay;
new fields are added with defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from tutor.hints import FailureHint

# Push: preparing → waiting → pushing → pushed, or straight to exists / mounted.
# Pull: preparing ("Pulling fs layer") → waiting → downloading → verifying → complete (downloaded)
#       → extracting → pulled, or straight to exists ("Already exists").
LayerStatus = Literal["preparing", "waiting", "pushing", "pushed", "exists", "mounted",
                      "downloading", "verifying", "extracting", "pulled", "complete"]


@dataclass(frozen=True)
class CommandLine:
    """The docker CLI command the learner could type for the same result (secrets masked)."""

    text: str


@dataclass(frozen=True)
class Output:
    """A batch of log lines (build output, container logs, CLI messages), without newlines."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class LayerProgress:
    layer: str  # the short layer id docker prints
    status: LayerStatus
    current: int | None = None  # bytes done, while pushing or downloading
    total: int | None = None
    detail: str = ""  # docker's own words, e.g. "Mounted from learner/poll-frontend"


@dataclass(frozen=True)
class Notice:
    """Something to tell the learner that is neither log output nor the result."""

    text: str


@dataclass(frozen=True)
class Ready:
    """``run`` only: the container answers HTTP at ``url``; logs keep streaming until it stops."""

    url: str
    container_id: str = ""


@dataclass(frozen=True)
class Succeeded:
    summary: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Failed:
    hint: FailureHint
    # The lines that explain the failure: the failing step's output (already sent as
    # Output) and the engine's error message. Bounded; never the whole log.
    output: tuple[str, ...] = ()


Event = CommandLine | Output | LayerProgress | Notice | Ready | Succeeded | Failed
TERMINAL = (Succeeded, Failed)
