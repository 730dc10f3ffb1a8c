"""Pre-flight checks before a class: is everything the milestone needs in place on this machine?

One :class:`Finding` per check, in a fixed order with stable ids (:data:`CHECK_IDS`):
the engine, the base images the project's Dockerfiles start FROM, free disk space where
the engine keeps its images, the registry answering ``GET /v2/``, its pull quota (the
``ratelimit-*`` headers of a manifest HEAD, which Docker Hub does not count as a pull),
docker's stored login for it, and the node: SSH with a known host key, k3s, sudo.

Every check runs at once, each within its own time bound; one that needs another's answer
(the base images need the engine) waits for it and says "not checked" when it failed.
What to do about a failure comes from tutor.hints, like every other hint; docker, httpx and
asyncssh are imported only by the probes this module calls. The setup and the findings are in
``doctor_setup``, the Dockerfile reading in ``dockerfile`` and the registry's checks in
``doctor_registry``.
"""

from __future__ import annotations

import asyncio
import shlex
import shutil
import socket
from pathlib import Path
from typing import Any

from tutor import hints, reference
from tutor.probes import node as node_probe
from tutor.probes.dockerfile import base_images
from tutor.probes.doctor_registry import RegistryChecks, parse_ratelimit  # noqa: F401 - tests import it here
# Imported for callers too (commands/doctor, tests), which import them from here.
from tutor.probes.doctor_setup import (  # noqa: F401
    CHECK_IDS, BuildContext, DoctorSetup, Finding, from_hint, joined_and, is_or_are, ready, setup_for,
    skipped,
)
from tutor.states import DoctorStatus

# Node hint codes that mean the tutor never got a usable SSH session.
NO_LOGIN = frozenset({"node_unknown_host_key", "node_host_key_changed", "node_login_failed", "node_identity_unreadable",
                      "node_unreachable", "node_timeout", "node_stalled_after_banner", "node_known_hosts_unreadable"})


# --- running --------------------------------------------------------------------------------------


class Doctor(RegistryChecks):
    """Runs every check once; :meth:`run` returns the findings in :data:`CHECK_IDS` order."""

    def __init__(self, setup: DoctorSetup) -> None:
        self.setup = setup
        self.engine: dict[str, Any] | None = None  # version and info, once the engine answered
        self.missing_bases: list[str] | None = None  # base images not present (None: not known)
        self.registry_status: int | None = None  # the registry's answer to GET /v2/ (None: no usable answer)
        self.registry_trouble = "does not answer"  # why not, for the checks that need it

    async def run(self) -> list[Finding]:
        timeout = self.setup.timeout
        engine = self._task("engine", self.check_engine(), 2 * timeout + 5)
        registry = self._task("registry", self.check_registry(), timeout + 5)
        bases = self._task("base-images", self.check_base_images(engine), 4 * timeout + 5)
        tasks = [
            engine, bases,
            self._task("disk", self.check_disk(engine), 2 * timeout + 5),
            registry,
            self._task("pull-quota", self.check_quota(registry, bases), 8 * timeout + 5),
            self._task("login", self.check_login(registry), 5 * timeout + 5),
        ]
        node = asyncio.create_task(self.check_node(6 * timeout + 5))
        try:
            findings = [await task for task in tasks]
            findings.extend(await node)
        finally:
            for task in (*tasks, node):
                task.cancel()
        return findings

    def _task(self, check: str, work: Any, bound: float) -> asyncio.Task:
        return asyncio.create_task(_bounded(check, work, bound), name=f"doctor-{check}")

    # --- the engine, its images and its disk ----------------------------------------------------

    async def check_engine(self) -> Finding:
        from tutor.docker_ops.engine import engine_host

        host = engine_host()
        try:
            facts = await asyncio.to_thread(_engine_facts, self.setup.timeout)
        except Exception as exc:  # noqa: BLE001 - the SDK raises DockerException or requests errors
            found = hints.from_docker(exc, "images", host=host)
            return from_hint("engine", DoctorStatus.FAIL, found.what, found, host=host)
        self.engine = facts
        version = facts["version"]
        platform = f"{version.get('Os', 'linux')}/{version.get('Arch', '?')}"
        return Finding("engine", DoctorStatus.OK, f"Docker {version.get('Version', '?')} answers at {host} "
                       f"(API {version.get('ApiVersion', '?')}, {platform}).",
                       evidence={"host": host, "version": version.get("Version"),
                                 "api_version": version.get("ApiVersion"), "platform": platform})

    async def _engine_answered(self, engine: asyncio.Task) -> bool:
        await asyncio.shield(engine)  # a dependant's own time bound must not cancel the engine check
        return self.engine is not None

    async def check_base_images(self, engine: asyncio.Task) -> Finding:
        needed: dict[str, list[str]] = {}  # image -> the Dockerfiles that start FROM it
        unresolved: list[str] = []
        for context in self.setup.contexts:
            folder = Path(context.folder).expanduser()
            code = "" if folder.is_dir() else "doctor_project_folder_missing"
            if not code and not context.path.is_file():
                code = "doctor_dockerfile_missing"
            if code:
                found = hints.hint(code, context=context.folder, dockerfile=context.label)
                return from_hint("base-images", DoctorStatus.FAIL, found.what, found, dockerfile=str(context.path))
            try:
                lines = base_images(context.path.read_text(encoding="utf-8", errors="replace"))
            except OSError as exc:
                found = hints.hint("doctor_dockerfile_missing", detail=str(exc), context=context.folder,
                                   dockerfile=context.label)
                return from_hint("base-images", DoctorStatus.FAIL, found.what, found, dockerfile=str(context.path))
            for image in lines.images:
                needed.setdefault(image, []).append(context.label)
            unresolved += [f"{word} ({context.label})" for word in lines.unresolved]
        evidence: dict[str, Any] = {"needed": needed}
        if not needed and not unresolved:
            return Finding("base-images", DoctorStatus.OK,
                           "The project's Dockerfiles need no base image (FROM scratch).",
                           evidence=evidence)
        names = joined_and(list(needed))
        if not await self._engine_answered(engine):
            return Finding("base-images", DoctorStatus.SKIPPED, f"Not checked: the Docker engine does not answer; the "
                           f"Dockerfiles need {names}.", evidence=evidence)
        from tutor.probes import local

        invalid = [image for image in needed if not _parses(image)]
        try:
            present = await local.inspect_images([image for image in needed if image not in invalid],
                                                 self.setup.timeout)
        except local.EngineUnavailable as err:
            return from_hint("base-images", DoctorStatus.FAIL, err.hint.what, err.hint, **evidence)
        missing = [image for image in needed if image in invalid
                   or not present.get(reference.parse(image).short, local.LocalImage(image, False)).present]
        self.missing_bases = missing
        evidence["missing"] = missing
        if missing:
            pulls = [f"docker pull {shlex.quote(image)}" for image in missing]
            evidence["pull_commands"] = pulls
            where = "; ".join(f"{image} for {', '.join(needed[image])}" for image in missing)
            found = hints.hint("doctor_base_images_missing", images=joined_and(missing), where=where,
                               pulls=" && ".join(pulls), them="it" if len(missing) == 1 else "them")
            return from_hint("base-images", DoctorStatus.FAIL, found.what, found, **evidence)
        if unresolved:
            found = hints.hint("doctor_from_variable", words=", ".join(unresolved))
            return from_hint("base-images", DoctorStatus.WARN, f"{names} {is_or_are(needed)} in your local images; "
                              f"{found.what}", found, **evidence, unresolved=unresolved)
        return Finding("base-images", DoctorStatus.OK,
                       f"{names} {is_or_are(needed)} in your local images.", evidence=evidence)

    async def check_disk(self, engine: asyncio.Task) -> Finding:
        from tutor.docker_ops.engine import engine_host
        from tutor.docker_ops.humanize import spaced_size

        if not await self._engine_answered(engine):
            return skipped("disk", "the Docker engine does not answer, so where it keeps its images is unknown")
        info = self.engine["info"] if self.engine else {}
        root = str(info.get("DockerRootDir") or "/var/lib/docker")
        needed = self.setup.needed_space
        facts = {"path": root, "needed": spaced_size(needed), "engine_name": info.get("Name") or "?"}
        free = await asyncio.to_thread(free_space, root, str(info.get("Name") or ""), engine_host())
        evidence: dict[str, Any] = {"path": root, "needed_bytes": needed, "free_bytes": free}
        if free is None:
            found = hints.hint("doctor_disk_unmeasured", **facts)
            return from_hint("disk", DoctorStatus.WARN, found.what, found, **evidence)
        if free < needed:
            found = hints.hint("doctor_disk_low", free=spaced_size(free), short=spaced_size(needed - free), **facts)
            return from_hint("disk", DoctorStatus.FAIL, found.what, found, **evidence)
        return Finding("disk", DoctorStatus.OK,
                       f"{spaced_size(free)} free where Docker keeps images ({root}); the builds "
                       f"need about {spaced_size(needed)}.", evidence=evidence)

    # --- the registry -------------------------------------------------------------------------------

    # --- the node -----------------------------------------------------------------------------------

    async def check_node(self, bound: float) -> list[Finding]:
        target = self.setup.node
        if target is None:
            found = hints.hint("doctor_no_node", detail=self.setup.node_problem)
            message = (f"The node in the settings cannot be used: {self.setup.node_problem}."
                       if self.setup.node_problem else "No k3s node is set.")
            return [from_hint("node-ssh", DoctorStatus.FAIL, message, found), skipped("node-k3s", "no node"),
                    skipped("node-sudo", "no node")]
        from dataclasses import replace

        target = replace(target, connect_timeout=self.setup.timeout, command_timeout=self.setup.timeout)
        try:
            async with asyncio.timeout(bound):
                report = await node_probe.check_node(target, [])
        except TimeoutError:
            return [Finding("node-ssh", DoctorStatus.FAIL,
                            f"Checking {target.label} did not finish within {bound:g} seconds.",
                            hint="node_timeout", fix=hints.hint("node_timeout", node=target.label).next_step),
                    skipped("node-k3s", "the node check did not finish"),
                    skipped("node-sudo", "the node check did not finish")]
        except Exception as exc:  # noqa: BLE001 - e.g. an ~/.ssh/config asyncssh cannot read
            found = hints.hint("doctor_check_crashed", detail=f"{type(exc).__name__}: {exc}")
            return [from_hint("node-ssh", DoctorStatus.FAIL,
                              f"The node check itself failed: {type(exc).__name__}: {exc}", found),
                    skipped("node-k3s", "the node check failed"), skipped("node-sudo", "the node check failed")]
        return node_findings(report, target, self.setup.trust_command)


def node_findings(report: node_probe.NodeReport, target: node_probe.NodeTarget, trust_command: str) -> list[Finding]:
    """The node's three lines from what :func:`tutor.probes.node.check_node` found (no pulls)."""
    label = target.label
    shown = ("host", "port", "user", "arch", "root", "k3s", "k3s_path", "fingerprint", "known_hosts")
    evidence: dict[str, Any] = {key: report.evidence[key] for key in shown if key in report.evidence}
    code = report.hint.code if report.hint is not None else ""
    # "host" is set once the SSH login succeeded; a connection lost after it is still no login.
    if code in NO_LOGIN or "host" not in report.evidence:
        found = report.hint
        if report.outcome == node_probe.UNKNOWN_HOST_KEY:
            fingerprint = report.evidence.get("fingerprint", "")
            command = trust_command.format(fingerprint=fingerprint) if trust_command and fingerprint else ""
            found = hints.hint("doctor_trust_host_key", node=label, fingerprint=fingerprint or None,
                               trust_command=command or None)
        ssh = from_hint("node-ssh", DoctorStatus.FAIL, report.reason, found, **evidence)
        return [ssh, skipped("node-k3s", f"no SSH login to {label}"), skipped("node-sudo", f"no SSH login to {label}")]
    who = report.evidence.get("user") or target.user or "?"
    ssh = Finding("node-ssh", DoctorStatus.OK, f"Logged in to {label} over SSH; its host key is known.",
                  evidence=evidence)
    if code in ("node_k3s_missing", "node_command_timeout"):
        return [ssh, from_hint("node-k3s", DoctorStatus.FAIL, report.reason, report.hint, **evidence),
                skipped("node-sudo", "k3s is not usable")]
    version = report.evidence.get("k3s") or "k3s"
    k3s = Finding("node-k3s", DoctorStatus.OK, f"{version} is installed"
                  + (f" at {report.evidence['k3s_path']}." if report.evidence.get("k3s_path") else "."),
                  evidence=evidence)
    if report.outcome != "ok":
        return [ssh, k3s, from_hint("node-sudo", DoctorStatus.FAIL, report.reason, report.hint, **evidence)]
    if report.evidence.get("root"):
        return [ssh, k3s, Finding("node-sudo", DoctorStatus.OK, f"{who} is root: k3s runs without sudo.",
                                  evidence=evidence)]
    if report.evidence.get("sudo_secure_path"):
        return [ssh, k3s, from_hint("node-sudo", DoctorStatus.WARN, report.reason, report.hint, **evidence)]
    return [ssh, k3s, Finding("node-sudo", DoctorStatus.OK, f"sudo works for {who} without a password "
                              "(`sudo -n k3s --version`).", evidence=evidence)]


# --- helpers ------------------------------------------------------------------------------------------


async def _bounded(check: str, work: Any, bound: float) -> Finding:
    try:
        async with asyncio.timeout(bound):
            return await work
    except TimeoutError:
        return Finding(check, DoctorStatus.FAIL, f"The check did not finish within {bound:g} seconds.",
                       hints.hint("doctor_check_timeout", seconds=f"{bound:g}").next_step, "doctor_check_timeout")
    except Exception as exc:  # noqa: BLE001 - one broken check must not take the others down
        # httpx's transport errors (a registry that went away between two requests) land here too.
        found = hints.hint("doctor_check_crashed", detail=f"{type(exc).__name__}: {exc}")
        return from_hint(check, DoctorStatus.FAIL, f"The check itself failed: {type(exc).__name__}: {exc}", found)


def _engine_facts(timeout: float) -> dict[str, Any]:
    from tutor.docker_ops.engine import connect

    client = connect(timeout=timeout)
    try:
        return {"version": client.version(), "info": client.info()}
    finally:
        client.close()


def free_space(root: str, engine_name: str, host: str) -> int | None:
    """Free bytes on the disk holding ``root``, when the engine runs on this machine; else None.

    An engine behind a TCP address, or in a VM (Docker Desktop names itself docker-desktop),
    keeps ``root`` on another machine's disk, which no local measurement can see.
    """
    if not host.startswith("unix://") or (engine_name and engine_name != socket.gethostname()):
        return None
    path = Path(root)
    while True:
        try:
            return shutil.disk_usage(path).free
        except FileNotFoundError:
            return None
        except PermissionError:
            if path.parent == path:
                return None
            path = path.parent  # the data root is root's; its parent is on the same disk


def _parses(image: str) -> bool:
    try:
        reference.parse(image)
    except reference.ImageNameError:
        return False
    return True
