"""Pulling on the node: how k3s is run there (sudo or root, by name or full path), ``crictl pull``,
what its output means, and whether the image is built for the node's platform."""

from __future__ import annotations

import re
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tutor import hints, reference
from tutor.probes.node_target import NodeTarget
from tutor.probes.results import ImageResult
from tutor.probes.ssh import run_command

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
        facts["node_platform"] = platform
    ran = await run_command(conn, command, target.pull_timeout)
    evidence: dict[str, Any] = {"pull": ran.evidence()}
    if ran.timed_out:
        hint = hints.from_node_pull("", code="node_pull_timeout", **facts)
        return ImageResult(short, "timeout", False, hints.node_pull_reason("node_pull_timeout", short, hint), hint,
                           evidence)
    found = _PULLED.search(ran.stdout) if ran.exit_status == 0 else None
    image_id = found.group(1) if found is not None else None
    pulled = image_id is not None
    code = "" if pulled else hints.classify_node_message(ran.output, k3s_found=k3s.k3s != "k3s")
    if (pulled or code in ("node_pull_failed", "node_arch_mismatch")) and platform and platforms \
            and isinstance(image, reference.ImageRef):
        built_for = await platforms(image)
        evidence["image_platforms"] = built_for
        if built_for:
            facts["image_platform"] = ", ".join(built_for)
            if not any(platform_matches(platform, p) for p in built_for):
                code = "node_arch_mismatch"
    if image_id is not None:
        evidence["image_id"] = image_id
        if code != "node_arch_mismatch" or not platform:  # a mismatch is found with the node's platform only
            reason = hints.node_pulled_reason(short, image_id, k3s.k3s if secure_path else "")
            return ImageResult(short, PULLED, True, reason, None, evidence)
        hint = hints.from_node_pull("", code=code, **facts)  # it pulled: docker's words say nothing wrong
        return ImageResult(short, OUTCOMES[code], False,
                           hints.node_wrong_platform_reason(short, facts["image_platform"], platform), hint, evidence)
    hint = hints.from_node_pull(ran.output, code=code, **facts)
    return ImageResult(short, OUTCOMES.get(code, "pull-failed"), False, hints.node_pull_reason(code, short, hint), hint,
                       evidence)
