"""Reading push and pull progress streams: per-layer events, the digest, and a tally of
what was transferred versus reused."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from tutor.docker_ops import humanize
from tutor.docker_ops.events import Event, LayerProgress, LayerStatus

PUSH_STATUS: dict[str, LayerStatus] = {
    "Preparing": "preparing", "Waiting": "waiting", "Pushing": "pushing", "Pushed": "pushed",
    "Layer already exists": "exists",
}
PULL_STATUS: dict[str, LayerStatus] = {
    "Pulling fs layer": "preparing", "Waiting": "waiting", "Downloading": "downloading",
    "Verifying Checksum": "verifying", "Download complete": "complete", "Extracting": "extracting",
    "Pull complete": "pulled", "Already exists": "exists",
}
# Progress updates can arrive many times a second; within one chunk only the newest counts.
_CONTINUOUS = {"pushing", "downloading", "extracting"}
# Docker retries a failed layer by itself, counting down once a second: "Retrying in 5 seconds".
_RETRYING = re.compile(r"^Retrying in (\d+) seconds?$")
# Layers that are still to move, and the word for what they are doing.
MOVING = {"pushing": "upload", "preparing": "upload", "waiting": "upload", "downloading": "download",
          "verifying": "download", "extracting": "extraction"}


@dataclass
class Layer:
    status: str
    current: int = 0  # bytes pushed or downloaded, as far as docker reported
    total: int | None = None

    @property
    def moved(self) -> int:
        # Docker counts the bytes it read, which can run past the layer's stated size.
        return min(self.current, self.total) if self.total else self.current


class LayerTracker:
    def __init__(self, direction: Literal["push", "pull"]) -> None:
        self.direction = direction
        self.table = PUSH_STATUS if direction == "push" else PULL_STATUS
        self.layers: dict[str, Layer] = {}
        self.digest: str | None = None
        self.manifest_size: int | None = None
        self.error: str | None = None
        self.changes = 0  # grows whenever an item says something new: the inactivity bound watches it
        self.retries = 0  # countdowns docker started to retry a layer
        self._countdown: dict[str, int] = {}

    def handle(self, item: dict[str, Any]) -> list[Event | str]:
        """One stream item as events and log lines."""
        before = self._state()
        found = self._handle(item)
        if found or self._state() != before:
            self.changes += 1
        return found

    def _state(self) -> tuple:
        return len(self.layers), sum(layer.current for layer in self.layers.values()), self.digest, self.error, \
            tuple(layer.status for layer in self.layers.values())

    def _handle(self, item: dict[str, Any]) -> list[Event | str]:
        if "error" in item or "errorDetail" in item:
            self.error = str(item.get("error") or (item.get("errorDetail") or {}).get("message") or "")
            return []
        aux = item.get("aux")
        if isinstance(aux, dict) and aux.get("Digest"):
            self.digest = aux["Digest"]
            self.manifest_size = aux.get("Size")
            return []
        status = str(item.get("status") or "")
        layer = item.get("id")
        if not status:
            return []
        if status.startswith("Digest: "):
            self.digest = status.removeprefix("Digest: ").strip()
        if not layer or (self.direction == "pull" and status.startswith("Pulling from")):
            return [status if not layer else f"{layer}: {status}"]
        retrying = _RETRYING.match(status)
        if retrying:
            # One line per countdown, not one a second.
            seconds, last = int(retrying.group(1)), self._countdown.get(layer)
            self._countdown[layer] = seconds
            if last is not None and seconds < last:
                return []
            self.retries += 1
            return [f"{layer}: {status} (docker retries by itself)"]
        kind: LayerStatus | None = "mounted" if status.startswith("Mounted from") else self.table.get(status)
        if kind is None:  # a status docker added after this was written: show it as a line
            return [f"{layer}: {status}"]
        detail = item.get("progressDetail") or {}
        current, total = detail.get("current"), detail.get("total")
        state = self.layers.setdefault(layer, Layer(kind))
        state.status = kind
        if kind in ("pushing", "downloading") and isinstance(current, int):
            state.current = max(state.current, current)
            if isinstance(total, int) and total > 0:
                state.total = total
        return [LayerProgress(layer, kind, current, total, status)]

    def handle_chunk(self, items: list[dict[str, Any]]) -> list[Event | str]:
        events: list[Event | str] = []
        for item in items:
            events.extend(self.handle(item))
        return thin_progress(events)

    def moving(self) -> tuple[str, Layer] | None:
        """The layer a stalled transfer was busy with: the one furthest along that is not done."""
        busy = [(layer_id, layer) for layer_id, layer in self.layers.items() if layer.status in MOVING]
        if not busy:
            return None
        # A layer cut off half-way is the one to name, before one that was all sent and awaits its answer.
        return max(busy, key=lambda pair: (pair[1].status in ("pushing", "downloading"),
                                           not pair[1].total or pair[1].moved < pair[1].total, pair[1].current))

    # --- the tally ---------------------------------------------------------------

    def count(self, *kinds: str) -> int:
        return sum(1 for layer in self.layers.values() if layer.status in kinds)

    @property
    def moved_bytes(self) -> int:
        done = ("pushed",) if self.direction == "push" else ("pulled", "complete", "extracting")
        return sum(layer.moved for layer in self.layers.values() if layer.status in done)

    def push_summary(self) -> tuple[str, dict[str, Any]]:
        total = len(self.layers)
        reused = self.count("exists", "mounted")
        uploaded = self.count("pushed")
        text = (f"{reused} of {total} layers were already on the registry; "
                f"uploaded {humanize.spaced_size(self.moved_bytes)}")
        return text, {"layers": total, "layers_uploaded": uploaded, "layers_reused": reused,
                      "layers_mounted": self.count("mounted"), "bytes_uploaded": self.moved_bytes}

    def pull_summary(self) -> tuple[str, dict[str, Any]]:
        total = len(self.layers)
        reused = self.count("exists")
        downloaded = total - reused
        if downloaded == 0:
            text = "every layer was already on this machine"
        else:
            text = (f"downloaded {downloaded} of {total} layers ({humanize.spaced_size(self.moved_bytes)}); "
                    f"{reused} were already here")
        return text, {"layers": total, "layers_downloaded": downloaded, "layers_reused": reused,
                      "bytes_downloaded": self.moved_bytes}


def thin_progress(events: list[Event | str]) -> list[Event | str]:
    """Drop byte-progress updates that a later update of the same layer in this chunk replaces."""
    seen: set[str] = set()
    kept: list[Event | str] = []
    for event in reversed(events):
        if isinstance(event, LayerProgress):
            if event.status in _CONTINUOUS and event.layer in seen:
                continue
            seen.add(event.layer)
        kept.append(event)
    kept.reverse()
    return kept
