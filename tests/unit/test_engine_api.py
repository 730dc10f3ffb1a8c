"""The engine's push progress stream as read off its socket, however the reads cut it, and what a
broken-off answer becomes (the engine itself is in tests/integration and tests/faults)."""

from __future__ import annotations

import base64
import json
import socket
import threading

import pytest

from tutor import hints
from tutor.docker_ops import engine_api
from tutor.docker_ops.engine_api import EngineLost, EngineUnreachable, Response, json_items

PUSH = [
    {"status": "The push refers to repository [127.0.0.1:5000/learner/poll-backend]"},
    {"status": "Preparing", "progressDetail": {}, "id": "5f70bf18a086"},
    {"status": "Pushing", "progressDetail": {"current": 512, "total": 2048}, "progress": "[==>  ] 512B/2kB",
     "id": "5f70bf18a086"},
    {"status": "Pushed", "progressDetail": {}, "id": "5f70bf18a086"},
    {"status": "v1: digest: sha256:" + "ab" * 32 + " size: 528"},
    {"progressDetail": {}, "aux": {"Tag": "v1", "Digest": "sha256:" + "ab" * 32, "Size": 528}},
]


class Reads:
    """A response whose read1 hands out the given pieces, then the end (or an error)."""

    def __init__(self, pieces: list[bytes], error: BaseException | None = None) -> None:
        self.pieces, self.error, self.closed = list(pieces), error, False

    def read1(self, size: int = -1) -> bytes:
        if self.pieces:
            return self.pieces.pop(0)
        if self.error is not None:
            raise self.error
        return b""

    def close(self) -> None:
        self.closed = True


def wire(items: list[dict]) -> bytes:
    # As dockerd writes it: one JSON object per line, lines ended with \r\n.
    return b"".join(json.dumps(item).encode() + b"\r\n" for item in items)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 100_000])
def test_items_come_out_whole_however_the_reads_cut_them(size):
    data = wire(PUSH)
    response = Reads([data[at:at + size] for at in range(0, len(data), size)])
    assert list(json_items(response)) == PUSH
    assert response.closed


def test_a_character_cut_between_two_reads_is_kept_whole():
    item = {"status": "Pushing naïve layer ✓", "id": "x"}
    data = json.dumps(item, ensure_ascii=False).encode() + b"\r\n"
    cut = data.index("✓".encode()) + 1  # inside the three bytes of ✓
    assert list(json_items(Reads([data[:cut], data[cut:]]))) == [item]


def test_several_objects_in_one_read_without_newlines_between_them():
    data = b"".join(json.dumps(item).encode() for item in PUSH[:3])
    assert list(json_items(Reads([data]))) == PUSH[:3]


def test_an_answer_that_stops_in_the_middle_of_an_object_is_the_engine_lost():
    data = wire(PUSH[:3])
    response = Reads([data[:-20]])
    found = []
    with pytest.raises(EngineLost):
        for item in json_items(response):
            found.append(item)
    assert found == PUSH[:2] and response.closed


@pytest.mark.parametrize("error", [EngineLost("Response ended prematurely"), ConnectionResetError(104, "reset by peer"),
                                   TimeoutError("timed out")])
def test_a_read_that_fails_is_the_engine_lost_and_maps_to_its_hint(error):
    response = Reads([wire(PUSH[:2])], error)
    with pytest.raises(EngineLost) as caught:
        list(json_items(response))
    assert response.closed
    found = hints.from_docker(caught.value, "push", host="unix:///x")
    assert found.code == "engine_lost"
    assert "broke in the middle of the push" in found.what and "then push again" in found.next_step


def test_a_push_answer_that_ends_without_its_digest_is_the_engine_lost():
    # What push.py raises when the stream ends cleanly with neither the digest nor an error.
    found = hints.from_docker(EngineLost("Response ended prematurely, before the push's digest"), "push")
    assert found.code == "engine_lost"


@pytest.mark.parametrize(("error", "code"), [
    (EngineUnreachable("Cannot connect to the Docker engine at unix:///x.sock: [Errno 2] No such file or directory"),
     "engine_unreachable"),
    (EngineUnreachable("Cannot connect to the Docker engine at unix:///x.sock: [Errno 111] Connection refused"),
     "engine_unreachable"),
    (EngineUnreachable("Cannot connect to the Docker engine at unix:///x.sock: [Errno 13] Permission denied"),
     "engine_permission"),
    (EngineUnreachable("Error while fetching server API version: TimeoutError('timed out') at /x.sock"),
     "engine_unreachable"),
])
def test_an_engine_that_cannot_be_asked_gets_the_engine_hints(error, code):
    assert hints.from_docker(error, "push", host="unix:///x.sock").code == code


def test_an_engine_error_status_keeps_the_engines_words():
    missing = engine_api._api_error(404, b'{"message":"No such image: learner/x:v1"}', "GET /images/x/json")
    assert type(missing).__name__ == "ImageNotFound" and missing.explanation == "No such image: learner/x:v1"
    other = engine_api._api_error(500, b'{"message":"invalid reference format"}', "POST /images/x/push")
    assert type(other) is engine_api.APIError and other.status_code == 500
    assert hints.from_docker(other, "push").code == "invalid_reference"


def test_the_login_header_is_base64url_json_and_only_there():
    auth = {"username": "learner", "password": "pa/ss+word?", "serveraddress": "127.0.0.1:5000"}
    header = engine_api.encode_auth(auth)
    assert json.loads(base64.urlsafe_b64decode(header)) == auth
    assert "pa/ss+word?" not in header


# --- the HTTP answer itself, as the engine's Go server frames it --------------------------------

def answer(raw: bytes, pieces: int = 1) -> Response:
    """A Response reading ``raw`` off a real socket, written in ``pieces`` separate sends."""
    ours, theirs = socket.socketpair()

    def write() -> None:
        step = max(1, len(raw) // pieces)
        for at in range(0, len(raw), step):
            theirs.sendall(raw[at:at + step])
        theirs.close()

    threading.Thread(target=write, daemon=True).start()
    return Response(ours)


def chunked(body: bytes, size: int) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(body[at:at + size]), body[at:at + size]) for at in range(0, len(body), size)]
    return b"".join(parts) + b"0\r\n\r\n"


HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDocker-Experimental: false\r\n"


@pytest.mark.parametrize("pieces", [1, 3, 50])
def test_a_chunked_progress_stream_is_read_whole(pieces):
    body = wire(PUSH)
    response = answer(HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + chunked(body, 40), pieces)
    assert response.status == 200 and response.headers["content-type"] == "application/json"
    assert list(json_items(response)) == PUSH


def test_a_sized_answer_and_an_error_status_with_the_engines_message():
    body = b'{"ApiVersion":"1.41"}'
    response = answer(HEAD + b"Content-Length: %d\r\n\r\n%s" % (len(body), body), 4)
    assert json.loads(response.read()) == {"ApiVersion": "1.41"}
    missing = answer(b"HTTP/1.1 404 Not Found\r\nContent-Length: 38\r\n\r\n"
                     b'{"message":"No such image: learner/x"}')
    assert missing.status == 404 and missing.reason == "Not Found"
    assert json.loads(missing.read())["message"] == "No such image: learner/x"


@pytest.mark.parametrize("raw", [
    HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + chunked(wire(PUSH), 40)[:-30],  # cut inside a chunk
    HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",  # not a chunk size
    HEAD + b"Content-Length: 500\r\n\r\n" + wire(PUSH[:2]),  # shorter than it said
])
def test_an_answer_that_breaks_off_is_the_engine_lost(raw):
    with pytest.raises(EngineLost):
        list(json_items(answer(raw)))


def test_headers_cut_off_are_the_engine_lost():
    with pytest.raises(EngineLost):
        answer(b"HTTP/1.1 200 OK\r\nContent-Ty")
