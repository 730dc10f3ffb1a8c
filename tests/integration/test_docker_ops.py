"""The docker actions against the real engine and real registries: the milestone in order,
each failure's hint, secrets kept out of sight, big logs streamed in batches, cancellation."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import threading
import tracemalloc
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.fixtures.engine import CONTEXTS
from tests.fixtures.services import TEST_PREFIX, free_port, need_binary
from tutor.docker_ops import (
    CommandLine, Failed, LayerProgress, Notice, Output, Ready, Succeeded, build, credentials, images, login,
    pull, push, rmi, run, stop_all, tag,
)
from tutor.docker_ops import engine
from tutor.docker_ops.run import OWNER_LABEL

pytestmark = pytest.mark.integration


async def collect(action) -> list:
    return [event async for event in action]


def result(events: list):
    """The one result, after checking the order every action promises."""
    assert isinstance(events[0], CommandLine), events[0]
    results = [e for e in events if isinstance(e, (Succeeded, Failed))]
    assert len(results) == 1 and events[-1] is results[0], events
    return results[0]


def succeeded(events: list) -> Succeeded:
    outcome = result(events)
    assert isinstance(outcome, Succeeded), outcome
    return outcome


def failed(events: list) -> Failed:
    outcome = result(events)
    assert isinstance(outcome, Failed), outcome
    return outcome


def layers(events: list) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {}
    for event in events:
        if isinstance(event, LayerProgress):
            seen.setdefault(event.layer, set()).add(event.status)
    return seen


def lines(events: list) -> list[str]:
    return [line for e in events if isinstance(e, Output) for line in e.lines]


@pytest.fixture
def uid() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
def contexts(tmp_path, uid) -> Path:
    """Copies of the offline build contexts that a test may edit, each with a file of its own so
    that its layers are new to registries other tests have pushed the same contexts to."""
    target = tmp_path / "contexts"
    for name in ("backend", "frontend"):
        shutil.copytree(CONTEXTS / name, target / name)
    (target / "backend" / "public" / "build-id").write_text(uid)
    (target / "frontend" / "html" / "build-id").write_text(uid)
    return target


@pytest.fixture
def cleanup(docker_engine):
    """Image names a test creates outside the tutor-test/ prefix cleanup (registry-host tags)."""
    names: list[str] = []
    yield names
    for name in names:
        try:
            docker_engine.client.images.remove(name, force=True)
        except Exception:  # noqa: BLE001 - already removed by the test
            pass


@pytest.fixture(autouse=True)
def base_present(request, tmp_path_factory):
    """Rebuild the offline base if another test session on this shared engine removed it meanwhile."""
    if "offline_base" not in request.fixturenames:
        return
    engine = request.getfixturevalue("docker_engine")
    base = request.getfixturevalue("offline_base")
    try:
        engine.client.images.get(base)
    except Exception:  # noqa: BLE001 - docker.errors.ImageNotFound
        ctx = tmp_path_factory.mktemp("base-again")
        shutil.copy("/bin/busybox", ctx / "busybox")
        (ctx / "Dockerfile").write_text((CONTEXTS / "base" / "Dockerfile").read_text())
        engine.client.images.build(path=str(ctx), tag=base, rm=True)


@pytest.fixture
def fresh_credentials():
    credentials.forget()
    yield
    credentials.forget()


def my_containers(docker_engine) -> list:
    return docker_engine.client.containers.list(all=True, filters={"label": f"{OWNER_LABEL}={os.getpid()}"})


class CmdlineWatch:
    """Reads every process's command line while an action runs, looking for a secret."""

    def __init__(self, secret: str) -> None:
        self.secret = secret.encode()
        self.hits: list[str] = []
        self.scans = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._scan, daemon=True)

    def _scan(self) -> None:
        while not self._stop.is_set():
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        cmdline = (entry / "cmdline").read_bytes()
                    except OSError:
                        continue
                    if self.secret in cmdline:
                        self.hits.append(cmdline.replace(b"\0", b" ").decode(errors="replace"))
            self.scans += 1

    def __enter__(self) -> CmdlineWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def files_containing(folder: Path, secret: str) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


# --- the milestone in order ----------------------------------------------------------


async def test_milestone_in_order(registry_basic, docker_engine, offline_base, docker_config, contexts, uid,
                                  cleanup, fresh_credentials, caplog, tmp_path):
    need_binary("docker", "docker.io")
    reg = registry_basic
    backend = reg.ref(f"learner/{TEST_PREFIX}-{uid}-poll-backend", "v1")
    frontend = reg.ref(f"learner/{TEST_PREFIX}-{uid}-poll-frontend", "v1")
    cleanup += [backend, frontend]
    caplog.set_level("DEBUG")

    # 1. Log in: verified, and the learner's own docker CLI is logged in too.
    with CmdlineWatch(reg.password) as watch:
        login_events = await collect(login(reg.host, reg.username, reg.password))
    done = succeeded(login_events)
    assert login_events[0].text == f"docker login -u learner --password-stdin {reg.host}"
    assert done.details["shell_logged_in"] and done.details["storage"] == "plaintext"
    notices = [e.text for e in login_events if isinstance(e, Notice)]
    assert any("unencrypted" in text and "credential helper" in text for text in notices)
    # A registry with passwords only (htpasswd) is not told to use an access token it cannot issue.
    assert not any("access token" in text for text in notices)
    assert watch.scans > 0 and watch.hits == []
    config = json.loads((docker_config / "config.json").read_text())
    assert reg.host in config["auths"]

    # 2. Build both images.
    built = {}
    for name, ref in (("backend", backend), ("frontend", frontend)):
        events = await collect(build(contexts / name, ref))
        built[name] = succeeded(events)
        assert events[0].text == f"docker build -t {ref} {contexts / name}"
        assert any(line.startswith("Step 1/") for line in lines(events))
        assert built[name].details["image_id"].startswith("sha256:") and built[name].details["size"] > 0

    listed = succeeded(await collect(images(f"{TEST_PREFIX}-{uid}")))
    assert {(row.repository, row.tag) for row in listed.details["rows"]} == {
        (backend.rsplit(":", 1)[0], "v1"), (frontend.rsplit(":", 1)[0], "v1")}
    assert all(len(row.image_id) == 12 and row.created.endswith("ago") for row in listed.details["rows"])

    # 3. Push both. The backend's own files are new to the registry (the shared session registry may
    # already hold the base layer); the frontend then mounts the layers it shares with the backend.
    first = await collect(push(backend))
    pushed = succeeded(first)
    assert first[0].text == f"docker push {backend}"
    assert pushed.details["digest"].startswith("sha256:") and pushed.details["size"] > 0
    assert pushed.details["layers"] >= 3 and pushed.details["layers_uploaded"] >= 1
    assert pushed.details["layers_uploaded"] + pushed.details["layers_reused"] == pushed.details["layers"]
    assert pushed.details["bytes_uploaded"] > 0
    assert sum("pushed" in statuses for statuses in layers(first).values()) == pushed.details["layers_uploaded"]
    reused = pushed.details["layers_reused"]
    assert f"{reused} of {pushed.details['layers']} layers were already on the registry" in pushed.summary
    front = succeeded(await collect(push(frontend)))
    assert front.details["layers_mounted"] >= 1 and front.details["layers_uploaded"] >= 1

    # 4. The second push reuses every layer and uploads nothing.
    again = await collect(push(backend))
    repeat = succeeded(again)
    assert repeat.details["layers_reused"] == repeat.details["layers"] == pushed.details["layers"]
    assert repeat.details["layers_uploaded"] == 0 and repeat.details["bytes_uploaded"] == 0
    assert all(statuses & {"exists"} for statuses in layers(again).values())
    assert repeat.details["digest"] == pushed.details["digest"]
    assert "uploaded 0 B" in repeat.summary

    # The learner's shell can push without logging in again.
    shell = subprocess.run(["docker", "push", backend], capture_output=True, text=True, timeout=120)
    assert shell.returncode == 0, shell.stderr

    # 5. Change one file and rebuild: only the changed layer goes up.
    page = contexts / "backend" / "public" / "index.html"
    page.write_text(page.read_text().replace("is up", f"is up, version {uid}"))
    succeeded(await collect(build(contexts / "backend", backend)))
    changed = succeeded(await collect(push(backend)))
    assert changed.details["layers_uploaded"] == 1
    assert changed.details["layers_reused"] == changed.details["layers"] - 1
    assert changed.details["digest"] != pushed.details["digest"]

    # 6. Remove it locally and pull it back.
    removed = succeeded(await collect(rmi(backend)))
    assert backend.replace(f"{reg.host}/", f"{reg.host}/") in removed.details["untagged"]
    assert not [row for row in succeeded(await collect(images(uid))).details["rows"] if "backend" in row.repository]
    pulled_events = await collect(pull(backend))
    pulled = succeeded(pulled_events)
    assert pulled.details["digest"] == changed.details["digest"]
    assert pulled.details["layers_downloaded"] >= 1
    assert any(statuses & {"pulled", "exists"} for statuses in layers(pulled_events).values())

    # 7. Run it: the published port serves the changed page; cancelling removes the container.
    port = free_port()
    queue: asyncio.Queue = asyncio.Queue()

    async def consume():
        async for event in run(backend, port, 3000, host_ip="127.0.0.1"):
            await queue.put(event)

    task = asyncio.create_task(consume())
    ready = await wait_for_event(queue, Ready, 60)
    assert ready.url == f"http://127.0.0.1:{port}/"
    body = await asyncio.to_thread(lambda: urllib.request.urlopen(ready.url, timeout=5).read().decode())
    assert f"version {uid}" in body
    assert len(my_containers(docker_engine)) == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert my_containers(docker_engine) == []

    # The secret went nowhere: no event, no log record, no file in the test's folders.
    everything = [login_events, first, again]
    assert all(reg.password not in repr(event) for batch in everything for event in batch)
    assert reg.password not in caplog.text
    assert files_containing(tmp_path, reg.password) == []


async def wait_for_event(queue: asyncio.Queue, kind: type, timeout: float):
    async def find():
        while True:
            event = await queue.get()
            if isinstance(event, Failed):
                raise AssertionError(f"action failed: {event.hint}")
            if isinstance(event, kind):
                return event

    return await asyncio.wait_for(find(), timeout)


async def test_run_stops_on_request_and_leaves_nothing(docker_engine, offline_base, uid):
    ref = f"{TEST_PREFIX}/poll-frontend:{uid}"
    succeeded(await collect(build(CONTEXTS / "frontend", ref)))
    stop = asyncio.Event()
    events = []
    async for event in run(ref, free_port(), 8080, host_ip="127.0.0.1", stop=stop):
        events.append(event)
        if isinstance(event, Ready):
            assert my_containers(docker_engine)
            stop.set()
    done = succeeded(events)
    assert events[0].text.startswith("docker run -p 127.0.0.1:") and events[0].text.endswith(f":8080 {ref}")
    assert "Stopped and removed" in done.summary
    assert my_containers(docker_engine) == []


async def test_stop_all_removes_what_this_process_started(docker_engine, offline_base, uid):
    ref = f"{TEST_PREFIX}/poll-backend:{uid}"
    succeeded(await collect(build(CONTEXTS / "backend", ref)))
    queue: asyncio.Queue = asyncio.Queue()

    async def consume():
        async for event in run(ref, free_port(), 3000, host_ip="127.0.0.1"):
            await queue.put(event)

    task = asyncio.create_task(consume())
    await wait_for_event(queue, Ready, 60)
    assert await asyncio.to_thread(stop_all) == 1
    await asyncio.wait_for(task, 30)  # the action notices and ends by itself
    assert my_containers(docker_engine) == []
    assert isinstance(await wait_for_event(queue, Succeeded, 5), Succeeded)


async def test_a_container_that_exits_early_is_reported_and_removed(docker_engine, offline_base, uid, tmp_path):
    (tmp_path / "Dockerfile").write_text(f"FROM {offline_base}\nCMD [\"sh\", \"-c\", \"echo crashing-{uid}; exit 4\"]\n")
    ref = f"{TEST_PREFIX}/crash:{uid}"
    succeeded(await collect(build(tmp_path, ref)))
    outcome = failed(await collect(run(ref, free_port(), 3000, host_ip="127.0.0.1")))
    assert outcome.hint.code == "container_exited" and "exit code 4" in outcome.hint.what
    assert f"crashing-{uid}" in outcome.output
    assert my_containers(docker_engine) == []


async def test_a_port_in_use_is_named(docker_engine, offline_base, uid):
    ref = f"{TEST_PREFIX}/poll-backend:{uid}"
    succeeded(await collect(build(CONTEXTS / "backend", ref)))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        outcome = failed(await collect(run(ref, port, 3000, host_ip="127.0.0.1")))
    assert outcome.hint.code == "port_in_use" and f"Port {port} " in outcome.hint.what
    # The tutor's Run always publishes the lesson's port: another one is a command to type.
    assert f"`docker run -p {port + 1}:3000 {ref}`" in outcome.hint.next_step
    assert my_containers(docker_engine) == []


# --- failures and their hints ----------------------------------------------------------


def backticked(text: str) -> list[str]:
    return re.findall(r"`([^`]+)`", text)


async def test_push_to_another_users_namespace_names_the_right_one(registry_token, docker_engine, offline_base,
                                                                   docker_config, uid, cleanup, fresh_credentials):
    reg = registry_token
    succeeded(await collect(login(reg.host, reg.username, reg.password)))
    wrong = reg.ref(f"otheruser/{TEST_PREFIX}-{uid}-poll-backend", "v1")
    cleanup.append(wrong)
    succeeded(await collect(build(CONTEXTS / "backend", wrong)))
    outcome = failed(await collect(push(wrong)))
    right = reg.ref(f"learner/{TEST_PREFIX}-{uid}-poll-backend", "v1")
    assert outcome.hint.code == "push_denied"
    assert "as learner" in outcome.hint.what and "under otheruser/" in outcome.hint.what
    assert f"docker tag {wrong} {right}" in outcome.hint.next_step
    assert outcome.output and outcome.hint.detail


async def test_push_under_the_settings_username_while_logged_in_as_another_says_who_is_who(
        registry_token, docker_engine, offline_base, docker_config, uid, cleanup, fresh_credentials):
    """Settings say `someoneelse`, docker is logged in as `learner`: the advice names both, and the
    commands it gives work when typed into a shell."""
    reg = registry_token
    reg.docker_login()  # the learner's own `docker login`, stored in config.json
    named = reg.ref(f"someoneelse/{TEST_PREFIX}-{uid}-poll-backend", "v1")
    right = reg.ref(f"learner/{TEST_PREFIX}-{uid}-poll-backend", "v1")
    cleanup.extend([named, right])
    succeeded(await collect(tag(offline_base, named)))
    events = await collect(push(named, username="someoneelse"))
    hint = failed(events).hint
    assert hint.code == "push_denied"
    assert f"logged in to {reg.host} as learner" in hint.what and f"{named} is named under someoneelse/" in hint.what
    assert "Set your username to learner in the settings" in hint.next_step
    assert f"log in as someoneelse (`docker login -u someoneelse {reg.host}`)" in hint.next_step
    assert all(reg.password not in repr(event) for event in events)
    commands = [c for c in backticked(hint.next_step) if c.startswith(("docker tag", "docker push"))]
    assert commands == [f"docker tag {named} {right}", f"docker push {right}"]
    # Typed as given, in the learner's shell (same engine, same docker login), they push.
    for command in commands:
        done = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
    assert reg.tags(f"learner/{TEST_PREFIX}-{uid}-poll-backend") == ["v1"]


async def test_push_without_login_says_log_in(registry_token, docker_engine, offline_base, docker_config, uid,
                                              cleanup, fresh_credentials):
    ref = registry_token.ref(f"learner/{TEST_PREFIX}-{uid}-anon", "v1")
    cleanup.append(ref)
    succeeded(await collect(tag(offline_base, ref)))
    # A username in the settings is not a login: nobody is logged in, and the hint says so.
    outcome = failed(await collect(push(ref, username="learner")))
    assert outcome.hint.code == "push_unauthenticated"
    assert f"Nobody is logged in to {registry_token.host}" in outcome.hint.what
    assert f"docker login {registry_token.host}" in outcome.hint.next_step and "as learner" in outcome.hint.next_step


async def test_wrong_password_is_rejected_with_the_token_advice(registry_basic, docker_engine, docker_config,
                                                                 fresh_credentials):
    events = await collect(login(registry_basic.host, registry_basic.username, "not-the-password"))
    outcome = failed(events)
    assert outcome.hint.code == "login_rejected"
    # A plain registry has no token page: the advice names the password its htpasswd file holds,
    # not Docker Hub's access tokens.
    assert "learner" in outcome.hint.what and "htpasswd" in outcome.hint.next_step
    assert "hub.docker.com" not in outcome.hint.next_step
    assert all("not-the-password" not in repr(event) for event in events)
    assert not (docker_config / "config.json").exists() or registry_basic.host not in (
        docker_config / "config.json").read_text()


async def test_missing_local_tag_fails_before_pushing(registry_basic, docker_engine, offline_base, uid):
    ref = registry_basic.ref(f"learner/{TEST_PREFIX}-{uid}-never-built", "v1")
    events = await collect(push(ref))
    outcome = failed(events)
    assert outcome.hint.code == "tag_missing"
    assert ref in outcome.hint.what and f"docker build -t {ref}" in outcome.hint.next_step
    assert outcome.hint.detail == f"No such image: {ref}"  # the engine's answer to the look-up
    assert not [e for e in events if isinstance(e, LayerProgress)]


async def test_missing_tag_suggests_the_local_image_with_that_name(registry_basic, docker_engine, offline_base,
                                                                   uid, cleanup):
    # The learner's own image under another tag is the one to re-tag; another user's never is.
    own, stranger = registry_basic.ref(f"learner/{uid}-poll", "v0"), f"{TEST_PREFIX}/{uid}-poll:v1"
    cleanup.append(own)
    succeeded(await collect(tag(offline_base, own)))
    succeeded(await collect(tag(offline_base, stranger)))
    outcome = failed(await collect(push(registry_basic.ref(f"learner/{uid}-poll", "v1"), build_context="~/poll app")))
    assert f"docker tag {own} " in outcome.hint.next_step and "docker build -t" in outcome.hint.next_step
    assert "~/'poll app'" in outcome.hint.next_step  # the lesson's build folder, quoted as a shell needs it
    outcome = failed(await collect(push(registry_basic.ref(f"learna/{uid}-poll", "v1"))))
    assert "docker tag" not in outcome.hint.next_step and "another user" in outcome.hint.next_step


@pytest.mark.parametrize("name", ["Learner/Poll-Backend:v1", "learner/poll backend", "learner/poll:v1:v2", ""])
async def test_invalid_name_fails_before_anything_runs(name, monkeypatch, tmp_path):
    # No engine at all: the name is refused before the action tries to reach one.
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    for action in (push(name), pull(name), build(CONTEXTS / "backend", name), rmi(name), run(name, 3000),
                   tag(name, "learner/poll:v1")):
        events = await collect(action)
        assert failed(events).hint.code == "invalid_reference"
        assert len(events) == 2


@pytest.fixture
def dead_sockets(tmp_path):
    """Unix socket paths where no Docker engine answers: bound but not listening (refused), listening
    but never replying (a hung engine), and a path with no socket at all."""
    refused = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    refused.bind(str(tmp_path / "refused.sock"))
    mute = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mute.bind(str(tmp_path / "mute.sock"))
    mute.listen(8)
    yield {"refused": tmp_path / "refused.sock", "mute": tmp_path / "mute.sock", "missing": tmp_path / "no.sock"}
    refused.close()
    mute.close()


@pytest.mark.parametrize("where", ["refused", "mute", "missing"])
async def test_stopped_engine_says_how_to_start_it(where, dead_sockets, monkeypatch):
    path = dead_sockets[where]
    monkeypatch.setenv("DOCKER_HOST", f"unix://{path}")
    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", 1)  # a hung engine is given up on quickly
    for action in (images(), build(CONTEXTS / "backend", f"{TEST_PREFIX}/x:1"), push(f"{TEST_PREFIX}/x:1"),
                   login("127.0.0.1:5000", "learner", "secret-value")):
        outcome = failed(await collect(action))
        assert outcome.hint.code == "engine_unreachable"
        assert str(path) in outcome.hint.what and "systemctl start docker" in outcome.hint.next_step


async def test_failing_build_step_reports_its_output(docker_engine, offline_base, tmp_path, uid):
    (tmp_path / "Dockerfile").write_text(f"FROM {offline_base}\nRUN echo about to fail {uid} && exit 3\n")
    outcome = failed(await collect(build(tmp_path, f"{TEST_PREFIX}/broken:{uid}")))
    assert outcome.hint.code == "build_step_failed"
    assert "step 2 of 2" in outcome.hint.what and "non-zero code: 3" in outcome.hint.what
    assert f"about to fail {uid}" in outcome.output


async def test_unpullable_base_image_has_its_own_hint(docker_engine, tmp_path, uid):
    base = f"127.0.0.1:{free_port()}/{TEST_PREFIX}/no-such-base:{uid}"
    (tmp_path / "Dockerfile").write_text(f"FROM {base}\nCMD [\"true\"]\n")
    outcome = failed(await collect(build(tmp_path, f"{TEST_PREFIX}/orphan:{uid}")))
    assert outcome.hint.code == "base_image_unavailable"
    assert base in outcome.hint.what and f"docker pull {base}" in outcome.hint.next_step
    # Docker's own reason is kept beside the hint, in one line, without the URL it was fetching.
    host = base.split("/", 1)[0]
    assert outcome.hint.detail == f"dial tcp {host}: connect: connection refused", outcome.output
    assert outcome.output[-1].startswith('Get "http')  # the raw message is still in the output


async def test_push_and_pull_failures_keep_dockers_reason_in_one_line(registry_token, docker_engine, offline_base,
                                                                      docker_config, uid, cleanup, fresh_credentials):
    # Nothing listens on this port: the engine says so in its own words.
    closed = f"127.0.0.1:{free_port()}/learner/{TEST_PREFIX}-{uid}:v1"
    cleanup.append(closed)
    succeeded(await collect(tag(offline_base, closed)))
    pushed = failed(await collect(push(closed)))
    assert pushed.hint.detail == f"dial tcp {closed.split('/')[0]}: connect: connection refused"
    pulled = failed(await collect(pull(closed)))
    assert pulled.hint.detail == pushed.hint.detail
    # A private (or missing) repository on the token registry: said once, not twice.
    private = registry_token.ref(f"learner/{TEST_PREFIX}-{uid}-never-pushed", "v1")
    missing = failed(await collect(pull(private)))
    assert missing.hint.code == "pull_not_found"
    assert missing.hint.detail.startswith(f"pull access denied for {private.rsplit(':', 1)[0]}")
    assert "requested access to the resource is denied" not in missing.hint.detail
    for hint in (pushed.hint, pulled.hint, missing.hint):
        assert "\n" not in hint.detail and len(hint.detail) <= 160


async def test_login_without_docker_cli_keeps_credentials_for_the_tutor(registry_basic, docker_engine, offline_base,
                                                                        docker_config, uid, cleanup, monkeypatch,
                                                                        tmp_path, fresh_credentials):
    reg = registry_basic
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no docker CLI to be found
    events = await collect(login(reg.host, reg.username, reg.password))
    done = succeeded(events)
    assert done.details == {"registry": reg.host, "username": "learner", "shell_logged_in": False,
                            "storage": "memory"}
    assert any("shell is not logged in" in e.text for e in events if isinstance(e, Notice))
    assert not (docker_config / "config.json").exists()
    ref = reg.ref(f"learner/{TEST_PREFIX}-{uid}-memory", "v1")
    cleanup.append(ref)
    succeeded(await collect(tag(offline_base, ref)))
    assert succeeded(await collect(push(ref))).details["layers"] >= 1


# --- big logs and cancellation -------------------------------------------------------------


async def test_huge_build_log_is_streamed_in_batches(docker_engine, offline_base, tmp_path, uid):
    count = 100_000
    # The uid busts the build cache, so the RUN step really prints every time.
    (tmp_path / "Dockerfile").write_text(f"FROM {offline_base}\nRUN echo cache-buster-{uid} && seq 1 {count}\n")
    batches = numbers = expected = 0
    in_order = True
    succeeded(await collect(images()))  # the SDK's lazy imports happen before measuring
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        async for event in build(tmp_path, f"{TEST_PREFIX}/chatty:{uid}"):
            if isinstance(event, Output):
                batches += 1
                for line in event.lines:
                    if line.isdigit():
                        expected += 1
                        in_order &= int(line) == expected
                        numbers += 1
            elif isinstance(event, Failed):
                pytest.fail(str(event.hint))
        peak = tracemalloc.get_traced_memory()[1] - start
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        whole_log = [str(n) for n in range(1, count + 1)]
        one_copy = tracemalloc.get_traced_memory()[0] - before
        del whole_log
    finally:
        tracemalloc.stop()
    assert numbers == count and in_order
    assert batches < count / 50
    # Not even one copy of the log is held at once, let alone two.
    assert peak < one_copy / 2, (peak, one_copy)


async def test_cancelled_build_stops_in_the_engine(docker_engine, offline_base, tmp_path, uid):
    (tmp_path / "Dockerfile").write_text(f"FROM {offline_base}\nRUN echo started-{uid} && sleep 60\n")
    seen = asyncio.Event()

    async def consume():
        async for event in build(tmp_path, f"{TEST_PREFIX}/slow:{uid}"):
            if isinstance(event, Output) and any(f"started-{uid}" in line for line in event.lines):
                seen.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(seen.wait(), 60)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    def leftovers():
        # One listing call: other sessions on a shared engine may remove their containers meanwhile.
        return [c for c in docker_engine.client.api.containers(all=True) if uid in (c.get("Command") or "")]

    for _ in range(100):
        if not leftovers() and not [t for t in threading.enumerate() if t.name == "docker-stream"]:
            break
        await asyncio.sleep(0.1)
    assert leftovers() == []
    assert not [t for t in threading.enumerate() if t.name == "docker-stream"]
