"""The stand-in node is real: OpenSSH with key login and sudo, and k3s crictl pulls that go
through containerd against the test registries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.engine import CONTEXTS
from tests.fixtures.node import Node
from tests.fixtures.registry import Registry
from tests.fixtures.services import TEST_PREFIX

pytestmark = pytest.mark.integration

PULLED = re.compile(r"^Image is up to date for (sha256:[0-9a-f]{64})$")


@pytest.fixture
def node(ssh_node: Node) -> Iterator[Node]:
    """The session node with no credentials, mirrors or pulled images, before and after a test."""
    ssh_node.reset()
    yield ssh_node
    ssh_node.reset()


@pytest.fixture(scope="module")
def backend_image(docker_engine, offline_base) -> str:
    """The backend context built on the engine; its id is the config digest crictl reports."""
    image, _ = docker_engine.client.images.build(path=str(CONTEXTS / "backend"), tag=f"{TEST_PREFIX}/node-backend:1",
                                                 rm=True)
    return image.id


def push(docker_engine, registry: Registry, repository: str, tag: str = "v1") -> str:
    """Tag the backend image into ``registry`` and push it as the learner; returns the reference."""
    image = docker_engine.client.images.get(f"{TEST_PREFIX}/node-backend:1")
    target = f"{registry.host}/{repository}"
    image.tag(target, tag)
    try:
        events = list(docker_engine.client.api.push(target, tag=tag, auth_config=registry.auth_config(),
                                                    stream=True, decode=True))
    finally:
        docker_engine.client.images.remove(f"{target}:{tag}")
    errors = [e["error"] for e in events if "error" in e]
    assert not errors, errors
    assert tag in registry.tags(repository)
    return registry.ref(repository, tag)


@pytest.fixture(scope="module")
def public_ref(docker_engine, registry_token, backend_image) -> str:
    repository = f"learner/{TEST_PREFIX}-node-public"
    ref = push(docker_engine, registry_token, repository)
    registry_token.set_public(repository)
    return ref


@pytest.fixture(scope="module")
def private_ref(docker_engine, registry_token, backend_image) -> str:
    return push(docker_engine, registry_token, f"learner/{TEST_PREFIX}-node-private")


async def ssh_run(node: Node, command: str, user: str | None = None, known_hosts: Path | None = None):
    import asyncssh

    async with asyncssh.connect(node.host, node.port, username=user or node.user, config=None,
                                known_hosts=str(known_hosts or node.known_hosts),
                                client_keys=[asyncssh.read_private_key(str(node.key_path))]) as conn:
        return await conn.run(command, check=False)


async def test_login_with_key_sees_pinned_host_key_and_stand_in(node: Node):
    import asyncssh

    async with asyncssh.connect(node.host, node.port, username=node.user, config=None,
                                known_hosts=str(node.known_hosts), client_keys=[str(node.key_path)]) as conn:
        assert conn.get_server_host_key().get_fingerprint("sha256") == node.host_key_fingerprint
        who = await conn.run("id -un", check=True)
        version = await conn.run("k3s --version", check=True)
        sudo = await conn.run("sudo -n k3s --version", check=True)
    assert who.stdout.strip() == node.user
    assert version.stdout.startswith("k3s version v1.")
    assert sudo.stdout == version.stdout


async def test_public_pull_prints_config_digest_and_is_listed(node: Node, public_ref: str, backend_image: str):
    done = await ssh_run(node, f"sudo -n k3s crictl pull {public_ref}")
    assert done.exit_status == 0, done.stderr
    match = PULLED.match(done.stdout.strip())
    assert match, done.stdout
    assert match.group(1) == backend_image  # docker's image id is the config digest crictl shows
    assert public_ref in node.images()

    listed = await ssh_run(node, "sudo -n k3s crictl images")
    assert listed.exit_status == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()
    assert header.split() == ["IMAGE", "TAG", "IMAGE", "ID", "SIZE"]
    repo, tag = public_ref.rsplit(":", 1)
    row = next(r.split() for r in rows if r.split()[:2] == [repo, tag])
    assert row[2] == backend_image.removeprefix("sha256:")[:13]
    assert re.fullmatch(r"[\d.]+(B|kB|MB)", row[3])


async def test_private_pull_without_node_credentials_fails_like_crictl(node: Node, private_ref: str):
    done = await ssh_run(node, f"sudo -n k3s crictl pull {private_ref}")
    assert done.exit_status == 1
    assert done.stderr.startswith("pulling image: "), done.stderr
    assert "pull access denied" in done.stderr and "insufficient_scope" in done.stderr, done.stderr
    assert private_ref not in node.images()


async def test_private_pull_uses_node_credentials(node: Node, registry_token: Registry, private_ref: str,
                                                  backend_image: str):
    node.set_registry_auth(registry_token.host, "learner", "not-the-password")
    wrong = await ssh_run(node, f"sudo -n k3s crictl pull {private_ref}")
    assert wrong.exit_status == 1 and wrong.stderr.startswith("pulling image: "), wrong.stderr
    assert registry_token.password not in wrong.stdout + wrong.stderr

    node.set_registry_auth(registry_token.host, *registry_token.credentials())
    done = await ssh_run(node, f"sudo -n k3s crictl pull {private_ref}")
    assert done.exit_status == 0, done.stderr
    assert PULLED.match(done.stdout.strip()).group(1) == backend_image
    assert registry_token.password not in done.stdout + done.stderr
    assert private_ref in node.images()


async def test_basic_auth_registry_and_docker_io_mirror(node: Node, docker_engine, registry_basic: Registry,
                                                        backend_image: str):
    repository = f"learner/{TEST_PREFIX}-node-basic"
    ref = push(docker_engine, registry_basic, repository)
    denied = await ssh_run(node, f"sudo -n k3s crictl pull {ref}")
    assert denied.exit_status == 1 and "401 Unauthorized" in denied.stderr, denied.stderr

    node.set_registry_auth(registry_basic.host, *registry_basic.credentials())
    node.set_mirror("docker.io", registry_basic.url)
    # Unqualified, as a learner types it for Docker Hub: docker.io/learner/... through the mirror.
    done = await ssh_run(node, f"sudo -n k3s crictl pull {repository}:v1")
    assert done.exit_status == 0, done.stderr
    assert PULLED.match(done.stdout.strip()).group(1) == backend_image
    assert f"docker.io/{repository}:v1" in node.images()


async def test_missing_tag_and_bad_reference_fail(node: Node, public_ref: str):
    missing = await ssh_run(node, f"sudo -n k3s crictl pull {public_ref.rsplit(':', 1)[0]}:no-such-tag")
    assert missing.exit_status == 1 and missing.stderr.startswith("pulling image: ")
    assert "not found" in missing.stderr, missing.stderr
    bad = await ssh_run(node, "sudo -n k3s crictl pull Learner/App:v1")
    assert bad.exit_status == 1 and "must be lowercase" in bad.stderr, bad.stderr


async def test_crictl_without_sudo_cannot_reach_containerd(node: Node):
    done = await ssh_run(node, "k3s crictl images")
    assert done.exit_status == 1 and "permission denied" in done.stderr, done.stderr


async def test_unknown_host_key_is_refused(node: Node, tmp_path: Path):
    import asyncssh

    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    other_key = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    other = tmp_path / "other_known_hosts"
    other.write_text(f"[{node.host}]:{node.port} {other_key}\n")
    for known_hosts in (empty, other):
        with pytest.raises(asyncssh.HostKeyNotVerifiable):
            await ssh_run(node, "true", known_hosts=known_hosts)


async def test_sudo_for_nopw_user_needs_a_password(node: Node):
    done = await ssh_run(node, "sudo -n k3s crictl images", user=node.nopw_user)
    assert done.exit_status == 1
    assert "a password is required" in done.stderr, done.stderr
    plain = await ssh_run(node, "id -un", user=node.nopw_user)
    assert plain.stdout.strip() == node.nopw_user
