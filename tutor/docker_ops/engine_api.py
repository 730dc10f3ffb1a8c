"""The few engine calls a push needs, spoken over the engine's unix socket with the standard library.

Importing the docker SDK costs a plain-terminal command more than the push of a small image
(requests, urllib3 and their friends: ~0.4 s here), so ``docker-tutor do push`` talks to a
local engine itself: the API version (asked once per process), an image's inspect, the list
of images, and the push with its JSON progress stream. An engine reached over tcp or ssh
goes through the SDK as before (:class:`SdkEngine`, the same small interface), since TLS and
ssh are the SDK's business.

Failures carry the class names the hints recognise (``tutor.hints.docker``): ``APIError`` and
``ImageNotFound`` when the engine answered with an error, :class:`EngineUnreachable` when it
could not be asked, :class:`EngineLost` when its answer broke off. The registry login sent
with a push (X-Registry-Auth) is only ever in a request header: never logged, never shown.
"""

from __future__ import annotations

import base64
import codecs
import json
import socket
from collections.abc import Callable, Iterator
from typing import Any, Protocol
from urllib.parse import quote, urlencode

from tutor.docker_ops import engine

READ_SIZE = 65536
_VERSIONS: dict[str, str] = {}  # socket path -> the engine's API version, asked once per process


class APIError(Exception):
    """The engine answered a request with an error status (named as the SDK's, for the hints)."""

    def __init__(self, status: int, explanation: str, what: str) -> None:
        super().__init__(f"{status} error from the Docker engine for {what}: {explanation}")
        self.status_code = status
        self.explanation = explanation


class ImageNotFound(APIError):
    """No local image by that name (the engine's 404 "No such image")."""


class EngineUnreachable(ConnectionError):
    """The engine could not be asked at all: no socket, nobody listening, no permission, no answer."""


class EngineLost(ConnectionError):
    """The engine's answer broke off half-way: it was stopped, restarted or crashed."""


class Engine(Protocol):
    """What a push asks of an engine, whichever way it is reached."""

    response_hooks: list[Callable[..., Any]]  # called with what cancelling a stream must shut down

    def inspect_image(self, ref: str) -> dict[str, Any]: ...
    def images(self) -> list[dict[str, Any]]: ...
    def push(self, repository: str, tag: str, auth: dict[str, str] | None) -> Iterator[dict[str, Any]]: ...
    def close(self) -> None: ...


def connect() -> Engine:
    """The engine in ``engine.engine_host()``, its API version known (EngineUnreachable if it cannot be
    asked). A unix socket is spoken to directly; any other host goes through the docker SDK."""
    host = engine.engine_host()
    if host.startswith("unix://"):
        found = UnixEngine(host.removeprefix("unix://"))
        found.version()
        return found
    return SdkEngine(engine.connect(timeout=None))


def encode_auth(auth: dict[str, str]) -> str:
    """The X-Registry-Auth header's value: the login as JSON, base64url (as the docker CLI sends it)."""
    return base64.urlsafe_b64encode(json.dumps(auth).encode()).decode("ascii")


class Response:
    """One HTTP/1.1 answer read off the engine's socket (the standard library's http.client would cost
    a plain-terminal command its email parser): the status, the headers, and the body as it arrives,
    sized (Content-Length), chunked, or up to the close. Broken framing raises EngineLost."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock, self._file = sock, sock.makefile("rb")
        self.status, self.reason = 100, ""
        while 100 <= self.status < 200:  # an informational answer comes before the real one
            version, _, rest = self._line().decode("latin-1").partition(" ")
            code, _, self.reason = rest.strip().partition(" ")
            if not version.startswith("HTTP/") or not code.isdigit():
                raise EngineLost("the engine's answer is not HTTP")
            self.status = int(code)
            self.headers: dict[str, str] = {}
            while (line := self._line()) not in (b"\r\n", b"\n"):
                name, _, value = line.decode("latin-1").partition(":")
                self.headers[name.strip().lower()] = value.strip()
        self._chunked = "chunked" in self.headers.get("transfer-encoding", "").lower()
        length = self.headers.get("content-length", "")
        self._left = int(length) if length.isdigit() and not self._chunked else None  # of a sized body
        self._chunk = 0  # bytes left in the current chunk
        self._done = self.status in (204, 304) or self._left == 0

    def _line(self) -> bytes:
        line = self._file.readline(65537)
        if not line.endswith(b"\n"):
            raise EngineLost("Response ended prematurely, in the middle of a line")
        return line

    def read1(self, size: int = READ_SIZE) -> bytes:
        """Some of the body, at most ``size`` bytes, as soon as any has arrived; b"" at its end."""
        if self._done:
            return b""
        if self._chunked and self._chunk == 0:
            try:
                self._chunk = int(self._line().split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise EngineLost("Connection broken: the engine's answer lost its chunk framing") from None
            if self._chunk == 0:
                while self._line() not in (b"\r\n", b"\n"):
                    pass  # trailers: none that matter here
                self._done = True
                return b""
        want = self._chunk if self._chunked else self._left
        data = self._file.read1(size if want is None else min(size, want))
        if not data:
            if want is not None:
                raise EngineLost("Response ended prematurely: the engine's answer broke off")
            self._done = True  # a body that ends with the connection
        elif self._chunked:
            self._chunk -= len(data)
            if self._chunk == 0 and self._file.read(2) != b"\r\n":
                raise EngineLost("Connection broken: the engine's answer lost its chunk framing")
        elif self._left is not None:
            self._left -= len(data)
            self._done = self._left == 0
        return data

    def read(self) -> bytes:
        """The whole body."""
        parts = []
        while part := self.read1():
            parts.append(part)
        return b"".join(parts)

    def close(self) -> None:
        self._file.close()
        self._sock.close()


class UnixEngine:
    """The engine behind a unix socket, one HTTP connection per request."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.response_hooks: list[Callable[..., Any]] = []

    def _open(self, method: str, target: str, body: bytes | None = None, headers: dict[str, str] | None = None,
              timeout: float | None = engine.CALL_TIMEOUT) -> Response:
        """The engine's response to a request whose status is 2xx; APIError with its message otherwise."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        for hook in list(self.response_hooks):
            hook(sock)  # before connecting, so that a cancel can interrupt even that
        try:
            sock.connect(self.path)
        except OSError as exc:  # no socket there, nobody listening, or not ours to use
            sock.close()
            raise EngineUnreachable(f"Cannot connect to the Docker engine at unix://{self.path}: {exc}") from None
        # One request per connection; the values are ours (a quoted path, base64, JSON's type).
        head = [f"{method} {target} HTTP/1.1", "Host: localhost", "Connection: close", "User-Agent: docker-tutor"]
        head += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body is not None:
            head.append(f"Content-Length: {len(body)}")
        try:
            sock.sendall("\r\n".join(head).encode("latin-1") + b"\r\n\r\n" + (body or b""))
            response = Response(sock)
        except BaseException:
            sock.close()
            raise
        if response.status >= 300:
            try:
                raw = response.read()
            finally:
                response.close()
            raise _api_error(response.status, raw, f"{method} {target.split('?')[0]}", response.reason)
        return response

    def _json(self, method: str, target: str, timeout: float | None = engine.CALL_TIMEOUT) -> Any:
        try:
            response = self._open(method, target, timeout=timeout)
            try:
                return json.loads(response.read())
            finally:
                response.close()
        except (APIError, EngineUnreachable, EngineLost):
            raise
        except (OSError, ValueError) as exc:
            raise EngineLost(f"Response ended prematurely ({type(exc).__name__}: {exc})") from None

    def version(self) -> str:
        """The engine's API version, asked once per process (and per socket); the first request, so
        the one whose failure means the engine cannot be reached at all."""
        known = _VERSIONS.get(self.path)
        if known is None:
            try:
                response = self._open("GET", "/version", timeout=engine.CONNECT_TIMEOUT)
                try:
                    known = str(json.loads(response.read())["ApiVersion"])
                finally:
                    response.close()
            except (APIError, EngineUnreachable):
                raise
            except (OSError, ValueError, KeyError, TypeError) as exc:
                # The SDK's words for the same failure, which the hints (and learners' searches) know.
                raise EngineUnreachable(f"Error while fetching server API version: {exc!r} at {self.path}") \
                    from None
            _VERSIONS[self.path] = known
        return known

    def _path(self, template: str, *names: str, **query: str) -> str:
        target = f"/v{self.version()}" + template.format(*(quote(name, safe="/:") for name in names))
        return f"{target}?{urlencode(query)}" if query else target

    def ping(self, timeout: float) -> bool:
        try:
            response = self._open("GET", "/_ping", timeout=timeout)
            try:
                return response.read().strip() == b"OK"
            finally:
                response.close()
        except (APIError, OSError):
            return False

    def inspect_image(self, ref: str) -> dict[str, Any]:
        return self._json("GET", self._path("/images/{}/json", ref))

    def images(self) -> list[dict[str, Any]]:
        return self._json("GET", self._path("/images/json"))

    def push(self, repository: str, tag: str, auth: dict[str, str] | None) -> Iterator[dict[str, Any]]:
        """The push's progress items as they arrive. No read timeout: the inactivity bound is the
        caller's (``action.follow_layers``), and cancelling shuts the socket down."""
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["X-Registry-Auth"] = encode_auth(auth)
        target = self._path("/images/{}/push", repository, tag=tag)
        try:
            response = self._open("POST", target, body=b"{}", headers=headers, timeout=None)
        except (APIError, EngineUnreachable, EngineLost):  # already said in their own words
            raise
        except OSError as exc:
            raise EngineLost(f"Connection broken before the push's answer ({type(exc).__name__}: {exc})") from None
        return json_items(response)

    def close(self) -> None:
        pass  # every request closes its own connection


def json_items(response: Any, size: int = READ_SIZE) -> Iterator[dict[str, Any]]:
    """The JSON objects of a progress stream (``read1``-able), in order, however the reads cut them.

    An answer that breaks off, in a read or in the middle of an object, raises EngineLost.
    """
    decoder = json.JSONDecoder()
    characters = codecs.getincrementaldecoder("utf-8")(errors="replace")  # a read may cut a character
    text, at = "", 0
    try:
        while True:
            try:
                chunk = response.read1(size)
            except EngineLost:
                raise
            except OSError as exc:
                raise EngineLost(f"Connection broken in the middle of the answer ({type(exc).__name__})") from None
            if not chunk:
                break
            text, at = text[at:] + characters.decode(chunk), 0
            while True:
                while at < len(text) and text[at] in " \t\r\n":
                    at += 1
                if at == len(text):
                    break
                try:
                    item, at = decoder.raw_decode(text, at)
                except ValueError:
                    break  # the rest of this object is still on its way
                if isinstance(item, dict):
                    yield item
        if text[at:].strip() or characters.decode(b"", final=True):
            raise EngineLost("Response ended prematurely, in the middle of a progress message")
    finally:
        response.close()


def _api_error(status: int, raw: bytes, what: str, reason: str = "") -> APIError:
    try:
        said = json.loads(raw).get("message")
    except (ValueError, AttributeError):
        said = None
    explanation = str(said or raw.decode(errors="replace").strip() or reason)
    if status == 404 and "no such image" in explanation.lower():
        return ImageNotFound(status, explanation, what)
    return APIError(status, explanation, what)


class SdkEngine:
    """The same interface over a docker SDK client (an engine on tcp or ssh)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        # The SDK's APIClient is a requests Session: its response hook sees a stream before it is read.
        self.response_hooks: list[Callable[..., Any]] = client.api.hooks["response"]

    def inspect_image(self, ref: str) -> dict[str, Any]:
        return self.client.api.inspect_image(ref)

    def images(self) -> list[dict[str, Any]]:
        return self.client.api.images()

    def push(self, repository: str, tag: str, auth: dict[str, str] | None) -> Iterator[dict[str, Any]]:
        return self.client.api.push(repository, tag=tag, stream=True, decode=True, auth_config=auth)

    def close(self) -> None:
        self.client.close()
