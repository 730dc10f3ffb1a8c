"""Fault suite, the Docker engine: not running when an action starts, and killed in the middle
of a push of a 100 MB layer. The killed engine is a second dockerd of this module's own; the
suite's main engine is never touched.

Two engines on one machine share the docker0 bridge, and a second one started with
``--bridge none`` deletes docker0 at start (dockerd removes the default bridge interface when
bridging is off), which breaks every `docker run` of the main engine. So the spare engine gets a
bridge of its own, made here and removed at the end, plus --iptables=false --ip6tables=false
from its very first start."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.fault_proxy import fault_proxy  # noqa: F401 - fixture
from tests.fixtures.services import need_binary, need_root, wait_until
from tests.fixtures.transfers import docker_login, learner_env, run_do, step_status

pytestmark = pytest.mark.integration

LAYER = 100 << 20


class SpareEngine:
    """A dockerd this module may kill and start again on the same data."""

    def __init__(self) -> None:
        need_root("a second dockerd")
        self.binary = need_binary("dockerd", "docker.io")
        self.top = Path(tempfile.mkdtemp(prefix="dt-spare-", dir="/tmp"))  # socket paths must stay short
        self.host = f"unix://{self.top / 'docker.sock'}"
        self.proc: subprocess.Popen | None = None
        self.bridge = f"dtspare{os.getpid() % 100000}"  # at most 15 characters
        ip = need_binary("ip", "iproute2")
        subprocess.run([ip, "link", "del", self.bridge], capture_output=True)  # left by a crashed run
        subprocess.run([ip, "link", "add", self.bridge, "type", "bridge"], check=True, capture_output=True)
        subprocess.run([ip, "addr", "add", "10.213.77.1/24", "dev", self.bridge], check=True, capture_output=True)

    def start(self) -> None:
        log = open(self.top / "dockerd.log", "ab")  # noqa: SIM115 - closed below, once dockerd holds it
        self.proc = subprocess.Popen(
            [self.binary, "--host", self.host, "--data-root", str(self.top / "data"), "--exec-root",
             str(self.top / "exec"), "--pidfile", str(self.top / "pid"), "--bridge", self.bridge,
             "--iptables=false", "--ip6tables=false"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        wait_until(self.answers, 60, "the spare dockerd", self.proc, self.top / "dockerd.log")

    def answers(self) -> bool:
        import docker

        client = docker.DockerClient(base_url=self.host, timeout=5)
        try:
            return bool(client.ping())
        finally:
            client.close()

    def kill(self) -> None:
        """As a crash: dockerd and its containerd at once, no clean shutdown."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        # containerd dies with dockerd (its parent-death signal), but may linger as a zombie that
        # nobody reaps here; its pid file would make the next dockerd wait for it for ever.
        pid_file = self.top / "exec" / "containerd" / "containerd.pid"
        try:
            pid = int(pid_file.read_text().strip())
        except (OSError, ValueError):
            return
        deadline = time.monotonic() + 10
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        pid_file.unlink(missing_ok=True)

    def client(self):
        import docker

        return docker.DockerClient(base_url=self.host, timeout=120)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)
        shutil.rmtree(self.top, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.fixture(scope="module")
def spare_engine() -> Iterator[SpareEngine]:
    engine = SpareEngine()
    try:
        engine.start()
        yield engine
    finally:
        engine.close()


def build_images(engine: SpareEngine, prefix: str, tag: str, folder: Path) -> None:
    """poll-backend with a fresh 100 MB layer, poll-frontend small; COPY only (no container, no network)."""
    busybox = Path("/bin/busybox")
    if not busybox.exists():
        pytest.skip("/bin/busybox not found: apt-get install busybox-static")
    client = engine.client()
    try:
        for name, size in (("poll-backend", LAYER), ("poll-frontend", 64 << 10)):
            context = folder / name
            context.mkdir(parents=True)
            shutil.copy(busybox, context / "busybox")
            with open(context / "blob", "wb") as out:
                for _ in range(0, size, 8 << 20):
                    out.write(os.urandom(min(8 << 20, size)))
            (context / "Dockerfile").write_text("FROM scratch\nCOPY busybox /bin/busybox\nCOPY blob /blob\n")
            client.images.build(path=str(context), tag=f"{prefix}/{name}:{tag}", rm=True)
    finally:
        client.close()


def test_an_engine_that_is_not_running_is_said_before_anything_starts(tmp_path):
    missing = f"unix://{tmp_path / 'no-docker.sock'}"
    env = learner_env(tmp_path, missing)
    ran = run_do("push", {"username": "learner", "registry": "127.0.0.1:5999", "tag": "v1"}, env, timeout=60)
    assert ran.code == 1, ran.output
    assert "Traceback" not in ran.output
    assert f"cannot reach the Docker engine at {missing}" in ran.output
    assert "systemctl start docker" in ran.output
    assert step_status(env, "push") == "failed"


def test_an_engine_killed_mid_push_ends_in_a_hint_and_a_retry_after_it_is_back_works(
        spare_engine, registry_basic, fault_proxy, tmp_path):
    proxy = fault_proxy(registry_basic.host)
    tag = uuid.uuid4().hex[:8]
    prefix = f"{proxy.host}/{registry_basic.username}"
    build_images(spare_engine, prefix, tag, tmp_path / "contexts")
    env = learner_env(tmp_path, spare_engine.host)
    docker_login(proxy.host, registry_basic.username, registry_basic.password, env)
    variables = {"username": registry_basic.username, "registry": proxy.host, "tag": tag}
    proxy.set("throttle", rate=20e6)  # about 5 s for the big layer: time to kill the engine half-way

    def kill_half_way() -> None:
        deadline = time.monotonic() + 60
        while proxy.bytes_up < 30e6 and time.monotonic() < deadline:
            time.sleep(0.05)
        spare_engine.kill()

    killer = threading.Thread(target=kill_half_way, daemon=True)
    killer.start()
    ran = run_do("push", variables, env, timeout=90)
    killer.join(timeout=60)
    assert spare_engine.proc.poll() is not None, "the engine was never killed"
    assert ran.code == 1, ran.output
    assert "Traceback" not in ran.output
    assert "The connection to the Docker engine broke in the middle of the push" in ran.output, ran.output
    assert "sudo systemctl start docker" in ran.output and "then push again" in ran.output
    assert "Pushed poll" not in ran.output and step_status(env, "push") == "failed"
    failure = next(line for line in ran.lines if line.startswith("✘"))
    assert "█" not in failure

    spare_engine.start()
    proxy.set("pass")
    again = run_do("push", variables, env, timeout=120)
    assert again.code == 0, again.output
    assert f"✔ Pushed {prefix}/poll-backend:{tag}" in again.output
    assert f"✔ Pushed {prefix}/poll-frontend:{tag}" in again.output
    assert step_status(env, "push") == "done"
    assert tag in registry_basic.tags(f"{registry_basic.username}/poll-backend")


def test_an_engine_that_freezes_mid_push_is_named_as_the_one_that_stopped(
        spare_engine, registry_basic, fault_proxy, tmp_path):
    """Fault: dockerd stops answering (SIGSTOP, as a Docker Desktop VM that went to sleep) in the
    middle of a push. The transfer goes quiet; the tutor pings the engine, gets no answer and says
    the engine stopped, not the registry or the network. The engine is woken at the end."""
    proxy = fault_proxy(registry_basic.host)
    tag = uuid.uuid4().hex[:8]
    prefix = f"{proxy.host}/{registry_basic.username}"
    build_images(spare_engine, prefix, tag, tmp_path / "contexts")
    env = learner_env(tmp_path, spare_engine.host, DOCKER_TUTOR_TRANSFER_TIMEOUT="3")
    docker_login(proxy.host, registry_basic.username, registry_basic.password, env)
    proxy.set("throttle", rate=20e6)

    def freeze_half_way() -> None:
        deadline = time.monotonic() + 60
        while proxy.bytes_up < 30e6 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(spare_engine.proc.pid, signal.SIGSTOP)

    freezer = threading.Thread(target=freeze_half_way, daemon=True)
    freezer.start()
    try:
        ran = run_do("push", {"username": registry_basic.username, "registry": proxy.host, "tag": tag}, env,
                     timeout=90)
    finally:
        freezer.join(timeout=60)
        os.killpg(spare_engine.proc.pid, signal.SIGCONT)
    assert ran.code == 1 and "Traceback" not in ran.output, ran.output
    assert "The Docker engine stopped answering during the upload of layer" in ran.output, ran.output
    assert "no progress for 3 seconds, and it does not answer a ping either" in ran.output
    assert "Restart Docker" in ran.output and "then push again" in ran.output
    assert step_status(env, "push") == "failed"
    proxy.set("pass")
    wait_until(spare_engine.answers, 30, "the woken dockerd", spare_engine.proc, spare_engine.top / "dockerd.log")


async def test_a_quiet_build_step_is_waited_for_and_said_once(docker_engine, offline_base, tmp_path, monkeypatch):
    """Not a fault: a RUN step that prints nothing for longer than the inactivity bound. The engine
    answers a ping, so the build goes on, with one note that it is still working."""
    from tutor.docker_ops import Succeeded, build
    from tutor.docker_ops.events import Notice

    monkeypatch.setenv("DOCKER_TUTOR_TRANSFER_TIMEOUT", "1")
    (tmp_path / "Dockerfile").write_text(f"FROM {offline_base}\nRUN sleep 4 && echo {uuid.uuid4().hex}\n")
    tag = f"tutor-test/quiet-build:{uuid.uuid4().hex[:8]}"
    events = [event async for event in build(tmp_path, tag)]
    notices = [e.text for e in events if isinstance(e, Notice)]
    assert len(notices) == 1, notices
    assert "No output for 1 seconds from step 2/2 of the build (`RUN sleep 4" in notices[0]
    assert "the Docker engine answers, so it is still working" in notices[0]
    assert isinstance(events[-1], Succeeded), events[-1]


def test_an_engine_that_freezes_during_a_build_is_named(spare_engine, tmp_path):
    """Fault: dockerd stops answering (SIGSTOP) while a RUN step runs. The build's silence is not
    enough to end it; the failed ping is, and the learner is told to restart Docker."""
    busybox = Path("/bin/busybox")
    if not busybox.exists():
        pytest.skip("/bin/busybox not found: apt-get install busybox-static")
    context = tmp_path / "backend"  # the lesson builds {project_dir}/backend first
    context.mkdir()
    shutil.copy(busybox, context / "busybox")
    (context / "Dockerfile").write_text("FROM scratch\nCOPY busybox /bin/busybox\n"
                                        'RUN ["/bin/busybox", "sleep", "20"]\n')
    env = learner_env(tmp_path, spare_engine.host, DOCKER_TUTOR_TRANSFER_TIMEOUT="2")
    tutor = [str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "python"), "-m", "tutor"]
    if not Path(tutor[0]).exists():
        import sys

        tutor[0] = sys.executable
    proc = subprocess.Popen([*tutor, "do", "build", "--var", "username=learner", "--var", "tag=v1",
                             "--var", f"project_dir={tmp_path}"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        # Freeze the engine once the RUN step has started (its container exists).
        client = spare_engine.client()
        deadline = time.monotonic() + 60
        while not client.containers.list() and time.monotonic() < deadline:
            time.sleep(0.1)
        client.close()
        os.killpg(spare_engine.proc.pid, signal.SIGSTOP)
        output, _ = proc.communicate(timeout=60)
    finally:
        os.killpg(spare_engine.proc.pid, signal.SIGCONT)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1 and "Traceback" not in output, output
    assert "The Docker engine stopped answering during step 3/3 of the build" in output, output
    assert "Restart Docker" in output
    wait_until(spare_engine.answers, 30, "the woken dockerd", spare_engine.proc, spare_engine.top / "dockerd.log")


async def test_following_survives_the_engine_stopped_and_started_again(spare_engine, tmp_path, monkeypatch):
    """Fault: the Docker engine the app follows is stopped (killed, as a crash) and started again
    while the learner works. The follower says it lost the engine as a status, retries with
    backoff, and once the engine is back a tag made in the terminal ticks the build step."""
    from tests.integration.test_follow import Collector, cleanup, docker, make_session, refs
    from tutor import follow
    from tutor.docker_ops.follow import LOST, EngineEvents

    busybox = Path("/bin/busybox")
    if not busybox.exists():
        pytest.skip("/bin/busybox not found: apt-get install busybox-static")
    monkeypatch.setenv("DOCKER_HOST", spare_engine.host)  # the follower, its probes and the CLI: this engine
    context = tmp_path / "base"
    context.mkdir()
    shutil.copy(busybox, context / "busybox")
    (context / "Dockerfile").write_text("FROM scratch\nCOPY busybox /bin/busybox\n")
    base = f"tutor-test/follow-base:{uuid.uuid4().hex[:8]}"
    docker("build", "-q", "-t", base, str(context))
    tag = f"follow-{uuid.uuid4().hex[:8]}"
    session = make_session(tmp_path, "127.0.0.1:5999", tag)
    images = refs("127.0.0.1:5999", tag)
    follower = follow.Follower(session, engine=EngineEvents(backoff=(0.2, 0.4, 0.8)))
    watcher = Collector(follower)
    try:
        await watcher.following()
        spare_engine.kill()
        lost = await watcher.until(lambda u: u.kind == follow.STATUS and u.connection == LOST, what="lost")
        assert "not answering" in lost.text and "trying again" in lost.text
        assert not any(u.kind == follow.DONE for u in watcher.updates)
        spare_engine.start()
        await watcher.following(count=2)
        for name in ("backend", "frontend"):
            docker("tag", base, images[name])
        done = await watcher.until(lambda u: u.step_id == "build" and u.kind == follow.DONE, what="after restart")
        assert images["backend"] in done.text and images["frontend"] in done.text
        assert session.step_state(session.lesson.step("build")) == "done"
    finally:
        await watcher.stop()
        if spare_engine.answers():
            cleanup(*images.values(), base)
