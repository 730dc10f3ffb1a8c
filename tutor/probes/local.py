"""Which of the lesson's images the local Docker engine holds: id, size, platform, repo digests.

The docker SDK is synchronous, so the look-up runs in a worker thread; the SDK is imported there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tutor import hints, reference
from tutor.probes.results import ImageResult

PRESENT = "present"
MISSING = "missing"
ENGINE_UNREACHABLE = "engine-unreachable"
INVALID = "invalid-reference"
DEFAULT_TIMEOUT = 30.0


@dataclass
class LocalImage:
    ref: str  # as `docker images` names it
    present: bool
    id: str = ""  # the config digest, sha256:...
    size: int = 0  # bytes
    repo_digests: list[str] = field(default_factory=list)  # "name@sha256:..." as docker records pushes/pulls
    os: str = ""
    architecture: str = ""
    created: str = ""

    def repo_digests_for(self, image: reference.ImageRef) -> list[str]:
        """The manifest digests this image had when pushed to (or pulled from) ``image``'s repository."""
        found = []
        for entry in self.repo_digests:
            try:
                named = reference.parse(entry)
            except reference.ImageNameError:
                continue
            if named.name == image.name and named.digest:
                found.append(named.digest)
        return found

    @property
    def platform(self) -> str:
        return f"{self.os or 'linux'}/{self.architecture or 'unknown'}"


class EngineUnavailable(Exception):
    """The engine could not be asked; ``hint`` says why (not running, no permission ...)."""

    def __init__(self, hint: hints.FailureHint) -> None:
        super().__init__(hint.what)
        self.hint = hint


def _inspect_sync(refs: list[reference.ImageRef], timeout: float) -> dict[str, LocalImage]:
    from tutor.docker_ops.engine import connect

    try:
        client = connect(timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - the SDK raises DockerException or requests errors
        raise EngineUnavailable(hints.from_docker(exc, "images")) from None
    try:
        found: dict[str, LocalImage] = {}
        for image in refs:
            found[image.short] = _inspect_one(client, image)
        return found
    finally:
        client.close()


def _inspect_one(client: Any, image: reference.ImageRef) -> LocalImage:
    from docker.errors import ImageNotFound, NotFound

    try:
        attrs = client.api.inspect_image(image.short)
    except (ImageNotFound, NotFound):
        return LocalImage(image.short, False)
    except Exception as exc:  # noqa: BLE001 - the engine went away mid-way
        raise EngineUnavailable(hints.from_docker(exc, "images")) from None
    return LocalImage(
        image.short, True, id=attrs.get("Id", ""), size=int(attrs.get("Size") or 0),
        repo_digests=list(attrs.get("RepoDigests") or []), os=attrs.get("Os", ""),
        architecture=attrs.get("Architecture", ""), created=attrs.get("Created", ""),
    )


async def inspect_images(refs: Sequence[str | reference.ImageRef], timeout: float = DEFAULT_TIMEOUT
                         ) -> dict[str, LocalImage]:
    """``image.short`` -> LocalImage for each parsable ref. Raises EngineUnavailable."""
    parsed = [r if isinstance(r, reference.ImageRef) else reference.parse(r) for r in refs]
    return await asyncio.to_thread(_inspect_sync, parsed, timeout)


def _size(num: int) -> str:
    # Decimal units, as `docker images` shows sizes.
    value = float(num)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.3g}{unit}" if unit != "B" else f"{int(value)}B"
        value /= 1000
    return f"{num}B"


async def probe_local_images(refs: list[str], timeout: float = DEFAULT_TIMEOUT) -> list[ImageResult]:
    """One result per ref: present (with id, size, repo digests) or missing."""
    results: dict[str, ImageResult] = {}
    parsed: list[reference.ImageRef] = []
    for text in refs:
        try:
            parsed.append(reference.parse(text))
        except reference.ImageNameError as err:
            results[text] = ImageResult(text, INVALID, False, f"{err}.", hints.hint("invalid_reference",
                                                                                   message=str(err)))
    try:
        found = await inspect_images(parsed, timeout) if parsed else {}
    except EngineUnavailable as err:
        return list(results.values()) + [
            ImageResult(image.short, ENGINE_UNREACHABLE, False, err.hint.what, err.hint) for image in parsed]
    for image in parsed:
        local = found[image.short]
        if local.present:
            results[image.short] = ImageResult(
                image.short, PRESENT, True,
                f"{image.short} is in your local images ({_size(local.size)}, {local.platform}).",
                None, {"id": local.id, "size": local.size, "repo_digests": local.repo_digests,
                       "platform": local.platform, "created": local.created})
        else:
            results[image.short] = ImageResult(
                image.short, MISSING, False, f"There is no local image called {image.short}.",
                hints.hint("image_missing", ref=image.short))
    return list(results.values())
