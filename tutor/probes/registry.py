"""Is an image on its registry, and who can pull it? The Registry HTTP API v2, over httpx.

For each image the manifest is HEADed (HEAD does not count against Docker Hub's pull
limit) with the full Accept list, first anonymously and then, only when the registry
wants to know who is asking, with the credentials docker has stored. Authentication
follows the registry's own ``WWW-Authenticate`` challenge (:mod:`tutor.probes.registry_auth`).

Outcomes (``ImageResult.outcome``) are :class:`tutor.states.RegistryOutcome`: ``public``,
``private``, ``missing-tag``, ``missing-or-private``, ``unreachable``, ``rate-limited``,
``error``, ``stale`` (the registry's image is not the local one), ``invalid-reference``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tutor import hints, reference
from tutor.docker_ops.docker_config import CredentialError, Credentials, lookup_async
# Some are imported for callers only (runner, roster, docker_ops, doctor, tests), which import them from here.
from tutor.probes.registry_auth import Answer, RegistryApi, parse_challenge, share_scopes  # noqa: F401
from tutor.probes.registry_http import (  # noqa: F401
    ACCEPT, DEFAULT_TIMEOUT, INDEX_TYPES, USER_AGENT, api_base, dns_name, http_client, is_loopback, manifest_url, new_client,
    origin_pools, pull_scope, registry_label, registry_message, retry_after_seconds, transport_detail,
)
from tutor.probes.results import ImageResult
from tutor.states import RegistryOutcome

if TYPE_CHECKING:
    import httpx

    from tutor.probes.local import LocalImage

FOUND = frozenset({RegistryOutcome.PUBLIC, RegistryOutcome.PRIVATE})




class _Auto:
    def __repr__(self) -> str:
        return "AUTO"


# Pass as ``credentials=`` to read docker's stored credentials only when the registry asks.
AUTO: Any = _Auto()



# --- the probe --------------------------------------------------------------------------------


def share_token_scopes(tokens: dict, refs: Iterable[str]) -> None:
    """Probes sharing ``tokens`` that look at several repositories of one registry ask one token
    for all their pull scopes (a learner's two images: one token request, not two)."""
    scopes: dict[str, list[str]] = {}
    for ref in refs:
        try:
            image = reference.parse(ref)
        except reference.ImageNameError:
            continue
        scopes.setdefault(api_base(image.api_registry), []).append(pull_scope(image))
    for origin, wanted in scopes.items():
        if len(set(wanted)) > 1:
            share_scopes(tokens, origin, wanted)


async def stored_credentials(image: reference.ImageRef, credentials: Any = AUTO
                             ) -> tuple[Credentials | None, CredentialError | None]:
    if credentials is not AUTO:
        return credentials, None
    try:
        found, problem = await lookup_async(image.registry), None
    except CredentialError as err:
        found, problem = None, err
    return (found or _session_login(image.registry)), (problem if found is None else None)


def _session_login(registry: str) -> Credentials | None:
    """A login the tutor made in this process without a docker CLI to store it (docker_ops keeps it)."""
    try:
        from tutor.docker_ops.credentials import session_auth

        auth = session_auth(registry)
    except (ImportError, AttributeError):
        return None
    if not auth or not auth.get("username") or not auth.get("password"):
        return None
    return Credentials(auth["username"], auth["password"], "this session's login")


async def probe_image(ref: str | reference.ImageRef, *, http: httpx.AsyncClient | None = None,
                      timeout: float = DEFAULT_TIMEOUT, credentials: Any = AUTO,
                      local: LocalImage | None = None, tokens: dict | None = None) -> ImageResult:
    """Where ``ref`` stands on its registry; with ``local``, also whether it is that local image.

    ``tokens``: a dict shared by the probes of one run, so each bearer token is fetched once.
    """
    try:
        image = ref if isinstance(ref, reference.ImageRef) else reference.parse(ref)
    except reference.ImageNameError as err:
        return ImageResult(str(ref), RegistryOutcome.INVALID, False, f"{err}.",
                           hints.hint("invalid_reference", message=str(err)), {"rule": err.rule})
    import httpx

    probe = _ImageProbe(image, credentials)
    try:
        async with http_client(http, timeout) as client:
            probe.api = RegistryApi(client, tokens)
            result = await probe.visibility()
            if local is not None and result.outcome in FOUND:
                result = await probe.compare_local(result, local)
            return result
    except httpx.HTTPError as exc:  # timeouts too: the hint says which way it failed
        return probe.unreachable(exc, timeout)




class _ImageProbe:
    def __init__(self, image: reference.ImageRef, credentials: Any) -> None:
        self.image = image
        self.short = image.short
        self.label = registry_label(image)
        self.credentials = credentials
        self.used: Credentials | None = None  # the credentials that got the manifest, if any
        self.api: RegistryApi = None  # type: ignore[assignment]  # set once the client exists
        self.evidence: dict[str, Any] = {"registry": image.api_registry, "reference": image.full}

    def _facts(self, **extra: Any) -> dict[str, Any]:
        return {"ref": self.short, "registry": self.image.registry, "registry_label": self.label, **extra}

    def result(self, outcome: str, reason: str, hint: hints.FailureHint | None = None,
               retry_after: float | None = None, **evidence: Any) -> ImageResult:
        self.evidence.update(evidence)
        return ImageResult(self.short, outcome, outcome in FOUND, reason, hint, dict(self.evidence), retry_after)

    def unreachable(self, exc: Exception, timeout: float) -> ImageResult:
        """The registry could not be asked: refused, silent, no such name ... said in words (the hint's)."""
        detail, problem = transport_detail(exc), hints.transport_problem(exc)
        found = hints.from_registry(RegistryOutcome.UNREACHABLE, detail=detail, problem=problem, seconds=timeout,
                                    host=dns_name(self.image.registry), **self._facts())
        assert found is not None  # an outcome with a hint
        return self.result(RegistryOutcome.UNREACHABLE, found.what, found, error=detail, problem=problem)

    async def visibility(self) -> ImageResult:
        url, scope = manifest_url(self.image), pull_scope(self.image)
        anonymous = await self.api.call("HEAD", url, None, scope)
        self.evidence["anonymous_status"] = anonymous.status
        if anonymous.status == 200:
            return self.found(RegistryOutcome.PUBLIC, anonymous)
        if anonymous.status == 404:
            return self.missing()
        if anonymous.status == 429:
            return self.rate_limited(anonymous)
        if anonymous.status not in (401, 403):
            return await self.error(anonymous, None)
        self.evidence["anonymous_access"] = await self.anonymous_access(anonymous)
        credentials, problem = await stored_credentials(self.image, self.credentials)
        if credentials is None:
            why = "no credentials are stored" if problem is None else f"the stored credentials are unusable ({problem})"
            hint = (hints.hint("credential_helper_broken", detail=str(problem)) if problem is not None
                    else hints.from_registry(RegistryOutcome.MISSING_OR_PRIVATE, **self._facts()))
            return self.result(
                RegistryOutcome.MISSING_OR_PRIVATE,
                f"{self.label} does not show {self.short} to anonymous visitors, and {why} to tell whether it is "
                "private or missing.", hint, credentials="none" if problem is None else "unusable")
        self.evidence.update(credentials_from=credentials.source, username=credentials.username or None)
        known = await self.api.call("HEAD", url, credentials, scope)
        self.evidence["authenticated_status"] = known.status
        if known.status == 200:
            self.used = credentials
            return self.found(RegistryOutcome.PRIVATE, known)
        if known.status == 404:
            return self.missing()
        if known.status == 429:
            return self.rate_limited(known)
        if known.status in (401, 403) and (known.stage == "token" or known.scheme == "basic"):
            detail = registry_message(known.response)
            return self.result(
                RegistryOutcome.ERROR,
                f"{self.label} rejected the credentials docker has stored for {credentials.username or 'you'}.",
                hints.from_registry("credentials-rejected", detail=detail, username=credentials.username,
                                    **self._facts()), credentials="rejected")
        if known.status in (401, 403):
            return self.result(
                RegistryOutcome.MISSING_OR_PRIVATE,
                f"{self.label} does not let {credentials.username or 'you'} pull {self.short}: it belongs to someone "
                "else and is private, or it does not exist.",
                hints.from_registry(RegistryOutcome.MISSING_OR_PRIVATE, username=credentials.username, **self._facts()))
        return await self.error(known, credentials)

    async def anonymous_access(self, anonymous: Answer) -> str:
        """``none`` when the registry lets nobody in without logging in, so that no repository there can be
        public: it asks for a password at ``/v2/`` itself (htpasswd), or its token service hands anonymous
        users no token even without a scope. Else ``some``: private and public repositories may both exist
        (Docker Hub answers a private and a missing one alike, and gives anonymous tokens)."""
        if anonymous.scheme == "basic":
            root = await self.api.call("GET", f"{api_base(self.image.api_registry)}/v2/", None, "")
            return "none" if root.status == 401 and root.scheme == "basic" else "some"
        if anonymous.stage == "token" and anonymous.response is not None:
            bare = anonymous.response.request.url.copy_remove_param("scope")
            answer = await self.api.http.get(bare)
            return "none" if answer.status_code in (401, 403) else "some"
        return "some"

    def found(self, outcome: str, answer: Answer) -> ImageResult:
        digest = answer.header("Docker-Content-Digest")
        media_type = (answer.header("Content-Type") or "").split(";")[0] or None
        if outcome == RegistryOutcome.PUBLIC:
            reason = f"{self.short} is on {self.label} and public: anyone can pull it."
        else:
            who = f" ({self.used.username})" if self.used is not None and self.used.username else ""
            reason = (f"{self.short} is on {self.label} but private: only logged-in users with access{who} "
                      "can pull it.")
        return self.result(outcome, reason, None, digest=digest, media_type=media_type)

    def missing(self) -> ImageResult:
        return self.result(
            RegistryOutcome.MISSING_TAG,
            f"{self.label} has no {self.short}: that tag, or the whole repository, was never pushed.",
            hints.from_registry(RegistryOutcome.MISSING_TAG, **self._facts()))

    def rate_limited(self, answer: Answer) -> ImageResult:
        wait = retry_after_seconds(answer.header("Retry-After"))
        when = f"it asks to wait {wait:.0f} seconds" if wait is not None else "it did not say for how long"
        return self.result(RegistryOutcome.RATE_LIMITED, f"{self.label} is rate limiting requests (HTTP 429); {when}.",
                           hints.from_registry(RegistryOutcome.RATE_LIMITED, retry_after=wait, **self._facts()),
                           retry_after=wait, retry_after_seconds=wait)

    async def error(self, answer: Answer, credentials: Credentials | None) -> ImageResult:
        message = registry_message(answer.response)
        if not message and answer.response is not None and answer.response.request.method == "HEAD":
            # HEAD answers carry no body: ask again with GET (same credentials) to read the registry's message.
            retry = await self.api.call("GET", str(answer.response.request.url), credentials, pull_scope(self.image))
            if retry.status == answer.status:
                message = registry_message(retry.response)
        message = message or f"HTTP {answer.status}"
        return self.result(RegistryOutcome.ERROR, f"{self.label} answered HTTP {answer.status}: {message}.",
                           hints.from_registry(RegistryOutcome.ERROR, detail=message, **self._facts()),
                           status=answer.status, message=message)

    async def compare_local(self, found: ImageResult, local: LocalImage) -> ImageResult:
        """``stale`` when the registry's image is not the local one (rebuilt or re-tagged since the push)."""

        def note(**facts: Any) -> None:
            self.evidence.update(facts)
            found.evidence.update(facts)

        digest = found.evidence.get("digest")
        if not local.present or not digest:
            note(local="absent" if not local.present else "no digest to compare")
            return found
        note(local_id=local.id)
        if digest in local.repo_digests_for(self.image):
            note(local="same (pushed from this image)")
            return found
        # The local image was not pushed as this manifest; it is the same only if its config is.
        config = await self.config_digest(digest, local.os, local.architecture)
        note(registry_config_digest=config)
        if config == local.id:
            note(local="same (identical build)")
            return found
        return self.result(
            RegistryOutcome.STALE,
            f"{self.short} on {self.label} is not your local image: it was rebuilt or re-tagged after the push, "
            "so the registry still serves the old one.",
            hints.from_registry(RegistryOutcome.STALE, **self._facts()), local="different",
            local_repo_digests=list(local.repo_digests))

    async def config_digest(self, digest: str, os_name: str, architecture: str) -> str | None:
        """The image config digest behind a manifest digest (an index is resolved for the platform)."""
        scope = pull_scope(self.image)
        try:
            doc = await self.api.json(manifest_url(self.image, digest), self.used, scope)
            if doc.get("mediaType") in INDEX_TYPES or "manifests" in doc:
                entry = pick_platform(doc.get("manifests") or [], os_name or "linux", architecture or "amd64")
                if entry is None:
                    return None
                doc = await self.api.json(manifest_url(self.image, entry["digest"]), self.used, scope)
            return (doc.get("config") or {}).get("digest")
        except (LookupError, ValueError, AttributeError):
            return None


def pick_platform(entries: list[dict], os_name: str, architecture: str) -> dict | None:
    for entry in entries:
        platform = entry.get("platform") or {}
        if platform.get("os") == os_name and platform.get("architecture") == architecture:
            return entry
    return None


def platforms_of(manifest: dict) -> list[str]:
    """``os/arch[/variant]`` for each entry of an index (attestation entries left out)."""
    found = []
    for entry in manifest.get("manifests") or []:
        platform = entry.get("platform") or {}
        if platform.get("os") in (None, "unknown"):
            continue
        name = f"{platform.get('os')}/{platform.get('architecture')}"
        if platform.get("variant"):
            name += f"/{platform['variant']}"
        found.append(name)
    return found


async def image_platforms(ref: str | reference.ImageRef, *, http: httpx.AsyncClient | None = None,
                          timeout: float = DEFAULT_TIMEOUT, credentials: Any = AUTO) -> list[str]:
    """The platforms an image is built for (``linux/amd64`` ...), from its manifest and config.

    Uses GET (which Docker Hub counts as a pull), so callers ask only when they need it.
    Empty when the registry will not say.
    """
    import httpx

    image = ref if isinstance(ref, reference.ImageRef) else reference.parse(ref)
    scope = pull_scope(image)
    try:
        async with http_client(http, timeout) as client:
            api = RegistryApi(client)
            answer = await api.call("GET", manifest_url(image), None, scope)
            used = None
            if answer.status in (401, 403):
                used, _ = await stored_credentials(image, credentials)
                if used is None:
                    return []
                answer = await api.call("GET", manifest_url(image), used, scope)
            if answer.status != 200 or answer.response is None:
                return []
            doc = answer.response.json()
            if doc.get("mediaType") in INDEX_TYPES or "manifests" in doc:
                return platforms_of(doc)
            config_digest = (doc.get("config") or {}).get("digest")
            if not config_digest:
                return []
            blob = f"{api_base(image.api_registry)}/v2/{image.path}/blobs/{config_digest}"
            config = await api.json(blob, used, scope, accept="application/json, */*")
    except (httpx.HTTPError, LookupError, ValueError, AttributeError):
        return []
    name = f"{config.get('os', 'linux')}/{config.get('architecture', 'unknown')}"
    return [name + (f"/{config['variant']}" if config.get("variant") else "")]


# --- is the registry answering at all? (for docker actions that stalled or keep retrying) -------


@dataclass(frozen=True)
class Health:
    """How a registry answered one plain ``GET /v2/`` (401 counts as answering: it asks who we are)."""

    answered: bool
    status: int | None = None
    retry_after: float | None = None
    message: str = ""
    problem: str = ""  # "" when it answered; "no-answer" or "unreachable" when it did not
    cause: str = ""  # how it did not: hints.transport_problem's word (refused, name-not-found ...)

    @property
    def failing(self) -> bool:
        """The registry itself answers with an error (5xx) or a rate limit (429)."""
        return self.status is not None and (self.status >= 500 or self.status == 429)


async def registry_health(registry: str, timeout: float = 5.0) -> Health:
    """One anonymous ``GET /v2/`` to ``registry`` (a key such as docker.io or 127.0.0.1:5000), bounded."""
    import httpx

    host = reference.DOCKER_HUB_API if reference.is_hub(registry) else reference.hostname(registry)
    try:
        async with http_client(None, timeout) as client:
            answer = await client.get(f"{api_base(host)}/v2/")
    except httpx.TimeoutException as exc:
        return Health(False, problem="no-answer", cause=hints.transport_problem(exc))
    except httpx.HTTPError as exc:
        return Health(False, problem="unreachable", message=transport_detail(exc), cause=hints.transport_problem(exc))
    return Health(True, answer.status_code, retry_after_seconds(answer.headers.get("Retry-After")),
                  registry_message(answer))
