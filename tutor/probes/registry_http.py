"""The Registry HTTP API v2's small pieces: media types, addresses, scopes, Retry-After, error bodies.

Pure helpers (no I/O but :func:`http_client` and :func:`new_client`, which open an httpx client,
imported lazily), shared by the image probe (:mod:`tutor.probes.registry`), the challenge flow
(:mod:`tutor.probes.registry_auth`), the roster and the pre-flight checks.
"""

from __future__ import annotations

import email.utils
import functools
import ipaddress
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from tutor import __version__, reference

if TYPE_CHECKING:
    import ssl

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


@functools.lru_cache(maxsize=256)  # asked for every request's address
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
    async with new_client(timeout) as client:
        yield client


def new_client(timeout: float = DEFAULT_TIMEOUT, transport: httpx.AsyncBaseTransport | None = None,
               per_origin: int = 10) -> httpx.AsyncClient:
    """A client for registries and their token services: the process's one TLS context, no cookie
    jar, and a small connection pool per origin (``transport`` replaces the pools)."""
    import httpx

    return _client_class()(timeout=httpx.Timeout(timeout), follow_redirects=True,
                           headers={"User-Agent": USER_AGENT},
                           transport=transport if transport is not None else origin_pools(per_origin))


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for every client of the process: making one loads the CA bundle
    (20-50 ms here), which each new client did again."""
    import httpx

    return httpx.create_ssl_context()


POOL_SIZE = 4  # connections in one httpcore pool: it looks at each of them, pairwise, for every request


def origin_pools(per_origin: int) -> httpx.AsyncBaseTransport:
    """A transport that keeps up to ``per_origin`` connections alive to each origin (a registry and
    its token service each have their own), in pools of ``POOL_SIZE``: a request goes to the pool
    of its origin with the fewest requests under way. One httpcore pool of many connections costs
    CPU on every request (it checks every idle connection against all the others), and one pool
    for both origins made them close each other's idle connections when it was full."""
    return _pools_class()(per_origin)


@functools.cache
def _pools_class() -> type:
    import httpx

    class OriginPools(httpx.AsyncBaseTransport):
        def __init__(self, per_origin: int) -> None:
            self.count = -(-max(1, per_origin) // POOL_SIZE)  # pools per origin
            self.limits = httpx.Limits(max_connections=POOL_SIZE, max_keepalive_connections=POOL_SIZE)
            self.pools: dict[tuple[str, str, int | None], list[list[Any]]] = {}  # origin -> [under way, pool]

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            origin = (request.url.scheme, request.url.host, request.url.port)
            pools = self.pools.get(origin)
            if pools is None:
                pools = self.pools[origin] = [[0, httpx.AsyncHTTPTransport(verify=ssl_context(), limits=self.limits)]
                                              for _ in range(self.count)]
            chosen = min(pools, key=lambda pool: pool[0])  # the first of the least busy: few requests share one
            chosen[0] += 1
            try:
                response: httpx.Response = await chosen[1].handle_async_request(request)
                return response
            finally:
                chosen[0] -= 1

        async def aclose(self) -> None:
            for pools in self.pools.values():
                for _, pool in pools:
                    await pool.aclose()

    return OriginPools


@functools.cache
def _client_class() -> type:
    """An ``httpx.AsyncClient`` without cookies: registries need none, and httpx otherwise wraps
    every answer in urllib's request and response types to look for some."""
    import httpx

    class NoCookies(httpx.Cookies):
        def extract_cookies(self, response: httpx.Response) -> None:
            return None

    nothing = NoCookies()

    class CookielessClient(httpx.AsyncClient):
        @property
        def cookies(self) -> httpx.Cookies:
            return nothing

        @cookies.setter
        def cookies(self, value: object) -> None:
            raise TypeError("registry clients keep no cookies")

    return CookielessClient


def dns_name(registry: str) -> str:
    """The name looked up to reach ``registry`` (docker.io, or host[:port] as written): its host, without a port."""
    host = reference.DOCKER_HUB_API if reference.is_hub(registry) else reference.hostname(registry)
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def transport_detail(exc: Exception) -> str:
    """The first line of an httpx transport error, for a hint's detail."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
