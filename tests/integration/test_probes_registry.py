"""The registry probe against real registries (htpasswd and token auth), every outcome for real."""

from __future__ import annotations

import asyncio
import base64
import email.utils
import json
import os
import stat
import time
from pathlib import Path

import pytest

from tests.fixtures.registry import Registry
from tests.fixtures.services import free_port
from tests.integration.test_probes_support import RegistryWriter, build, push, remove_local, tag_local, unique
from tutor.probes import local, registry as probe

pytestmark = pytest.mark.integration


def store_login(config_dir: Path, host: str, username: str, password: str) -> None:
    """What `docker login` leaves in config.json without a credential helper."""
    config_dir.mkdir(parents=True, exist_ok=True)
    auth = base64.b64encode(f"{username}:{password}".encode()).decode()
    (config_dir / "config.json").write_text(json.dumps({"auths": {host: {"auth": auth}}}))


def push_new(engine, registry: Registry, image_id: str, name: str, username: str | None = None) -> tuple[str, str]:
    """Push ``image_id`` to a new repository of ``username``; the local tag is removed again."""
    repo = f"{username or registry.username}/{unique(name)}"
    ref = tag_local(engine, image_id, registry.ref(repo, "v1"))
    try:
        return repo, push(engine, registry, ref, username)
    finally:
        remove_local(engine, ref)


@pytest.fixture(scope="module")
def backend_id(docker_engine, offline_base) -> str:
    return build(docker_engine, "backend")


@pytest.fixture(scope="module")
def basic_repo(docker_engine, registry_basic, backend_id) -> tuple[str, str]:
    return push_new(docker_engine, registry_basic, backend_id, "private")


@pytest.fixture(scope="module")
def token_repos(docker_engine, registry_token, backend_id):
    public = push_new(docker_engine, registry_token, backend_id, "public")
    registry_token.set_public(public[0])
    repos = {"public": public, "private": push_new(docker_engine, registry_token, backend_id, "private"),
             "other": push_new(docker_engine, registry_token, backend_id, "other", username="otheruser")}
    yield repos
    registry_token.set_public(public[0], False)


@pytest.fixture(params=["registry_basic", "registry_token"])
def registry(request) -> Registry:
    return request.getfixturevalue(request.param)


@pytest.fixture
def private_repo(request, registry) -> tuple[str, str]:
    """The learner's private repository on whichever registry the test runs against."""
    if registry.auth == "htpasswd":
        return request.getfixturevalue("basic_repo")
    return request.getfixturevalue("token_repos")["private"]


# --- found ---------------------------------------------------------------------------------------


async def test_public_repository_is_public_without_credentials(registry_token, token_repos, docker_config):
    repo, digest = token_repos["public"]
    result = await probe.probe_image(registry_token.ref(repo, "v1"))
    assert (result.outcome, result.ok, result.status) == ("public", True, "passed")
    assert result.evidence["digest"] == digest
    assert result.evidence["anonymous_status"] == 200
    assert "credentials_from" not in result.evidence  # never needed, never read
    assert result.hint is None and "public" in result.reason


async def test_private_repository_with_stored_credentials(registry, private_repo, docker_config):
    repo, digest = private_repo
    store_login(docker_config, registry.host, *registry.credentials())
    result = await probe.probe_image(registry.ref(repo, "v1"))
    assert (result.outcome, result.ok) == ("private", True)
    assert result.evidence["digest"] == digest
    assert (result.evidence["anonymous_status"], result.evidence["authenticated_status"]) == (401, 200)
    assert result.evidence["credentials_from"] == "config.json"
    assert result.evidence["username"] == "learner"
    assert registry.password not in json.dumps(result.evidence) + result.reason


async def test_the_images_of_one_run_share_one_token_per_identity(registry_token, token_repos, docker_config):
    """A learner's two images: one anonymous token covers both scopes, and one with the stored
    login covers the private one's second try (one token each, not one per image)."""
    (public, _), (private, digest) = token_repos["public"], token_repos["private"]
    store_login(docker_config, registry_token.host, *registry_token.credentials())
    refs, tokens = [registry_token.ref(public, "v1"), registry_token.ref(private, "v1")], {}
    probe.share_token_scopes(tokens, refs)
    before = registry_token.issuer.issued
    async with probe.http_client() as http:
        results = await asyncio.gather(*(probe.probe_image(ref, http=http, tokens=tokens) for ref in refs))
    assert [r.outcome for r in results] == ["public", "private"]
    assert results[1].evidence["digest"] == digest
    assert registry_token.issuer.issued - before == 2  # anonymous for both, then the login's for both


async def test_private_repository_after_a_real_docker_login(registry, private_repo, docker_config):
    repo, digest = private_repo
    registry.docker_login()
    result = await probe.probe_image(registry.ref(repo, "v1"))
    assert result.outcome == "private" and result.evidence["digest"] == digest


async def test_private_repository_without_credentials_cannot_be_told_from_missing(registry, private_repo,
                                                                                  docker_config):
    repo, _ = private_repo
    result = await probe.probe_image(registry.ref(repo, "v1"))
    assert (result.outcome, result.status) == ("missing-or-private", "failed")
    assert result.hint.code == "registry_missing_or_private"
    assert result.evidence["credentials"] == "none"


async def test_someone_elses_private_repository(registry_token, token_repos, docker_config):
    repo, _ = token_repos["other"]
    store_login(docker_config, registry_token.host, *registry_token.credentials())
    result = await probe.probe_image(registry_token.ref(repo, "v1"))
    assert result.outcome == "missing-or-private"
    assert "learner" in result.reason and result.evidence["authenticated_status"] == 401


# --- missing ---------------------------------------------------------------------------------------


async def test_missing_tag_with_credentials(registry, private_repo, docker_config):
    repo, _ = private_repo
    store_login(docker_config, registry.host, *registry.credentials())
    result = await probe.probe_image(registry.ref(repo, "v9"))
    assert (result.outcome, result.status) == ("missing-tag", "failed")
    assert result.hint.code == "registry_missing_tag"
    assert f"docker push {registry.ref(repo, 'v9')}" in result.hint.next_step


async def test_missing_tag_in_a_public_repository_anonymously(registry_token, token_repos, docker_config):
    repo, _ = token_repos["public"]
    result = await probe.probe_image(registry_token.ref(repo, "nope"))
    assert result.outcome == "missing-tag" and result.evidence["anonymous_status"] == 404


async def test_never_pushed_repository(registry_token, docker_config):
    ref = registry_token.ref(f"learner/{unique('never')}", "v1")
    assert (await probe.probe_image(ref)).outcome == "missing-or-private"  # as on Docker Hub
    store_login(docker_config, registry_token.host, *registry_token.credentials())
    assert (await probe.probe_image(ref)).outcome == "missing-tag"  # the owner can tell


# --- credentials -------------------------------------------------------------------------------------


async def test_rejected_stored_credentials_are_an_error_with_a_login_hint(registry, private_repo, docker_config):
    repo, _ = private_repo
    store_login(docker_config, registry.host, "learner", "not-the-password")
    result = await probe.probe_image(registry.ref(repo, "v1"))
    assert (result.outcome, result.status) == ("error", "error")
    assert result.hint.code == "registry_credentials_rejected"
    assert result.evidence["credentials"] == "rejected"


async def test_identity_token_uses_the_oauth2_refresh_flow(registry_token, token_repos, docker_config):
    repo, digest = token_repos["private"]
    docker_config.mkdir(parents=True, exist_ok=True)
    token = registry_token.issuer.new_refresh_token("learner")
    user_only = base64.b64encode(b"learner:").decode()
    (docker_config / "config.json").write_text(json.dumps(
        {"auths": {registry_token.host: {"auth": user_only, "identitytoken": token}}}))
    result = await probe.probe_image(registry_token.ref(repo, "v1"))
    assert result.outcome == "private" and result.evidence["digest"] == digest


@pytest.fixture
def credential_helper(tmp_path, monkeypatch):
    """A real `docker-credential-tutortest` program on PATH; it records what it was asked."""
    folder = tmp_path / "helper-bin"
    folder.mkdir()
    asked = tmp_path / "asked"
    script = folder / "docker-credential-tutortest"

    def install(username: str, password: str) -> Path:
        script.write_text(
            "#!/bin/sh\n"
            f'[ "$1" = get ] || exit 2\n'
            f"cat > {asked}\n"
            f"printf '{{\"ServerURL\":\"x\",\"Username\":\"{username}\",\"Secret\":\"{password}\"}}'\n")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
        return asked

    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return install


async def test_credentials_from_a_credential_helper(registry, private_repo, docker_config, credential_helper):
    repo, _ = private_repo
    asked = credential_helper(*registry.credentials())
    docker_config.mkdir(parents=True, exist_ok=True)
    (docker_config / "config.json").write_text(json.dumps({"credHelpers": {registry.host: "tutortest"}}))
    result = await probe.probe_image(registry.ref(repo, "v1"))
    assert result.outcome == "private"
    assert result.evidence["credentials_from"] == "docker-credential-tutortest"
    assert asked.read_text() == registry.host  # the address went to stdin


# --- cannot look --------------------------------------------------------------------------------------


async def test_unreachable_registry_port():
    started = time.monotonic()
    port = free_port()
    result = await probe.probe_image(f"127.0.0.1:{port}/learner/app:v1", timeout=5)
    assert (result.outcome, result.status) == ("unreachable", "error")
    assert result.hint.code == "registry_unreachable_probe" and result.evidence["problem"] == "refused"
    # Said in words, not httpx's "All connection attempts failed" (kept in the evidence only).
    assert result.reason == f"127.0.0.1:{port} refused the connection: no registry is listening at that address."
    assert result.hint.next_step.startswith("Start the registry, or correct its host and port in the settings")
    assert time.monotonic() - started < 5


async def test_a_registry_that_accepts_but_never_answers():
    import socket

    with socket.socket() as listener:  # the kernel accepts the connection; nobody ever reads or answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        result = await probe.probe_image(f"127.0.0.1:{port}/learner/app:v1", timeout=1)
    assert (result.outcome, result.evidence["problem"]) == ("unreachable", "silent")
    assert result.reason == f"127.0.0.1:{port} accepted the connection but sent no answer within 1 second."


async def test_rate_limited_with_retry_after_then_served(registry, private_repo, docker_config, rate_limit_proxy):
    repo, digest = private_repo
    proxy = rate_limit_proxy(registry)
    store_login(docker_config, proxy.host, *registry.credentials())
    proxy.limit_next(1, retry_after=7)
    limited = await probe.probe_image(proxy.ref(repo, "v1"))
    assert (limited.outcome, limited.status, limited.retry_after) == ("rate-limited", "error", 7.0)
    assert limited.hint.code == "registry_rate_limited" and "7 seconds" in limited.hint.what
    served = await probe.probe_image(proxy.ref(repo, "v1"))
    assert served.outcome == "private" and served.evidence["digest"] == digest
    assert proxy.limited == 1 and proxy.requests >= 3


async def test_rate_limited_with_an_http_date(registry_token, token_repos, rate_limit_proxy):
    repo, _ = token_repos["public"]
    proxy = rate_limit_proxy(registry_token)
    proxy.limit_next(1, retry_after=email.utils.formatdate(time.time() + 30, usegmt=True))
    result = await probe.probe_image(proxy.ref(repo, "v1"))
    assert result.outcome == "rate-limited" and 25 <= result.retry_after <= 31


def _storage_root(registry: Registry) -> Path:
    """The registry fixture's storage folder (wherever TMPDIR pointed when the fixture started)."""
    assert registry.storage is not None and registry.storage.is_dir(), registry.storage
    return registry.storage


async def test_registry_error_carries_the_registrys_message(registry, docker_engine, docker_config, tmp_path):
    # A manifest whose stored bytes are damaged: the registry itself answers 500 with its message.
    image_id = build(docker_engine, "backend", tmp_path, stamp=unique("err"))
    repo, digest = push_new(docker_engine, registry, image_id, "broken")
    hex_digest = digest.split(":", 1)[1]
    (_storage_root(registry) / "docker/registry/v2/blobs/sha256" / hex_digest[:2] / hex_digest / "data").write_text("{")
    store_login(docker_config, registry.host, *registry.credentials())
    result = await probe.probe_image(registry.ref(repo, "v1"))
    assert (result.outcome, result.status) == ("error", "error")
    assert result.evidence["status"] == 500
    assert result.evidence["message"] == "UNKNOWN unknown error"
    assert result.hint.code == "registry_error" and "unknown error" in result.reason


# --- stale ------------------------------------------------------------------------------------------


async def test_stale_after_rebuild_and_retag_then_fresh_after_push(registry, docker_engine, docker_config, tmp_path):
    store_login(docker_config, registry.host, *registry.credentials())
    ref = registry.ref(f"learner/{unique('stale')}", "v1")
    first = build(docker_engine, "backend", tmp_path, stamp=unique("a"))
    try:
        tag_local(docker_engine, first, ref)
        pushed = push(docker_engine, registry, ref)
        looked = (await local.inspect_images([ref]))
        fresh = await probe.probe_image(ref, local=next(iter(looked.values())))
        assert fresh.ok and fresh.evidence["local"] == "same (pushed from this image)"
        assert fresh.evidence["digest"] == pushed

        second = build(docker_engine, "backend", tmp_path, stamp=unique("b"))  # "pushed v1 twice": rebuilt
        tag_local(docker_engine, second, ref)
        looked = await local.inspect_images([ref])
        stale = await probe.probe_image(ref, local=next(iter(looked.values())))
        assert (stale.outcome, stale.ok, stale.status) == ("stale", False, "failed")
        assert stale.hint.code == "registry_stale"
        assert stale.evidence["local_id"] == second
        assert stale.evidence["registry_config_digest"] == first

        push(docker_engine, registry, ref)
        looked = await local.inspect_images([ref])
        again = await probe.probe_image(ref, local=next(iter(looked.values())))
        assert again.ok and again.outcome in ("public", "private")
    finally:
        remove_local(docker_engine, ref)


async def test_same_build_copied_by_another_route_is_not_stale(registry, docker_engine, docker_config, backend_id):
    # The image was never pushed from this engine under this name, but its config is the local image's.
    store_login(docker_config, registry.host, *registry.credentials())
    source, _ = push_new(docker_engine, registry, backend_id, "source")
    target = f"learner/{unique('copy')}"
    writer = RegistryWriter(registry)
    try:
        writer.copy(source, "v1", target)
    finally:
        writer.close()
    ref = tag_local(docker_engine, backend_id, registry.ref(target, "v1"))
    try:
        looked = await local.inspect_images([ref])
        result = await probe.probe_image(ref, local=next(iter(looked.values())))
    finally:
        remove_local(docker_engine, ref)
    assert result.ok and result.evidence["local"] == "same (identical build)"


# --- the checklist's "private" item where everyone must log in ------------------------------------------

VISIBILITY_LESSON = """+++
id = "tutor-test-visibility"
title = "Visibility"
order = 99

[variables]
username = "learner"
tag = "v1"
registry = "docker.io"
+++

## Checklist

- [ ] Public. {#public probe=repo-visibility repository=REPO}
"""


async def _visibility_item(registry: Registry, repo: str):
    from tutor.lesson import parse_lesson
    from tutor.probes.runner import CheckContext, Runner

    owner, name = repo.split("/", 1)
    lesson = parse_lesson(VISIBILITY_LESSON.replace("REPO", name))
    values = lesson.values({"username": owner, "registry": registry.host})
    return await Runner(lesson, CheckContext(values, compare_local=False)).run_item("public")


async def test_on_a_registry_where_everyone_logs_in_the_private_item_passes_and_says_why(registry_basic, basic_repo,
                                                                                          docker_config):
    """htpasswd refuses every anonymous pull, so no repository there can be public: the learner's own
    login pulling it passes, and the reason says what that means for the node."""
    repo, _ = basic_repo
    store_login(docker_config, registry_basic.host, *registry_basic.credentials())
    result = await _visibility_item(registry_basic, repo)
    assert (result.status, result.outcome) == ("passed", "private"), result.reason
    assert result.images[0].evidence["anonymous_access"] == "none"
    assert "which lets nobody pull without logging in: every repository there is private" in result.reason
    assert "node needs credentials" in result.reason and result.hint is None


async def test_without_a_login_the_login_only_registry_cannot_tell(registry_basic, basic_repo, docker_config):
    result = await _visibility_item(registry_basic, basic_repo[0])
    assert result.status != "passed" and result.outcome == "missing-or-private"


async def test_a_private_repository_where_public_ones_exist_still_fails(registry_token, token_repos, docker_config):
    """The token registry (like Docker Hub) has public repositories: private there is the learner's choice."""
    store_login(docker_config, registry_token.host, *registry_token.credentials())
    result = await _visibility_item(registry_token, token_repos["private"][0])
    assert (result.status, result.outcome) == ("failed", "private")
    assert result.images[0].evidence["anonymous_access"] == "some"
    public = await _visibility_item(registry_token, token_repos["public"][0])
    assert (public.status, public.outcome) == ("passed", "public")
