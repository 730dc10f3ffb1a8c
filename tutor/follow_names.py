"""Reading the image names in the engine's events, for :mod:`tutor.follow`.

Which image a name is (:func:`parse_name`, :func:`full_name`), whether a name only looks like
one of the lesson's images (:func:`wrong_name`), and the words for what the learner just did
(:func:`what_happened`).
"""

from __future__ import annotations

from tutor import reference
from tutor.docker_ops.follow import EngineEvent


def full_name(name: str) -> str | None:
    try:
        return reference.parse(name).full
    except ValueError:
        return None


def _last(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def wrong_name(name: str, expected: list[reference.ImageRef]) -> tuple[str, reference.ImageRef] | None:
    """(problem, the lesson's name) when ``name`` looks like one of the lesson's images but is not it.

    Problems: ``no-namespace``, ``other-namespace``, ``other-registry``, ``latest``. Only the
    lesson's tag and ``latest`` count: another version tag (``v2``) is the learner's choice.
    """
    try:
        seen = reference.parse(name)
    except ValueError:
        return None
    same_repo = [e for e in expected if _last(e.path) == _last(seen.path)]
    if not same_repo:
        return None
    target = same_repo[0]
    tag = seen.tag or "latest"
    if seen.full == target.full:
        return None
    if seen.name == target.name:
        return ("latest", target) if tag == "latest" and target.tag != "latest" else None
    if tag not in (target.tag, "latest"):
        return None
    namespace = seen.namespace
    if namespace is None or (seen.is_docker_hub and namespace == "library" and target.namespace != "library"):
        return "no-namespace", target
    if namespace != target.namespace or seen.path != target.path:
        return "other-namespace", target
    return "other-registry", target


def parse_name(name: str) -> reference.ImageRef | None:
    try:
        return reference.parse(name)
    except ValueError:
        return None


def what_happened(events: list[EngineEvent]) -> str:
    """The start of a note: what the learner did, in the engine's words ('' for a check at start)."""
    verbs = {"tag": "built or tagged", "push": "pushed", "pull": "pulled", "import": "imported", "load": "loaded"}
    done: dict[str, list[str]] = {}
    for event in events:
        parsed = parse_name(event.name) if event.name else None
        if event.action in verbs and parsed is not None and parsed.short not in done.setdefault(event.action, []):
            done[event.action].append(parsed.short)
    parts = [f"{verbs[action]} {' and '.join(names)}" for action, names in done.items() if names]
    return f"You {' and '.join(parts)} from your terminal: " if parts else ""
