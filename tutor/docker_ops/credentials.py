"""Who is logged in where, and how docker keeps the credentials.

Two stores: the docker CLI's own (config.json ``auths``, or a credential helper), which the
SDK reads when it builds a client; and, only when no docker CLI exists, this process's
memory, so the tutor's own pushes and pulls still work. Nothing here writes a secret to disk.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

HUB = "docker.io"
HUB_CONFIG_KEY = "https://index.docker.io/v1/"  # how config.json names Docker Hub
_HUB_ALIASES = {"", HUB, "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", HUB_CONFIG_KEY}

# registry -> (username, secret); lives as long as the process, never written anywhere.
_SESSION: dict[str, tuple[str, str]] = {}


def registry_key(registry: str | None) -> str:
    """One spelling per registry: "docker.io" for Docker Hub, else host[:port] in lower case."""
    text = (registry or "").strip().lower()
    if text in _HUB_ALIASES or text.rstrip("/") in {alias.rstrip("/") for alias in _HUB_ALIASES}:
        return HUB
    for scheme in ("https://", "http://"):
        text = text.removeprefix(scheme)
    return text.split("/", 1)[0]


def remember(registry: str, username: str, secret: str) -> None:
    _SESSION[registry_key(registry)] = (username, secret)


def forget(registry: str | None = None) -> None:
    if registry is None:
        _SESSION.clear()
    else:
        _SESSION.pop(registry_key(registry), None)


def session_auth(registry: str) -> dict[str, str] | None:
    """The SDK ``auth_config`` remembered for ``registry`` in this process, if any."""
    entry = _SESSION.get(registry_key(registry))
    return {"username": entry[0], "password": entry[1]} if entry else None


def known_username(registry: str) -> str | None:
    """The username docker would use for ``registry``: this process's login, else docker's own store.

    Only the name is taken; the password the store returns is dropped at once.
    """
    key = registry_key(registry)
    if key in _SESSION:
        return _SESSION[key][0]
    try:
        from docker import auth

        entry = auth.load_config().resolve_authconfig(None if key == HUB else key) or {}
    except Exception:  # noqa: BLE001 - an unreadable config or a broken helper: nobody known
        return None
    return entry.get("username") or entry.get("Username") or None


def config_path() -> Path:
    """Where the docker CLI keeps config.json (DOCKER_CONFIG wins, as in the CLI)."""
    folder = os.environ.get("DOCKER_CONFIG")
    return Path(folder) / "config.json" if folder else Path.home() / ".docker" / "config.json"


@dataclass(frozen=True)
class Storage:
    kind: Literal["plaintext", "helper", "none"]
    path: Path
    helper: str | None = None


def storage(registry: str) -> Storage:
    """How docker keeps the credentials for ``registry`` (reads keys only, never prints values)."""
    path = config_path()
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError):
        return Storage("none", path)
    key = registry_key(registry)
    names = {HUB_CONFIG_KEY, HUB, "index.docker.io"} if key == HUB else {key, f"https://{key}", f"http://{key}"}
    helpers = config.get("credHelpers") or {}
    helper = next((helpers[name] for name in names if name in helpers), None) or config.get("credsStore")
    if helper:
        return Storage("helper", path, helper)
    auths = config.get("auths") or {}
    if any(isinstance(auths.get(name), dict) and auths[name].get("auth") for name in names):
        return Storage("plaintext", path)
    return Storage("none", path)


def storage_notice(found: Storage) -> str | None:
    """What to tell the learner about where their credentials ended up."""
    if found.kind == "plaintext":
        return (f"Docker stored your credentials unencrypted in {found.path}: the `auth` value there is just "
                "base64 of username:password, readable by anyone who can read the file. A credential helper "
                "(credsStore, e.g. docker-credential-pass or -secretservice) would keep them in the OS keychain "
                "instead; logging in with an access token rather than your password means a leak can be revoked "
                "on its own without changing your password.")
    if found.kind == "helper":
        return (f"Docker handed your credentials to its credential helper docker-credential-{found.helper}, "
                f"which keeps them in the OS keychain rather than in {found.path}. Logging in with an access token "
                "rather than your password means a leak can be revoked on its own.")
    return None
