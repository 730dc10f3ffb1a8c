"""The registry probe's pure parts: challenges, Retry-After, addresses, messages, platforms."""

from __future__ import annotations

import email.utils

import pytest

from tutor import reference
from tutor.probes import registry


@pytest.mark.parametrize("header, scheme, params", [
    ('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
     'scope="repository:alice/poll-backend:pull"', "bearer",
     {"realm": "https://auth.docker.io/token", "service": "registry.docker.io",
      "scope": "repository:alice/poll-backend:pull"}),
    ('Basic realm="tutor-test-registry"', "basic", {"realm": "tutor-test-registry"}),
    # Scopes may hold commas inside the quotes; values may be unquoted tokens; names are case-insensitive.
    ('Bearer Realm="https://ghcr.io/token", Service=ghcr.io, scope="repository:a/b:pull,push"', "bearer",
     {"realm": "https://ghcr.io/token", "service": "ghcr.io", "scope": "repository:a/b:pull,push"}),
    ('BEARER realm="r\\"q"', "bearer", {"realm": 'r"q'}),
    ("", "", {}),
    (None, "", {}),
])
def test_parse_challenge(header, scheme, params):
    found = registry.parse_challenge(header)
    assert (found.scheme, found.params) == (scheme, params)


def test_retry_after_as_seconds_or_http_date():
    assert registry.retry_after_seconds("7") == 7.0
    assert registry.retry_after_seconds(" 0 ") == 0.0
    now = 1_700_000_000.0
    assert registry.retry_after_seconds(email.utils.formatdate(now + 42, usegmt=True), now=now) == 42.0
    assert registry.retry_after_seconds(email.utils.formatdate(now - 10, usegmt=True), now=now) == 0.0
    for bad in (None, "", "soon", "-"):
        assert registry.retry_after_seconds(bad) is None


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1:5000", True), ("127.8.9.10", True), ("localhost:5000", True), ("[::1]:5000", True),
    ("docker.io", False), ("registry-1.docker.io", False), ("10.0.0.1:5000", False), ("ghcr.io", False),
])
def test_loopback_registries_speak_plain_http(host, loopback):
    assert registry.is_loopback(host) is loopback
    assert registry.api_base(host) == f"{'http' if loopback else 'https'}://{host}"


def test_docker_hub_images_use_the_api_host_and_library_namespace():
    image = reference.parse("nginx")
    assert registry.manifest_url(image) == "https://registry-1.docker.io/v2/library/nginx/manifests/latest"
    assert registry.pull_scope(image) == "repository:library/nginx:pull"
    assert registry.registry_label(image) == "Docker Hub"
    mine = reference.parse("127.0.0.1:5000/alice/app:v1")
    assert registry.manifest_url(mine) == "http://127.0.0.1:5000/v2/alice/app/manifests/v1"
    assert registry.registry_label(mine) == "127.0.0.1:5000"
    pinned = reference.parse("alice/app@sha256:" + "a" * 64)
    assert registry.manifest_url(pinned).endswith("/manifests/sha256:" + "a" * 64)


def test_accept_lists_all_four_manifest_types():
    for kind in ("application/vnd.docker.distribution.manifest.v2+json",
                 "application/vnd.docker.distribution.manifest.list.v2+json",
                 "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json"):
        assert kind in registry.ACCEPT.split(", ")


def test_registry_message_from_error_bodies():
    import httpx

    def answer(status, **kw):
        return httpx.Response(status, request=httpx.Request("GET", "http://x"), **kw)

    assert registry.registry_message(answer(500, json={"errors": [{"code": "UNKNOWN", "message": "unknown error"}]})
                                     ) == "UNKNOWN unknown error"
    assert registry.registry_message(answer(401, json={"details": "incorrect username or password"})
                                     ) == "incorrect username or password"
    assert registry.registry_message(answer(502, text="Bad gateway")) == "Bad gateway"
    assert registry.registry_message(answer(404)) == ""
    assert registry.registry_message(None) == ""


def test_platforms_of_an_index_leave_out_attestations():
    index = {"manifests": [
        {"platform": {"os": "linux", "architecture": "amd64"}},
        {"platform": {"os": "linux", "architecture": "arm", "variant": "v7"}},
        {"platform": {"os": "unknown", "architecture": "unknown"}},
    ]}
    assert registry.platforms_of(index) == ["linux/amd64", "linux/arm/v7"]
    assert registry.pick_platform(index["manifests"], "linux", "arm") == index["manifests"][1]
    assert registry.pick_platform(index["manifests"], "linux", "s390x") is None


async def test_an_invalid_reference_is_refused_before_any_request():
    result = await registry.probe_image("Alice/App:v1")
    assert (result.outcome, result.ok, result.status) == ("invalid-reference", False, "failed")
    assert result.hint.code == "invalid_reference"
