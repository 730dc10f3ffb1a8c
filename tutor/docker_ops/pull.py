"""``pull``: per-layer progress, then the image's id and size."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from tutor.docker_ops import commandline
from tutor.docker_ops import credentials, humanize
from tutor.docker_ops.action import RunningAction, docker_action, follow_layers
from tutor.docker_ops.events import CommandLine, Event, Succeeded
from tutor.docker_ops.layers import LayerTracker
from tutor.docker_ops.push import split_ref


@docker_action("pull")
async def pull(action: RunningAction, ref: str, auth: dict[str, str] | None = None) -> AsyncIterator[Event]:
    """Pull ``ref``. ``auth`` ({"username", "password"}) overrides docker's stored login."""
    yield CommandLine(commandline.pull(ref))
    image = action.ref(ref)
    registry = credentials.registry_key(image.registry)
    action.facts["registry"] = registry
    auth = auth or credentials.session_auth(registry)

    client = await action.connect(timeout=None)
    repository = split_ref(image)[0]
    tag = image.digest or image.tag or "latest"
    tracker = LayerTracker("pull")
    async for event in follow_layers(action, client, tracker, lambda: client.api.pull(
            repository, tag=tag, stream=True, decode=True, auth_config=auth)):
        yield event

    local = await asyncio.to_thread(client.api.inspect_image, ref)
    size = int(local.get("Size") or 0)
    summary, details = tracker.pull_summary()
    details.update(ref=ref, digest=tracker.digest, image_id=local["Id"], size=size, size_text=humanize.size(size))
    yield Succeeded(f"Pulled {ref} ({humanize.size(size)}): {summary}.", details)
