"""Docker's stored credentials: where config.json lives, what it holds for a registry, and how.

The one module that reads docker's config.json, for the probes (which send the stored
credentials to a registry) and for docker_ops (which tells the learner where ``docker
login`` put them). Lookup order, as in the docker CLI: a ``credHelpers`` entry for the
registry, else the ``credsStore`` helper, then the ``auths`` entry of config.json
(base64 ``user:password``, or an ``identitytoken``). A helper is the program
``docker-credential-<name>``: the server address goes to its stdin (never its command
line) and it answers with JSON.

A secret only lives in the returned :class:`Credentials` (hidden from ``repr``); nothing
here logs or prints it, error messages never quote a helper's answer, and nothing here
writes a file. Standard library only, so anything may import it.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tutor.reference import hostname, is_hub

# How config.json (and a credential helper) names Docker Hub; every alias in HUB_ALIASES means it too.
HUB_KEY = "https://index.docker.io/v1/"
# A helper answers this when a username is really an identity (refresh) token.
TOKEN_USERNAME = "<token>"
HELPER_TIMEOUT = 15.0


class CredentialError(Exception):
    """docker's config cannot be read, or a configured credential helper cannot be used."""

    def __init__(self, message: str, helper: str = "") -> None:
        super().__init__(message)
        self.helper = helper


@dataclass(frozen=True)
class Credentials:
    username: str
    secret: str = field(repr=False)
    source: str = ""  # "config.json" or "docker-credential-NAME": where they came from, for messages
    identity_token: bool = False  # the secret is an OAuth2 refresh token, not a password


# --- where, and which registry ---------------------------------------------------------------


def docker_config_dir() -> Path:
    """DOCKER_CONFIG wins, as in the CLI; else ~/.docker."""
    folder = os.environ.get("DOCKER_CONFIG")
    return Path(folder).expanduser() if folder else Path.home() / ".docker"


def config_path(folder: Path | None = None) -> Path:
    return (folder or docker_config_dir()) / "config.json"


def load(folder: Path | None = None) -> dict[str, Any]:
    """config.json as a dict ({} when there is none); CredentialError when it cannot be read."""
    path = config_path(folder)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise CredentialError(f"docker's {path} cannot be read ({type(exc).__name__})") from None
    return data if isinstance(data, dict) else {}


def context_host(folder: Path | None = None) -> str | None:
    """The engine address of the docker CLI's current context (DOCKER_CONTEXT, else config.json's
    ``currentContext``), as its ``contexts/meta/<sha256 of the name>/meta.json`` records it; None for
    the default context or when anything of it cannot be read (docker then uses the default socket)."""
    import hashlib

    name = os.environ.get("DOCKER_CONTEXT")
    try:
        name = name or load(folder).get("currentContext")
    except CredentialError:
        return None
    if not name or not isinstance(name, str) or name == "default":
        return None
    meta = (folder or docker_config_dir()) / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    try:
        host = json.loads((meta / "meta.json").read_text(encoding="utf-8"))["Endpoints"]["docker"]["Host"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return host if isinstance(host, str) and host else None


def same_registry(key: str, registry: str) -> bool:
    return is_hub(key) if is_hub(registry) else hostname(key) == hostname(registry)


def server_address(registry: str) -> str:
    """What `docker login` stored the registry under (what a helper expects on stdin)."""
    return HUB_KEY if is_hub(registry) else hostname(registry)


def _section(config: dict[str, Any], name: str) -> dict[str, Any]:
    value = config.get(name)
    return value if isinstance(value, dict) else {}


def _helper_for(config: dict[str, Any], registry: str) -> str | None:
    """The credential helper docker uses for ``registry``: its credHelpers entry, else credsStore."""
    named = next((name for key, name in _section(config, "credHelpers").items() if same_registry(key, registry)),
                 None)
    helper = named or config.get("credsStore")
    return str(helper) if helper and isinstance(helper, str) else None


# --- the credentials themselves --------------------------------------------------------------


def lookup(registry: str, folder: Path | None = None) -> Credentials | None:
    """The credentials docker would send to ``registry`` (host[:port], or a Docker Hub alias).

    None when nothing is stored. CredentialError when the config is unreadable, or when a
    configured helper cannot be used and nothing else is stored either.
    """
    config = load(folder)
    helper = _helper_for(config, registry)
    problem: CredentialError | None = None
    if helper:
        try:
            found = helper_get(helper, server_address(registry))
            if found is None and not is_hub(registry):
                found = helper_get(helper, f"https://{hostname(registry)}")
            if found is not None:
                return found
        except CredentialError as err:
            problem = err
    found = _from_auths(_section(config, "auths"), registry)
    if found is None and problem is not None:
        raise problem
    return found


async def lookup_async(registry: str, folder: Path | None = None) -> Credentials | None:
    """:func:`lookup` off the event loop (a helper is a subprocess)."""
    import asyncio

    return await asyncio.to_thread(lookup, registry, folder)


def _from_auths(auths: dict[str, Any], registry: str) -> Credentials | None:
    for key, entry in auths.items():
        if not isinstance(entry, dict) or not same_registry(key, registry):
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


# --- how docker keeps them (for telling the learner after a login) ----------------------------


@dataclass(frozen=True)
class Storage:
    kind: Literal["plaintext", "helper", "none"]
    path: Path
    helper: str | None = None


def storage(registry: str) -> Storage:
    """How docker keeps the credentials for ``registry`` (reads keys only, never the values)."""
    path = config_path()
    try:
        config = load()
    except CredentialError:
        return Storage("none", path)
    helper = _helper_for(config, registry)
    if helper:
        return Storage("helper", path, helper)
    auths = _section(config, "auths")
    if any(isinstance(entry, dict) and entry.get("auth") and same_registry(key, registry)
           for key, entry in auths.items()):
        return Storage("plaintext", path)
    return Storage("none", path)


def storage_notice(found: Storage, tokens: bool = True) -> str | None:
    """What to tell the learner about where their credentials ended up. ``tokens``: the registry
    issues access tokens (a registry that has only passwords gets no advice to use one)."""
    if found.kind == "plaintext":
        token = ("; logging in with an access token rather than your password means a leak can be revoked "
                 "on its own without changing your password" if tokens else "")
        return (f"Docker stored your credentials unencrypted in {found.path}: the `auth` value there is just "
                "base64 of username:password, readable by anyone who can read the file. A credential helper "
                "(credsStore, e.g. docker-credential-pass or -secretservice) would keep them in the OS keychain "
                f"instead{token}.")
    if found.kind == "helper":
        token = (" Logging in with an access token rather than your password means a leak can be revoked on its "
                 "own." if tokens else "")
        return (f"Docker handed your credentials to its credential helper docker-credential-{found.helper}, "
                f"which keeps them in the OS keychain rather than in {found.path}.{token}")
    return None
