"""Fault suite, SSH node: each fault injected for real against the test node's OpenSSH (or a
misbehaving proxy in front of it), and what the learner is told checked word for word where
the wording is the point: a node that answered is never blamed on the security group."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures.fault_proxy import fault_proxy  # noqa: F401 - fixture
from tests.fixtures.services import free_port
from tutor.probes import node

pytestmark = pytest.mark.integration

REF = "docker.io/library/tutor-test-never-pulled:v1"


def target_for(ssh_node, port: int | None = None, **overrides) -> node.NodeTarget:
    values = dict(host=ssh_node.host, port=port or ssh_node.port, user=ssh_node.user,
                  identity=str(ssh_node.key_path), known_hosts=str(ssh_node.known_hosts), ssh_config="",
                  connect_timeout=2.0, pull_timeout=2.0, command_timeout=2.0)
    values.update(overrides)
    return node.NodeTarget(**values)


@pytest.fixture
def own_known_hosts(tmp_path, monkeypatch) -> Path:
    """The tutor's own known_hosts in a folder of this test's own (the session one stays untouched)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return node.tutor_known_hosts()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has ended; only its parent has not read its status yet.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def wait_gone(pids: list[int], seconds: float = 8.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if alive(p)]


async def test_a_node_that_greets_and_then_hangs_is_not_blamed_on_the_security_group(ssh_node, fault_proxy,
                                                                                      own_known_hosts):
    proxy = fault_proxy().set("banner")
    started = time.monotonic()
    report = await node.check_node(target_for(ssh_node, proxy.port), [REF])
    assert time.monotonic() - started < 10
    assert proxy.connections >= 1  # the fault really happened: it was reached and greeted us
    assert report.outcome == "stalled"
    assert report.hint.code == "node_stalled_after_banner"
    assert "SSH-2.0-OpenSSH_9.2p1" in report.hint.what and "answered" in report.reason
    assert "security group" not in report.reason
    assert "security group are fine" in report.hint.next_step
    assert report.pulls[0].status == "error"


async def test_a_closed_port_names_that_port(ssh_node, own_known_hosts):
    port = free_port()
    report = await node.check_node(target_for(ssh_node, port), [REF])
    assert report.outcome == "node-unreachable"
    assert f"port {port}" in report.hint.next_step and "port 22" not in report.hint.next_step


async def test_a_command_that_hangs_after_login_is_ended_on_the_node_and_not_blamed_on_the_firewall(
        ssh_node, own_known_hosts):
    ssh_node.hang("version")
    try:
        started = time.monotonic()
        report = await node.check_node(target_for(ssh_node), [REF])
        assert time.monotonic() - started < 15
        pids = ssh_node.hung_pids()
        assert pids, "the stand-in never hung: the fault was not injected"
        assert report.outcome == "timeout" and report.hint.code == "node_command_timeout"
        assert "logged in" in report.hint.what and "`k3s --version`" in report.hint.what
        assert "security group" in report.hint.next_step and "not the security group" in report.hint.next_step
        assert "Logged in" in report.reason
        assert wait_gone(pids) == [], "the timed-out command kept running on the node"
    finally:
        ssh_node.unhang()


async def test_a_hanging_crictl_pull_is_bounded_and_ended_on_the_node(ssh_node, own_known_hosts):
    ssh_node.hang("pull")
    try:
        started = time.monotonic()
        report = await node.check_node(target_for(ssh_node, pull_timeout=2.0), [REF])
        assert time.monotonic() - started < 20
        pids = ssh_node.hung_pids()
        assert pids, "the stand-in's pull never hung"
        pull = report.pulls[0]
        assert pull.outcome == "timeout" and pull.hint.code == "node_pull_timeout"
        assert "longer than 2 seconds" in pull.hint.what
        # The pull ran as root under sudo: ending it needs sudo to pass the signal on.
        assert wait_gone(pids) == [], "the timed-out pull kept running on the node"
    finally:
        ssh_node.unhang()


async def test_an_unparsable_local_known_hosts_is_not_blamed_on_the_network(ssh_node, tmp_path, own_known_hosts):
    broken = tmp_path / "known_hosts"
    broken.write_bytes(b"\xff\xfe\x00 not a known_hosts file\n")
    report = await node.check_node(target_for(ssh_node, known_hosts=str(broken)), [REF])
    assert report.outcome == "known-hosts-unreadable"
    assert report.hint.code == "node_known_hosts_unreadable" and str(broken) in report.hint.what
    assert "security group" not in report.hint.next_step + report.reason


def test_an_unreadable_local_known_hosts_is_named_for_a_user_who_may_not_read_it(ssh_node):
    """Permission denied needs a user other than root (root reads any file): the check runs as nobody."""
    import pwd
    import shutil
    import tempfile

    nobody = pwd.getpwnam("nobody")
    top = Path(tempfile.mkdtemp(prefix="dt-nobody-", dir="/tmp"))  # pytest's tmp_path is root's alone
    try:
        _check_as(nobody, top, ssh_node)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def _check_as(nobody, top: Path, ssh_node) -> None:
    top.chmod(0o755)
    home = top / "home"
    (home / "config").mkdir(parents=True)
    secret = home / "known_hosts"
    secret.write_text(ssh_node.known_hosts.read_text())
    secret.chmod(0o000)
    key = home / "key"
    key.write_bytes(ssh_node.key_path.read_bytes())
    key.chmod(0o600)
    for path in (home, home / "config", key):
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    script = ("import asyncio, sys; from tutor.probes import node;"
              f"t = node.NodeTarget({ssh_node.host!r}, port={ssh_node.port}, user={ssh_node.user!r}, "
              f"identity={str(key)!r}, known_hosts={str(secret)!r}, ssh_config='', connect_timeout=5);"
              f"r = asyncio.run(node.check_node(t, [{REF!r}]));"
              "print(r.outcome); print(r.hint.what); print(r.hint.next_step)")
    # The venv's interpreter lives under /root, which nobody may not enter: the system python3 of
    # the same version runs the checkout with the venv's packages.
    system = Path("/usr/bin/python3")
    if not system.exists() or subprocess.run([str(system), "-c", "import sys; print(sys.version_info[:2])"],
                                             capture_output=True, text=True).stdout.strip() != \
            str(tuple(sys.version_info[:2])):
        pytest.skip("no system python3 of the venv's version to run as nobody")
    repo = Path(__file__).resolve().parents[2]
    site = next(Path(sys.prefix).glob("lib/python3*/site-packages"))
    done = subprocess.run([str(system), "-c", script], capture_output=True, text=True, timeout=60, cwd="/",
                          user=nobody.pw_uid, group=nobody.pw_gid, extra_groups=[],
                          env={"HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"), "PATH": "/usr/bin:/bin",
                               "PYTHONPATH": f"{repo}:{site}"})
    assert done.returncode == 0, done.stderr
    outcome, what, next_step = done.stdout.splitlines()[:3]
    assert outcome == "known-hosts-unreadable"
    assert str(secret) in what and "PermissionError" in what
    assert f"chmod 600 {secret}" in next_step and "security group" not in next_step


def words(text: str) -> str:
    """Output with its line breaks as spaces: `check` wraps its lines to the terminal's width."""
    return " ".join(text.split())


def test_trusting_a_changed_host_key_says_so_and_stops_trusting_the_old_one(ssh_node, tmp_path):
    """`check --trust-host-key` over a recorded key of another machine: both fingerprints shown, old one gone."""
    config = tmp_path / "config"
    env = {**os.environ, "XDG_CONFIG_HOME": str(config), "XDG_STATE_HOME": str(tmp_path / "state")}
    old_key = tmp_path / "old_host_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(old_key)], check=True)
    old_type, old_blob = old_key.with_suffix(".pub").read_text().split()[:2]
    old_fp = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(old_key.with_suffix(".pub"))],
                            capture_output=True, text=True, check=True).stdout.split()[1]
    known = config / "docker-tutor" / "known_hosts"
    known.parent.mkdir(parents=True)
    known.write_text(f"[{ssh_node.host}]:{ssh_node.port} {old_type} {old_blob}\nother.example ssh-ed25519 {old_blob}\n")
    args = [sys.executable, "-m", "tutor", "check", "--node", f"{ssh_node.user}@{ssh_node.host}:{ssh_node.port}",
            "--identity", str(ssh_node.key_path), "--item", "node-can-pull", "--timeout", "5",
            "--config", str(tmp_path / "settings.toml"), "--user", "learner"]
    # Before: the recorded key differs, so the node is refused as changed, nothing trusted by itself.
    before = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    assert "different host key" in words(before.stdout), before.stdout + before.stderr
    after = subprocess.run([*args, "--trust-host-key", ssh_node.host_key_fingerprint], capture_output=True,
                           text=True, env=env, timeout=60)
    assert "Traceback" not in after.stderr
    assert f"CHANGED: it was {old_fp}, it is now {ssh_node.host_key_fingerprint}" in words(after.stderr), after.stderr
    text = known.read_text()
    assert any(line.startswith("other.example ") for line in text.splitlines())  # other hosts untouched
    entries = [line for line in text.splitlines() if line.startswith(f"[{ssh_node.host}]:{ssh_node.port} ")]
    assert len(entries) == 1 and old_blob not in entries[0]
    assert "different host key" not in words(after.stdout)
