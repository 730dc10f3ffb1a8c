"""Pre-flight checks before a class: is everything the milestone needs in place on this machine?

One :class:`Finding` per check, in a fixed order with stable ids (:data:`CHECK_IDS`):
the engine, the base images the project's Dockerfiles start FROM, free disk space where
the engine keeps its images, the registry answering ``GET /v2/``, its pull quota (the
``ratelimit-*`` headers of a manifest HEAD, which Docker Hub does not count as a pull),
docker's stored login for it, and the node: SSH with a known host key, k3s, sudo.

Every check runs at once, each within its own time bound; one that needs another's answer
(the base images need the engine) waits for it and says "not checked" when it failed.
What to do about a failure comes from tutor.hints, like every other hint; docker, httpx and
asyncssh are imported only by the probes this module calls.
"""

from __future__ import annotations

import asyncio
import re
import shlex
import shutil
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor import hints, reference
from tutor.probes import node as node_probe

OK = "ok"
WARN = "warn"  # works, but something is worth knowing; does not stop the lesson
FAIL = "fail"
SKIPPED = "skipped"  # not checked: something it needs failed first
READY_STATES = frozenset({OK, WARN})

CHECK_IDS = ("engine", "base-images", "disk", "registry", "pull-quota", "login", "node-ssh", "node-k3s",
             "node-sudo")

# Space the lesson's builds want where the engine keeps images. The two base images are about
# 0.2 GB unpacked (node:20-alpine ~135 MB, nginx:1.27-alpine ~50 MB), each build adds its layers
# and a temporary container per step, the test pull fetches a layer set again, and a class
# repeats builds: 2 GB covers that several times over, so no build meets "no space left on device".
BUILD_SPACE = 2 * 10**9
# Node hint codes that mean the tutor never got a usable SSH session.
NO_LOGIN = frozenset({"node_unknown_host_key", "node_host_key_changed", "node_login_failed", "node_identity_unreadable",
                      "node_unreachable", "node_timeout", "node_stalled_after_banner", "node_known_hosts_unreadable"})
# Docker Hub's documented test repository for reading the pull quota; a HEAD on it costs no pull.
HUB_QUOTA_IMAGE = "ratelimitpreview/test:latest"


@dataclass
class Finding:
    id: str
    state: str  # OK, WARN, FAIL or SKIPPED
    message: str  # one sentence: what the check found
    fix: str = ""  # what to do, from tutor.hints ("" when nothing needs doing)
    hint: str = ""  # the hint's catalogue code
    evidence: dict[str, Any] = field(default_factory=dict)  # facts for --json; never a secret

    @property
    def ok(self) -> bool:
        return self.state in READY_STATES

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "ok": self.ok, "state": self.state, "message": self.message, "fix": self.fix,
                "hint": self.hint or None, "evidence": self.evidence}


def _from_hint(check: str, state: str, message: str, found: hints.Hint | None, **evidence: Any) -> Finding:
    if found is not None and found.detail:
        evidence.setdefault("detail", found.detail)
    return Finding(check, state, message, found.next_step if found else "", found.code if found else "", evidence)


def _skipped(check: str, why: str) -> Finding:
    return Finding(check, SKIPPED, f"Not checked: {why}.")


def ready(findings: list[Finding]) -> bool:
    """The milestone can be done end to end: every check ran and passed (warnings allowed)."""
    return all(f.ok for f in findings)


# --- what the checks are about ------------------------------------------------------------------


@dataclass
class BuildContext:
    folder: str  # the build context, e.g. <project>/backend
    dockerfile: str = "Dockerfile"  # inside the folder

    @property
    def label(self) -> str:
        return f"{Path(self.folder).name}/{self.dockerfile}"

    @property
    def path(self) -> Path:
        file = Path(self.dockerfile)
        return file if file.is_absolute() else Path(self.folder).expanduser() / file


@dataclass
class DoctorSetup:
    registry: str  # the settings' registry key: docker.io, 127.0.0.1:5000 ...
    username: str = ""  # the namespace the lesson names images under
    contexts: list[BuildContext] = field(default_factory=list)
    pull_refs: list[str] = field(default_factory=list)  # what the lesson pulls on this machine
    node: node_probe.NodeTarget | None = None
    node_problem: str = ""  # the configured node cannot be used (a bad host in the settings)
    timeout: float = 10.0  # one request, connection or command
    trust_command: str = ""  # how to trust a host key: "{fingerprint}" is filled in
    needed_space: int = BUILD_SPACE

    @property
    def is_hub(self) -> bool:
        return reference.is_hub(self.registry)

    @property
    def label(self) -> str:
        return "Docker Hub" if self.is_hub else reference.registry_key(self.registry)


def setup_for(lesson: Any, values: dict[str, str], **options: Any) -> DoctorSetup:
    """The setup a lesson implies: its build contexts and pulls, with ``values`` filled in."""
    contexts: list[BuildContext] = []
    pulls: list[str] = []
    for action in lesson.actions():
        params = action.resolved(values)
        if action.kind == "build" and params.get("context"):
            found = BuildContext(params["context"], params.get("dockerfile") or "Dockerfile")
            if all((c.folder, c.dockerfile) != (found.folder, found.dockerfile) for c in contexts):
                contexts.append(found)
        elif action.kind == "pull" and "{" not in (ref := action.image(values) or "{") and ref not in pulls:
            pulls.append(ref)
    return DoctorSetup(registry=values.get("registry") or reference.DOCKER_HUB,
                       username=values.get("username", ""), contexts=contexts, pull_refs=pulls, **options)


# --- Dockerfiles ------------------------------------------------------------------------------


def _instructions(text: str) -> list[str]:
    """Instructions with their continuation lines joined and comments dropped."""
    found, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not current):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        found.append(current + line)
        current = ""
    if current.strip():
        found.append(current.strip())
    return found


_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_]\w*)(?::?([-+])([^}]*))?\}|([A-Za-z_]\w*))")


def _expand(word: str, args: dict[str, str | None]) -> str | None:
    """``word`` with build arguments replaced, as the builder does; None when one has no value here."""
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1) or match.group(4)
        known, op, alternative = args.get(name), match.group(2), match.group(3) or ""
        if op == "-":
            return known or alternative
        if op == "+":
            return alternative if known else ""
        if known is None:
            missing = True
            return ""
        return known

    expanded = _VARIABLE.sub(value, word)
    return None if missing or not expanded else expanded


@dataclass
class FromLines:
    images: list[str] = field(default_factory=list)  # base images, as written (variables filled)
    unresolved: list[str] = field(default_factory=list)  # FROM words naming a build argument without a value


def base_images(text: str) -> FromLines:
    """The images a Dockerfile's FROM lines need: not ``scratch``, not an earlier stage's name.

    ``ARG`` lines before the first FROM give defaults, as in ``ARG NODE=20`` / ``FROM node:${NODE}``.
    """
    args: dict[str, str | None] = {}
    stages: set[str] = set()
    result = FromLines()
    seen_from = False
    for instruction in _instructions(text):
        keyword, _, rest = instruction.partition(" ")
        keyword = keyword.upper()
        if keyword == "ARG" and not seen_from:
            try:
                words = shlex.split(rest)
            except ValueError:
                words = rest.split()
            for word in words:
                name, eq, default = word.partition("=")
                args[name] = default if eq else None
        elif keyword == "FROM":
            seen_from = True
            words = [w for w in rest.split() if not w.startswith("--")]
            if not words:
                continue
            image = _expand(words[0], args)
            if image is None:
                result.unresolved.append(words[0])
            elif image.lower() != "scratch" and image.lower() not in stages and image not in result.images:
                result.images.append(image)
            if len(words) >= 3 and words[1].lower() == "as":
                stages.add(words[2].lower())
    return result


# --- running --------------------------------------------------------------------------------------


class Doctor:
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
            return _from_hint("engine", FAIL, found.what, found, host=host)
        self.engine = facts
        version = facts["version"]
        platform = f"{version.get('Os', 'linux')}/{version.get('Arch', '?')}"
        return Finding("engine", OK, f"Docker {version.get('Version', '?')} answers at {host} "
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
                return _from_hint("base-images", FAIL, found.what, found, dockerfile=str(context.path))
            try:
                lines = base_images(context.path.read_text(encoding="utf-8", errors="replace"))
            except OSError as exc:
                found = hints.hint("doctor_dockerfile_missing", detail=str(exc), context=context.folder,
                                   dockerfile=context.label)
                return _from_hint("base-images", FAIL, found.what, found, dockerfile=str(context.path))
            for image in lines.images:
                needed.setdefault(image, []).append(context.label)
            unresolved += [f"{word} ({context.label})" for word in lines.unresolved]
        evidence: dict[str, Any] = {"needed": needed}
        if not needed and not unresolved:
            return Finding("base-images", OK, "The project's Dockerfiles need no base image (FROM scratch).",
                           evidence=evidence)
        names = _and(list(needed))
        if not await self._engine_answered(engine):
            return Finding("base-images", SKIPPED, f"Not checked: the Docker engine does not answer; the "
                           f"Dockerfiles need {names}.", evidence=evidence)
        from tutor.probes import local

        invalid = [image for image in needed if not _parses(image)]
        try:
            present = await local.inspect_images([image for image in needed if image not in invalid],
                                                 self.setup.timeout)
        except local.EngineUnavailable as err:
            return _from_hint("base-images", FAIL, err.hint.what, err.hint, **evidence)
        missing = [image for image in needed if image in invalid
                   or not present.get(reference.parse(image).short, local.LocalImage(image, False)).present]
        self.missing_bases = missing
        evidence["missing"] = missing
        if missing:
            pulls = [f"docker pull {shlex.quote(image)}" for image in missing]
            evidence["pull_commands"] = pulls
            where = "; ".join(f"{image} for {', '.join(needed[image])}" for image in missing)
            found = hints.hint("doctor_base_images_missing", images=_and(missing), where=where,
                               pulls=" && ".join(pulls), them="it" if len(missing) == 1 else "them")
            return _from_hint("base-images", FAIL, found.what, found, **evidence)
        if unresolved:
            found = hints.hint("doctor_from_variable", words=", ".join(unresolved))
            return _from_hint("base-images", WARN, f"{names} {_are(needed)} in your local images; "
                              f"{found.what}", found, **evidence, unresolved=unresolved)
        return Finding("base-images", OK, f"{names} {_are(needed)} in your local images.", evidence=evidence)

    async def check_disk(self, engine: asyncio.Task) -> Finding:
        from tutor.docker_ops.engine import engine_host
        from tutor.docker_ops.humanize import spaced_size

        if not await self._engine_answered(engine):
            return _skipped("disk", "the Docker engine does not answer, so where it keeps its images is unknown")
        info = self.engine["info"] if self.engine else {}
        root = str(info.get("DockerRootDir") or "/var/lib/docker")
        needed = self.setup.needed_space
        facts = {"path": root, "needed": spaced_size(needed), "engine_name": info.get("Name") or "?"}
        free = await asyncio.to_thread(free_space, root, str(info.get("Name") or ""), engine_host())
        evidence: dict[str, Any] = {"path": root, "needed_bytes": needed, "free_bytes": free}
        if free is None:
            found = hints.hint("doctor_disk_unmeasured", **facts)
            return _from_hint("disk", WARN, found.what, found, **evidence)
        if free < needed:
            found = hints.hint("doctor_disk_low", free=spaced_size(free), short=spaced_size(needed - free), **facts)
            return _from_hint("disk", FAIL, found.what, found, **evidence)
        return Finding("disk", OK, f"{spaced_size(free)} free where Docker keeps images ({root}); the builds "
                       f"need about {spaced_size(needed)}.", evidence=evidence)

    # --- the registry -------------------------------------------------------------------------------

    def _registry_facts(self) -> dict[str, str]:
        return {"registry": self.setup.registry, "registry_label": self.setup.label}

    async def check_registry(self) -> Finding:
        from tutor.probes.registry import registry_health

        health = await registry_health(self.setup.registry, self.setup.timeout)
        label = self.setup.label
        evidence: dict[str, Any] = {"registry": self.setup.registry, "status": health.status}
        if not health.answered:
            detail = health.message or f"no answer within {self.setup.timeout:g} seconds"
            return _from_hint("registry", FAIL, f"{label} does not answer ({detail}).",
                              hints.from_registry("unreachable", detail=detail, **self._registry_facts()),
                              **evidence)
        if health.status == 429:
            self.registry_trouble = "is rate limiting requests (HTTP 429)"
            found = hints.from_registry("rate-limited", retry_after=health.retry_after, **self._registry_facts())
            return _from_hint("registry", FAIL, found.what, found, **evidence, retry_after=health.retry_after)
        if health.status not in (200, 401):
            self.registry_trouble = f"answers HTTP {health.status} at /v2/"
            detail = health.message or f"HTTP {health.status}"
            found = hints.hint("doctor_not_a_registry", status=health.status, detail=detail,
                               **self._registry_facts())
            return _from_hint("registry", FAIL, found.what, found, **evidence)
        self.registry_status = health.status
        how = "it asks who you are" if health.status == 401 else "open to anyone"
        return Finding("registry", OK, f"{label} answers the Registry API (GET /v2/: {health.status}, {how}).",
                       evidence=evidence)

    def _lost(self, check: str, exc: Exception, **evidence: Any) -> Finding:
        """The registry answered GET /v2/ a moment ago, then not this request (or its token service did not)."""
        detail = (str(exc).strip() or type(exc).__name__).splitlines()[0][:200]
        found = hints.from_registry("unreachable", detail=detail, **self._registry_facts())
        return _from_hint(check, FAIL, f"{self.setup.label} stopped answering ({detail}).", found, **evidence)

    async def _registry_answered(self, registry: asyncio.Task) -> bool:
        await asyncio.shield(registry)
        return self.registry_status is not None

    def quota_image(self) -> str | None:
        if self.setup.is_hub:
            return HUB_QUOTA_IMAGE
        return self.setup.pull_refs[0] if self.setup.pull_refs else None

    async def check_quota(self, registry: asyncio.Task, bases: asyncio.Task) -> Finding:
        from tutor.probes import registry as api

        if not await self._registry_answered(registry):
            return _skipped("pull-quota", f"{self.setup.label} {self.registry_trouble}")
        text = self.quota_image()
        if text is None:
            return _skipped("pull-quota", "set your username first: the lesson's images are named after it")
        image = reference.parse(text)
        await asyncio.shield(bases)
        needed = len(self.setup.pull_refs)
        if self.setup.is_hub:  # the builder pulls missing base images from Docker Hub too
            missing = self.missing_bases
            needed += len(missing if missing is not None else self._all_bases())
        credentials, _ = await api.stored_credentials(image)
        import httpx

        try:
            async with api.http_client(None, self.setup.timeout) as http:
                client = api.RegistryApi(http)
                url, scope = api.manifest_url(image), api.pull_scope(image)
                answer = await client.call("HEAD", url, credentials, scope)
                if credentials is not None and answer.stage == "token":
                    credentials = None  # a rejected login is the login check's to say; count as anonymous
                    answer = await client.call("HEAD", url, None, scope)
        except httpx.HTTPError as exc:
            return self._lost("pull-quota", exc)
        who = credentials.username if credentials is not None and credentials.username else \
            "this network's address (anonymous)"
        limit, window = parse_ratelimit(answer.header("ratelimit-limit"))
        remaining, remaining_window = parse_ratelimit(answer.header("ratelimit-remaining"))
        window = window or remaining_window
        evidence = {"image": image.full, "method": "HEAD", "status": answer.status, "limit": limit,
                    "remaining": remaining, "window_seconds": window, "needed": needed,
                    "source": answer.header("docker-ratelimit-source"), "counted_for": who}
        label = self.setup.label
        per = f" per {hints.wait_words(window).removeprefix('about ')}" if window else ""
        if answer.status == 429 or (remaining is not None and remaining < needed):
            wait = api.retry_after_seconds(answer.header("Retry-After"))
            found = hints.hint("doctor_quota_low", remaining=remaining if remaining is not None else 0,
                               needed=needed, per=per, who=who, wait=hints.wait_words(wait or window or 21600),
                               login_command=_login_command(self.setup.registry), **self._registry_facts())
            return _from_hint("pull-quota", FAIL, found.what, found, **evidence)
        if remaining is None:
            return Finding("pull-quota", OK, f"{label} reports no pull limit (its answer has no ratelimit headers).",
                           evidence=evidence)
        of = f" of {limit}" if limit is not None else ""
        return Finding("pull-quota", OK, f"{label}: {remaining}{of} pulls left{per} for {who}; the lesson needs "
                       f"about {needed}.", evidence=evidence)

    def _all_bases(self) -> list[str]:
        found: list[str] = []
        for context in self.setup.contexts:
            try:
                found += base_images(context.path.read_text(encoding="utf-8", errors="replace")).images
            except OSError:
                continue
        return list(dict.fromkeys(found))

    async def check_login(self, registry: asyncio.Task) -> Finding:
        from tutor.docker_ops import docker_config
        from tutor.probes import registry as api

        facts = self._registry_facts()
        label = self.setup.label
        try:
            credentials = await docker_config.lookup_async(self.setup.registry)
        except docker_config.CredentialError as err:
            found = hints.hint("credential_helper_broken", detail=str(err), config=docker_config.config_path())
            return _from_hint("login", FAIL, f"docker's stored login for {label} cannot be read ({err}).", found)
        if credentials is None:
            if await self._registry_answered(registry) and self.registry_status == 200:
                # A registry without auth (a plain one on 127.0.0.1) takes pushes from anyone.
                return Finding("login", OK, f"{label} asks nobody to log in: docker can push without a login.",
                               evidence={"username": None})
            wanted = self.setup.username
            if wanted:
                found = hints.hint("doctor_not_logged_in", tutor_login=hints.tutor_login(self.setup.registry, wanted),
                                   login_command=_login_command(self.setup.registry, wanted),
                                   hub_password="; on Docker Hub, with an access token as the password"
                                   if self.setup.is_hub else "", **facts)
            else:
                found = hints.hint("doctor_not_logged_in_no_user", **facts)
            return _from_hint("login", FAIL, found.what, found, config=str(docker_config.config_path()))
        kept = docker_config.storage(self.setup.registry)
        where = f"docker-credential-{kept.helper}" if kept.kind == "helper" else \
            f"{kept.path.name}, unencrypted" if kept.kind == "plaintext" else credentials.source
        evidence = {"username": credentials.username or None, "stored_in": where, "config": str(kept.path)}
        user = credentials.username or "an access token"
        if not await self._registry_answered(registry):
            return Finding("login", SKIPPED, f"Not checked: docker holds a login for {label} as {user}, but "
                           f"{label} {self.registry_trouble}.", evidence=evidence)
        host = reference.DOCKER_HUB_API if self.setup.is_hub else reference.hostname(self.setup.registry)
        import httpx

        try:
            async with api.http_client(None, self.setup.timeout) as http:
                answer = await api.RegistryApi(http).call("GET", f"{api.api_base(host)}/v2/", credentials, "")
        except httpx.HTTPError as exc:
            return self._lost("login", exc, **evidence)
        evidence["status"] = answer.status
        if answer.status in (401, 403):
            found = hints.from_registry("credentials-rejected", detail=api.registry_message(answer.response),
                                        username=user, **facts)
            return _from_hint("login", FAIL, found.what, found, **evidence)
        if answer.status != 200:
            found = hints.from_registry("error", detail=api.registry_message(answer.response) or
                                        f"HTTP {answer.status}", **facts)
            return _from_hint("login", FAIL, found.what, found, **evidence)
        message = f"docker is logged in to {label} as {user} ({where}); {label} accepts it."
        wanted = self.setup.username
        if wanted and credentials.username and credentials.username != wanted:
            found = hints.hint("doctor_login_other_user", logged_in=credentials.username, username=wanted,
                               login_as=_login_command(self.setup.registry, wanted), **facts)
            return _from_hint("login", WARN, f"{message} {found.what}", found, **evidence)
        return Finding("login", OK, message, evidence=evidence)

    # --- the node -----------------------------------------------------------------------------------

    async def check_node(self, bound: float) -> list[Finding]:
        target = self.setup.node
        if target is None:
            found = hints.hint("doctor_no_node", detail=self.setup.node_problem)
            message = (f"The node in the settings cannot be used: {self.setup.node_problem}."
                       if self.setup.node_problem else "No k3s node is set.")
            return [_from_hint("node-ssh", FAIL, message, found), _skipped("node-k3s", "no node"),
                    _skipped("node-sudo", "no node")]
        from dataclasses import replace

        target = replace(target, connect_timeout=self.setup.timeout, command_timeout=self.setup.timeout)
        try:
            async with asyncio.timeout(bound):
                report = await node_probe.check_node(target, [])
        except TimeoutError:
            return [Finding("node-ssh", FAIL, f"Checking {target.label} did not finish within {bound:g} seconds.",
                            hint="node_timeout", fix=hints.hint("node_timeout", node=target.label).next_step),
                    _skipped("node-k3s", "the node check did not finish"),
                    _skipped("node-sudo", "the node check did not finish")]
        except Exception as exc:  # noqa: BLE001 - e.g. an ~/.ssh/config asyncssh cannot read
            found = hints.hint("doctor_check_crashed", detail=f"{type(exc).__name__}: {exc}")
            return [_from_hint("node-ssh", FAIL, f"The node check itself failed: {type(exc).__name__}: {exc}", found),
                    _skipped("node-k3s", "the node check failed"), _skipped("node-sudo", "the node check failed")]
        return node_findings(report, target, self.setup.trust_command)


def node_findings(report: node_probe.NodeReport, target: node_probe.NodeTarget, trust_command: str) -> list[Finding]:
    """The node's three lines from what :func:`tutor.probes.node.check_node` found (no pulls)."""
    label = target.label
    evidence = {key: report.evidence[key] for key in ("host", "port", "user", "arch", "root", "k3s", "k3s_path",
                                                      "fingerprint", "known_hosts") if key in report.evidence}
    code = report.hint.code if report.hint is not None else ""
    # "host" is set once the SSH login succeeded; a connection lost after it is still no login.
    if code in NO_LOGIN or "host" not in report.evidence:
        found = report.hint
        if report.outcome == node_probe.UNKNOWN_HOST_KEY:
            fingerprint = report.evidence.get("fingerprint", "")
            command = trust_command.format(fingerprint=fingerprint) if trust_command and fingerprint else ""
            found = hints.hint("doctor_trust_host_key", node=label, fingerprint=fingerprint or None,
                               trust_command=command or None)
        ssh = _from_hint("node-ssh", FAIL, report.reason, found, **evidence)
        return [ssh, _skipped("node-k3s", f"no SSH login to {label}"), _skipped("node-sudo", f"no SSH login to {label}")]
    who = report.evidence.get("user") or target.user or "?"
    ssh = Finding("node-ssh", OK, f"Logged in to {label} over SSH; its host key is known.",
                  evidence=evidence)
    if code in ("node_k3s_missing", "node_command_timeout"):
        return [ssh, _from_hint("node-k3s", FAIL, report.reason, report.hint, **evidence),
                _skipped("node-sudo", "k3s is not usable")]
    version = report.evidence.get("k3s") or "k3s"
    k3s = Finding("node-k3s", OK, f"{version} is installed"
                  + (f" at {report.evidence['k3s_path']}." if report.evidence.get("k3s_path") else "."),
                  evidence=evidence)
    if report.outcome != "ok":
        return [ssh, k3s, _from_hint("node-sudo", FAIL, report.reason, report.hint, **evidence)]
    if report.evidence.get("root"):
        return [ssh, k3s, Finding("node-sudo", OK, f"{who} is root: k3s runs without sudo.",
                                  evidence=evidence)]
    if report.evidence.get("sudo_secure_path"):
        return [ssh, k3s, _from_hint("node-sudo", WARN, report.reason, report.hint, **evidence)]
    return [ssh, k3s, Finding("node-sudo", OK, f"sudo works for {who} without a password "
                              "(`sudo -n k3s --version`).", evidence=evidence)]


# --- helpers ------------------------------------------------------------------------------------------


async def _bounded(check: str, work: Any, bound: float) -> Finding:
    try:
        async with asyncio.timeout(bound):
            return await work
    except TimeoutError:
        return Finding(check, FAIL, f"The check did not finish within {bound:g} seconds.",
                       hints.hint("doctor_check_timeout", seconds=f"{bound:g}").next_step, "doctor_check_timeout")
    except Exception as exc:  # noqa: BLE001 - one broken check must not take the others down
        # httpx's transport errors (a registry that went away between two requests) land here too.
        found = hints.hint("doctor_check_crashed", detail=f"{type(exc).__name__}: {exc}")
        return _from_hint(check, FAIL, f"The check itself failed: {type(exc).__name__}: {exc}", found)


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


_COUNT = re.compile(r"^\s*(\d+)")
_WINDOW = re.compile(r"\bw\s*=\s*(\d+)")


def parse_ratelimit(value: str | None) -> tuple[int | None, int | None]:
    """``100;w=21600`` -> (100, 21600): a count and its window in seconds (either may be None)."""
    if not value:
        return None, None
    count, window = _COUNT.match(value), _WINDOW.search(value)
    return (int(count.group(1)) if count else None), (int(window.group(1)) if window else None)


def _parses(image: str) -> bool:
    try:
        reference.parse(image)
    except reference.ImageNameError:
        return False
    return True


def _and(names: list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _are(names: Any) -> str:
    return "is" if len(names) == 1 else "are"


def _login_command(registry: str, username: str = "") -> str:
    from tutor.docker_ops.commandline import join, login_by_hand

    if not username:
        return login_by_hand(registry)
    return join("docker", "login", "-u", username, *([] if reference.is_hub(registry) else [registry]))
