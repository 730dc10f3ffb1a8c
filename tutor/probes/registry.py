"""Is an image on its registry, and who can pull it? The Registry HTTP API v2, over httpx.

For each image the manifest is HEADed (HEAD does not count against Docker Hub's pull
limit) with the full Accept list, first anonymously and then, only when the registry
wants to know who is asking, with the credentials docker has stored. Authentication
follows the registry's own ``WWW-Authenticate`` challenge: Basic, or Bearer with a token
from the challenge's realm for its service and the repository's pull scope; no token
service address is built in.

Outcomes (``ImageResult.outcome``): ``public``, ``private``, ``missing-tag``,
``missing-or-private``, ``unreachable``, ``rate-limited``, ``error``, ``stale`` (the
registry's image is not the local one), ``invalid-reference``.
"""

from __future__ import annotations

import base64
import email.utils
import ipaddress
import re
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tutor import __version__, hints, reference
from tutor.docker_ops.docker_config import CredentialError, Credentials, lookup_async
from tutor.probes.results import ImageResult

if TYPE_CHECKING:
    import httpx

    from tutor.probes.local import LocalImage

PUBLIC = "public"
PRIVATE = "private"
MISSING_TAG = "missing-tag"
MISSING_OR_PRIVATE = "missing-or-private"
UNREACHABLE = "unreachable"
RATE_LIMITED = "rate-limited"
ERROR = "error"
STALE = "stale"
INVALID = "invalid-reference"
FOUND = frozenset({PUBLIC, PRIVATE})

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
# Without the list types a registry may answer 404 for a multi-platform image.
ACCEPT = ", ".join((DOCKER_MANIFEST, DOCKER_LIST, OCI_MANIFEST, OCI_INDEX))
INDEX_TYPES = frozenset({DOCKER_LIST, OCI_INDEX})

DEFAULT_TIMEOUT = 15.0
USER_AGENT = f"docker-tutor/{__version__}"


class _Auto:
    def __repr__(self) -> str:
        return "AUTO"


# Pass as ``credentials=`` to read docker's stored credentials only when the registry asks.
AUTO: Any = _Auto()


# --- small pure helpers --------------------------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    scheme: str  # "basic", "bearer", or "" when there was none
    params: dict[str, str] = field(default_factory=dict)


_PARAM = re.compile(r'([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def parse_challenge(header: str | None) -> Challenge:
    """``Bearer realm="https://auth/token",service="reg",scope="repository:a/b:pull"`` -> Challenge."""
    text = (header or "").strip()
    if not text:
        return Challenge("")
    scheme, _, rest = text.partition(" ")
    params = {}
    for match in _PARAM.finditer(rest):
        value = match.group(2) if match.group(2) is not None else match.group(3)
        params[match.group(1).lower()] = value.replace('\\"', '"')
    return Challenge(scheme.lower(), params)


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


# --- one registry's API, answering its challenges -------------------------------------------


@dataclass
class Answer:
    status: int
    response: httpx.Response | None
    stage: str = "registry"  # "registry", or "token" when the token service answered
    scheme: str = ""  # the challenge scheme that was answered ("" when none was needed)
    headers: dict[str, str] = field(default_factory=dict)  # what got this answer, to reuse

    def header(self, name: str) -> str | None:
        return self.response.headers.get(name) if self.response is not None else None


class RegistryApi:
    """Calls to one registry with one httpx client; tokens are reused within the object's life."""

    def __init__(self, http: httpx.AsyncClient, tokens: dict | None = None) -> None:
        self.http = http
        # Pass one dict to share between the probes of one run (a check, or one learner of a roster):
        # (realm, service, scope, who) -> token; ("head", url, accept, who) -> the task asking that
        # HEAD (two items about one image ask it once).
        self._tokens: dict[tuple, Any] = {} if tokens is None else tokens
        try:  # origin -> its bearer challenge, for the client's life (a roster's learners share one)
            self._challenges: dict[str, Challenge] = _CHALLENGES.setdefault(http, {})
        except TypeError:
            self._challenges = {}

    async def call(self, method: str, url: str, credentials: Credentials | None, scope: str,
                   accept: str = ACCEPT) -> Answer:
        if method != "HEAD":
            return await self._call(method, url, credentials, scope, accept)
        import asyncio

        who = "" if credentials is None else f"{credentials.source}:{credentials.username}"
        key = ("head", url, accept, who)
        asked = self._tokens.get(key)
        if asked is None or (asked.done() and (asked.cancelled() or asked.exception() is not None)):
            asked = self._tokens[key] = asyncio.ensure_future(self._call(method, url, credentials, scope, accept))
            asked.add_done_callback(lambda task: task.cancelled() or task.exception())  # read, never "unretrieved"
        # shield: one probe cancelled (its item timed out) leaves the answer for the other one.
        return await asyncio.shield(asked)

    async def _call(self, method: str, url: str, credentials: Credentials | None, scope: str,
                    accept: str) -> Answer:
        headers = {"Accept": accept}
        origin = url.split("/v2/", 1)[0]
        known = self._challenges.get(origin)
        if known is not None:
            # This registry asked for a bearer token before: ask for the token first and save
            # the round trip that would only fetch the same challenge again.
            token = await self.token(known, scope, credentials)
            if not isinstance(token, Answer):
                headers["Authorization"] = f"Bearer {token}"
                answer = await self.http.request(method, url, headers=headers)
                challenge = parse_challenge(answer.headers.get("WWW-Authenticate"))
                if answer.status_code != 401 or challenge.scheme == "bearer":
                    return Answer(answer.status_code, answer, scheme="bearer", headers=headers)
                headers.pop("Authorization")
            # The token service said no, or the registry changed its mind: follow it from scratch.
            self._challenges.pop(origin, None)
        first = await self.http.request(method, url, headers=headers)
        if first.status_code != 401:
            return Answer(first.status_code, first, headers=headers)
        challenge = parse_challenge(first.headers.get("WWW-Authenticate"))
        if challenge.scheme == "bearer":
            self._challenges[origin] = Challenge("bearer", {k: v for k, v in challenge.params.items()
                                                            if k in ("realm", "service")})
        if challenge.scheme == "basic":
            if credentials is None or credentials.identity_token:
                return Answer(401, first, scheme="basic", headers=headers)
            pair = f"{credentials.username}:{credentials.secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        elif challenge.scheme == "bearer":
            token = await self.token(challenge, scope, credentials)
            if isinstance(token, Answer):
                return token
            headers["Authorization"] = f"Bearer {token}"
        else:
            return Answer(401, first, scheme=challenge.scheme, headers=headers)
        second = await self.http.request(method, url, headers=headers)
        return Answer(second.status_code, second, scheme=challenge.scheme, headers=headers)

    async def token(self, challenge: Challenge, scope: str, credentials: Credentials | None) -> str | Answer:
        """A bearer token from the challenge's realm, or the token service's failing Answer."""
        realm = challenge.params.get("realm", "")
        if not realm.startswith(("https://", "http://")):
            return Answer(401, None, stage="token", scheme="bearer")
        service = challenge.params.get("service", "")
        scope = scope or challenge.params.get("scope", "")
        if credentials is not None and realm.startswith("http://") and not is_loopback(_url_host(realm)):
            credentials = None  # never send a password over plain HTTP to another machine
        who = "" if credentials is None else f"{credentials.source}:{credentials.username}"
        key = (realm, service, scope, who)
        if key in self._tokens:
            return self._tokens[key]
        if credentials is not None and credentials.identity_token:
            form = {"grant_type": "refresh_token", "refresh_token": credentials.secret, "client_id": "docker-tutor"}
            form.update({k: v for k, v in (("service", service), ("scope", scope)) if v})
            answer = await self.http.post(realm, data=form)
        else:
            params = [(k, v) for k, v in (("service", service), ("scope", scope)) if v]
            auth = (credentials.username, credentials.secret) if credentials is not None else None
            answer = await self.http.get(realm, params=params, auth=auth)
        if answer.status_code != 200:
            return Answer(answer.status_code, answer, stage="token", scheme="bearer")
        try:
            body = answer.json()
            token = str(body.get("token") or body.get("access_token") or "")
        except (ValueError, AttributeError):
            token = ""
        if not token:
            return Answer(502, answer, stage="token", scheme="bearer")
        self._tokens[key] = token
        return token

    async def json(self, url: str, credentials: Credentials | None, scope: str, accept: str = ACCEPT) -> Any:
        answer = await self.call("GET", url, credentials, scope, accept)
        if answer.status != 200 or answer.response is None:
            raise LookupError(f"GET {url} answered {answer.status}")
        return answer.response.json()


_CHALLENGES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _url_host(url: str) -> str:
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


# --- the probe --------------------------------------------------------------------------------


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
        return ImageResult(str(ref), INVALID, False, f"{err}.",
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
    except httpx.TimeoutException as exc:
        return probe.unreachable(f"no answer within {timeout:.0f} seconds ({type(exc).__name__})")
    except httpx.HTTPError as exc:
        return probe.unreachable(_transport_detail(exc))


def _transport_detail(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


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

    def result(self, outcome: str, reason: str, hint: hints.Hint | None = None,
               retry_after: float | None = None, **evidence: Any) -> ImageResult:
        self.evidence.update(evidence)
        return ImageResult(self.short, outcome, outcome in FOUND, reason, hint, dict(self.evidence), retry_after)

    def unreachable(self, detail: str) -> ImageResult:
        return self.result(UNREACHABLE, f"The tutor could not reach {self.label} ({detail}).",
                           hints.from_registry(UNREACHABLE, detail=detail, **self._facts()), error=detail)

    async def visibility(self) -> ImageResult:
        url, scope = manifest_url(self.image), pull_scope(self.image)
        anonymous = await self.api.call("HEAD", url, None, scope)
        self.evidence["anonymous_status"] = anonymous.status
        if anonymous.status == 200:
            return self.found(PUBLIC, anonymous)
        if anonymous.status == 404:
            return self.missing()
        if anonymous.status == 429:
            return self.rate_limited(anonymous)
        if anonymous.status not in (401, 403):
            return await self.error(anonymous, None)
        credentials, problem = await stored_credentials(self.image, self.credentials)
        if credentials is None:
            why = "no credentials are stored" if problem is None else f"the stored credentials are unusable ({problem})"
            hint = (hints.hint("credential_helper_broken", detail=str(problem)) if problem is not None
                    else hints.from_registry(MISSING_OR_PRIVATE, **self._facts()))
            return self.result(
                MISSING_OR_PRIVATE,
                f"{self.label} does not show {self.short} to anonymous visitors, and {why} to tell whether it is "
                "private or missing.", hint, credentials="none" if problem is None else "unusable")
        self.evidence.update(credentials_from=credentials.source, username=credentials.username or None)
        known = await self.api.call("HEAD", url, credentials, scope)
        self.evidence["authenticated_status"] = known.status
        if known.status == 200:
            self.used = credentials
            return self.found(PRIVATE, known)
        if known.status == 404:
            return self.missing()
        if known.status == 429:
            return self.rate_limited(known)
        if known.status in (401, 403) and (known.stage == "token" or known.scheme == "basic"):
            detail = registry_message(known.response)
            return self.result(
                ERROR, f"{self.label} rejected the credentials docker has stored for {credentials.username or 'you'}.",
                hints.from_registry("credentials-rejected", detail=detail, username=credentials.username,
                                    **self._facts()), credentials="rejected")
        if known.status in (401, 403):
            return self.result(
                MISSING_OR_PRIVATE,
                f"{self.label} does not let {credentials.username or 'you'} pull {self.short}: it belongs to someone "
                "else and is private, or it does not exist.",
                hints.from_registry(MISSING_OR_PRIVATE, username=credentials.username, **self._facts()))
        return await self.error(known, credentials)

    def found(self, outcome: str, answer: Answer) -> ImageResult:
        digest = answer.header("Docker-Content-Digest")
        media_type = (answer.header("Content-Type") or "").split(";")[0] or None
        if outcome == PUBLIC:
            reason = f"{self.short} is on {self.label} and public: anyone can pull it."
        else:
            who = f" ({self.used.username})" if self.used is not None and self.used.username else ""
            reason = (f"{self.short} is on {self.label} but private: only logged-in users with access{who} "
                      "can pull it.")
        return self.result(outcome, reason, None, digest=digest, media_type=media_type)

    def missing(self) -> ImageResult:
        return self.result(
            MISSING_TAG, f"{self.label} has no {self.short}: that tag, or the whole repository, was never pushed.",
            hints.from_registry(MISSING_TAG, **self._facts()))

    def rate_limited(self, answer: Answer) -> ImageResult:
        wait = retry_after_seconds(answer.header("Retry-After"))
        when = f"it asks to wait {wait:.0f} seconds" if wait is not None else "it did not say for how long"
        return self.result(RATE_LIMITED, f"{self.label} is rate limiting requests (HTTP 429); {when}.",
                           hints.from_registry(RATE_LIMITED, retry_after=wait, **self._facts()),
                           retry_after=wait, retry_after_seconds=wait)

    async def error(self, answer: Answer, credentials: Credentials | None) -> ImageResult:
        message = registry_message(answer.response)
        if not message and answer.response is not None and answer.response.request.method == "HEAD":
            # HEAD answers carry no body: ask again with GET (same credentials) to read the registry's message.
            retry = await self.api.call("GET", str(answer.response.request.url), credentials, pull_scope(self.image))
            if retry.status == answer.status:
                message = registry_message(retry.response)
        message = message or f"HTTP {answer.status}"
        return self.result(ERROR, f"{self.label} answered HTTP {answer.status}: {message}.",
                           hints.from_registry(ERROR, detail=message, **self._facts()),
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
            STALE, f"{self.short} on {self.label} is not your local image: it was rebuilt or re-tagged after the "
            "push, so the registry still serves the old one.",
            hints.from_registry(STALE, **self._facts()), local="different",
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
    except httpx.TimeoutException:
        return Health(False, problem="no-answer")
    except httpx.HTTPError as exc:
        return Health(False, problem="unreachable", message=_transport_detail(exc))
    return Health(True, answer.status_code, retry_after_seconds(answer.headers.get("Retry-After")),
                  registry_message(answer))
