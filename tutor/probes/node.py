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

The pieces live beside this module: the target (``node_target``), SSH and host keys (``ssh``)
and the pull itself (``node_pull``); their public names can be imported from here too.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from tutor import hints, reference
# Imported for callers too (runner, roster, doctor, commands, screens, tests), which import them from here.
from tutor.probes.node_pull import (  # noqa: F401
    HOST_KEY_CHANGED, INVALID, OUTCOMES, PULLED, UNKNOWN_HOST_KEY, K3sCommand, PlatformLookup, choose_k3s,
    node_platform, platform_matches, pull_command, pull_image,
)
from tutor.probes.node_target import (  # noqa: F401
    COMMAND_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_PULL_TIMEOUT, NodeTarget, parse_node_spec, target_from_settings,
)
from tutor.probes.results import ImageResult
from tutor.probes.ssh import (  # noqa: F401
    Ran, Resolved, address, connect_kwargs, fingerprint, first_words, known_hosts_files, load_known_hosts,
    other_keys_elsewhere, public_key_line, replace_host_key, resolve, run_command, server_host_key, trust_host_key,
    tutor_known_hosts, unreadable_known_hosts,
)

# k3s installs to /usr/local/bin, which a non-login shell's PATH may lack.
WITH_LOCAL_BIN = 'PATH="$PATH:/usr/local/bin"'
K3S_VERSION = f"{WITH_LOCAL_BIN} k3s --version"
K3S_WHERE = f"{WITH_LOCAL_BIN} command -v k3s"


# --- the check -------------------------------------------------------------------------------------


@dataclass
class NodeReport:
    """What checking the node found: a connection-level outcome, then one result per image."""

    node: str
    outcome: str  # "ok" once logged in with k3s and sudo usable, else the failure
    reason: str
    hint: hints.FailureHint | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    pulls: list[ImageResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome == "ok" and all(p.ok for p in self.pulls)


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
        known = load_known_hosts(files)
    except (OSError, ValueError) as exc:  # our own file, not the node: never the security group
        path = unreadable_known_hosts(files)
        return _fail_all(report, images, "known-hosts-unreadable",
                         hints.hint("node_known_hosts_unreadable", detail=f"{type(exc).__name__}: {exc}",
                                    path=path, node=target.label),
                         hints.known_hosts_unreadable_reason(path, exc), known_hosts_unreadable=path)
    try:
        where = resolve(target)
        kwargs = connect_kwargs(target, known)
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
            done = await _inspect_and_pull(conn, target, report, images, platforms)
    except (asyncssh.Error, OSError) as exc:  # the connection dropped half-way
        report.pulls = [p for p in report.pulls if p.outcome == INVALID]
        return _fail_all(report, images, OUTCOMES["node_unreachable"],
                         hints.from_ssh_error(exc, node=target.label, ssh_port=_port_of(target)),
                         _connect_reason("node_unreachable", target, exc))
    return done


def _port_of(target: NodeTarget) -> str:
    """The SSH port the learner must open in the security group."""
    return str(address(target)[1])


def _connect_reason(code: str, target: NodeTarget, exc: BaseException) -> str:
    return hints.node_connect_reason(code, target.label, exc, seconds=target.connect_timeout,
                                     identity=target.identity)


def _fail_all(report: NodeReport, images: list[reference.ImageRef], outcome: str, hint: hints.FailureHint,
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
