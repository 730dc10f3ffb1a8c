"""A k3s node: SSH errors on the way in, what `sudo -n k3s crictl pull` printed there, and the
short reasons the node check's rows show beside their hints."""

from __future__ import annotations

import re

from tutor.hints.catalogue import FailureHint, class_names, first_line, hint

TEXTS: dict[str, tuple[str, str]] = {
    # A k3s node over SSH.
    "node_unknown_host_key": (
        "The node {node} presented a host key the tutor has not seen before (fingerprint {fingerprint}).",
        "Compare that fingerprint with the node's own (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on "
        "the node, or the EC2 console's system log) and trust the key only if they match.",
    ),
    "node_host_key_changed": (
        "WARNING: the node {node} presented a different host key (now {fingerprint}) from the one recorded "
        "for it. The instance may have been replaced, or someone may be intercepting the connection.",
        "Do not trust it blindly: if you recreated the instance, remove the old entry for {node} from your "
        "known_hosts file (`ssh-keygen -R HOST`) and check again; otherwise stop and investigate.",
    ),
    "node_login_failed": (
        "The node {node} refused to log {user} in with the key given.",
        "Check the user (ubuntu on Ubuntu AMIs, ec2-user on Amazon Linux) and that the key is the instance's "
        "key pair: `ssh -i KEY USER@HOST` should log in.",
    ),
    "node_identity_unreadable": (
        "The SSH key {identity} could not be read: {detail}",
        "Give the private key file of the instance's key pair (the .pem file); a key with a passphrase "
        "must be loaded into ssh-agent instead.",
    ),
    "node_unreachable": (
        "The tutor could not connect to the node {node}: {detail}",
        "Check that the instance is running, its public address, and that its security group allows SSH "
        "(port {ssh_port}) from your IP address.",
    ),
    "node_timeout": (
        "The node {node} did not answer within {seconds} seconds.",
        "Check the address and that the security group allows SSH from your IP: a silent firewall drop "
        "looks exactly like this.",
    ),
    # It answered, so the path through the firewall works: the trouble is on the node.
    "node_stalled_after_banner": (
        "The node {node} answered (its SSH server greeted the tutor with {banner}), but then stopped answering "
        "during the SSH handshake and login: it did not finish within {seconds} seconds.",
        "The network and the security group are fine (the node answered). The instance is overloaded or its "
        "SSH server is stuck: wait a minute and check again, or reboot it from the EC2 console.",
    ),
    "node_command_timeout": (
        "The tutor logged in to {node}, but `{command}` did not finish there within {seconds} seconds; the "
        "tutor ended it.",
        "The connection works (this is not the security group): log in yourself (`ssh USER@HOST`) and run "
        "`{command}` to see what it waits for; an overloaded instance may need a reboot.",
    ),
    "node_known_hosts_unreadable": (
        "The tutor cannot read the known_hosts file {path} on this machine, so it cannot check the node's host "
        "key ({detail}).",
        "Make the file readable by you (`chmod 600 {path}`, owned by your user) or fix or remove the broken "
        "line; it holds the host keys you trusted.",
    ),
    "node_k3s_missing": (
        "k3s is not installed on the node {node}: there is no `k3s` command.",
        "Install it on the node (`curl -sfL https://get.k3s.io | sh -`), then check again.",
    ),
    "node_sudo_password": (
        "On the node, sudo asks {user} for a password, so the tutor cannot run `sudo k3s crictl` by itself.",
        "Use a user with passwordless sudo (ubuntu or ec2-user on EC2), or run "
        "`sudo k3s crictl pull {ref}` on the node yourself.",
    ),
    # sudo runs commands with its own PATH (secure_path), which often lacks /usr/local/bin, where
    # the k3s installer puts k3s: "sudo: k3s: command not found" although k3s is installed.
    "node_sudo_secure_path": (
        "On the node, sudo cannot find k3s: it is installed at {k3s_path}, but sudo looks for commands only in "
        "its own PATH (secure_path in /etc/sudoers), which lacks {k3s_dir}.",
        "Give sudo the full path: `sudo {k3s_path} crictl pull {ref}` (or `sudo $(command -v k3s) crictl pull "
        "{ref}`), or add {k3s_dir} to secure_path with `sudo visudo`.",
    ),
    "node_sudo_not_allowed": (
        "On the node, {user} may not use sudo: {detail}",
        "Log in as the instance's default user (ubuntu or ec2-user), which may use sudo.",
    ),
    "node_needs_credentials": (
        "The node could not pull {ref}: the registry refused (pull access denied). The repository is private, "
        "or it does not exist.",
        "If it is private, make it public or give the node credentials: /etc/rancher/k3s/registries.yaml for "
        "crictl, an imagePullSecret for pods. A pod using it would show ErrImagePull, then ImagePullBackOff.",
    ),
    "node_missing_tag": (
        "The node could not pull {ref}: the registry has no such image or tag.",
        "Push it from your machine (`docker push {ref}`) and check the spelling of the tag; a pod using it "
        "would show ErrImagePull, then ImagePullBackOff.",
    ),
    "node_arch_mismatch": (
        "{ref} is built for {image_platform}, but the node runs {node_platform}: it cannot run there.",
        "Build it for the node's platform and push again: `docker buildx build --platform {node_platform} "
        "-t {ref} --push .` (or several platforms, comma-separated).",
    ),
    "node_registry_unreachable": (
        "The node could not reach the registry to pull {ref}: {detail}",
        "Check the node's outbound network access (security group egress rules, DNS).",
    ),
    "node_pull_timeout": (
        "Pulling {ref} on the node took longer than {seconds} seconds.",
        "A big image on a small instance takes time: run `{k3s_command} crictl pull {ref}` on the node yourself, "
        "then check again (or raise the pull timeout).",
    ),
    "node_pull_failed": (
        "The node could not pull {ref}: {detail}",
        "Run `{k3s_command} crictl pull {ref}` on the node to see the whole message.",
    ),
}

GENERIC = {
    "ssh_port": "22",
    "user": "this user",
    "identity": "given",
    "image_platform": "another platform",
    "node_platform": "linux/ARCH",
    "k3s_command": "sudo k3s",
    "k3s_path": "/usr/local/bin/k3s",
    "k3s_dir": "/usr/local/bin",
    "banner": "an SSH banner",
    "command": "the command",
}


def classify_ssh_error(error: BaseException) -> str:
    """The catalogue code for an exception met while connecting to a node (asyncssh or socket)."""
    names = class_names(error)
    if "HostKeyNotVerifiable" in names:
        return "node_unknown_host_key"
    if "PermissionDenied" in names:
        return "node_login_failed"
    if "KeyImportError" in names or "FileNotFoundError" in names or "IsADirectoryError" in names:
        return "node_identity_unreadable"
    if names & {"TimeoutError", "ConnectionTimeout"}:
        return "node_timeout"
    return "node_unreachable"


def from_ssh_error(error: BaseException, **facts: object) -> FailureHint:
    text = str(error).strip() or type(error).__name__
    return hint(classify_ssh_error(error), detail=text, **facts)


# What `sudo -n k3s crictl pull` prints, first matching rule wins.
_NODE_RULES: list[tuple[str, re.Pattern[str]]] = [
    (code, re.compile(pattern, re.IGNORECASE)) for code, pattern in [
        ("node_sudo_password", r"a password is required|a terminal is required|no tty present"),
        ("node_sudo_not_allowed", r"is not in the sudoers file|is not allowed to (run|execute)"
                                  r"|sudo: command not found|sudo: not found"),
        ("node_k3s_missing", r"k3s: command not found|k3s: not found|unable to execute \S*k3s"),
        ("node_arch_mismatch", r"no match for platform|exec format error"),
        ("rate_limited", r"toomanyrequests|too many requests|\b429\b"),
        ("node_registry_unreachable", r"dial tcp|no such host|connection refused|i/o timeout|TLS handshake"
                                      r"|network is unreachable|server gave HTTP response to HTTPS client"),
        ("node_needs_credentials", r"pull access denied|insufficient_scope|unauthorized|authorization failed"
                                   r"|\b401\b|\b403\b|forbidden|access denied"),
        ("node_missing_tag", r"not found|manifest unknown|name unknown"),
    ]
]


_SUDO_NO_K3S = re.compile(r"sudo: \S*k3s: command not found", re.IGNORECASE)


def classify_node_message(message: str, k3s_found: bool = False) -> str:
    """The catalogue code for what a node printed while pulling (``node_pull_failed`` when unknown).

    ``k3s_found``: the node ran `k3s --version` outside sudo, so sudo not finding k3s is sudo's own
    PATH (secure_path) rather than a missing k3s.
    """
    if k3s_found and _SUDO_NO_K3S.search(message):
        return "node_sudo_secure_path"
    for code, pattern in _NODE_RULES:
        if pattern.search(message):
            return code
    return "node_pull_failed"


def from_node_pull(message: str, *, k3s_found: bool = False, code: str = "", **facts: object) -> FailureHint:
    """The hint for a `sudo -n k3s crictl pull` that did not bring a usable image, from what it printed
    (its reason, ``pull_reason``, is the hint's detail).

    ``k3s_found`` as for ``classify_node_message``. ``code``: what the caller found out that the message
    cannot say, or its own classification of it: ``node_pull_timeout`` (no answer in time; no message),
    ``node_arch_mismatch`` (the image's platforms lack the node's, though the pull may have worked).
    """
    return hint(code or classify_node_message(message, k3s_found), detail=pull_reason(message), **facts)


def pull_reason(message: str) -> str:
    # crictl wraps containerd's words: keep what comes after the last "desc = " or "pulling image: ".
    line = first_line(message)
    for marker in ("desc = ", "pulling image: "):
        if marker in line:
            line = line.rsplit(marker, 1)[1]
    return line


# Short reasons for a node check's row, beside its (longer) hint.

def node_connect_reason(code: str, node: str, error: BaseException, *, seconds: float, identity: str = "") -> str:
    """Why the tutor could not get onto the node, in one sentence (``code`` from classify_ssh_error)."""
    detail = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return {
        "node_login_failed": f"The node {node} refused the login ({detail}).",
        "node_timeout": f"The node {node} did not answer within {seconds:g} seconds.",
        "node_identity_unreadable": f"The SSH key {identity or 'given'} could not be read ({detail}).",
    }.get(code, f"The tutor could not connect to {node} ({detail}).")


def node_command_timeout_reason(node: str, command: str, seconds: float) -> str:
    return (f"Logged in to {node}, but `{command}` did not finish within {seconds:g} seconds "
            "(the tutor ended it on the node).")


def node_stalled_reason(node: str, banner: str, seconds: float) -> str:
    return f"{node} answered ({banner}) but then stalled: the SSH login did not finish within {seconds:g} seconds."


def known_hosts_unreadable_reason(path: str, error: BaseException) -> str:
    return f"The known_hosts file {path} on this machine cannot be read ({type(error).__name__})."


def host_key_replaced(node: str, new: str, old: list[str], path: str, elsewhere: list[str]) -> str:
    """What `check --trust-host-key` says when the key it records replaces others for the node."""
    if not old and not elsewhere:
        return f"Trusted {node}'s host key {new} (recorded in {path})."
    lines = []
    if old:
        lines.append(f"The host key of {node} CHANGED: it was {', '.join(old)}, it is now {new}. The old key was "
                     f"removed from {path} and is no longer trusted; the new one is recorded there.")
    else:
        lines.append(f"Trusted {node}'s host key {new} (recorded in {path}).")
    if elsewhere:
        lines.append(f"Another file still lists a different key for {node} ({', '.join(elsewhere)}): remove that "
                     "entry with `ssh-keygen -R HOST` (for a port other than 22: `ssh-keygen -R '[HOST]:PORT'`).")
    return " ".join(lines)


# A row's reason for a failed pull: the hint's own `what` where that is one short sentence
# (_WHAT_IS_THE_REASON), else a shorter sentence than the hint's, made here.
_PULL_REASONS = {
    "node_needs_credentials": "The node was refused {ref}: the repository is private (the node has no "
                              "credentials for it) or does not exist.",
    "node_registry_unreachable": "The node could not reach the registry for {ref}.",
    "rate_limited": "The registry rate-limited the node's pull of {ref}.",
    "node_k3s_missing": "k3s is not installed on the node.",
    "node_sudo_password": "sudo on the node asks for a password.",
    "node_sudo_secure_path": "sudo on the node cannot find k3s (its secure_path lacks k3s's folder).",
}
_WHAT_IS_THE_REASON = frozenset({"node_missing_tag", "node_arch_mismatch", "node_pull_timeout"})


def node_pull_reason(code: str, ref: str, found: FailureHint) -> str:
    """Why the node did not pull ``ref``, in one sentence (``code`` from classify_node_message)."""
    if code in _WHAT_IS_THE_REASON:
        return found.what
    if code in _PULL_REASONS:
        return _PULL_REASONS[code].format(ref=ref)
    first = found.detail.splitlines()[0][:200] if found.detail else "unknown"
    return f"The node could not pull {ref}: {first}."


def node_pulled_reason(ref: str, image_id: str, secure_path_k3s: str = "") -> str:
    """``secure_path_k3s``: the full path the tutor had to give sudo, which could not find k3s itself."""
    pulled = f"The node pulled {ref} (image id {image_id[:19]}…)"
    if not secure_path_k3s:
        return pulled + "."
    return (f"{pulled}, but only through the full path: sudo's PATH lacks k3s, so `sudo k3s crictl pull` fails "
            f"there; type `sudo {secure_path_k3s} crictl pull {ref}`.")


def node_wrong_platform_reason(ref: str, image_platform: str, node_platform: str) -> str:
    return (f"The node pulled {ref}, but it is built for {image_platform} and the node is {node_platform}: "
            "its containers would fail with \"exec format error\".")
