"""SSH to the node with asyncssh (imported lazily): known hosts, host keys, connecting, running commands.

The host key is always verified, against the tutor's own known_hosts file, ``~/.ssh/known_hosts``
and any file the learner names; :func:`trust_host_key` records a key the learner has compared.
A command runs without a terminal and ends on the node when its channel closes (:func:`killable`).
"""

from __future__ import annotations

import asyncio
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor import hints
from tutor.probes.node_target import NodeTarget

MAX_EVIDENCE = 2000  # characters of node output kept per command


# --- known hosts -------------------------------------------------------------------------------


def tutor_known_hosts() -> Path:
    from tutor import store

    return store.tutor_config_dir() / "known_hosts"


def user_known_hosts() -> Path:
    return Path.home() / ".ssh" / "known_hosts"


def known_hosts_files(target: NodeTarget) -> list[Path]:
    candidates = [tutor_known_hosts(), user_known_hosts()]
    if target.known_hosts:
        candidates.append(Path(target.known_hosts).expanduser())
    return [path for path in dict.fromkeys(candidates) if _present(path)]


def _present(path: Path) -> bool:
    """A file to read; one that cannot even be looked at is kept, so that reading it says why."""
    try:
        return path.is_file()
    except OSError:
        return True


def load_known_hosts(files: list[Path]):
    import asyncssh

    # An empty object trusts nothing; passing None instead would turn host key checking off.
    return asyncssh.read_known_hosts([str(p) for p in files]) if files else asyncssh.SSHKnownHosts()


def host_pattern(host: str, port: int | None) -> str:
    return host if not port or port == 22 else f"[{host}]:{port}"


def public_key_line(key: Any) -> str:
    """``type base64`` of an asyncssh SSHKey, or of an OpenSSH public key line (checked, comment dropped)."""
    import asyncssh

    if isinstance(key, (bytes, str)):
        try:
            key = asyncssh.import_public_key(key)
        except asyncssh.KeyImportError as exc:
            raise ValueError("not an OpenSSH public key line ('TYPE BASE64 [comment]')") from exc
    key_type, blob = key.export_public_key("openssh").decode().split()[:2]
    return f"{key_type} {blob}"


def trust_host_key(host: str, port: int | None, key: Any, path: Path | None = None) -> Path:
    """Record ``key`` for ``host``/``port`` in the tutor's own known_hosts file (created 0600),
    replacing any other key recorded there for that host (see :func:`replace_host_key`)."""
    return replace_host_key(host, port, key, path)[0]


def replace_host_key(host: str, port: int | None, key: Any, path: Path | None = None) -> tuple[Path, list[str]]:
    """Make ``key`` the one key the tutor's known_hosts trusts for ``host``/``port``.

    Returns the file and the fingerprints of the other keys it held for that host, now removed:
    a key that changed must stop being trusted, not stay beside the new one.
    """
    path = path or tutor_known_hosts()
    pattern = host_pattern(host, port)
    line = public_key_line(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    kept, replaced = [], []
    for raw in text.splitlines():
        parts = raw.split()
        if len(parts) >= 3 and not raw.lstrip().startswith(("#", "@")) and pattern in parts[0].split(","):
            if f"{parts[1]} {parts[2]}" != line:
                replaced.append(_line_fingerprint(parts[1], parts[2]))
            continue  # the entry for this host is written once, below
        kept.append(raw)
    kept.append(f"{pattern} {line}")
    # Atomic (and 0600), so a crash half-way never leaves the trusted keys half-written; a
    # kill -9 leaves a temporary file the next start removes.
    from tutor.store import atomic_write

    atomic_write(path, "\n".join(kept) + "\n")
    return path, replaced


def _line_fingerprint(key_type: str, blob: str) -> str:
    import asyncssh

    try:
        return asyncssh.import_public_key(f"{key_type} {blob}").get_fingerprint("sha256")
    except (asyncssh.KeyImportError, ValueError):
        return f"{key_type} (unreadable key)"


def other_keys_elsewhere(target: NodeTarget, key: Any) -> list[str]:
    """Keys for the node other than ``key`` in known_hosts files the tutor reads but does not own."""
    import asyncssh

    where = resolve(target)
    wanted = public_key_line(key)
    found = []
    for path in known_hosts_files(target):
        if path == tutor_known_hosts():
            continue
        try:
            trusted = asyncssh.read_known_hosts([str(path)]).match(where.key_host, where.host, where.port)[0]
        except (OSError, ValueError):
            continue
        found += [f"{fingerprint(k)} in {path}" for k in trusted if public_key_line(k) != wanted]
    return found


def fingerprint(key: Any) -> str:
    return key.get_fingerprint("sha256")


# --- connecting ----------------------------------------------------------------------------------


def _ssh_config(target: NodeTarget) -> list[str] | None:
    if target.ssh_config == "":
        return None
    path = Path(target.ssh_config).expanduser() if target.ssh_config else Path.home() / ".ssh" / "config"
    return [str(path)] if path.is_file() else None


def connect_kwargs(target: NodeTarget, known: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"known_hosts": known, "config": _ssh_config(target),
                              "connect_timeout": target.connect_timeout}
    if target.port:
        kwargs["port"] = target.port
    if target.user:
        kwargs["username"] = target.user
    if target.identity:
        kwargs["client_keys"] = [str(Path(target.identity).expanduser())]
    return kwargs


@dataclass
class Resolved:
    """Where the connection really goes once an ssh config alias is applied."""

    host: str
    port: int
    user: str
    key_host: str  # the name known_hosts is searched for (HostKeyAlias or host)


def resolve(target: NodeTarget) -> Resolved:
    import asyncssh

    # Only reads the ssh config for host, port and user; an empty known-hosts set trusts nothing.
    kwargs = connect_kwargs(target, asyncssh.SSHKnownHosts())
    kwargs.pop("connect_timeout")
    options = asyncssh.SSHClientConnectionOptions(host=target.host, **kwargs)
    host = options.host or target.host
    return Resolved(host, int(options.port or 22), options.username or "", options.host_key_alias or host)


async def server_host_key(target: NodeTarget, algorithms: list[str] | None = None):
    """The host key the node presents (no login, nothing trusted); None if it could not be fetched."""
    import asyncssh

    kwargs: dict[str, Any] = {"config": _ssh_config(target)}
    if target.port:
        kwargs["port"] = target.port
    if algorithms:
        kwargs["server_host_key_algs"] = algorithms
    try:
        async with asyncio.timeout(target.connect_timeout):
            return await asyncssh.get_server_host_key(target.host, **kwargs)
    except (OSError, asyncssh.Error, TimeoutError):
        return None


def unreadable_known_hosts(files: list[Path]) -> str:
    """The first known_hosts file that cannot be read (or parsed) on its own."""
    import asyncssh

    for path in files:
        try:
            asyncssh.read_known_hosts([str(path)])
        except (OSError, ValueError):
            return str(path)
    return ", ".join(str(p) for p in files)


async def first_words(target: NodeTarget, timeout: float = 3.0) -> str | None:
    """What the node says on a fresh TCP connection: its SSH banner line, "" if it accepted the
    connection but said nothing, None if the connection could not be made at all."""
    host, port = address(target)
    # An SSH server greets at once: a short wait tells a greeting node from a silent one.
    bound = min(timeout, max(0.5, target.connect_timeout / 2))
    try:
        async with asyncio.timeout(bound):
            reader, writer = await asyncio.open_connection(host, port)
    except (OSError, TimeoutError):
        return None
    try:
        async with asyncio.timeout(bound):
            line = await reader.readline()
    except (OSError, TimeoutError, ValueError):
        line = b""
    finally:
        writer.close()
    return hints.docker_reason(line.decode(errors="replace"), 80)


def address(target: NodeTarget) -> tuple[str, int]:
    """Host and port as ssh would use them (an ssh_config alias may set both)."""
    try:
        where = resolve(target)
        return where.host, where.port or 22
    except Exception:  # noqa: BLE001 - an unreadable ssh config: the target as given
        return target.host, target.port or 22


@dataclass
class Ran:
    command: str
    exit_status: int | None
    stdout: str
    stderr: str
    timed_out: bool = False

    @property
    def output(self) -> str:
        return (self.stderr.strip() + "\n" + self.stdout.strip()).strip()

    def evidence(self) -> dict[str, Any]:
        return {"command": self.command, "exit_status": self.exit_status, "stdout": self.stdout[-MAX_EVIDENCE:],
                "stderr": self.stderr[-MAX_EVIDENCE:], "timed_out": self.timed_out}


def killable(command: str) -> str:
    """``command`` wrapped so that it ends when our channel closes.

    OpenSSH leaves a command that has no terminal running when the client goes away, so a
    timed-out pull would go on for ever on the node. The wrapper runs the command in its own
    process group (``set -m``) and watches the channel's stdin, which the client keeps open:
    when the channel closes, stdin reaches EOF and the group is ended (sudo passes the signal
    on to k3s).
    """
    return ("set -m; exec 3<&0; " + f"sh -c {shlex.quote(command)} </dev/null & c=$!; "
            "{ cat <&3 >/dev/null 2>&1; kill -TERM -$c 2>/dev/null; sleep 2; kill -KILL -$c 2>/dev/null; } "
            "</dev/null >/dev/null 2>&1 & w=$!; "
            "wait $c; s=$?; kill $w 2>/dev/null; exit $s")


async def run_command(conn: Any, command: str, timeout: float) -> Ran:
    """Run one command (no pty); a timeout closes the channel, which ends the command on the node,
    and is reported, not raised."""
    if not hasattr(conn, "create_process"):  # a connection that only runs commands whole (a unit test's node)
        return await _run_whole(conn, command, timeout)
    process = await conn.create_process(killable(command), encoding=None)
    try:
        async with asyncio.timeout(timeout):
            done = await process.wait(check=False)
    except TimeoutError:
        process.close()  # stdin EOF on the node: the wrapper ends the command's process group
        try:
            async with asyncio.timeout(5):
                await process.wait_closed()
        except TimeoutError:
            pass
        return Ran(command, None, "", "", timed_out=True)
    return Ran(command, done.exit_status if done.exit_status is not None else -1,
               _text(done.stdout), _text(done.stderr))


async def _run_whole(conn: Any, command: str, timeout: float) -> Ran:
    import asyncssh

    try:
        async with asyncio.timeout(timeout):
            done = await conn.run(command, check=False, stdin=asyncssh.DEVNULL)
    except TimeoutError:
        return Ran(command, None, "", "", timed_out=True)
    return Ran(command, done.exit_status if done.exit_status is not None else -1,
               _text(done.stdout), _text(done.stderr))


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
