"""Shared set-up for the probe tests (no tests here): build and push test images, and write
images straight into a test registry over its HTTP API (fast, for rosters and odd platforms)."""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import tempfile
from pathlib import Path

from tests.fixtures.engine import BASE_IMAGE, CONTEXTS
from tests.fixtures.registry import Registry
from tests.fixtures.registry_http import MANIFEST_ACCEPT
from tests.fixtures.services import TEST_PREFIX

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


def unique(name: str) -> str:
    return f"{TEST_PREFIX}-{name}-{secrets.token_hex(3)}"


def ensure_base(engine) -> None:
    """Rebuild the offline base if something removed it meanwhile (another test session's cleanup
    on a shared engine removes every tutor-test image): the same steps as the offline_base fixture."""
    import docker.errors

    try:
        engine.client.images.get(BASE_IMAGE)
        return
    except docker.errors.ImageNotFound:
        pass
    with tempfile.TemporaryDirectory(prefix="dt-base-") as folder:
        shutil.copy("/bin/busybox", Path(folder) / "busybox")
        shutil.copy(CONTEXTS / "base" / "Dockerfile", Path(folder) / "Dockerfile")
        engine.client.images.build(path=folder, tag=BASE_IMAGE, rm=True)


def build(engine, context: str, tmp: Path | None = None, stamp: str | None = None) -> str:
    """Build tests/contexts/<context>; a ``stamp`` adds a LABEL, so the image id changes (a rebuild)."""
    ensure_base(engine)
    path = CONTEXTS / context
    if stamp is not None:
        assert tmp is not None
        path = tmp / f"{context}-{stamp}"
        shutil.copytree(CONTEXTS / context, path)
        dockerfile = path / "Dockerfile"
        dockerfile.write_text(dockerfile.read_text() + f"\nLABEL io.tutor-test.stamp={stamp}\n")
    image, _ = engine.client.images.build(path=str(path), tag=f"{TEST_PREFIX}/probe-{context}:build", rm=True)
    return image.id


def tag_local(engine, image_id: str, ref: str) -> str:
    repo, _, tag = ref.rpartition(":")
    engine.client.images.get(image_id).tag(repo, tag)
    return ref


def push(engine, registry: Registry, ref: str, username: str | None = None) -> str:
    """docker push ``ref`` (already tagged locally) as ``username``; returns the manifest digest."""
    repo, _, tag = ref.rpartition(":")
    events = list(engine.client.api.push(repo, tag=tag, auth_config=registry.auth_config(username),
                                         stream=True, decode=True))
    errors = [e["error"] for e in events if "error" in e]
    assert not errors, errors
    digests = [e["aux"]["Digest"] for e in events if "Digest" in e.get("aux", {})]
    assert digests, events
    return digests[-1]


def remove_local(engine, *refs: str) -> None:
    for ref in refs:
        try:
            engine.client.images.remove(ref)
        except Exception:  # noqa: BLE001 - already gone
            pass


class RegistryWriter:
    """Writes manifests and blobs into a test registry directly (no engine involved)."""

    def __init__(self, registry: Registry) -> None:
        import httpx

        self.registry = registry
        self.http = httpx.Client(timeout=30)

    def close(self) -> None:
        self.http.close()

    def _auth(self, *repos: str, push: str | None = None) -> dict:
        if self.registry.issuer is None:
            user, password = self.registry.credentials()
            import base64

            return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}
        access = [{"type": "repository", "name": r, "actions": ["pull"]} for r in repos]
        if push:
            access.append({"type": "repository", "name": push, "actions": ["pull", "push"]})
        return {"Authorization": f"Bearer {self.registry.issuer.sign(self.registry.username, access)}"}

    def manifest(self, repo: str, tag: str) -> dict:
        answer = self.http.get(f"{self.registry.url}/v2/{repo}/manifests/{tag}",
                               headers={"Accept": MANIFEST_ACCEPT, **self._auth(repo)})
        answer.raise_for_status()
        return answer.json()

    def blob(self, repo: str, digest: str) -> bytes:
        answer = self.http.get(f"{self.registry.url}/v2/{repo}/blobs/{digest}", headers=self._auth(repo),
                               follow_redirects=True)
        answer.raise_for_status()
        return answer.content

    def mount(self, source: str, target: str, digest: str) -> None:
        answer = self.http.post(f"{self.registry.url}/v2/{target}/blobs/uploads/",
                                params={"mount": digest, "from": source}, headers=self._auth(source, push=target))
        assert answer.status_code == 201, (answer.status_code, answer.text)

    def upload(self, target: str, data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        auth = self._auth(push=target)
        start = self.http.post(f"{self.registry.url}/v2/{target}/blobs/uploads/", headers=auth)
        assert start.status_code == 202, start.text
        location = start.headers["Location"]
        if location.startswith("/"):
            location = self.registry.url + location
        location += ("&" if "?" in location else "?") + f"digest={digest}"  # keep the upload's _state
        done = self.http.put(location, content=data,
                             headers={**auth, "Content-Type": "application/octet-stream"})
        assert done.status_code == 201, done.text
        return digest

    def put_manifest(self, target: str, tag: str, manifest: dict) -> str:
        body = json.dumps(manifest).encode()
        answer = self.http.put(f"{self.registry.url}/v2/{target}/manifests/{tag}", content=body,
                               headers={**self._auth(push=target), "Content-Type": manifest["mediaType"]})
        assert answer.status_code == 201, answer.text
        return answer.headers["Docker-Content-Digest"]

    def copy(self, source: str, tag: str, target: str, target_tag: str | None = None) -> str:
        """Copy ``source:tag`` to ``target`` by mounting its blobs; returns the manifest digest."""
        manifest = self.manifest(source, tag)
        for layer in [manifest["config"], *manifest["layers"]]:
            self.mount(source, target, layer["digest"])
        return self.put_manifest(target, target_tag or tag, manifest)

    def copy_for_platform(self, source: str, tag: str, target: str, architecture: str) -> str:
        """``source:tag`` re-labelled as built for another architecture (a new config blob)."""
        manifest = self.manifest(source, tag)
        config = json.loads(self.blob(source, manifest["config"]["digest"]))
        config["architecture"] = architecture
        data = json.dumps(config).encode()
        for layer in manifest["layers"]:
            self.mount(source, target, layer["digest"])
        manifest["config"] = {**manifest["config"], "digest": self.upload(target, data), "size": len(data)}
        return self.put_manifest(target, tag, manifest)

    def put_index(self, target: str, tag: str, entries: list[tuple[str, int, str]]) -> str:
        """An OCI index of manifests already in ``target``: (digest, size, architecture) each."""
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                 "manifests": [{"mediaType": DOCKER_MANIFEST, "digest": digest, "size": size,
                                "platform": {"os": "linux", "architecture": arch}} for digest, size, arch in entries]}
        return self.put_manifest(target, tag, index)

    def manifest_size(self, repo: str, reference: str) -> int:
        answer = self.http.head(f"{self.registry.url}/v2/{repo}/manifests/{reference}",
                                headers={"Accept": MANIFEST_ACCEPT, **self._auth(repo)})
        answer.raise_for_status()
        return int(answer.headers["Content-Length"])
