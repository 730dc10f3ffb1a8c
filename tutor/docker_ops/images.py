"""Local images: ``tag``, ``rmi`` and ``images`` (what `docker images | grep poll` shows)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from tutor.docker_ops import commandline
from tutor.docker_ops import humanize
from tutor.docker_ops.action import RunningAction, docker_action
from tutor.docker_ops.events import CommandLine, Event, Output, Succeeded
from tutor.docker_ops.push import split_ref


@dataclass(frozen=True)
class ImageRow:
    repository: str
    tag: str
    image_id: str  # 12 characters, as docker shows it
    created: str  # "2 minutes ago"
    size: str  # "150MB"
    size_bytes: int
    created_at: float  # unix time


HEADER = ("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE")


def rows_for(images: list[dict[str, Any]], pattern: str | None, now: float) -> list[ImageRow]:
    """One row per repository:tag whose text contains ``pattern``, newest first, as docker lists them."""
    rows = []
    for image in sorted(images, key=lambda item: item.get("Created", 0), reverse=True):
        image_id = str(image.get("Id", "")).removeprefix("sha256:")[:12]
        for name in image.get("RepoTags") or ["<none>:<none>"]:
            repository, _, tag = name.rpartition(":")
            line = f"{repository} {tag} {image_id}"
            if pattern and pattern not in line:
                continue
            created = float(image.get("Created", 0))
            size = int(image.get("Size", 0))
            rows.append(ImageRow(repository, tag, image_id, humanize.age(created, now), humanize.size(size), size,
                                 created))
    return rows


def table(rows: list[ImageRow]) -> list[str]:
    """The rows as docker prints them: columns padded to the widest cell, three spaces apart."""
    cells = [HEADER] + [(r.repository, r.tag, r.image_id, r.created, r.size) for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(HEADER))]
    return ["   ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in cells]


@docker_action("images")
async def images(action: RunningAction, filter: str | None = "poll") -> AsyncIterator[Event]:  # noqa: A002 - the CLI word
    """The local images whose name contains ``filter`` (all of them when it is empty)."""
    pattern = (filter or "").strip() or None
    yield CommandLine(commandline.images(pattern))
    client = await action.connect()
    found = await asyncio.to_thread(client.api.images)
    rows = rows_for(found, pattern, time.time())
    # `grep` keeps only the matching rows, not docker's header line.
    lines = table(rows)[1:] if pattern else table(rows)
    if lines:
        yield Output(tuple(lines))
    what = f"matching '{pattern}'" if pattern else "on this machine"
    summary = f"{len(rows)} local image{'s' if len(rows) != 1 else ''} {what}"
    yield Succeeded(summary, {"rows": rows})


@docker_action("tag")
async def tag(action: RunningAction, source: str, target: str) -> AsyncIterator[Event]:
    """Give the local image ``source`` the extra name ``target``."""
    yield CommandLine(commandline.tag(source, target))
    action.ref(source)
    action.facts["ref"] = source.strip()
    new = action.ref(target, fact="target")
    if new.digest:
        raise action.fail("invalid_reference", message=f"a new name takes a tag, not a digest: {target}",
                          advice="Use a tag such as :v1.")
    client = await action.connect()
    repository, new_tag = split_ref(new)
    await asyncio.to_thread(client.api.tag, source.strip(), repository, new_tag)
    image = await asyncio.to_thread(client.api.inspect_image, target.strip())
    yield Succeeded(f"Tagged {source.strip()} as {target.strip()}",
                    {"source": source.strip(), "target": target.strip(), "image_id": image["Id"]})


@docker_action("rmi")
async def rmi(action: RunningAction, ref: str, *, check_pull: bool = False) -> AsyncIterator[Event]:
    """Remove the name ``ref`` from this machine (and the image, if no other name keeps it).

    ``check_pull``: first make sure the registry would give this very image back (a manifest
    HEAD with docker's stored login, compared with the local image); if it would not, nothing
    is removed and the hint says why. The lesson's test pull removes the image only this way.
    """
    yield CommandLine(commandline.rmi(ref))
    image = action.ref(ref)
    client = await action.connect()
    if check_pull:
        checked = await _pull_would_work(action, client, image)
        if checked is not None:
            yield checked
    answer = await asyncio.to_thread(client.api.remove_image, ref.strip())
    untagged = [item["Untagged"] for item in answer or () if "Untagged" in item]
    deleted = [item["Deleted"] for item in answer or () if "Deleted" in item]
    lines = [f"Untagged: {name}" for name in untagged] + [f"Deleted: {name}" for name in deleted]
    if lines:
        yield Output(tuple(lines))
    yield Succeeded(f"Removed {ref.strip()} from this machine", {"untagged": untagged, "deleted": deleted})


async def _pull_would_work(action: RunningAction, client: Any, image: Any) -> Event | None:
    """A Notice that the registry has this image for docker's login; ActionFailed (nothing removed) if not."""
    from tutor import hints
    from tutor.docker_ops.events import Notice
    from tutor.probes import registry
    from tutor.probes.local import LocalImage

    try:
        attrs = await asyncio.to_thread(client.api.inspect_image, image.short)
    except Exception as exc:  # noqa: BLE001 - no such image: the removal below says so in docker's words
        if type(exc).__name__ in ("ImageNotFound", "NotFound"):
            return None
        raise
    local = LocalImage(image.short, True, id=attrs.get("Id", ""), repo_digests=list(attrs.get("RepoDigests") or []),
                       os=attrs.get("Os", ""), architecture=attrs.get("Architecture", ""))
    found = await registry.probe_image(image, local=local)
    if found.outcome in registry.FOUND:
        return Notice(hints.pull_checked(image.short, registry.registry_label(image), found.outcome))
    raise action.fail("rmi_kept", reason=found.reason,
                      advice=found.hint.next_step if found.hint is not None
                      else f"Push it first (`{commandline.push(image.short)}`).")
