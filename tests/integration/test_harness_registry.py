"""The registry fixtures are real: images built on the engine are pushed to Debian's
docker-registry, and the token registry applies a Docker Hub-like policy."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import uuid

import pytest

from tests.fixtures import registry_http
from tests.fixtures.engine import CONTEXTS
from tests.fixtures.registry import Registry
from tests.fixtures.services import TEST_PREFIX, need_binary

pytestmark = pytest.mark.integration

DENIED = re.compile(r"denied|insufficient_scope|authentication required", re.IGNORECASE)


def unique_repo(owner: str, name: str) -> str:
    return f"{owner}/{TEST_PREFIX}-{uuid.uuid4().hex[:8]}-{name}"


def build(docker_engine, name: str) -> str:
    image, _ = docker_engine.client.images.build(path=str(CONTEXTS / name), tag=f"{TEST_PREFIX}/poll-{name}:registry",
                                                 rm=True)
    return image.id


@pytest.fixture
def built(docker_engine, offline_base) -> dict[str, str]:
    """The backend and frontend contexts: name -> image id. Built per test (cheap, cached), so
    that images removed by another session sharing the engine do not break later tests."""
    return {name: build(docker_engine, name) for name in ("backend", "frontend")}


@pytest.fixture
def tagged(docker_engine):
    """Tags an image with a registry reference; the tags are removed after the test."""
    refs: list[str] = []

    def tag(image_id: str, ref: str) -> str:
        repository, _, version = ref.rpartition(":")
        assert docker_engine.client.images.get(image_id).tag(repository, version)
        refs.append(ref)
        return ref

    yield tag
    import docker

    for ref in refs:
        try:
            docker_engine.client.images.remove(ref)
        except docker.errors.ImageNotFound:
            pass  # another session on a shared engine cleaned tutor-test images first


def push(docker_engine, ref: str, auth: dict | None) -> list[dict]:
    return list(docker_engine.client.api.push(ref, stream=True, decode=True, auth_config=auth))


def errors(events: list[dict]) -> list[str]:
    return [event["error"] for event in events if "error" in event]


def pushed_digest(events: list[dict]) -> str:
    digests = [event["aux"]["Digest"] for event in events if "Digest" in event.get("aux", {})]
    assert len(digests) == 1, events
    return digests[0]


@pytest.fixture(params=["registry_basic", "registry_token"])
def registry(request) -> Registry:
    return request.getfixturevalue(request.param)


def test_push_both_images_and_list_tags(registry, docker_engine, built, tagged):
    for name, image_id in built.items():
        repo = unique_repo(registry.username, name)
        versions = ["v1", "v2"] if name == "backend" else ["v1"]
        for version in versions:
            events = push(docker_engine, tagged(image_id, registry.ref(repo, version)), registry.auth_config())
            assert errors(events) == []
            assert pushed_digest(events).startswith("sha256:")
        assert registry.tags(repo) == versions


def test_docker_login_then_cli_push(registry, docker_engine, docker_config, built, tagged):
    registry.docker_login()
    saved = json.loads((docker_config / "config.json").read_text())
    assert registry.host in saved["auths"]
    repo = unique_repo(registry.username, "frontend")
    ref = tagged(built["frontend"], registry.ref(repo, "cli"))
    docker = need_binary("docker", "docker.io")
    done = subprocess.run([docker, "push", ref], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert registry.tags(repo) == ["cli"]


def test_basic_registry_refuses_anonymous_and_wrong_password(registry_basic, docker_engine, built, tagged):
    repo = unique_repo(registry_basic.username, "backend")
    assert errors(push(docker_engine, tagged(built["backend"], registry_basic.ref(repo, "v1")),
                       registry_basic.auth_config())) == []
    url = f"{registry_basic.url}/v2/{repo}/tags/list"
    assert registry_http.request("GET", url).status_code == 401
    assert registry_http.request("GET", url, (registry_basic.username, "not-the-password")).status_code == 401
    assert registry_http.request("GET", url, registry_basic.credentials()).status_code == 200


@pytest.fixture(scope="module")
def token_repos(registry_token, docker_engine, offline_base):
    """The learner's backend pushed twice to the token registry: one public repo, one private."""
    public, private = unique_repo("learner", "public"), unique_repo("learner", "private")
    digests = {}
    client = docker_engine.client
    for repo in (public, private):
        ref = registry_token.ref(repo, "v1")
        client.images.get(build(docker_engine, "backend")).tag(ref.rpartition(":")[0], "v1")
        try:
            events = push(docker_engine, ref, registry_token.auth_config())
        finally:
            client.images.remove(ref)
        assert errors(events) == []
        digests[repo] = pushed_digest(events)
    registry_token.set_public(public)
    yield public, private, digests
    registry_token.set_public(public, False)


def test_anonymous_manifest_head_models_docker_hub(registry_token, token_repos):
    public, private, digests = token_repos
    head = registry_token.manifest

    found = head(public, "v1")
    assert found.status_code == 200
    assert found.headers["Docker-Content-Digest"] == digests[public]
    # Private and missing look the same to an anonymous client.
    assert head(private, "v1").status_code == 401
    assert head(unique_repo("learner", "missing"), "v1").status_code == 401
    # A missing tag is only visible as such where the repository may be read.
    assert head(public, "no-such-tag").status_code == 404
    missing_tag = head(public, "no-such-tag", method="GET")
    assert missing_tag.status_code == 404
    assert missing_tag.json()["errors"][0]["code"] == "MANIFEST_UNKNOWN"

    # With credentials the owner sees the private repository; another user does not.
    assert head(private, "v1", username="learner").status_code == 200
    assert head(private, "v1", username="otheruser").status_code == 401
    assert head(public, "v1", username="otheruser").status_code == 200

    # The policy is live: publishing and unpublishing change what anonymous clients get.
    registry_token.set_public(private)
    try:
        assert head(private, "v1").status_code == 200
    finally:
        registry_token.set_public(private, False)
    assert head(private, "v1").status_code == 401


def test_push_into_another_namespace_is_denied(registry_token, docker_engine, built, tagged):
    repo = unique_repo("otheruser", "backend")
    events = push(docker_engine, tagged(built["backend"], registry_token.ref(repo, "v1")), registry_token.auth_config())
    problems = errors(events)
    assert problems and DENIED.search(problems[-1]), events
    # Nothing arrived: the owner finds no such repository.
    listing = registry_http.request("GET", f"{registry_token.url}/v2/{repo}/tags/list",
                                    registry_token.credentials("otheruser"))
    assert listing.status_code == 404
    assert listing.json()["errors"][0]["code"] == "NAME_UNKNOWN"


def test_issuer_rejects_wrong_password(registry_token, docker_engine):
    import docker
    import httpx

    realm, service = registry_token.token_url, registry_token.service
    scope = ["repository:learner/anything:pull"]
    assert registry_http.fetch_token(realm, service, scope, ("learner", "wrong")).status_code == 401
    assert registry_http.fetch_token(realm, service, scope, ("nobody", "wrong")).status_code == 401
    form = {"grant_type": "password", "username": "learner", "password": "wrong", "service": service}
    assert httpx.post(realm, data=form, timeout=10).status_code == 401
    # The engine asks the issuer too, so `docker login` fails the same way, and succeeds with the
    # right password. A private client: login() caches credentials that later pushes would reuse.
    client = docker.DockerClient(base_url=docker_engine.host)
    try:
        with pytest.raises(docker.errors.APIError):
            client.login("learner", "wrong", registry=registry_token.host, reauth=True)
        assert client.login(**registry_token.auth_config(), registry=registry_token.host, reauth=True)
    finally:
        client.close()


def _claims(registry_token: Registry, token: str) -> dict:
    """Verify a token the way the registry does: signature by the x5c certificate, audience, issuer."""
    import jwt
    from cryptography import x509

    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256"
    cert = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    assert cert == x509.load_pem_x509_certificate(registry_token.issuer.identity.cert_pem)
    claims = jwt.decode(token, cert.public_key(), algorithms=["ES256"], audience=registry_token.service,
                        issuer=registry_token.issuer.issuer)
    assert {"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "access"} <= claims.keys()
    return claims


def test_tokens_grant_only_what_the_policy_allows(registry_token):
    public_of_other = unique_repo("otheruser", "shared")
    private_of_other = unique_repo("otheruser", "secret")
    own = unique_repo("learner", "app")
    registry_token.set_public(public_of_other)
    try:
        scopes = [f"repository:{repo}:pull,push" for repo in (public_of_other, private_of_other, own)]
        scopes.append("registry:catalog:*")

        def access(credentials) -> dict[str, list[str]]:
            answer = registry_http.fetch_token(registry_token.token_url, registry_token.service, scopes, credentials)
            assert answer.status_code == 200
            body = answer.json()
            assert body["token"] == body["access_token"] and body["expires_in"] > 0 and body["issued_at"]
            claims = _claims(registry_token, body["token"])
            assert claims["sub"] == (credentials[0] if credentials else "")
            return {item["name"]: item["actions"] for item in claims["access"]}

        assert access(None) == {public_of_other: ["pull"]}
        assert access(registry_token.credentials()) == {public_of_other: ["pull"], own: ["pull", "push"]}
        assert access(registry_token.credentials("otheruser")) == {public_of_other: ["pull", "push"],
                                                                   private_of_other: ["pull", "push"]}
    finally:
        registry_token.set_public(public_of_other, False)


def test_oauth_post_flow_with_refresh_token(registry_token, token_repos):
    import httpx

    _, private, _ = token_repos
    realm, service = registry_token.token_url, registry_token.service
    user, password = registry_token.credentials()
    # containerd sends every scope in one space-separated field.
    scope = f"repository:{private}:pull repository:otheruser/{TEST_PREFIX}-x:pull"
    first = httpx.post(realm, data={"grant_type": "password", "username": user, "password": password,
                                    "service": service, "scope": scope, "access_type": "offline",
                                    "client_id": "containerd-client"}, timeout=10)
    assert first.status_code == 200
    assert _claims(registry_token, first.json()["access_token"])["access"] == [
        {"type": "repository", "name": private, "actions": ["pull"]}]

    again = httpx.post(realm, data={"grant_type": "refresh_token", "refresh_token": first.json()["refresh_token"],
                                    "service": service, "scope": f"repository:{private}:pull"}, timeout=10)
    assert again.status_code == 200
    token = again.json()["access_token"]
    assert _claims(registry_token, token)["sub"] == user
    listing = httpx.get(f"{registry_token.url}/v2/{private}/tags/list", headers={"Authorization": f"Bearer {token}"},
                        timeout=10)
    assert listing.status_code == 200 and listing.json()["tags"] == ["v1"]

    bogus = httpx.post(realm, data={"grant_type": "refresh_token", "refresh_token": "made-up", "service": service},
                       timeout=10)
    assert bogus.status_code == 401
