"""Which k3s node to check: host, port, user and key from the settings or a ``[USER@]HOST[:PORT]`` spec."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_PULL_TIMEOUT = 120.0
COMMAND_TIMEOUT = 20.0  # uname, id, k3s --version, sudo -n k3s --version
_HOST = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$")


@dataclass
class NodeTarget:
    host: str  # an address, a hostname, or an ~/.ssh/config alias
    port: int | None = None  # None: from the ssh config, else 22
    user: str = ""  # "": from the ssh config, else the local user name
    identity: str = ""  # private key file; "": the ssh config's, the default keys or the agent
    known_hosts: str = ""  # an extra known_hosts file to trust
    ssh_config: str | None = None  # None: ~/.ssh/config when it exists; "": none
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    pull_timeout: float = DEFAULT_PULL_TIMEOUT
    command_timeout: float = COMMAND_TIMEOUT  # each short command once logged in (uname, k3s --version ...)

    @property
    def label(self) -> str:
        who = f"{self.user}@" if self.user else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{who}{host}" + (f":{self.port}" if self.port and self.port != 22 else "")


def parse_node_spec(spec: str) -> tuple[str, str, int | None]:
    """``[USER@]HOST[:PORT]`` (IPv6 as ``[::1]:22``) -> (user, host, port). ValueError says what is wrong."""
    text = spec.strip()
    if not text:
        raise ValueError("the node is empty: give it as HOST, USER@HOST or USER@HOST:PORT")
    user, at, rest = text.rpartition("@")
    if at and not user:
        raise ValueError(f"{spec!r}: nothing before '@'; give the user, e.g. ubuntu@{rest}")
    port: int | None = None
    if rest.startswith("["):
        host, _, tail = rest[1:].partition("]")
        if tail and not tail.startswith(":"):
            raise ValueError(f"{spec!r}: after ']' only ':PORT' may follow")
        port_text = tail[1:] if tail else ""
        if not re.fullmatch(r"[0-9A-Fa-f:.]+", host):
            raise ValueError(f"{spec!r}: brackets hold an IPv6 address, e.g. [2001:db8::1]:22")
    else:
        host, _, port_text = rest.partition(":")
        if not _HOST.match(host):
            raise ValueError(f"{spec!r}: {host!r} is not a host name or address (letters, digits, '.', '-')")
    if port_text or (":" in rest and not rest.startswith("[")):
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"{spec!r}: the port after ':' must be a number from 1 to 65535")
        port = int(port_text)
    if user and not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", user):
        raise ValueError(f"{spec!r}: {user!r} is not a user name")
    return user, host, port


def target_from_settings(node: Any, spec: str | None = None, identity: str | None = None,
                         known_hosts: str | None = None, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                         pull_timeout: float = DEFAULT_PULL_TIMEOUT) -> NodeTarget | None:
    """A target from ``store.NodeSettings`` and command-line overrides; None when no node is set."""
    user, host, port = (getattr(node, "user", "") or "", getattr(node, "host", "") or "", None)
    if getattr(node, "port", None) and int(node.port) != 22:
        port = int(node.port)
    if host:
        if "@" in host or host.startswith("["):
            user_in, host, port_in = parse_node_spec(host)
            user, port = user_in or user, port_in or port
    if spec:
        user_in, host, port_in = parse_node_spec(spec)
        user, port = user_in or user, port_in
    if not host:
        return None
    return NodeTarget(host=host, port=port, user=user, identity=identity or getattr(node, "identity", "") or "",
                      known_hosts=known_hosts or getattr(node, "known_hosts", "") or "",
                      connect_timeout=connect_timeout, pull_timeout=pull_timeout)

