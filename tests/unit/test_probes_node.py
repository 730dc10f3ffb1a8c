"""The node probe's pure parts: node specs, quoting, platforms, known_hosts handling."""

from __future__ import annotations

import os
import shlex
import stat
import subprocess

import pytest

from tutor import reference, store
from tutor.probes import node


@pytest.mark.parametrize("spec, expected", [
    ("1.2.3.4", ("", "1.2.3.4", None)),
    ("ubuntu@ec2-1-2-3-4.compute.amazonaws.com", ("ubuntu", "ec2-1-2-3-4.compute.amazonaws.com", None)),
    ("ec2-user@10.0.0.5:2222", ("ec2-user", "10.0.0.5", 2222)),
    ("my-node", ("", "my-node", None)),
    ("[2001:db8::1]:22", ("", "2001:db8::1", 22)),
    ("admin@[::1]", ("admin", "::1", None)),
])
def test_parse_node_spec(spec, expected):
    assert node.parse_node_spec(spec) == expected


@pytest.mark.parametrize("spec, words", [
    ("", "empty"), ("@host", "nothing before"), ("host:", "port"), ("host:99999", "1 to 65535"),
    ("host:ssh", "port"), ("-oProxyCommand=x", "not a host"), ("a b", "not a host"), ("[zz]:22", "IPv6"),
    ("bad user@host", "not a user"),
])
def test_bad_node_specs_say_what_is_wrong(spec, words):
    with pytest.raises(ValueError, match=words):
        node.parse_node_spec(spec)


def test_target_from_settings_and_overrides():
    settings = store.NodeSettings(host="1.2.3.4", user="ubuntu", port=22, identity="~/k.pem", known_hosts="")
    target = node.target_from_settings(settings)
    assert (target.host, target.user, target.port, target.identity) == ("1.2.3.4", "ubuntu", None, "~/k.pem")
    assert target.label == "ubuntu@1.2.3.4"
    moved = node.target_from_settings(settings, "ec2-user@5.6.7.8:2200", identity="other.pem", pull_timeout=5)
    assert (moved.user, moved.host, moved.port, moved.identity, moved.pull_timeout) == (
        "ec2-user", "5.6.7.8", 2200, "other.pem", 5)
    assert moved.label == "ec2-user@5.6.7.8:2200"
    assert node.target_from_settings(store.NodeSettings()) is None
    alias = node.target_from_settings(store.NodeSettings(host="k3s-box"))
    assert (alias.host, alias.user, alias.port) == ("k3s-box", "", None)  # left to ~/.ssh/config


@pytest.mark.parametrize("raw", [
    "alice/app:v1; rm -rf ~", "x$(id)", "`id`", "a|b", "a&&b", "it's", 'quote"d', "new\nline", "-rf",
])
def test_pull_command_quotes_whatever_it_is_given(raw):
    command = node.pull_command(raw)
    assert shlex.split(command) == ["sudo", "-n", "k3s", "crictl", "pull", raw]


def test_pull_command_normalises_references():
    assert node.pull_command(reference.parse("alice/poll-backend:v1")) == \
        "sudo -n k3s crictl pull docker.io/alice/poll-backend:v1"
    assert node.pull_command(reference.parse("nginx")) == "sudo -n k3s crictl pull docker.io/library/nginx:latest"


def test_shell_metacharacters_cannot_even_parse():
    for raw in ("alice/app:v1;id", "alice/app:v1 && id", "alice/$(id):v1", "alice/app:`id`"):
        with pytest.raises(reference.ImageNameError):
            reference.parse(raw)


@pytest.mark.parametrize("machine, platform", [
    ("x86_64", "linux/amd64"), ("aarch64", "linux/arm64"), ("armv7l", "linux/arm/v7"), ("riscv64", "linux/riscv64"),
])
def test_node_platform(machine, platform):
    assert node.node_platform(machine) == platform


def test_platform_matches():
    assert node.platform_matches("linux/amd64", "linux/amd64")
    assert node.platform_matches("linux/arm/v7", "linux/arm")
    assert not node.platform_matches("linux/amd64", "linux/arm64")
    assert not node.platform_matches("linux/arm64", "linux/arm")


@pytest.fixture
def key_pub(tmp_path) -> str:
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "some comment", "-f", str(key)],
                   check=True)
    return key.with_suffix(".pub").read_text()


def test_trust_host_key_appends_once_to_the_tutors_own_file(tmp_path, monkeypatch, key_pub):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = node.trust_host_key("ec2.example.com", 22, key_pub)
    assert path == store.tutor_config_dir() / "known_hosts"
    kind, blob = key_pub.split()[:2]
    assert path.read_text() == f"ec2.example.com {kind} {blob}\n"  # the comment is dropped
    node.trust_host_key("ec2.example.com", 22, key_pub)  # again: no duplicate
    node.trust_host_key("127.0.0.1", 2222, key_pub)
    assert path.read_text().splitlines() == [f"ec2.example.com {kind} {blob}", f"[127.0.0.1]:2222 {kind} {blob}"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_trust_host_key_accepts_an_asyncssh_key(tmp_path, key_pub):
    import asyncssh

    key = asyncssh.import_public_key(key_pub)
    path = node.trust_host_key("h", 22, key, tmp_path / "kh")
    assert path.read_text().split()[1:] == key_pub.split()[:2]
    assert node.fingerprint(key).startswith("SHA256:")


def test_public_key_line_refuses_garbage():
    with pytest.raises(ValueError):
        node.public_key_line("not a key; rm -rf /")
    with pytest.raises(ValueError):
        node.public_key_line("")


def test_known_hosts_files_are_the_tutors_the_users_and_the_given_one(tmp_path, monkeypatch, key_pub):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    extra = tmp_path / "extra_known_hosts"
    target = node.NodeTarget("h", known_hosts=str(extra))
    assert node.known_hosts_files(target) == []  # none exists yet: nothing is trusted
    ssh = tmp_path / "home" / ".ssh"
    ssh.mkdir(parents=True)
    (ssh / "known_hosts").write_text("")
    extra.write_text("")
    node.trust_host_key("h", 22, key_pub)
    assert node.known_hosts_files(target) == [node.tutor_known_hosts(), ssh / "known_hosts", extra]


def test_resolve_reads_an_ssh_config_alias(tmp_path):
    config = tmp_path / "config"
    config.write_text("Host box\n  HostName 10.1.2.3\n  Port 2022\n  User ubuntu\n  HostKeyAlias box-key\n")
    where = node.resolve(node.NodeTarget("box", ssh_config=str(config)))
    assert (where.host, where.port, where.user, where.key_host) == ("10.1.2.3", 2022, "ubuntu", "box-key")
    explicit = node.resolve(node.NodeTarget("box", port=22, user="admin", ssh_config=str(config)))
    assert (explicit.port, explicit.user) == (22, "admin")  # what the learner gave wins


# --- who runs k3s: root without sudo, others through sudo (by full path when sudo cannot find it) ---

def test_root_runs_k3s_itself_and_others_through_sudo():
    root = node.choose_k3s("0\n", "/usr/local/bin/k3s")
    assert not root.sudo and root.typed == "/usr/local/bin/k3s"
    assert node.pull_command(reference.parse("alice/app:v1"), root) == \
        "/usr/local/bin/k3s crictl pull docker.io/alice/app:v1"
    assert node.choose_k3s("0", "").prefix == "k3s"  # nothing found by path: by name, still no sudo
    ubuntu = node.choose_k3s("1000", "/usr/local/bin/k3s")
    assert ubuntu.prefix == "sudo -n k3s" and ubuntu.typed == "sudo k3s"
    lost = node.choose_k3s("1000", "/usr/local/bin/k3s", sudo_finds_k3s=False)
    assert lost.prefix == "sudo -n /usr/local/bin/k3s" and lost.typed == "sudo /usr/local/bin/k3s"
    odd = node.choose_k3s("1000", "/opt/k 3s/k3s", sudo_finds_k3s=False)
    assert shlex.split(node.pull_command("a/b:v1", odd)) == ["sudo", "-n", "/opt/k 3s/k3s", "crictl", "pull", "a/b:v1"]


class _Done:
    def __init__(self, status: int, stdout: str = "", stderr: str = "") -> None:
        self.exit_status, self.stdout, self.stderr = status, stdout, stderr


class _FakeNode:
    """Answers the probe's commands like a node would; records every command it was asked to run.
    (A unit test of the command choice: the real node over SSH is tests/integration/test_probes_node.py.)"""

    def __init__(self, uid: str, sudo_installed: bool = True, secure_path_has_k3s: bool = True) -> None:
        self.uid, self.sudo_installed, self.secure_path_has_k3s = uid, sudo_installed, secure_path_has_k3s
        self.ran: list[str] = []

    async def run(self, command: str, check: bool = False, stdin=None) -> _Done:
        self.ran.append(command)
        words = shlex.split(command.replace('PATH="$PATH:/usr/local/bin" ', ""))
        if words[0] == "sudo":
            if not self.sudo_installed:
                return _Done(127, stderr="bash: line 1: sudo: command not found")
            words = words[2:]  # sudo -n
            if words[0] == "k3s" and not self.secure_path_has_k3s:
                return _Done(1, stderr="sudo: k3s: command not found")
        if words == ["uname", "-m"]:
            return _Done(0, "x86_64\n")
        if words == ["id", "-u"]:
            return _Done(0, f"{self.uid}\n")
        if words == ["command", "-v", "k3s"]:
            return _Done(0, "/usr/local/bin/k3s\n")
        if words[0] in ("k3s", "/usr/local/bin/k3s"):
            if words[1:] == ["--version"]:
                return _Done(0, "k3s version v1.30.6+k3s1\n")
            if words[1:3] == ["crictl", "pull"]:
                return _Done(0, "Image is up to date for sha256:" + "a" * 64 + "\n")
        return _Done(127, stderr=f"unexpected: {command}")


async def _inspect(fake: _FakeNode) -> node.NodeReport:
    target = node.NodeTarget("10.0.0.5", user="someone")
    report = node.NodeReport(target.label, "ok", "", evidence={"node": target.label, "user": "someone"})
    return await node._inspect_and_pull(fake, target, report, [reference.parse("alice/app:v1")], None)


async def test_as_root_no_sudo_is_run_even_where_sudo_is_not_installed():
    fake = _FakeNode("0", sudo_installed=False)
    report = await _inspect(fake)
    assert report.ok, report.reason
    assert not any("sudo" in command for command in fake.ran), fake.ran
    assert report.pulls[0].evidence["pull"]["command"] == "/usr/local/bin/k3s crictl pull docker.io/alice/app:v1"
    assert report.evidence["root"] is True and "as root" in report.reason


async def test_sudo_without_k3s_on_its_path_is_diagnosed_and_given_the_full_path():
    fake = _FakeNode("1000", secure_path_has_k3s=False)
    report = await _inspect(fake)
    assert report.ok, report.reason
    assert "sudo -n k3s --version" in fake.ran and "sudo -n /usr/local/bin/k3s --version" in fake.ran
    assert report.pulls[0].evidence["pull"]["command"] == \
        "sudo -n /usr/local/bin/k3s crictl pull docker.io/alice/app:v1"
    assert report.hint.code == "node_sudo_secure_path" and "lacks /usr/local/bin" in report.hint.what
    assert "`sudo /usr/local/bin/k3s crictl pull alice/app:v1`" in report.hint.next_step


async def test_a_user_without_sudo_still_hears_about_sudo_not_k3s():
    fake = _FakeNode("1000", sudo_installed=False)
    report = await _inspect(fake)
    assert (report.outcome, report.hint.code) == ("sudo-not-allowed", "node_sudo_not_allowed")
