"""Read the credentials docker has stored for a registry, the way the docker CLI finds them.

Order, as in the CLI: a ``credHelpers`` entry for the registry, else the ``credsStore``
helper, then the ``auths`` entry of config.json (base64 ``user:password``, or an
``identitytoken``). A helper is the program ``docker-credential-<name>``: the server
address goes to its stdin (never its command line) and it answers with JSON.

The secret only lives in the returned object (hidden from ``repr``); nothing here logs
or prints it, and error messages never quote a helper's answer.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

# How config.json names Docker Hub, and every other spelling that means it.
HUB_KEY = "https://index.docker.io/v1/"
_HUB_HOSTS = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"})
# A helper answers this when a username is really an identity (refresh) token.
TOKEN_USERNAME = "<token>"
HELPER_TIMEOUT = 15.0


class CredentialError(Exception):
    """A configured credential helper could not be used (missing, failing, or answered garbage)."""

    def __init__(self, message: str, helper: str = "") -> None:
        super().__init__(message)
        self.helper = helper


@dataclass(frozen=True)
class Credentials:
    username: str
    secret: str = field(repr=False)
    source: str = ""  # "config.json" or "docker-credential-NAME": where they came from, for messages
    identity_token: bool = False  # the secret is an OAuth2 refresh token, not a password


def docker_config_dir() -> Path:
    """DOCKER_CONFIG wins, as in the CLI; else ~/.docker."""
    folder = os.environ.get("DOCKER_CONFIG")
    return Path(folder).expanduser() if folder else Path.home() / ".docker"


def load_config(folder: Path | None = None) -> dict:
    path = (folder or docker_config_dir()) / "config.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise CredentialError(f"docker's {path} cannot be read ({type(exc).__name__})") from None
    return data if isinstance(data, dict) else {}


def hostname(key: str) -> str:
    """config.json keys may be URLs ("https://host/v1/"): keep host[:port], lower case."""
    text = key.strip().lower()
    for scheme in ("https://", "http://"):
        text = text.removeprefix(scheme)
    return text.split("/", 1)[0]


def is_hub(registry: str) -> bool:
    return hostname(registry) in _HUB_HOSTS or registry.strip() == ""


def server_address(registry: str) -> str:
    """What `docker login` stored the registry under (what a helper expects on stdin)."""
    return HUB_KEY if is_hub(registry) else hostname(registry)


def _same_registry(key: str, registry: str) -> bool:
    return is_hub(key) if is_hub(registry) else hostname(key) == hostname(registry)


def lookup(registry: str, folder: Path | None = None) -> Credentials | None:
    """The credentials docker would send to ``registry`` (host[:port], or a Docker Hub alias).

    None when nothing is stored. CredentialError when a configured helper cannot be used
    and nothing else is stored either.
    """
    config = load_config(folder)
    helpers = config.get("credHelpers") or {}
    helper = next((name for key, name in helpers.items() if _same_registry(key, registry)), None)
    helper = helper or config.get("credsStore") or None
    problem: CredentialError | None = None
    if helper:
        try:
            found = helper_get(str(helper), server_address(registry))
            if found is None and not is_hub(registry):
                found = helper_get(str(helper), f"https://{hostname(registry)}")
            if found is not None:
                return found
        except CredentialError as err:
            problem = err
    found = _from_auths(config.get("auths") or {}, registry)
    if found is None and problem is not None:
        raise problem
    return found


async def lookup_async(registry: str, folder: Path | None = None) -> Credentials | None:
    """:func:`lookup` off the event loop (a helper is a subprocess)."""
    return await asyncio.to_thread(lookup, registry, folder)


def _from_auths(auths: dict, registry: str) -> Credentials | None:
    for key, entry in auths.items():
        if not isinstance(entry, dict) or not _same_registry(key, registry):
            continue
        username, password = "", ""
        if entry.get("auth"):
            try:
                decoded = base64.b64decode(str(entry["auth"]), validate=False).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                continue
            username, _, password = decoded.partition(":")
        username = username or str(entry.get("username") or "")
        password = password or str(entry.get("password") or "")
        token = str(entry.get("identitytoken") or "")
        if token:
            return Credentials(username, token, "config.json", identity_token=True)
        if username and password:
            return Credentials(username, password, "config.json")
    return None


def helper_get(helper: str, address: str, timeout: float = HELPER_TIMEOUT) -> Credentials | None:
    """Ask ``docker-credential-<helper> get`` for ``address``; None when it has nothing stored."""
    program = f"docker-credential-{helper}"
    path = shutil.which(program)
    if path is None:
        raise CredentialError(f"docker is configured to use {program}, which is not installed", helper)
    try:
        done = subprocess.run([path, "get"], input=address, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise CredentialError(f"{program} did not answer within {timeout:.0f} seconds", helper) from None
    except OSError as exc:
        raise CredentialError(f"{program} could not be started ({exc.strerror})", helper) from None
    if done.returncode != 0:
        # Helpers say "credentials not found in native keychain" on stdout when nothing is stored.
        said = (done.stdout + done.stderr).lower()
        if "not found" in said or "no credentials" in said:
            return None
        raise CredentialError(f"{program} failed with exit code {done.returncode}", helper)
    try:
        data = json.loads(done.stdout)
        username, secret = str(data.get("Username") or ""), str(data.get("Secret") or "")
    except (ValueError, AttributeError):
        raise CredentialError(f"{program} answered something that is not credentials", helper) from None
    if not secret:
        return None
    if username == TOKEN_USERNAME:
        return Credentials("", secret, program, identity_token=True)
    return Credentials(username, secret, program)
