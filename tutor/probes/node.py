"""Can the k3s node pull the images? Over SSH with asyncssh (imported lazily).

The node is reached with host, port, user and key from the settings, or through an
``~/.ssh/config`` alias. Its host key is always verified, against the tutor's own
known_hosts file, ``~/.ssh/known_hosts`` and any file the learner names; an unknown
key is reported with its fingerprint (``unknown-host-key``) so the learner can compare
it before :func:`trust_host_key` records it, and a key that differs from a recorded one
is reported as ``host-key-changed`` and never trusted automatically.

Once logged in: ``uname -m``, ``id -u``, ``k3s --version`` and ``command -v k3s`` (with
/usr/local/bin, where the k3s installer puts it, added to PATH), then for a user other than
root ``sudo -n k3s --version``, then ``sudo -n k3s crictl pull REF`` for each image, REF
normalised by tutor.reference and shell-quoted. Root runs k3s itself: no sudo, which may not
even be installed. When sudo cannot find k3s although it is installed (sudo's secure_path
lacks its folder), the pulls give sudo the full path found and the learner is told why.
What the node printed is kept as evidence; failures are mapped to hints by tutor.hints.
"""

from __future__ import annotations

import asyncio
import re
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor import hints, reference
from tutor.probes.results import ImageResult

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_PULL_TIMEOUT = 120.0
COMMAND_TIMEOUT = 20.0  # uname, id, k3s --version, sudo -n k3s --version
# k3s installs to /usr/local/bin, which a non-login shell's PATH may lack.
WITH_LOCAL_BIN = 'PATH="$PATH:/usr/local/bin"'
K3S_VERSION = f"{WITH_LOCAL_BIN} k3s --version"
K3S_WHERE = f"{WITH_LOCAL_BIN} command -v k3s"
MAX_EVIDENCE = 2000  # characters of node output kept per command

PULLED = "pulled"
UNKNOWN_HOST_KEY = "unknown-host-key"
HOST_KEY_CHANGED = "host-key-changed"
INVALID = "invalid-reference"
# Catalogue code -> outcome, for failures at any stage.
OUTCOMES = {
    "node_unknown_host_key": UNKNOWN_HOST_KEY,
    "node_host_key_changed": HOST_KEY_CHANGED,
    "node_login_failed": "login-failed",
    "node_identity_unreadable": "identity-unreadable",
    "node_unreachable": "node-unreachable",
    "node_timeout": "timeout",
    "node_command_timeout": "timeout",
    "node_stalled_after_banner": "stalled",
    "node_known_hosts_unreadable": "known-hosts-unreadable",
    "node_k3s_missing": "k3s-missing",
    "node_sudo_password": "sudo-needs-password",
    "node_sudo_not_allowed": "sudo-not-allowed",
    "node_sudo_secure_path": "sudo-secure-path",
    "node_needs_credentials": "needs-credentials",
    "node_missing_tag": "missing-tag",
    "node_arch_mismatch": "arch-mismatch",
    "node_registry_unreachable": "registry-unreachable",
    "node_pull_timeout": "timeout",
    "node_pull_failed": "pull-failed",
    "rate_limited": "rate-limited",
}
_PULLED = re.compile(r"Image is up to date for (\S+)")
# `uname -m` -> the platform name images use.
_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm/v7",
         "armv6l": "arm/v6", "i686": "386", "i386": "386", "ppc64le": "ppc64le", "s390x": "s390x",
         "riscv64": "riscv64"}
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


# --- known hosts -------------------------------------------------------------------------------


def tutor_known_hosts() -> Path:
    from tutor import store

    return store.config_dir() / "known_hosts"


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


def _load_known_hosts(files: list[Path]):
    import asyncssh

    # An empty object trusts nothing; passing None instead would turn host key checking off.
    return asyncssh.read_known_hosts([str(p) for p in files]) if files else asyncssh.SSHKnownHosts()


def host_pattern(host: str, port: int | None) -> str:
    return host if not port or port == 22 else f"[{host}]:{port}"


def public_key_line(key: Any) -> str:
    """``type base64`` of an asyncssh SSHKey, or of an OpenSSH public key line (checked, comment dropped)."""
    if isinstance(key, bytes):
        key = key.decode()
    if not isinstance(key, str):
        key = key.export_public_key("openssh").decode()
    parts = key.split()
    if len(parts) < 2 or _key_type_in(parts[1]) != parts[0]:
        raise ValueError("not an OpenSSH public key line ('TYPE BASE64 [comment]')")
    return f"{parts[0]} {parts[1]}"


def _key_type_in(blob: str) -> str | None:
    """The key type written at the start of a public key blob (SSH wire format)."""
    import base64
    import binascii

    try:
        data = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        return None
    size = int.from_bytes(data[:4], "big") if len(data) >= 4 else 0
    if not 0 < size <= len(data) - 4 or len(data) < 4 + size + 4:
        return None
    try:
        return data[4:4 + size].decode("ascii")
    except UnicodeDecodeError:
        return None


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


def _connect_kwargs(target: NodeTarget, known: Any) -> dict[str, Any]:
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
    kwargs = _connect_kwargs(target, asyncssh.SSHKnownHosts())
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


# --- results -------------------------------------------------------------------------------------


@dataclass
class NodeReport:
    """What checking the node found: a connection-level outcome, then one result per image."""

    node: str
    outcome: str  # "ok" once logged in with k3s and sudo usable, else the failure
    reason: str
    hint: hints.Hint | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    pulls: list[ImageResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome == "ok" and all(p.ok for p in self.pulls)


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


@dataclass(frozen=True)
class K3sCommand:
    """How k3s is run on the node: through ``sudo -n`` or not (root), by name or by its full path."""

    sudo: bool = True
    k3s: str = "k3s"  # or the absolute path `command -v k3s` found

    @property
    def prefix(self) -> str:
        """The command words before ``crictl``, quoted for the remote shell."""
        return ("sudo -n " if self.sudo else "") + shlex.quote(self.k3s)

    @property
    def typed(self) -> str:
        """What the learner would type on the node (sudo asks for a password there if it must)."""
        return ("sudo " if self.sudo else "") + shlex.quote(self.k3s)


def choose_k3s(uid: str, k3s_path: str, sudo_finds_k3s: bool = True) -> K3sCommand:
    """Root needs no sudo; anyone else uses sudo, with the full path when sudo's PATH lacks k3s."""
    if uid.strip() == "0":
        return K3sCommand(sudo=False, k3s=k3s_path or "k3s")
    return K3sCommand(sudo=True, k3s="k3s" if sudo_finds_k3s or not k3s_path else k3s_path)


def pull_command(ref: reference.ImageRef | str, k3s: K3sCommand = K3sCommand()) -> str:
    """``sudo -n k3s crictl pull REF``, REF fully qualified and quoted for the remote shell.

    A str is quoted as it is (so that tests can prove the quoting); callers pass ImageRefs.
    """
    text = ref.full if isinstance(ref, reference.ImageRef) else ref
    return f"{k3s.prefix} crictl pull {shlex.quote(text)}"


def node_platform(machine: str) -> str:
    arch = _ARCH.get(machine.strip().lower(), machine.strip().lower() or "unknown")
    return f"linux/{arch}"


def platform_matches(node: str, image: str) -> bool:
    """``linux/arm64`` runs ``linux/arm64``; ``linux/arm/v7`` also accepts a plain ``linux/arm``."""
    if node == image:
        return True
    return node.startswith(image + "/") or image.startswith(node + "/")


PlatformLookup = Callable[[reference.ImageRef], Awaitable[list[str]]]


async def check_node(target: NodeTarget, refs: list[str], platforms: PlatformLookup | None = None) -> NodeReport:
    """Log in to the node and pull each image there. Never raises for a node's problems."""
    import asyncssh

    report = NodeReport(target.label, "ok", "", evidence={"node": target.label})
    images: list[reference.ImageRef] = []
    for text in refs:
        try:
            images.append(reference.parse(text))
        except reference.ImageNameError as err:  # never sent to the node at all
            report.pulls.append(ImageResult(text, INVALID, False, f"{err}.",
                                            hints.hint("invalid_reference", message=str(err))))
    files = known_hosts_files(target)
    report.evidence["known_hosts"] = [str(p) for p in files]
    try:
        known = _load_known_hosts(files)
    except (OSError, ValueError) as exc:  # our own file, not the node: never the security group
        path = _unreadable(files)
        return _fail_all(report, images, "known-hosts-unreadable",
                         hints.hint("node_known_hosts_unreadable", detail=f"{type(exc).__name__}: {exc}",
                                    path=path, node=target.label),
                         hints.known_hosts_unreadable_reason(path, exc), known_hosts_unreadable=path)
    try:
        where = resolve(target)
        kwargs = _connect_kwargs(target, known)
        # asyncio.timeout, not wait_for: on 3.11 wait_for can hand back a connection and drop
        # the cancellation that raced with it, leaving the connection open.
        async with asyncio.timeout(target.connect_timeout + 1):
            conn = await asyncssh.connect(target.host, **kwargs)
    except asyncssh.HostKeyNotVerifiable:
        return await _host_key_problem(target, report, known, images)
    except (asyncssh.Error, OSError, TimeoutError, ValueError) as exc:
        code = hints.classify_ssh_error(exc)
        facts = {"node": target.label, "user": target.user or None, "identity": target.identity or None,
                 "seconds": f"{target.connect_timeout:g}", "ssh_port": _port_of(target)}
        if code == "node_timeout":
            # A silent drop (the security group) sends nothing back; a node that greeted us did answer.
            greeting = await first_words(target)
            if greeting:
                facts["banner"] = greeting
                return _fail_all(report, images, "stalled",
                                 hints.hint("node_stalled_after_banner", detail=str(exc) or "timeout", **facts),
                                 hints.node_stalled_reason(target.label, greeting, target.connect_timeout),
                                 banner=greeting)
        return _fail_all(report, images, OUTCOMES[code], hints.from_ssh_error(exc, **facts),
                         _connect_reason(code, target, exc))
    report.evidence.update(host=where.host, port=where.port, user=where.user or target.user)
    try:
        async with conn:
            return await _inspect_and_pull(conn, target, report, images, platforms)
    except (asyncssh.Error, OSError) as exc:  # the connection dropped half-way
        report.pulls = [p for p in report.pulls if p.outcome == INVALID]
        return _fail_all(report, images, OUTCOMES["node_unreachable"],
                         hints.from_ssh_error(exc, node=target.label, ssh_port=_port_of(target)),
                         _connect_reason("node_unreachable", target, exc))


def _unreadable(files: list[Path]) -> str:
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
    host, port = _address(target)
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


def _address(target: NodeTarget) -> tuple[str, int]:
    """Host and port as ssh would use them (an ssh_config alias may set both)."""
    try:
        where = resolve(target)
        return where.host, where.port or 22
    except Exception:  # noqa: BLE001 - an unreadable ssh config: the target as given
        return target.host, target.port or 22


def _port_of(target: NodeTarget) -> str:
    """The SSH port the learner must open in the security group."""
    return str(_address(target)[1])


def _connect_reason(code: str, target: NodeTarget, exc: BaseException) -> str:
    return hints.node_connect_reason(code, target.label, exc, seconds=target.connect_timeout,
                                     identity=target.identity)


def _fail_all(report: NodeReport, images: list[reference.ImageRef], outcome: str, hint: hints.Hint,
              reason: str, **evidence: Any) -> NodeReport:
    report.outcome, report.reason, report.hint = outcome, reason, hint
    report.evidence.update(evidence)
    for image in images:
        report.pulls.append(ImageResult(image.short, outcome, False, reason, hint, dict(evidence)))
    return report


async def _host_key_problem(target: NodeTarget, report: NodeReport, known: Any,
                            images: list[reference.ImageRef]) -> NodeReport:
    try:
        where = resolve(target)
    except Exception:  # noqa: BLE001 - connecting got further than this, so this does not fail in practice
        where = Resolved(target.host, target.port or 22, target.user, target.host)
    trusted = known.match(where.key_host, where.host, where.port)[0]
    key = await server_host_key(target, sorted({k.get_algorithm() for k in trusted}) or None)
    facts: dict[str, Any] = {"node": target.label}
    evidence: dict[str, Any] = {"known_hosts_host": where.key_host, "known_hosts_port": where.port,
                                "tutor_known_hosts": str(tutor_known_hosts())}
    if key is not None:
        facts["fingerprint"] = evidence["fingerprint"] = fingerprint(key)
        evidence["key_type"] = key.get_algorithm()
        evidence["public_key"] = public_key_line(key)
    shown = facts.get("fingerprint", "(could not be read)")
    if trusted:
        return _fail_all(report, images, HOST_KEY_CHANGED, hints.hint("node_host_key_changed", **facts),
                         f"WARNING: {target.label} presented a different host key ({shown}) from the one recorded "
                         "for it; the tutor will not connect.", **evidence)
    return _fail_all(report, images, UNKNOWN_HOST_KEY, hints.hint("node_unknown_host_key", **facts),
                     f"{target.label} presented a host key the tutor does not know yet ({shown}); "
                     "trust it after checking the fingerprint.", **evidence)


async def _inspect_and_pull(conn: Any, target: NodeTarget, report: NodeReport, images: list[reference.ImageRef],
                            platforms: PlatformLookup | None) -> NodeReport:
    facts = {"node": target.label, "user": report.evidence.get("user") or None}
    arch = await run_command(conn, "uname -m", target.command_timeout)
    machine = arch.stdout.strip() if arch.exit_status == 0 else ""
    report.evidence.update(arch=machine or None, platform=node_platform(machine) if machine else None)
    who = await run_command(conn, "id -u", target.command_timeout)
    uid = who.stdout.strip() if who.exit_status == 0 else ""
    report.evidence["root"] = uid == "0"
    k3s = await run_command(conn, K3S_VERSION, target.command_timeout)
    report.evidence["k3s"] = k3s.stdout.strip().splitlines()[0] if k3s.exit_status == 0 and k3s.stdout.strip() else None
    if k3s.timed_out or k3s.exit_status != 0:
        # Logged in already: a command that hangs now is the node's own trouble, not a firewall.
        code = "node_command_timeout" if k3s.timed_out else "node_k3s_missing"
        if k3s.timed_out:
            reason = hints.node_command_timeout_reason(target.label, "k3s --version", target.command_timeout)
        elif k3s.exit_status == 127:
            reason = f"k3s is not installed on {target.label}: there is no `k3s` command."
        else:
            reason = f"k3s on {target.label} does not run: `k3s --version` exited with {k3s.exit_status}."
        return _fail_all(report, images, OUTCOMES[code],
                         hints.hint(code, detail=k3s.output, seconds=f"{target.command_timeout:g}",
                                    command="k3s --version", **facts), reason,
                         k3s_check=k3s.evidence())
    where = await run_command(conn, K3S_WHERE, target.command_timeout)
    found = where.stdout.strip().splitlines()[0] if where.exit_status == 0 and where.stdout.strip() else ""
    k3s_path = found if found.startswith("/") else ""
    report.evidence["k3s_path"] = k3s_path or None
    runner = choose_k3s(uid, k3s_path)
    secure_path = False
    if runner.sudo:
        sudo = await run_command(conn, "sudo -n k3s --version", target.command_timeout)
        code = hints.classify_node_message(sudo.output, k3s_found=True) if sudo.exit_status != 0 else ""
        if code == "node_sudo_secure_path" and k3s_path:
            # k3s answered outside sudo: sudo's own PATH is what lacks it. Give sudo the full path.
            runner = choose_k3s(uid, k3s_path, sudo_finds_k3s=False)
            sudo = await run_command(conn, f"{runner.prefix} --version", target.command_timeout)
            code = hints.classify_node_message(sudo.output, k3s_found=True) if sudo.exit_status != 0 else ""
            secure_path = not code
        if code:
            known = ("node_sudo_password", "node_sudo_not_allowed", "node_sudo_secure_path")
            code = code if code in known else "node_sudo_password"
            sudo_facts = {**facts, "k3s_path": k3s_path or None, "k3s_dir": k3s_path.rsplit("/", 1)[0] or None,
                          "ref": images[0].short if images else None}
            reason = {
                "node_sudo_password": f"sudo on {target.label} asks for a password, so `sudo -n k3s crictl pull` "
                                      "cannot run unattended.",
                "node_sudo_secure_path": f"sudo on {target.label} cannot find k3s: its secure_path lacks "
                                         f"{sudo_facts['k3s_dir'] or 'the folder k3s is in'}.",
            }.get(code, f"{report.evidence.get('user') or 'This user'} may not use sudo on {target.label}.")
            return _fail_all(report, images, OUTCOMES[code], hints.hint(code, detail=sudo.output, **sudo_facts),
                             reason, sudo_check=sudo.evidence())
        report.evidence["sudo_check"] = sudo.evidence()
    report.evidence["k3s_command"] = runner.typed
    if secure_path:
        report.evidence["sudo_secure_path"] = True
        report.hint = hints.hint("node_sudo_secure_path", node=target.label, k3s_path=k3s_path,
                                 k3s_dir=k3s_path.rsplit("/", 1)[0], ref=images[0].short if images else None)
    pulls = await asyncio.gather(*(pull_image(conn, image, target, report.evidence.get("platform"), platforms,
                                              k3s=runner, secure_path=secure_path)
                                   for image in images))
    report.pulls.extend(pulls)
    if not runner.sudo:
        report.reason = f"Logged in to {target.label} as root (no sudo needed); k3s is installed."
    elif secure_path:
        report.reason = (f"Logged in to {target.label}; k3s is installed at {k3s_path}, which sudo's PATH "
                         "(secure_path) lacks, so the tutor gave sudo the full path.")
    else:
        report.reason = f"Logged in to {target.label}; k3s is installed and sudo works."
    return report


async def pull_image(conn: Any, image: reference.ImageRef | str, target: NodeTarget, platform: str | None = None,
                     platforms: PlatformLookup | None = None, *, k3s: K3sCommand = K3sCommand(),
                     secure_path: bool = False) -> ImageResult:
    """``sudo -n k3s crictl pull`` one image on an open connection, and read what it printed.

    With ``platform`` (the node's) and a ``platforms`` lookup, a pulled image built for
    another platform is reported too: its containers would die with "exec format error".
    ``k3s`` says how k3s is run (root: no sudo); ``secure_path``: sudo needed k3s's full path.
    """
    command = pull_command(image, k3s)
    short = image.short if isinstance(image, reference.ImageRef) else image
    facts: dict[str, Any] = {"ref": short, "node": target.label, "seconds": f"{target.pull_timeout:g}",
                             "k3s_command": k3s.typed}
    if platform:
        facts.update(node_platform=platform, node_arch=platform.split("/", 1)[1])
    ran = await run_command(conn, command, target.pull_timeout)
    evidence: dict[str, Any] = {"pull": ran.evidence()}
    if ran.timed_out:
        hint = hints.hint("node_pull_timeout", **facts)
        return ImageResult(short, "timeout", False, hints.node_pull_reason("node_pull_timeout", short, hint), hint,
                           evidence)
    found = _PULLED.search(ran.stdout)
    pulled = ran.exit_status == 0 and found is not None
    code = "" if pulled else hints.classify_node_message(ran.output, k3s_found=k3s.k3s != "k3s")
    if (pulled or code in ("node_pull_failed", "node_arch_mismatch")) and platform and platforms \
            and isinstance(image, reference.ImageRef):
        built_for = await platforms(image)
        evidence["image_platforms"] = built_for
        if built_for:
            facts["image_platform"] = ", ".join(built_for)
            if not any(platform_matches(platform, p) for p in built_for):
                code = "node_arch_mismatch"
    if pulled:
        evidence["image_id"] = found.group(1)
        if code != "node_arch_mismatch":
            reason = hints.node_pulled_reason(short, found.group(1), k3s.k3s if secure_path else "")
            return ImageResult(short, PULLED, True, reason, None, evidence)
        hint = hints.hint(code, **facts)
        return ImageResult(short, OUTCOMES[code], False,
                           hints.node_wrong_platform_reason(short, facts["image_platform"], platform), hint, evidence)
    hint = hints.hint(code, detail=hints.pull_reason(ran.output), **facts)
    return ImageResult(short, OUTCOMES.get(code, "pull-failed"), False, hints.node_pull_reason(code, short, hint), hint,
                       evidence)
