"""Answering a registry's ``WWW-Authenticate`` challenge: an ``httpx.Auth`` flow and the calls that use it.

A request goes out as it is; a 401 with a ``Basic`` challenge is asked again with docker's stored
username and password, one with a ``Bearer`` challenge with a token from the challenge's realm for
its service and the repository's pull scope (no token service address is built in). Tokens are
reused within one :class:`RegistryApi`'s ``tokens`` dict, and a registry that asked for a bearer
token once is sent the token straight away next time. The probes of one run that name several
repositories of a registry (:func:`share_scopes`) ask one token for all their pull scopes, once:
a flow that needs a token another flow is already asking for waits for that answer. httpx is
imported lazily, so the flow's ``httpx.Auth`` class is made the first time a call needs it.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import re
import urllib.parse
import weakref
from collections.abc import AsyncGenerator, Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tutor.docker_ops.docker_config import Credentials
from tutor.probes.registry_http import ACCEPT, is_loopback, url_host

if TYPE_CHECKING:
    import httpx


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



@dataclass
class Answer:
    status: int
    response: httpx.Response | None
    stage: str = "registry"  # "registry", or "token" when the token service answered
    scheme: str = ""  # the challenge scheme that was answered ("" when none was needed)

    def header(self, name: str) -> str | None:
        return self.response.headers.get(name) if self.response is not None else None


def share_scopes(tokens: dict[tuple, Any], origin: str, scopes: Iterable[str]) -> None:
    """Say that the probes sharing ``tokens`` will want these scopes of ``origin`` (``http://host:port``):
    the first token asked there covers all of them (one request instead of one per repository)."""
    key = ("scopes", origin)
    tokens[key] = tuple(dict.fromkeys((*tokens.get(key, ()), *scopes)))


@dataclass
class TokenAsk:
    """A token request the flow hands to its driver instead of sending it: flows of one run that
    want the same token share one request (``keys``: the cache keys it answers, one per scope)."""

    keys: list[tuple]
    # Makes the request; called only when no flow has asked for this token yet (the flows that
    # find it under way do not build a request of their own: its URL, with a roster group's
    # scopes, is most of the cost of a request).
    build: Callable[[], httpx.Request]


class ChallengeFlow:
    """One registry request and the answers to its challenge (the body of an ``httpx.Auth`` flow).

    ``answer`` holds what the registry, or its token service when that said no, answered last.
    The flow's steps are a generator of requests (and of :class:`TokenAsk`); ``async_auth_flow``
    drives it for an async httpx client, the only kind the probes use.
    """

    def __init__(self, http: httpx.AsyncClient, credentials: Credentials | None, scope: str,
                 tokens: dict[tuple, Any], challenges: dict[str, Challenge]) -> None:
        self.http = http
        self.credentials = credentials
        self.scope = scope
        self.tokens = tokens
        self.challenges = challenges
        self.answer: Answer | None = None

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        steps = self.steps(request)
        step = next(steps)
        while True:
            if isinstance(step, TokenAsk):
                reply: Any = await self.shared_token(step)
            else:
                reply = yield step
                await reply.aread()  # a 401's challenge is read before the next step
            try:
                step = steps.send(reply)
            except StopIteration:
                return

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise TypeError("the registry auth flow needs an httpx.AsyncClient")

    async def shared_token(self, ask: TokenAsk) -> str | Answer:
        """The token for ``ask``, from the request already under way for it or from a new one."""
        asked = self.tokens.get(ask.keys[0])
        if isinstance(asked, str):
            return asked
        if not isinstance(asked, asyncio.Future):
            asked = asyncio.ensure_future(self.fetch_token(ask.build()))
            for key in ask.keys:
                if not isinstance(self.tokens.get(key), str):
                    self.tokens[key] = asked
            asked.add_done_callback(functools.partial(_keep_token, self.tokens, ask.keys))
        # shield: one probe cancelled (its item timed out) leaves the token for the others.
        return await asyncio.shield(asked)

    async def fetch_token(self, ask: httpx.Request) -> str | Answer:
        answer = await self.http.send(ask)
        if answer.status_code != 200:
            return Answer(answer.status_code, answer, stage="token", scheme="bearer")
        try:
            body = answer.json()
            token = str(body.get("token") or body.get("access_token") or "")
        except (ValueError, AttributeError):
            token = ""
        if not token:
            return Answer(502, answer, stage="token", scheme="bearer")
        return token

    def steps(self, request: httpx.Request) -> Generator[httpx.Request | TokenAsk, Any, None]:
        origin = str(request.url).split("/v2/", 1)[0]
        known = self.challenges.get(origin)
        if known is not None:
            # This registry asked for a bearer token before: ask for the token first and save
            # the round trip that would only fetch the same challenge again.
            token = yield from self.token(known, origin)
            if isinstance(token, str):
                request.headers["Authorization"] = f"Bearer {token}"
                answer = yield request
                challenge = parse_challenge(answer.headers.get("WWW-Authenticate"))
                if answer.status_code != 401 or challenge.scheme == "bearer":
                    self.answer = Answer(answer.status_code, answer, scheme="bearer")
                    return
                del request.headers["Authorization"]
            # The token service said no, or the registry changed its mind: follow it from scratch.
            self.challenges.pop(origin, None)
        first = yield request
        self.answer = Answer(first.status_code, first)
        if first.status_code != 401:
            return
        challenge = parse_challenge(first.headers.get("WWW-Authenticate"))
        self.answer.scheme = challenge.scheme
        if challenge.scheme == "bearer":
            self.challenges[origin] = Challenge("bearer", {k: v for k, v in challenge.params.items()
                                                           if k in ("realm", "service")})
        credentials = self.credentials
        if challenge.scheme == "basic":
            if credentials is None or credentials.identity_token:
                return
            request.headers["Authorization"] = _basic(credentials.username, credentials.secret)
        elif challenge.scheme == "bearer":
            token = yield from self.token(challenge, origin)
            if isinstance(token, Answer):
                self.answer = token
                return
            request.headers["Authorization"] = f"Bearer {token}"
        else:
            return
        second = yield request
        self.answer = Answer(second.status_code, second, scheme=challenge.scheme)

    def token(self, challenge: Challenge, origin: str) -> Generator[TokenAsk, Any, str | Answer]:
        """A bearer token from the challenge's realm, or the token service's failing Answer."""
        realm = challenge.params.get("realm", "")
        if not realm.startswith(("https://", "http://")):
            return Answer(401, None, stage="token", scheme="bearer")
        service = challenge.params.get("service", "")
        scope = self.scope or challenge.params.get("scope", "")
        credentials = self.credentials
        if credentials is not None and realm.startswith("http://") and not is_loopback(url_host(realm)):
            credentials = None  # never send a password over plain HTTP to another machine
        who = "" if credentials is None else f"{credentials.source}:{credentials.username}"
        found = self.tokens.get((realm, service, scope, who))
        if isinstance(found, str):
            return found
        together = self.tokens.get(("scopes", origin), ())
        scopes = [scope, *(s for s in together if s != scope)] if scope in together else [scope] if scope else []
        answer = yield TokenAsk([(realm, service, one, who) for one in scopes or [scope]],
                                functools.partial(self.token_request, realm, service, scopes, credentials))
        return answer

    def token_request(self, realm: str, service: str, scopes: list[str],
                      credentials: Credentials | None) -> httpx.Request:
        if credentials is not None and credentials.identity_token:
            form = {"grant_type": "refresh_token", "refresh_token": credentials.secret, "client_id": "docker-tutor"}
            form.update({k: v for k, v in (("service", service), ("scope", " ".join(scopes))) if v})
            return self.http.build_request("POST", realm, data=form)
        params: dict[str, str | list[str]] = {"service": service} if service else {}
        if scopes:
            params["scope"] = scopes  # repeated: ?scope=a&scope=b, as docker asks for several
        headers = {} if credentials is None else {"Authorization": _basic(credentials.username, credentials.secret)}
        # The query made here, not by httpx's params: httpx checks every character of the query
        # once per copy of the URL it makes, which for a roster group's 16 scopes cost more than
        # the request itself.
        query = urllib.parse.urlencode(params, doseq=True)
        url = f"{realm}{'&' if '?' in realm else '?'}{query}" if query else realm
        return self.http.build_request("GET", url, headers=headers)


def _keep_token(tokens: dict[tuple, Any], keys: list[tuple], asked: asyncio.Future) -> None:
    """A token is kept for the run's later requests; a failed ask is forgotten (the next one tries again)."""
    token = None if asked.cancelled() or asked.exception() is not None else asked.result()
    for key in keys:
        if tokens.get(key) is asked:
            if isinstance(token, str):
                tokens[key] = token
            else:
                del tokens[key]


def _basic(username: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{secret}".encode()).decode()


@functools.cache
def _auth_class() -> type:
    """``ChallengeFlow`` as an ``httpx.Auth`` (made on first use: httpx is imported lazily)."""
    import httpx

    return type("RegistryAuth", (ChallengeFlow, httpx.Auth), {})


class RegistryApi:
    """Calls to one registry with one httpx client; tokens are reused within the object's life."""

    def __init__(self, http: httpx.AsyncClient, tokens: dict | None = None) -> None:
        self.http = http
        # Pass one dict to share between the probes of one run (a check, or one learner of a roster):
        # (realm, service, scope, who) -> token, or the task asking it; ("head", url, accept, who) ->
        # the task asking that HEAD (two items about one image ask it once); ("scopes", origin) ->
        # the pull scopes one token there should cover (share_scopes).
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
        flow = _auth_class()(self.http, credentials, scope, self._tokens, self._challenges)
        response = await self.http.send(self.http.build_request(method, url, headers={"Accept": accept}), auth=flow)
        return flow.answer or Answer(response.status_code, response)

    async def learn_challenge(self, origin: str) -> str:
        """Ask ``origin`` (``http://host:port``) who it wants us to be, with one anonymous ``GET /v2/``,
        and keep a bearer challenge for the client's later calls: their first request then carries
        a token instead of meeting the challenge itself (a roster's first learners, all at once).
        The challenge's scheme ("" when there was none, or no answer: each call then finds out)."""
        import httpx

        try:
            response = await self.http.get(f"{origin}/v2/")
        except httpx.HTTPError:
            return ""
        if response.status_code != 401:
            return ""
        challenge = parse_challenge(response.headers.get("WWW-Authenticate"))
        if challenge.scheme == "bearer" and challenge.params.get("realm"):
            self._challenges[origin] = Challenge("bearer", {k: v for k, v in challenge.params.items()
                                                           if k in ("realm", "service")})
        return challenge.scheme

    async def json(self, url: str, credentials: Credentials | None, scope: str, accept: str = ACCEPT) -> Any:
        answer = await self.call("GET", url, credentials, scope, accept)
        if answer.status != 200 or answer.response is None:
            raise LookupError(f"GET {url} answered {answer.status}")
        return answer.response.json()


_CHALLENGES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
