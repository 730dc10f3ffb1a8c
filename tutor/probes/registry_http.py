"""The Registry HTTP API v2's small pieces: media types, addresses, scopes, Retry-After, error bodies.

Pure helpers (no I/O but :func:`http_client`, which opens an httpx client, imported lazily), shared
by the image probe (:mod:`tutor.probes.registry`), the challenge flow (:mod:`tutor.probes.registry_auth`)
and the pre-flight checks.
"""

from __future__ import annotations

import email.utils
import ipaddress
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from tutor import __version__, reference

if TYPE_CHECKING:
    import httpx

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
# Without the list types a registry may answer 404 for a multi-platform image.
ACCEPT = ", ".join((DOCKER_MANIFEST, DOCKER_LIST, OCI_MANIFEST, OCI_INDEX))
INDEX_TYPES = frozenset({DOCKER_LIST, OCI_INDEX})

DEFAULT_TIMEOUT = 15.0
USER_AGENT = f"docker-tutor/{__version__}"


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and localhost: registries docker talks plain HTTP to without configuration."""
    name = host.strip()
    if name.startswith("["):
        name = name[1:].split("]", 1)[0]
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def api_base(registry_host: str) -> str:
    return f"{'http' if is_loopback(registry_host) else 'https'}://{registry_host}"


def registry_label(image: reference.ImageRef) -> str:
    return "Docker Hub" if image.is_docker_hub else image.registry


def pull_scope(image: reference.ImageRef) -> str:
    return f"repository:{image.path}:pull"


def manifest_url(image: reference.ImageRef, ref: str | None = None) -> str:
    return f"{api_base(image.api_registry)}/v2/{image.path}/manifests/{ref or image.digest or image.tag}"


def registry_message(response: httpx.Response | None) -> str:
    """The registry's own words from an error body (``errors[0].message``), if it sent any."""
    if response is None:
        return ""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip() if response.content else ""
        return text[:200]
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            return " ".join(str(part) for part in (first.get("code"), first.get("message")) if part)
        for key in ("details", "error_description", "error", "message"):
            if body.get(key):
                return str(body[key])[:200]
    return ""


def url_host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


@asynccontextmanager
async def http_client(http: httpx.AsyncClient | None = None,
                      timeout: float = DEFAULT_TIMEOUT) -> AsyncIterator[httpx.AsyncClient]:
    """The given client, or a new one closed afterwards."""
    if http is not None:
        yield http
        return
    import httpx

    async with httpx.AsyncClient(timeout=httpx.Timeout(timeout), follow_redirects=True,
                                 headers={"User-Agent": USER_AGENT}) as client:
        yield client


def transport_detail(exc: Exception) -> str:
    """The first line of an httpx transport error, for a hint's detail."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
