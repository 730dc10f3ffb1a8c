"""``push``: per-layer progress, the pushed digest, and what was uploaded versus reused.

Push errors arrive as ``error`` items inside the stream, not as exceptions; they end
the action as ``Failed`` like any other error.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from tutor import hints
from tutor.docker_ops import commandline, credentials, docker_config, engine_api
from tutor.docker_ops.action import RunningAction, docker_action, follow_layers
from tutor.docker_ops.events import CommandLine, Event, Succeeded
from tutor.docker_ops.layers import LayerTracker


def corrected_ref(ref, username: str | None) -> str | None:
    """``ref`` moved into ``username``'s namespace: what the learner may push to."""
    from tutor.reference import ImageNameError, build

    if not username:
        return None
    try:
        fixed = build(username, ref.path.rsplit("/", 1)[-1], ref.tag or "latest", ref.registry)
    except ImageNameError:
        return None
    return fixed.short


def similar_local_image(client, ref) -> tuple[str, bool] | None:
    """A local image whose repository ends like ``ref``'s (the learner built it under another name),
    and whether it is the learner's own to re-tag; see :func:`pick_similar`."""
    tags = [(image["Created"], tag) for image in client.images() for tag in image.get("RepoTags") or ()]
    return pick_similar(tags, ref)


def pick_similar(tags, ref) -> tuple[str, bool] | None:
    """From ``(created, "name:tag")`` pairs, the image to suggest re-tagging as ``ref``, and whether
    it is the learner's own: one under ``ref``'s namespace (on ``ref``'s registry first, then on
    another one), else a plain local name without a namespace. An image under another namespace
    is someone else's (on a shared machine, another learner's): it comes back with False, so the
    advice can say it is there without telling the learner to push it as theirs."""
    from tutor.reference import ImageNameError, parse

    wanted = ref.path.rsplit("/", 1)[-1]
    best: tuple[tuple[int, int], str, bool] | None = None
    for created, tag in tags:
        try:
            found = parse(tag)
        except ImageNameError:
            continue
        if found.path.rsplit("/", 1)[-1] != wanted or found.name == ref.name and found.tag == ref.tag:
            continue
        if found.namespace == ref.namespace:
            rank = 3 if found.registry == ref.registry else 2
        elif found.is_docker_hub and found.familiar_name == wanted:
            rank = 1  # `docker build -t poll-backend .`: built here under a plain name
        else:
            rank = 0
        if best is None or (rank, created) > best[0]:
            best = ((rank, created), tag, rank > 0)
    return (best[1], best[2]) if best else None


def split_ref(ref) -> tuple[str, str]:
    """(repository, tag) in the form the engine's push and pull endpoints take."""
    name = ref.familiar_name if ref.is_docker_hub else ref.name
    return name, ref.tag or "latest"


@docker_action("push")
async def push(action: RunningAction, ref: str, auth: dict[str, str] | None = None, *, username: str | None = None,
               build_context: str | None = None) -> AsyncIterator[Event]:
    """Push the local image ``ref``. ``auth`` ({"username", "password"}) overrides docker's stored login.
    ``build_context``: the folder the lesson builds ``ref`` from, for the advice when ``ref`` is missing."""
    yield CommandLine(commandline.push(ref))
    image = action.ref(ref)
    if image.digest:
        raise action.fail("invalid_reference", message=f"cannot push a digest: {ref}",
                          advice="Push a tag instead, e.g. yourusername/poll-backend:v1.")
    registry = credentials.registry_key(image.registry)

    def prepare() -> dict[str, str] | None:
        # One trip off the event loop, not three: in the app each hop waits for a busy loop.
        # Who the registry will see: the account docker sends (its login is read once, for the engine;
        # only the name is kept in the facts), which is not necessarily the username in the settings
        # the image was named after.
        problem = None
        send: dict[str, str] | None
        if auth:
            logged_in, send = auth.get("username"), auth
        else:
            try:
                logged_in, send = credentials.push_auth(registry)
            except docker_config.CredentialError as err:  # said after the image is found, as docker does
                logged_in, send, problem = None, None, err
        action.facts.update(registry=registry, username=username or logged_in, logged_in=logged_in,
                            namespace=image.namespace, corrected=corrected_ref(image, logged_in or username))
        action.client = engine_api.connect()
        action.client.inspect_image(ref)
        if problem is not None:
            raise problem
        return send

    try:
        send = await asyncio.to_thread(prepare)
    except Exception as exc:  # noqa: BLE001 - ImageNotFound is the expected one; others get their own hint
        if type(exc).__name__ != "ImageNotFound":
            raise
        similar = await asyncio.to_thread(similar_local_image, action.client, image)
        said = hints.docker_reason(str(getattr(exc, "explanation", None) or exc))  # "No such image: ..."
        raise action.fail("tag_missing", said, build_command=commandline.build(ref, build_context or "."),
                          tag_advice=hints.retag_advice(ref, *similar) if similar else None) from None

    client = action.client
    repository, tag = split_ref(image)
    tracker = LayerTracker("push")
    async for event in follow_layers(action, client, tracker, lambda: client.push(repository, tag, send)):
        yield event
    if tracker.digest is None:
        # Docker ends every push with its digest, or with an error: an answer without either broke off.
        raise action.failure(engine_api.EngineLost("Response ended prematurely, before the push's digest"))

    summary, details = tracker.push_summary()
    details.update(ref=ref, digest=tracker.digest, size=tracker.manifest_size, registry=registry)
    yield Succeeded(f"Pushed {ref}. {summary}.", details)
