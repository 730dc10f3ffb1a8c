"""The doctor's registry checks: ``GET /v2/``, the pull quota and docker's stored login.

A mixin of :class:`tutor.probes.doctor.Doctor`: it reads the doctor's setup and records whether the
registry answered, for the checks that need it. httpx is imported only inside the checks.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from tutor import hints, reference
from tutor.probes.dockerfile import base_images
from tutor.probes.registry_http import dns_name
from tutor.probes.doctor_setup import (
    HUB_QUOTA_IMAGE, DoctorSetup, Finding, from_hint, login_command, skipped,
)
from tutor.states import DoctorStatus, RegistryOutcome


class RegistryChecks:
    """``registry``, ``pull-quota`` and ``login``."""

    setup: DoctorSetup
    missing_bases: list[str] | None  # base images not present (None: not known)
    registry_status: int | None  # the registry's answer to GET /v2/ (None: no usable answer)
    registry_trouble: str  # why not, for the checks that need it

    def _registry_facts(self) -> dict[str, str]:
        return {"registry": self.setup.registry, "registry_label": self.setup.label}

    async def check_registry(self) -> Finding:
        from tutor.probes.registry import registry_health

        health = await registry_health(self.setup.registry, self.setup.timeout)
        label = self.setup.label
        evidence: dict[str, Any] = {"registry": self.setup.registry, "status": health.status}
        if not health.answered:
            detail = health.message or f"no answer within {self.setup.timeout:g} seconds"
            found = hints.from_registry(RegistryOutcome.UNREACHABLE, detail=detail, problem=health.cause,
                                        seconds=self.setup.timeout, host=dns_name(self.setup.registry),
                                        **self._registry_facts())
            assert found is not None
            return from_hint("registry", DoctorStatus.FAIL, found.what, found, **evidence)
        if health.status == 429:
            self.registry_trouble = "is rate limiting requests (HTTP 429)"
            found = _registry_hint(RegistryOutcome.RATE_LIMITED, retry_after=health.retry_after,
                                   **self._registry_facts())
            return from_hint("registry", DoctorStatus.FAIL, found.what, found, **evidence,
                             retry_after=health.retry_after)
        if health.status not in (200, 401):
            self.registry_trouble = f"answers HTTP {health.status} at /v2/"
            detail = health.message or f"HTTP {health.status}"
            found = hints.hint("doctor_not_a_registry", status=health.status, detail=detail,
                               **self._registry_facts())
            return from_hint("registry", DoctorStatus.FAIL, found.what, found, **evidence)
        self.registry_status = health.status
        how = "it asks who you are" if health.status == 401 else "open to anyone"
        return Finding("registry", DoctorStatus.OK,
                       f"{label} answers the Registry API (GET /v2/: {health.status}, {how}).",
                       evidence=evidence)

    def _lost(self, check: str, exc: Exception, **evidence: Any) -> Finding:
        """The registry answered GET /v2/ a moment ago, then not this request (or its token service did not)."""
        detail = (str(exc).strip() or type(exc).__name__).splitlines()[0][:200]
        found = hints.from_registry(RegistryOutcome.UNREACHABLE, detail=detail, **self._registry_facts())
        return from_hint(check, DoctorStatus.FAIL,
                         f"{self.setup.label} stopped answering ({detail}).", found, **evidence)

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
            return skipped("pull-quota", f"{self.setup.label} {self.registry_trouble}")
        text = self.quota_image()
        if text is None:
            return skipped("pull-quota", "set your username first: the lesson's images are named after it")
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
                               login_command=login_command(self.setup.registry), **self._registry_facts())
            return from_hint("pull-quota", DoctorStatus.FAIL, found.what, found, **evidence)
        if remaining is None:
            return Finding("pull-quota", DoctorStatus.OK,
                           f"{label} reports no pull limit (its answer has no ratelimit headers).",
                           evidence=evidence)
        of = f" of {limit}" if limit is not None else ""
        return Finding("pull-quota", DoctorStatus.OK,
                       f"{label}: {remaining}{of} pulls left{per} for {who}; the lesson needs "
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
            return from_hint("login", DoctorStatus.FAIL,
                             f"docker's stored login for {label} cannot be read ({err}).", found)
        if credentials is None:
            if await self._registry_answered(registry) and self.registry_status == 200:
                # A registry without auth (a plain one on 127.0.0.1) takes pushes from anyone.
                return Finding("login", DoctorStatus.OK,
                               f"{label} asks nobody to log in: docker can push without a login.",
                               evidence={"username": None})
            wanted = self.setup.username
            if wanted:
                found = hints.hint("doctor_not_logged_in", tutor_login=hints.tutor_login(self.setup.registry, wanted),
                                   login_command=login_command(self.setup.registry, wanted),
                                   hub_password="; on Docker Hub, with an access token as the password"
                                   if self.setup.is_hub else "", **facts)
            else:
                found = hints.hint("doctor_not_logged_in_no_user", **facts)
            return from_hint("login", DoctorStatus.FAIL, found.what, found, config=str(docker_config.config_path()))
        kept = docker_config.storage(self.setup.registry)
        where = f"docker-credential-{kept.helper}" if kept.kind == "helper" else \
            f"{kept.path.name}, unencrypted" if kept.kind == "plaintext" else credentials.source
        evidence: dict[str, Any] = {"username": credentials.username or None, "stored_in": where,
                                    "config": str(kept.path)}
        user = credentials.username or "an access token"
        if not await self._registry_answered(registry):
            return Finding("login", DoctorStatus.SKIPPED,
                           f"Not checked: docker holds a login for {label} as {user}, but "
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
            found = _registry_hint("credentials-rejected", detail=api.registry_message(answer.response),
                                   username=user, **facts)
            return from_hint("login", DoctorStatus.FAIL, found.what, found, **evidence)
        if answer.status != 200:
            found = _registry_hint(RegistryOutcome.ERROR, detail=api.registry_message(answer.response) or
                                   f"HTTP {answer.status}", **facts)
            return from_hint("login", DoctorStatus.FAIL, found.what, found, **evidence)
        message = f"docker is logged in to {label} as {user} ({where}); {label} accepts it."
        wanted = self.setup.username
        if wanted and credentials.username and credentials.username != wanted:
            found = hints.hint("doctor_login_other_user", logged_in=credentials.username, username=wanted,
                               login_as=login_command(self.setup.registry, wanted), **facts)
            return from_hint("login", DoctorStatus.WARN, f"{message} {found.what}", found, **evidence)
        return Finding("login", DoctorStatus.OK, message, evidence=evidence)


def _registry_hint(outcome: str, detail: str = "", **facts: object) -> hints.FailureHint:
    """The hint for a registry outcome that always has one."""
    found = hints.from_registry(outcome, detail, **facts)
    if found is None:
        raise LookupError(f"no hint for the registry outcome {outcome!r}")
    return found


_COUNT = re.compile(r"^\s*(\d+)")
_WINDOW = re.compile(r"\bw\s*=\s*(\d+)")


def parse_ratelimit(value: str | None) -> tuple[int | None, int | None]:
    """``100;w=21600`` -> (100, 21600): a count and its window in seconds (either may be None)."""
    if not value:
        return None, None
    count, window = _COUNT.match(value), _WINDOW.search(value)
    return (int(count.group(1)) if count else None), (int(window.group(1)) if window else None)
