"""What ``docker-tutor demo --reset`` removes, so a demo can be given again from the start:
the containers the tutor started and the learner's image names the lesson makes.

Nothing else is touched. Images are removed by name only, never forced: a name that shares
its image with other names just loses that one tag (like ``docker rmi NAME``), and an image
a container of someone else still uses is kept and said. A container labelled by a tutor
that is still running (another window, a served browser session) is left to that tutor.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from tutor.docker_ops import engine
from tutor.docker_ops.run import OWNER_LABEL


@dataclass
class CleanupReport:
    containers: list[str] = field(default_factory=list)  # "name (image)" of each container removed
    images: list[str] = field(default_factory=list)  # the names removed
    kept: list[tuple[str, str]] = field(default_factory=list)  # (what, why it stayed)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def _owner(container: dict) -> int:
    try:
        return int((container.get("Labels") or {}).get(OWNER_LABEL, ""))
    except ValueError:
        return 0


def _name(container: dict) -> str:
    names = container.get("Names") or [container.get("Id", "")[:12]]
    return f"{names[0].lstrip('/')} ({container.get('Image', '?')})"


def reset_for_demo(refs: Iterable[str]) -> CleanupReport:
    """Remove the tutor's leftover containers, then each of ``refs`` that exists locally.

    Raises the SDK's exception when the engine cannot be reached (tutor.hints.from_docker words it).
    """
    from docker.errors import APIError, NotFound

    report = CleanupReport()
    client = engine.connect(timeout=60)
    try:
        for container in client.api.containers(all=True, filters={"label": OWNER_LABEL}):
            owner = _owner(container)
            if owner != os.getpid() and _alive(owner):
                report.kept.append((_name(container), f"a tutor that is still running (process {owner}) "
                                                      "started it; stop it there"))
                continue
            try:
                client.api.remove_container(container["Id"], force=True)
            except NotFound:
                continue  # gone meanwhile
            report.containers.append(_name(container))
        for ref in refs:
            try:
                client.api.remove_image(ref)
            except NotFound:
                continue  # not here: nothing to remove
            except APIError as exc:  # e.g. a container not started by the tutor still uses it
                report.kept.append((ref, str(getattr(exc, "explanation", "") or exc)))
                continue
            report.images.append(ref)
    finally:
        client.close()
    return report
