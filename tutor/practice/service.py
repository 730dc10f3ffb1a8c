"""The practice registry's token service: ``python -m tutor.practice.service --state DIR``.

The registry sends every client here for a token. Two ways of asking are served, as Docker Hub
serves them: ``GET /token?service=...&scope=...`` with optional Basic credentials (the docker
engine, and ``docker login``), and ``POST /token`` with an OAuth2 form (containerd, so a k3s node).
Wrong credentials are refused with 401; right ones, or none, get a token holding only what the
policy allows, and the registry refuses the rest ("denied", or 401 for a private repository).

It listens on 127.0.0.1 on a port the kernel picks, writes its pid and port to
``token-service.json`` once it listens (the starter waits for that), and ends on SIGTERM.
The log names who asked for what and what was given; never a password or a token.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import os
import signal
import sys
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tutor.practice import accounts, policy, tokens
from tutor.practice.state import HOST, SERVICE, Layout, write_json


class _Files:
    """The accounts and the repositories' visibility, read again whenever their file changes."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self._lock = threading.Lock()
        self._seen: dict[Path, tuple[int, ...]] = {}  # (mtime, size, inode), () once unreadable
        self._accounts: dict[str, str] = {}
        self._visibility = policy.Visibility()

    def _changed(self, path: Path) -> bool:
        try:
            stat = path.stat()
            mark: tuple[int, ...] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            mark = ()
        if self._seen.get(path) == mark:
            return False
        self._seen[path] = mark
        return True

    def current(self) -> tuple[dict[str, str], policy.Visibility]:
        with self._lock:
            if self._changed(self.layout.accounts):
                self._accounts = accounts.load(self.layout.accounts)
            if self._changed(self.layout.repositories):
                self._visibility = policy.load(self.layout.repositories)
            return self._accounts, self._visibility


class Unauthorized(Exception):
    pass


def _basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized("malformed credentials") from None
    return user, password


def _handler(identity: tokens.Identity, files: _Files) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "docker-tutor-practice-tokens"

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's name
            pass  # our own line per token below; the request line would show nothing more useful

        def _log(self, who: str, wanted: list[str], access: list[dict] | str) -> None:
            given = access if isinstance(access, str) else \
                " ".join(f"{a['name']}:{','.join(a['actions'])}" for a in access) or "nothing"
            stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            print(f"{stamp} {who or 'anonymous'} asked {' '.join(wanted) or '(login)'} -> {given}", flush=True)

        def _reply(self, status: int, body: dict, challenge: bool = False) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if challenge:
                self.send_header("WWW-Authenticate", 'Basic realm="docker-tutor practice registry"')
            self.end_headers()
            self.wfile.write(data)

        def _user(self, username: str, password: str) -> str:
            known, _ = files.current()
            stored = known.get(username)
            if stored is None or not accounts.check_password(password, stored):
                raise Unauthorized("incorrect username or password")
            return username

        def _token(self, user: str | None, scopes: list[str], oauth: bool) -> None:
            _, visibility = files.current()
            access = policy.grant(user, tokens.parse_scopes(scopes), visibility)
            self._log(user or "", scopes, access)
            token = tokens.sign(identity, user or "", access)
            issued = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            body = {"access_token": token, "expires_in": tokens.TOKEN_LIFETIME, "issued_at": issued}
            if oauth:
                body["scope"] = " ".join(scopes)
            else:
                body["token"] = token
            self._reply(200, body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            url = urlsplit(self.path)
            params = parse_qs(url.query)
            if url.path != "/token":
                return self._reply(404, {"details": "not found"})
            if params.get("service", [SERVICE])[0] != SERVICE:
                return self._reply(400, {"details": "unknown service"})
            try:
                credentials = _basic(self.headers.get("Authorization"))
                user = self._user(*credentials) if credentials else None
            except Unauthorized as exc:
                self._log(credentials[0] if credentials else "", params.get("scope", []), "refused: wrong password")
                return self._reply(401, {"details": str(exc)}, challenge=True)
            return self._token(user, params.get("scope", []), oauth=False)

        def do_POST(self) -> None:  # noqa: N802
            if urlsplit(self.path).path != "/token":
                return self._reply(404, {"details": "not found"})
            length = min(int(self.headers.get("Content-Length") or 0), 64 * 1024)
            form = parse_qs(self.rfile.read(length).decode(errors="replace"))
            if form.get("service", [SERVICE])[0] != SERVICE:
                return self._reply(400, {"error": "invalid_request", "details": "unknown service"})
            if form.get("grant_type", [""])[0] != "password":
                # No refresh tokens: they would have to be kept somewhere, and every client here
                # can send its password again (docker falls back to it, containerd uses it).
                return self._reply(400, {"error": "unsupported_grant_type"})
            username = form.get("username", [""])[0]
            try:
                user = self._user(username, form.get("password", [""])[0])
            except Unauthorized as exc:
                self._log(username, form.get("scope", []), "refused: wrong password")
                return self._reply(401, {"error": "invalid_grant", "details": str(exc)})
            return self._token(user, form.get("scope", []), oauth=True)

    return Handler


def serve(layout: Layout, port: int = 0) -> None:
    identity = tokens.load_or_create(layout.key, layout.cert)
    handler = _handler(identity, _Files(layout))
    try:
        server = ThreadingHTTPServer((HOST, port), handler)
    except OSError:  # the last start's port was taken in the meantime: any free one will do
        server = ThreadingHTTPServer((HOST, 0), handler)
    server.daemon_threads = True

    def stop(_signum, _frame) -> None:
        # shutdown() waits for serve_forever, which runs in this very thread: ask from another one.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    write_json(layout.token_pid, {"pid": os.getpid(), "port": server.server_address[1]})
    print(f"token service listening on {HOST}:{server.server_address[1]} (pid {os.getpid()})", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        layout.token_pid.unlink(missing_ok=True)
        print("token service stopped", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tutor.practice.service",
                                     description="The practice registry's token service (started by "
                                                 "`docker-tutor practice-registry start`).")
    parser.add_argument("--state", required=True, help="the practice registry's folder")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: one the kernel picks)")
    args = parser.parse_args(argv)
    serve(Layout(Path(args.state)), args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
