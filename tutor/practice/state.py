"""Where the practice registry keeps everything, and its small JSON records.

All of it is in one folder of the user's data folder (``~/.local/share/docker-tutor/practice-registry``
on Linux, or ``$XDG_DATA_HOME/...``), so the images pushed, the accounts and the chosen port survive a
restart of the registry and of the machine. Nothing in it is a password: accounts hold hashes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_PORT = 5000  # the port every registry tutorial uses; --port picks another
HOST = "127.0.0.1"  # loopback only: docker talks plain HTTP to it without any daemon configuration
SERVICE = "docker-tutor-practice-registry"  # the token's audience, as the registry is configured
ISSUER = "docker-tutor-practice-tokens"


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("docker-tutor") / "practice-registry"


@dataclass(frozen=True)
class Layout:
    """The files in the practice registry's folder."""

    root: Path

    @classmethod
    def default(cls) -> Layout:
        return cls(data_dir())

    storage = property(lambda self: self.root / "storage")  # the registry's blobs and manifests
    config = property(lambda self: self.root / "config.yml")  # rewritten at every start
    key = property(lambda self: self.root / "signing-key.pem")  # the token service's ES256 key (0600)
    cert = property(lambda self: self.root / "signing-cert.pem")  # the registry's rootcertbundle
    accounts = property(lambda self: self.root / "accounts.json")  # username -> scrypt hash
    repositories = property(lambda self: self.root / "repositories.json")  # private and public ones
    settings = property(lambda self: self.root / "registry.json")  # the chosen port, kept across starts
    running = property(lambda self: self.root / "running.json")  # pids, ports and start time while it runs
    token_pid = property(lambda self: self.root / "token-service.json")  # written by the service once listening
    registry_log = property(lambda self: self.root / "registry.log")
    token_log = property(lambda self: self.root / "token-service.log")

    def make(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.storage.mkdir(exist_ok=True, mode=0o700)


def read_json(path: Path) -> dict[str, Any]:
    """A record, or {} when it is missing or unreadable (the records are ours and rebuilt when lost)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json(path: Path, data: dict[str, Any], private: bool = False) -> None:
    from tutor.store import atomic_write

    atomic_write(path, json.dumps(data, indent=2, sort_keys=True) + "\n")
    if private:
        os.chmod(path, 0o600)


def saved_port(layout: Layout | None = None) -> int | None:
    port = read_json((layout or Layout.default()).settings).get("port")
    return port if isinstance(port, int) and 0 < port < 65536 else None


def known_address(layout: Layout | None = None) -> str:
    """``127.0.0.1:PORT`` of the practice registry set up on this machine, or "" when there is none.

    Cheap (one small file): the lesson's wording and the settings form ask it to recognise the host."""
    port = saved_port(layout)
    return f"{HOST}:{port}" if port else ""
