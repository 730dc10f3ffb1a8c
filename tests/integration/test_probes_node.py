"""The node probe over real OpenSSH against the stand-in k3s node, pulling from the token registry."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.fixtures.node import Node
from tests.integration.test_probes_support import RegistryWriter, build, push, remove_local, tag_local, unique
from tutor.probes import node as probe
from tutor.probes import registry

pytestmark = pytest.mark.integration


@pytest.fixture
def node(ssh_node: Node):
    """The session node with no credentials and no pulled images, before and after a test."""
    ssh_node.reset()
    yield ssh_node
    ssh_node.reset()


@pytest.fixture(autouse=True)
def own_home(tmp_path, monkeypatch) -> Path:
    """An empty ~ (no ~/.ssh) and an empty tutor config folder (its known_hosts) for each test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return home


def target_for(node: Node, **changes) -> probe.NodeTarget:
    fields = dict(host=node.host, port=node.port, user=node.user, identity=str(node.key_path),
                  known_hosts=str(node.known_hosts), ssh_config="", connect_timeout=5, pull_timeout=60)
    fields.update(changes)
    return probe.NodeTarget(**fields)


@pytest.fixture(scope="module")
def backend_id(docker_engine, offline_base) -> str:
    return build(docker_engine, "backend")


@pytest.fixture(scope="module")
def repos(docker_engine, registry_token, backend_id):
    """learner's backend in a public and a private repository of the token registry."""
    found = {}
    for kind in ("public", "private"):
        repo = f"learner/{unique('node-' + kind)}"
        ref = tag_local(docker_engine, backend_id, registry_token.ref(repo, "v1"))
        try:
            push(docker_engine, registry_token, ref)
        finally:
            remove_local(docker_engine, ref)
        found[kind] = repo
    registry_token.set_public(found["public"])
    yield found
    registry_token.set_public(found["public"], False)


async def test_public_image_is_pulled_and_its_digest_reported(node, registry_token, repos, backend_id):
    ref = registry_token.ref(repos["public"], "v1")
    report = await probe.check_node(target_for(node), [ref])
    assert report.ok and report.outcome == "ok"
    [pulled] = report.pulls
    assert (pulled.outcome, pulled.status) == ("pulled", "passed")
    assert pulled.evidence["image_id"] == backend_id  # crictl reports the config digest: docker's image id
    assert pulled.evidence["pull"]["command"] == f"sudo -n k3s crictl pull {ref}"
    assert report.evidence["k3s"].startswith("k3s version v1.")
    assert report.evidence["root"] is False and report.evidence["k3s_path"] == str(node.bin_dir / "k3s")
    assert report.hint is None and "sudo_secure_path" not in report.evidence
    assert report.evidence["platform"] == probe.node_platform(report.evidence["arch"])
    assert ref in node.images()


async def test_private_image_without_node_credentials_then_with_them(node, registry_token, repos):
    ref = registry_token.ref(repos["private"], "v1")
    report = await probe.check_node(target_for(node), [ref])
    [refused] = report.pulls
    assert (refused.outcome, refused.status) == ("needs-credentials", "failed")
    assert refused.hint.code == "node_needs_credentials"
    for words in ("registries.yaml", "imagePullSecret", "ErrImagePull", "ImagePullBackOff"):
        assert words in refused.hint.next_step
    assert "pull access denied" in refused.evidence["pull"]["stderr"]

    node.set_registry_auth(registry_token.host, *registry_token.credentials())
    again = await probe.check_node(target_for(node), [ref])
    assert again.ok and again.pulls[0].outcome == "pulled"


async def test_missing_tag(node, registry_token, repos):
    report = await probe.check_node(target_for(node), [registry_token.ref(repos["public"], "v404")])
    [missing] = report.pulls
    assert (missing.outcome, missing.hint.code) == ("missing-tag", "node_missing_tag")
    assert "not found" in missing.evidence["pull"]["stderr"]


async def test_architecture_mismatch_both_when_refused_and_when_pulled(node, registry_token, repos):
    writer = RegistryWriter(registry_token)
    arm = f"learner/{unique('node-arm')}"
    try:
        digest = writer.copy_for_platform(repos["public"], "v1", arm, "arm64")
        writer.put_index(arm, "index", [(digest, writer.manifest_size(arm, digest), "arm64")])
    finally:
        writer.close()
    registry_token.set_public(arm)

    async def platforms(image):
        return await registry.image_platforms(image)

    report = await probe.check_node(target_for(node), [registry_token.ref(arm, "index"),
                                                        registry_token.ref(arm, "v1")], platforms=platforms)
    refused, pulled = report.pulls
    node_platform = report.evidence["platform"]
    assert node_platform == "linux/amd64"  # the machine the tests run on; the images say arm64
    for result in (refused, pulled):
        assert (result.outcome, result.hint.code) == ("arch-mismatch", "node_arch_mismatch")
        assert result.evidence["image_platforms"] == ["linux/arm64"]
        assert "--platform linux/amd64" in result.hint.next_step
    assert "no match for platform" in refused.evidence["pull"]["stderr"]
    assert "exec format error" in pulled.reason and pulled.evidence["pull"]["exit_status"] == 0


async def test_unknown_host_key_is_refused_until_trusted(node, registry_token, repos):
    ref = registry_token.ref(repos["public"], "v1")
    target = target_for(node, known_hosts="")
    report = await probe.check_node(target, [ref])
    assert report.outcome == "unknown-host-key" and not report.ok
    [result] = report.pulls
    assert result.status == "error" and result.hint.code == "node_unknown_host_key"
    assert report.evidence["fingerprint"] == node.host_key_fingerprint
    assert node.host_key_fingerprint in result.hint.what
    assert ref not in node.images()  # nothing ran on an unverified host

    path = probe.trust_host_key(report.evidence["known_hosts_host"], report.evidence["known_hosts_port"],
                                report.evidence["public_key"])
    assert path == probe.tutor_known_hosts()
    assert path.read_text().startswith(f"[127.0.0.1]:{node.port} ssh-ed25519 ")
    trusted = await probe.check_node(target, [ref])
    assert trusted.ok and trusted.pulls[0].outcome == "pulled"


async def test_changed_host_key_is_refused_with_a_warning(node, registry_token, repos, tmp_path):
    other = tmp_path / "other_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{node.port} {other.with_suffix('.pub').read_text().split(' ', 2)[0]} "
                     f"{other.with_suffix('.pub').read_text().split()[1]}\n")
    report = await probe.check_node(target_for(node, known_hosts=str(known)),
                                    [registry_token.ref(repos["public"], "v1")])
    assert report.outcome == "host-key-changed"
    assert report.reason.startswith("WARNING") and node.host_key_fingerprint in report.reason
    assert report.hint.code == "node_host_key_changed"
    assert not probe.tutor_known_hosts().exists()  # never trusted behind the learner's back


async def test_wrong_client_key_is_refused(node, registry_token, repos, tmp_path):
    stranger = tmp_path / "stranger"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True)
    report = await probe.check_node(target_for(node, identity=str(stranger)),
                                    [registry_token.ref(repos["public"], "v1")])
    assert (report.outcome, report.hint.code) == ("login-failed", "node_login_failed")
    assert report.pulls[0].status == "error"


async def test_missing_key_file_is_reported_not_raised(node, tmp_path):
    report = await probe.check_node(target_for(node, identity=str(tmp_path / "nope.pem")), ["learner/app:v1"])
    assert (report.outcome, report.hint.code) == ("identity-unreadable", "node_identity_unreadable")


async def test_a_port_that_accepts_and_never_answers_times_out_within_the_bound(node):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the handshake; nobody ever sends an SSH banner
    try:
        target = target_for(node, port=silent.getsockname()[1], connect_timeout=1.0)
        started = time.monotonic()
        report = await probe.check_node(target, ["learner/app:v1"])
        took = time.monotonic() - started
    finally:
        silent.close()
    assert (report.outcome, report.hint.code) == ("timeout", "node_timeout")
    assert 0.9 <= took < 3.0


async def test_sudo_that_needs_a_password(node, registry_token, repos):
    report = await probe.check_node(target_for(node, user=node.nopw_user), [registry_token.ref(repos["public"], "v1")])
    assert (report.outcome, report.hint.code) == ("sudo-needs-password", "node_sudo_password")
    assert "password" in report.evidence["sudo_check"]["stderr"]


async def test_sudo_that_cannot_find_k3s_gets_its_full_path_and_says_why(node, registry_token, repos):
    """k3s answers in the login shell, but sudo's secure_path lacks its folder: "sudo: k3s: command not
    found" is not "k3s is not installed". The probe gives sudo the full path and tells the learner."""
    ref = registry_token.ref(repos["public"], "v1")
    k3s = str(node.bin_dir / "k3s")
    report = await probe.check_node(target_for(node, user=node.secure_path_user), [ref])
    assert report.ok, (report.reason, report.evidence)
    assert report.evidence["k3s_path"] == k3s and report.evidence["sudo_secure_path"] is True
    assert report.evidence["sudo_check"]["command"] == f"sudo -n {k3s} --version"
    [pulled] = report.pulls
    assert pulled.outcome == "pulled" and pulled.evidence["pull"]["command"] == f"sudo -n {k3s} crictl pull {ref}"
    assert f"`sudo {k3s} crictl pull {pulled.ref}`" in pulled.reason
    assert ref in node.images()
    hint = report.hint
    assert hint.code == "node_sudo_secure_path" and "not installed" not in hint.what
    assert f"installed at {k3s}" in hint.what and f"lacks {node.bin_dir}" in hint.what
    assert f"`sudo {k3s} crictl pull {pulled.ref}`" in hint.next_step and "secure_path" in hint.next_step
    assert "get.k3s.io" not in hint.next_step


async def test_root_pulls_without_sudo_even_where_sudo_is_not_installed(node, registry_token, repos):
    ref = registry_token.ref(repos["public"], "v1")
    report = await probe.check_node(target_for(node, user=node.root_user), [ref])
    assert report.ok, (report.reason, report.evidence)
    assert report.evidence["root"] is True and "as root" in report.reason
    assert "sudo_check" not in report.evidence  # root never asked sudo (which here says "not found")
    [pulled] = report.pulls
    assert pulled.evidence["pull"]["command"] == f"{node.bin_dir / 'k3s'} crictl pull {ref}"
    assert ref in node.images()


async def test_ssh_config_alias(node, registry_token, repos, tmp_path):
    config = tmp_path / "ssh_config"
    config.write_text(f"Host tutor-test-node\n  HostName {node.host}\n  Port {node.port}\n  User {node.user}\n"
                      f"  IdentityFile {node.key_path}\n")
    target = probe.NodeTarget("tutor-test-node", known_hosts=str(node.known_hosts), ssh_config=str(config))
    report = await probe.check_node(target, [registry_token.ref(repos["public"], "v1")])
    assert report.ok, report.reason
    assert (report.evidence["host"], report.evidence["port"], report.evidence["user"]) == (
        node.host, node.port, node.user)


async def test_shell_metacharacters_never_reach_a_shell(node, tmp_path):
    marker = Path(f"/tmp/{unique('pwned')}")
    nasty = f"127.0.0.1:5000/learner/app:v1;touch {marker}"
    # Through the probe: the reference is refused by the parser and never sent.
    report = await probe.check_node(target_for(node), [nasty])
    assert [r.outcome for r in report.pulls] == ["invalid-reference"]
    # Straight to the pull, bypassing the parser: quoting keeps it one literal argument.
    import asyncssh

    raw = f"x$(touch {marker})`touch {marker}`;touch {marker}&&touch {marker}|touch {marker}"
    async with asyncssh.connect(node.host, node.port, username=node.user, known_hosts=str(node.known_hosts),
                                client_keys=[str(node.key_path)], config=None) as conn:
        result = await probe.pull_image(conn, raw, target_for(node))
    assert not result.ok
    assert f'"{raw}"' in result.evidence["pull"]["stderr"]  # the stand-in saw the exact text as one REF
    assert not marker.exists()
