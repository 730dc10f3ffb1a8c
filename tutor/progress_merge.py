"""Merging two processes' progress, record by record (the app and `docker-tutor watch`, `do` or
`check` in another terminal share one progress file).

A three-way merge: ``base`` is the file as this process last read or wrote it, ``mine`` what it
holds now, ``theirs`` the file as it is now. A record only one side changed is taken from that
side; one both changed goes to the newer (its ``at``). Resets are facts of their own, timed
(``reset_at`` for the whole lesson, ``resets`` per step), so a record older than a reset never
comes back, whichever side still held it. All three are plain JSON dicts of a Progress.
"""

from __future__ import annotations

import json
from typing import Any

_ABSENT: Any = None


def merge(base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    reset_at = max(mine.get("reset_at") or 0, theirs.get("reset_at") or 0) or None
    resets = {**theirs.get("resets", {})}
    for key, at in mine.get("resets", {}).items():
        resets[key] = max(at, resets.get(key, at))
    resets = {key: at for key, at in resets.items() if reset_at is None or at >= reset_at}
    merged = {**theirs, **mine, "reset_at": reset_at, "resets": resets}
    for name in ("steps", "checklist"):
        merged[name] = _records(name, base.get(name, {}), mine, theirs)
    merged["steps"] = {key: r for key, r in merged["steps"].items() if not _older(r, resets.get(key), reset_at)}
    merged["checklist"] = {key: r for key, r in merged["checklist"].items() if not _older(r, None, reset_at)}
    merged["quiz"] = _attempts(base.get("quiz", {}), mine.get("quiz", {}), theirs.get("quiz", {}), reset_at)
    merged["hints"] = _counts(base.get("hints", {}), mine.get("hints", {}), theirs.get("hints", {}))
    merged["position"] = _pick(base.get("position", ""), mine.get("position", ""), theirs.get("position", ""),
                               lambda *_: "mine")  # where this process's learner reads is its own
    return merged


def _older(record: dict[str, Any], reset: float | None, reset_at: float | None) -> bool:
    """Made before a reset that came after it: gone for good."""
    at = record.get("at") or 0
    return any(when is not None and at < when for when in (reset, reset_at))


def _records(name: str, base: dict, mine: dict, theirs: dict) -> dict:
    """Records with an ``at`` (steps, checklist); a side's missing record counts from its reset."""
    ours, other = mine.get(name, {}), theirs.get(name, {})

    def newer(m: Any, t: Any, key: str) -> str:
        return "mine" if _when(mine, name, key, m) >= _when(theirs, name, key, t) else "theirs"

    merged = {}
    for key in {**other, **ours}:
        chosen = _pick(base.get(key, _ABSENT), ours.get(key, _ABSENT), other.get(key, _ABSENT),
                       lambda m, t, key=key: newer(m, t, key))
        if chosen is not _ABSENT:
            merged[key] = chosen
    return merged


def _when(side: dict[str, Any], name: str, key: str, record: Any) -> float:
    if record is not _ABSENT:
        return record.get("at") or 0
    reset = side.get("resets", {}).get(key) if name == "steps" else None
    return max(reset or 0, side.get("reset_at") or 0)


def _pick(base: Any, mine: Any, theirs: Any, conflict) -> Any:
    if mine == theirs or theirs == base:
        return mine
    if mine == base:
        return theirs
    return mine if conflict(mine, theirs) == "mine" else theirs


def _attempts(base: dict, mine: dict, theirs: dict, reset_at: float | None) -> dict:
    """Quiz attempts only ever grow; one a side no longer holds but the base did was reset there."""
    merged = {}
    for question in {**theirs, **mine}:
        had = {_key(a) for a in base.get(question, [])}
        ours, other = mine.get(question, []), theirs.get(question, [])
        dropped = (had - {_key(a) for a in ours}) | (had - {_key(a) for a in other})
        seen, attempts = set(), []
        for attempt in [*ours, *other]:
            key = _key(attempt)
            if key in seen or key in dropped or _older(attempt, None, reset_at):
                continue
            seen.add(key)
            attempts.append(attempt)
        if attempts:
            merged[question] = sorted(attempts, key=lambda a: a.get("at") or 0)
    return merged


def _key(attempt: dict) -> str:
    return json.dumps(attempt, sort_keys=True)


def _counts(base: dict, mine: dict, theirs: dict) -> dict:
    """Hints opened per step: both opened more, the larger count; a step whose count one side
    removed (a reset) stays without."""
    merged = {}
    for key in {**theirs, **mine}:
        chosen = _pick(base.get(key, _ABSENT), mine.get(key, _ABSENT), theirs.get(key, _ABSENT),
                       lambda m, t: "mine" if m is _ABSENT or (t is not _ABSENT and m >= t) else "theirs")
        if chosen is not _ABSENT:
            merged[key] = chosen
    return merged
