"""`docker-tutor doctor` against real services: a working set-up, then each part broken alone.

The engine is the shared test engine (a broken engine is a DOCKER_HOST nobody serves), the
registry is the real token registry (down: a loopback port nobody listens on), the node is
the real sshd (unreachable: a closed port; unknown key: no known_hosts naming it).
"""

from __future__ import annotations

import json
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.fixtures.engine import BASE_IMAGE, CONTEXTS
from tests.fixtures.services import free_port
from tutor import cli, store
from tutor.probes import doctor

pytestmark = pytest.mark.integration

MISSING_BASE = "tutor-test/never-built:404"  # the harness never builds anything by this name


@pytest.fixture(autouse=True)
def own_dirs(tmp_path, monkeypatch) -> None:
    """Empty ~ (no ~/.ssh), tutor config (settings, known_hosts), state and docker config per test."""
    for var, sub in (("HOME", "home"), ("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
                     ("DOCKER_CONFIG", "docker")):
        (tmp_path / sub).mkdir()
        monkeypatch.setenv(var, str(tmp_path / sub))


def settings_file(tmp_path: Path, registry_host: str, node=None, project: Path = CONTEXTS, *,
                  known_hosts: bool = True, user: str | None = None, port: int | None = None) -> Path:
    """A settings.toml for learner on ``registry_host``, building ``project``, with the test node."""
    settings = store.Settings(username="learner", registry=registry_host, tag="v1", project_dir=str(project))
    if node is not None:
        settings.node = store.NodeSettings(host=node.host, user=user or node.user, port=port or node.port,
                                           identity=str(node.key_path),
                                           known_hosts=str(node.known_hosts) if known_hosts else "")
    path = tmp_path / "settings.toml"
    store.save_settings(settings, path)
    return path


def doctor_json(capsys, *args: str) -> tuple[int, dict, dict]:
    code = cli.main(["doctor", "--json", *args])
    report = json.loads(capsys.readouterr().out)
    return code, report, {check["id"]: check for check in report["checks"]}


@pytest.fixture
def working(tmp_path, docker_engine, offline_base, registry_token, ssh_node) -> Path:
    """A set-up where everything is in place: base image built, logged in, node known."""
    registry_token.docker_login()
    return settings_file(tmp_path, registry_token.host, ssh_node)


def test_a_working_setup_is_ready_with_every_line_ok(capsys, working, docker_engine, registry_token):
    code, report, checks = doctor_json(capsys, "--config", str(working))
    assert [c["id"] for c in report["checks"]] == list(doctor.CHECK_IDS)
    assert {c["id"]: c["state"] for c in report["checks"]} == dict.fromkeys(doctor.CHECK_IDS, "ok"), \
        json.dumps(report, indent=1)[:4000]
    assert code == 0 and report["ready"] is True
    assert all(set(c) >= {"id", "ok", "state", "message", "fix"} and c["ok"] and not c["fix"]
               for c in report["checks"])
    assert checks["engine"]["evidence"]["version"] == docker_engine.client.version()["Version"]
    assert checks["base-images"]["evidence"]["needed"] == {BASE_IMAGE: ["backend/Dockerfile", "frontend/Dockerfile"]}
    assert checks["login"]["evidence"]["username"] == "learner"
    free = checks["disk"]["evidence"]["free_bytes"]
    assert free >= checks["disk"]["evidence"]["needed_bytes"]
    # What docker-tutor printed never holds the password docker keeps.
    assert registry_token.password not in json.dumps(report)


def test_the_table_at_80_columns_has_one_ok_line_per_check(capsys, working, monkeypatch, registry_token):
    monkeypatch.setenv("COLUMNS", "80")
    code = cli.main(["doctor", "--config", str(working)])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), out
    marked = [line.split()[:2] for line in lines if re.match(r"  (ok|warn|FAIL|skip) ", line)]
    assert marked == [["ok", check] for check in doctor.CHECK_IDS], out
    assert lines[-1].startswith("Ready:") and "fix:" not in out
    assert registry_token.password not in out


def test_engine_stopped(capsys, tmp_path, working, monkeypatch):
    nobody = tmp_path / "no-engine" / "docker.sock"  # the shared engine keeps running
    monkeypatch.setenv("DOCKER_HOST", f"unix://{nobody}")
    code, report, checks = doctor_json(capsys, "--config", str(working))
    assert code == 1 and report["ready"] is False
    engine = checks["engine"]
    assert engine["state"] == "fail" and engine["hint"] == "engine_unreachable"
    assert str(nobody) in engine["message"] and "start" in engine["fix"].lower()
    # What needs the engine says so; the rest still ran.
    assert checks["base-images"]["state"] == "skipped" and BASE_IMAGE in checks["base-images"]["message"]
    assert checks["disk"]["state"] == "skipped"
    assert {checks[c]["state"] for c in ("registry", "login", "node-ssh", "node-k3s", "node-sudo")} == {"ok"}


def test_base_image_missing(capsys, tmp_path, working, registry_token, ssh_node):
    project = tmp_path / "project"
    for part, base in (("backend", BASE_IMAGE), ("frontend", MISSING_BASE)):
        (project / part).mkdir(parents=True)
        (project / part / "Dockerfile").write_text(f"# {part}\nARG BASE={base}\nFROM ${{BASE}} AS app\n"
                                                   "FROM app\nCMD [\"true\"]\n")
    config = settings_file(tmp_path, registry_token.host, ssh_node, project=project)
    code, report, checks = doctor_json(capsys, "--config", str(config))
    base = checks["base-images"]
    assert code == 1 and base["state"] == "fail" and base["hint"] == "doctor_base_images_missing"
    assert base["evidence"]["missing"] == [MISSING_BASE]
    assert f"`docker pull {MISSING_BASE}`" in base["fix"] and BASE_IMAGE not in base["fix"]
    assert "frontend/Dockerfile" in base["message"]
    assert [c["id"] for c in report["checks"] if c["state"] != "ok"] == ["base-images"]


def test_project_folder_without_a_dockerfile(capsys, tmp_path, working, registry_token, ssh_node):
    project = tmp_path / "half"
    (project / "backend").mkdir(parents=True)
    (project / "backend" / "Dockerfile").write_text(f"FROM {BASE_IMAGE}\n")
    (project / "frontend").mkdir()
    code, _, checks = doctor_json(capsys, "--config", str(working), "--project", str(project))
    assert code == 1 and checks["base-images"]["hint"] == "doctor_dockerfile_missing"
    assert "frontend/Dockerfile" in checks["base-images"]["message"] and "--project" in checks["base-images"]["fix"]


def test_registry_down(capsys, tmp_path, working):
    port = free_port()  # nobody listens there
    code, report, checks = doctor_json(capsys, "--config", str(working), "--registry", f"127.0.0.1:{port}")
    registry = checks["registry"]
    assert code == 1 and registry["state"] == "fail" and registry["hint"] == "registry_unreachable_probe"
    assert f"127.0.0.1:{port}" in registry["message"] and registry["fix"]
    assert checks["pull-quota"]["state"] == "skipped"
    assert checks["login"]["state"] == "fail" and checks["login"]["hint"] == "doctor_not_logged_in"
    # Both commands log in to the registry checked here, as the settings' user, whatever the settings' registry.
    assert f"`docker-tutor do login --var registry=127.0.0.1:{port} --var username=learner`" in checks["login"]["fix"]
    assert f"`docker login -u learner 127.0.0.1:{port}`" in checks["login"]["fix"]
    assert "Docker Hub" not in checks["login"]["fix"]
    assert {checks[c]["state"] for c in ("engine", "base-images", "disk", "node-ssh")} == {"ok"}


def test_no_username_is_said_first_and_the_login_advice_asks_for_one(capsys, tmp_path, working, registry_token):
    (tmp_path / "docker" / "config.json").unlink()
    settings = store.load_settings(working).value
    settings.username = ""
    store.save_settings(settings, working)
    code, report, checks = doctor_json(capsys, "--config", str(working))
    assert code == 1 and report["username"] is None
    assert checks["login"]["hint"] == "doctor_not_logged_in_no_user" and "no username is set" in checks["login"]["message"]
    assert "--user NAME" in checks["login"]["fix"] and "docker-tutor do login" not in checks["login"]["fix"]
    assert cli.main(["doctor", "--config", str(working)]) == 1
    lines = capsys.readouterr().out.splitlines()
    said = next(i for i, line in enumerate(lines) if line.startswith("No username is set"))
    first_check = next(i for i, line in enumerate(lines) if line.startswith("  ok    engine"))
    assert said < first_check


def test_not_logged_in_then_logged_in_as_someone_else(capsys, tmp_path, working, registry_token):
    (tmp_path / "docker" / "config.json").unlink()
    code, _, checks = doctor_json(capsys, "--config", str(working))
    assert code == 1 and checks["login"]["hint"] == "doctor_not_logged_in"
    registry_token.docker_login("otheruser")
    code, report, checks = doctor_json(capsys, "--config", str(working))
    login = checks["login"]
    assert login["state"] == "warn" and login["hint"] == "doctor_login_other_user"
    assert "otheruser" in login["message"] and "learner/" in login["message"]
    assert code == 0 and report["ready"] is True  # a warning does not stop the class
    assert registry_token.users["otheruser"] not in json.dumps(report)


def test_node_unreachable(capsys, tmp_path, working, registry_token, ssh_node):
    port = free_port()  # closed
    config = settings_file(tmp_path, registry_token.host, ssh_node, port=port)
    code, _, checks = doctor_json(capsys, "--config", str(config))
    ssh = checks["node-ssh"]
    assert code == 1 and ssh["state"] == "fail" and ssh["hint"] == "node_unreachable"
    assert f"port {port}" in ssh["fix"]
    assert checks["node-k3s"]["state"] == checks["node-sudo"]["state"] == "skipped"


def test_unknown_host_key_is_never_trusted_and_the_fix_trusts_it(capsys, tmp_path, working, registry_token,
                                                                  ssh_node):
    config = settings_file(tmp_path, registry_token.host, ssh_node, known_hosts=False)
    code, _, checks = doctor_json(capsys, "--config", str(config))
    ssh = checks["node-ssh"]
    fingerprint = ssh_node.host_key_fingerprint
    assert code == 1 and ssh["state"] == "fail" and ssh["hint"] == "doctor_trust_host_key"
    assert fingerprint in ssh["message"] and ssh["evidence"]["fingerprint"] == fingerprint
    assert not (tmp_path / "config" / "docker-tutor" / "known_hosts").exists()
    # A fingerprint the node does not show trusts nothing and is a usage error.
    wrong = "SHA256:" + "A" * 43
    assert cli.main(["doctor", "--config", str(config), "--trust-host-key", wrong]) == 2
    assert "nothing was trusted" in capsys.readouterr().err
    assert not (tmp_path / "config" / "docker-tutor" / "known_hosts").exists()
    # The fix names the exact command; running it trusts the key, and the node checks pass.
    command = ssh["fix"].split("`")[-2]
    argv = shlex.split(command)
    assert argv[:2] == ["docker-tutor", "doctor"] and argv[-2:] == ["--trust-host-key", fingerprint]
    code = cli.main([*argv[1:], "--json"])
    after = {c["id"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert code == 0 and {after[c]["state"] for c in ("node-ssh", "node-k3s", "node-sudo")} == {"ok"}


@pytest.mark.parametrize("who", ["nopw", "secure-path", "root"])
def test_sudo_needing_a_password_fails_and_root_needs_none(capsys, tmp_path, working, registry_token, ssh_node,
                                                           who):
    user = {"nopw": ssh_node.nopw_user, "secure-path": ssh_node.secure_path_user, "root": ssh_node.root_user}[who]
    config = settings_file(tmp_path, registry_token.host, ssh_node, user=user)
    code, _, checks = doctor_json(capsys, "--config", str(config))
    sudo = checks["node-sudo"]
    assert checks["node-ssh"]["state"] == checks["node-k3s"]["state"] == "ok"
    if who == "nopw":
        assert code == 1 and sudo["state"] == "fail" and sudo["hint"] == "node_sudo_password"
    elif who == "secure-path":  # the tutor works around it (full path), and says how to type it
        assert code == 0 and sudo["state"] == "warn" and sudo["hint"] == "node_sudo_secure_path"
        assert str(ssh_node.bin_dir / "k3s") in sudo["fix"]
    else:
        assert code == 0 and sudo["state"] == "ok" and "root" in sudo["message"] and sudo["evidence"]["root"]


def test_too_little_disk_space_says_how_much_is_free_and_needed(docker_engine):
    """The check against a need larger than any disk here: the figures are the disk's own."""
    import asyncio
    import shutil

    info = docker_engine.client.info()
    free = shutil.disk_usage(info["DockerRootDir"]).free
    setup = doctor.DoctorSetup(registry="127.0.0.1:1", needed_space=free * 10)
    engine_doctor = doctor.Doctor(setup)

    async def disk() -> doctor.Finding:
        return await engine_doctor.check_disk(asyncio.ensure_future(engine_doctor.check_engine()))

    finding = asyncio.run(disk())
    assert finding.state == "fail" and finding.hint == "doctor_disk_low"
    assert abs(finding.evidence["free_bytes"] - free) < 10**9 and finding.evidence["needed_bytes"] == free * 10
    assert "docker system prune" in finding.fix and info["DockerRootDir"] in finding.message


def test_a_registry_without_auth_needs_no_login(capsys, tmp_path, working, ssh_node, monkeypatch):
    """A plain registry (no auth, as in the README's offline demo) takes pushes from anyone."""
    from tests.fixtures.registry import _serve

    work = tmp_path / "open-registry"
    work.mkdir()
    with _serve(work, {}) as host:
        code, _, checks = doctor_json(capsys, "--config", str(settings_file(tmp_path, host, ssh_node)))
    assert checks["registry"]["state"] == "ok" and checks["registry"]["evidence"]["status"] == 200
    assert checks["login"]["state"] == "ok" and "nobody" in checks["login"]["message"]
    assert code == 0


def test_pull_quota_from_ratelimit_headers_of_a_head(capsys, tmp_path, working, registry_token, rate_limit_proxy,
                                                     ssh_node):
    proxy = rate_limit_proxy(registry_token)
    proxy.extra_headers = [("ratelimit-limit", "100;w=21600"), ("ratelimit-remaining", "76;w=21600"),
                           ("docker-ratelimit-source", "127.0.0.1")]
    registry_token.docker_login()
    subprocess.run(["docker", "login", "--username", "learner", "--password-stdin", proxy.host],
                   input=registry_token.password, capture_output=True, text=True, timeout=60, check=True)
    config = settings_file(tmp_path, proxy.host, ssh_node)
    proxy.seen.clear()
    code, report, checks = doctor_json(capsys, "--config", str(config))
    quota = checks["pull-quota"]
    assert quota["state"] == "ok" and (quota["evidence"]["limit"], quota["evidence"]["remaining"]) == (100, 76)
    assert quota["evidence"]["window_seconds"] == 21600
    assert "76 of 100 pulls left per 6 hours" in quota["message"] and "learner" in quota["message"]
    manifests = [(method, path) for method, path in proxy.seen if "/manifests/" in path]
    assert manifests and {method for method, _ in manifests} == {"HEAD"}  # a GET would count as a pull
    assert code == 0, json.dumps(report, indent=1)[:3000]

    proxy.extra_headers = [("ratelimit-limit", "100;w=21600"), ("ratelimit-remaining", "0;w=21600")]
    code, _, checks = doctor_json(capsys, "--config", str(config))
    quota = checks["pull-quota"]
    assert code == 1 and quota["state"] == "fail" and quota["hint"] == "doctor_quota_low"
    assert "0 more pulls per 6 hours" in quota["message"] and "6 hours" in quota["fix"]


def test_a_registry_answering_429_says_how_long_to_wait(capsys, tmp_path, working, registry_token,
                                                        rate_limit_proxy, ssh_node):
    proxy = rate_limit_proxy(registry_token)
    proxy.limit_next(1000, retry_after=30)
    code, _, checks = doctor_json(capsys, "--config", str(settings_file(tmp_path, proxy.host, ssh_node)))
    registry = checks["registry"]
    assert code == 1 and registry["state"] == "fail" and registry["hint"] == "registry_rate_limited"
    assert "30 seconds" in registry["fix"] or "30 seconds" in registry["message"]
    assert checks["pull-quota"]["state"] == "skipped" and "HTTP 429" in checks["pull-quota"]["message"]


def test_silent_registry_and_node_are_bounded_and_checked_at_once(capsys, tmp_path, working, ssh_node):
    """A port that accepts and never answers: both checks give up within their bounds, side by side."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    try:
        started = time.monotonic()
        code, _, checks = doctor_json(capsys, "--config", str(working), "--timeout", "2",
                                      "--registry", f"127.0.0.1:{port}", "--node", f"{ssh_node.user}@127.0.0.1:{port}")
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join(5)
        for conn in held:
            conn.close()
        listener.close()
    assert code == 1
    assert checks["registry"]["state"] == "fail" and "2 seconds" in checks["registry"]["message"]
    assert checks["node-ssh"]["state"] == "fail" and checks["node-ssh"]["hint"] == "node_timeout"
    # Each waits about 2 s (the node a little more for its banner probe); in turn they would add up.
    assert elapsed < 8, elapsed


def test_bad_input_is_a_usage_error_without_a_traceback(capsys):
    assert cli.main(["doctor", "--timeout", "0"]) == 2
    assert cli.main(["doctor", "--node", "ubuntu@host:99999"]) == 2
    assert cli.main(["doctor", "--user", "Not Valid"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("error:") == 3


def test_importing_the_doctor_loads_no_heavy_library():
    script = ("import sys, tutor.commands.doctor, tutor.probes.doctor; "
              "print([m for m in ('docker', 'httpx', 'asyncssh', 'textual') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr
