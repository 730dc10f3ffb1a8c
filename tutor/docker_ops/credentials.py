"""Logins this process holds in memory, for when no docker CLI exists to store them.

The tutor's own pushes and pulls still work then. Docker's own store (config.json, or a
credential helper) is read by :mod:`tutor.docker_ops.docker_config`; nothing here writes a secret
anywhere.
"""

from __future__ import annotations

from tutor.docker_ops import docker_config
from tutor.reference import registry_key

# registry -> (username, secret); lives as long as the process, never written anywhere.
_SESSION: dict[str, tuple[str, str]] = {}


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

    Only the name is kept; the secret the store returns is dropped at once.
    """
    try:
        return push_auth(registry)[0]
    except docker_config.CredentialError:  # a broken helper: nobody known
        return None


def push_auth(registry: str) -> tuple[str | None, dict[str, str] | None]:
    """Who docker would log in to ``registry`` as, and the login to send the engine with a push or
    pull (X-Registry-Auth): this process's login, else docker's own store, asked once for both.

    (None, None) when nothing is stored or docker's config cannot be read, as the docker SDK did;
    a configured helper that cannot be used raises CredentialError (its hint names the helper).
    """
    remembered = session_auth(registry)
    if remembered is not None:
        return remembered["username"], remembered
    key = registry_key(registry)
    try:
        found = docker_config.lookup(key)
    except docker_config.CredentialError as err:
        if err.helper:
            raise
        return None, None
    if found is None:
        return None, None
    address = docker_config.server_address(key)
    if found.identity_token:
        return found.username or None, {"identitytoken": found.secret, "serveraddress": address}
    return found.username or None, {"username": found.username, "password": found.secret, "serveraddress": address}
