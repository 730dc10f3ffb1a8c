"""The practice registry, started by its own command with no other registry running for it: the
milestone's login, build and push against it, Docker Hub's rules (own namespace only, private
repositories refused to anonymous pulls), state that survives a restart, and a stop that leaves
no process behind. Every docker command goes to the real engine; the registry is Debian's
docker-registry; the token service is the tutor's own, as shipped."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.fixtures.engine import BASE_IMAGE, CONTEXTS
from tests.fixtures.services import TEST_PREFIX, free_port, need_binary

pytestmark = pytest.mark.integration

LEARNER, CLASSMATE = "alice", "bob"
TAG = f"{TEST_PREFIX}-{uuid.uuid4().hex[:8]}"  # removed by the engine fixture's cleanup too
PASSWORD = re.compile(r"^Account (\S+), password: (\S+)$", re.MULTILINE)


class Home:
    """A learner's machine in folders: data (the registry's state), config (settings), docker config."""

    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        self.address = f"127.0.0.1:{port}"
        self.env = {**os.environ, "XDG_DATA_HOME": str(root / "data"), "XDG_CONFIG_HOME": str(root / "config"),
                    "XDG_STATE_HOME": str(root / "state"), "XDG_CACHE_HOME": str(root / "cache"),
                    "DOCKER_CONFIG": str(root / "docker")}
        self.state = root / "data" / "docker-tutor" / "practice-registry"
        settings = root / "config" / "docker-tutor" / "settings.toml"
        settings.parent.mkdir(parents=True)
        settings.write_text(f'username = "{LEARNER}"\nregistry = "{self.address}"\ntag = "{TAG}"\n'
                            f'project_dir = "{CONTEXTS}"\n')
        self.password = ""

    def tutor(self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "tutor", *args], input=stdin, capture_output=True, text=True,
                              env={**self.env, **(env or {})}, timeout=timeout)

    def docker(self, *args: str, stdin: str | None = None, docker_config: Path | None = None):
        env = {**self.env, **({"DOCKER_CONFIG": str(docker_config)} if docker_config else {})}
        return subprocess.run([need_binary("docker", "docker.io"), *args], input=stdin, capture_output=True,
                              text=True, env=env, timeout=120)

    def running(self) -> dict:
        return json.loads((self.state / "running.json").read_text())

    def status(self) -> dict:
        done = self.tutor("practice-registry", "status", "--json")
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout)

    def ref(self, owner: str, name: str) -> str:
        return f"{self.address}/{owner}/{name}:{TAG}"


def live_processes_mentioning(text: str) -> list[int]:
    """Every process whose command line holds ``text`` and that has not exited (a zombie has)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if text in cmdline and state not in ("Z", "X"):
            found.append(int(proc.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def base_image(docker_engine) -> None:
    """The offline base again if another session sharing the engine removed its tutor-test images."""
    import shutil
    import tempfile

    import docker

    try:
        docker_engine.client.images.get(BASE_IMAGE)
        return
    except docker.errors.ImageNotFound:
        pass
    with tempfile.TemporaryDirectory() as ctx:
        shutil.copy("/bin/busybox", Path(ctx) / "busybox")
        (Path(ctx) / "Dockerfile").write_text((CONTEXTS / "base" / "Dockerfile").read_text())
        docker_engine.client.images.build(path=ctx, tag=BASE_IMAGE, rm=True)


@pytest.fixture(scope="module")
def home(tmp_path_factory, docker_engine, offline_base) -> Home:
    need_binary("docker-registry", "docker-registry")
    home = Home(tmp_path_factory.mktemp("practice"), free_port())
    started = home.tutor("practice-registry", "start", "--port", str(home.port))
    assert started.returncode == 0, started.stdout + started.stderr
    found = PASSWORD.search(started.stdout)
    assert found and found.group(1) == LEARNER, started.stdout
    home.password = found.group(2)
    home.first_start = started
    yield home
    home.tutor("practice-registry", "stop")
    for name in ("poll-backend", "poll-frontend", "class-app"):
        for owner in (LEARNER, CLASSMATE):
            home.docker("rmi", home.ref(owner, name))


def test_start_runs_both_processes_and_keeps_only_a_hash_of_the_password_it_showed(home):
    record = home.running()
    assert record["port"] == home.port and record["backend"] == "binary"
    assert alive(record["registry_pid"]) and alive(record["token_pid"])
    assert f"Practice registry started at {home.address}" in home.first_start.stdout
    # Nothing in the state folder holds the password, in any file.
    for path in home.state.rglob("*"):
        if path.is_file():
            assert home.password.encode() not in path.read_bytes(), path
    accounts = json.loads((home.state / "accounts.json").read_text())
    assert list(accounts) == [LEARNER] and accounts[LEARNER].startswith("scrypt$")
    # A second start finds it running and shows no password again.
    again = home.tutor("practice-registry", "start")
    assert again.returncode == 0 and "already runs at" in again.stdout
    assert PASSWORD.search(again.stdout) is None and home.password not in again.stdout


@pytest.mark.parametrize("settings", ["none", "docker.io"])
def test_the_login_command_it_prints_logs_in_there_with_or_without_settings(home, tmp_path, settings):
    import shlex

    printed = re.search(r"Log in with `(docker-tutor do login [^`]+)`", home.first_start.stdout)
    assert printed, home.first_start.stdout
    config, docker_config = tmp_path / "config", tmp_path / "docker"
    if settings != "none":  # settings made for Docker Hub, under another name
        (config / "docker-tutor").mkdir(parents=True)
        (config / "docker-tutor" / "settings.toml").write_text(f'username = "someone"\nregistry = "{settings}"\n')
    command = shlex.split(printed.group(1))
    assert command[:3] == ["docker-tutor", "do", "login"]
    # As printed it asks for the password at the terminal; a script pipes it in instead.
    done = home.tutor(*command[1:], "--password-stdin", stdin=home.password + "\n",
                      env={"XDG_CONFIG_HOME": str(config), "DOCKER_CONFIG": str(docker_config)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert list(json.loads((docker_config / "config.json").read_text())["auths"]) == [home.address]


def test_a_closed_standard_output_is_a_quiet_exit(home):
    for args in (("status", "--json"), ("status",), ("start",)):
        read, write = os.pipe()
        os.close(read)  # `| head` that has already left
        try:
            done = subprocess.run([sys.executable, "-m", "tutor", "practice-registry", *args], stdout=write,
                                  stderr=subprocess.PIPE, text=True, env=home.env, timeout=60)
        finally:
            os.close(write)
        assert (done.returncode, done.stderr) == (0, ""), args


@pytest.fixture(scope="module")
def milestone(home, docker_engine) -> dict[str, subprocess.CompletedProcess]:
    """The lesson's login (a wrong password first), build and push, as `docker-tutor do` runs them."""
    steps = {"wrong login": home.tutor("do", "login", "--password-stdin", stdin="not-the-password\n"),
             "login": home.tutor("do", "login", "--password-stdin", stdin=home.password + "\n")}
    base_image(docker_engine)
    steps["build"] = home.tutor("do", "build")
    steps["push"] = home.tutor("do", "push")
    return steps


def test_the_milestone_login_build_and_push_into_the_learners_namespace(home, milestone):
    wrong = milestone["wrong login"]
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    for step in ("login", "build", "push"):
        done = milestone[step]
        assert done.returncode == 0, f"{step}: {done.stdout}{done.stderr}"
    assert f"Logged in to {home.address} as {LEARNER}" in milestone["login"].stdout
    assert all(home.password not in done.stdout + done.stderr for done in milestone.values())
    held = {repo["name"]: repo for repo in home.status()["repositories"]}
    for name in ("poll-backend", "poll-frontend"):
        assert held[f"{LEARNER}/{name}"]["tags"] == [TAG]
        assert held[f"{LEARNER}/{name}"]["visibility"] == "public"  # Docker Hub's default


def test_a_push_into_another_namespace_is_denied_with_the_reason(home, milestone, docker_engine):
    assert milestone["login"].returncode == 0  # logged in as alice
    other = ("--var", f"username={CLASSMATE}")
    base_image(docker_engine)
    assert home.tutor("do", "build", *other).returncode == 0
    push = home.tutor("do", "push", *other)
    assert push.returncode == 1, push.stdout + push.stderr
    assert f"{LEARNER} may only push to repositories under {LEARNER}/" in push.stdout
    # And the registry itself refused it (not only the tutor's words): docker says so, and nothing arrived.
    refused = home.docker("push", home.ref(CLASSMATE, "poll-backend"))
    # Docker Hub's very words: the token grants bob/ nothing to push, and the registry says "denied".
    assert refused.returncode != 0 and "denied: requested access to the resource is denied" in refused.stderr, \
        refused.stdout + refused.stderr
    held = {r["name"] for r in home.status()["repositories"]}
    assert not held & {f"{CLASSMATE}/poll-backend", f"{CLASSMATE}/poll-frontend"}


def test_anonymous_pulls_get_public_repositories_and_are_refused_private_ones(home, milestone, tmp_path):
    assert milestone["push"].returncode == 0
    anonymous = tmp_path / "anonymous-docker"  # a docker config with no login at all
    anonymous.mkdir()
    public, private = home.ref(LEARNER, "poll-frontend"), home.ref(LEARNER, "poll-backend")
    made = home.tutor("practice-registry", "private", "poll-backend")  # in the learner's own namespace
    assert made.returncode == 0 and f"{LEARNER}/poll-backend is private" in made.stdout
    for ref in (public, private):
        home.docker("rmi", ref)  # the pull must come from the registry
    pulled = home.docker("pull", public, docker_config=anonymous)
    assert pulled.returncode == 0, pulled.stderr
    refused = home.docker("pull", private, docker_config=anonymous)
    assert refused.returncode != 0
    assert re.search(r"denied|unauthorized|authentication required", refused.stderr, re.IGNORECASE), refused.stderr
    # The owner, logged in, still pulls it.
    assert home.docker("pull", private).returncode == 0
    listed = {repo["name"]: repo["visibility"] for repo in home.status()["repositories"]}
    assert listed[f"{LEARNER}/poll-backend"] == "private" and listed[f"{LEARNER}/poll-frontend"] == "public"
    # Public again: the anonymous pull now works.
    assert home.tutor("practice-registry", "public", f"{LEARNER}/poll-backend").returncode == 0
    home.docker("rmi", private)
    assert home.docker("pull", private, docker_config=anonymous).returncode == 0


def test_a_class_file_adds_accounts_that_push_into_their_own_namespaces(home, tmp_path, docker_engine):
    roster = tmp_path / "class.csv"
    roster.write_text(f"username,node\n{LEARNER},\n{CLASSMATE},\n")
    added = home.tutor("practice-registry", "start", "--accounts", str(roster))
    assert added.returncode == 0, added.stderr
    assert f"{LEARNER} already has an account" in added.stdout  # the first password is never shown again
    found = re.search(rf"^\s+{CLASSMATE}\s+(\S+)$", added.stdout, re.MULTILINE) or PASSWORD.search(added.stdout)
    assert found, added.stdout
    password = found.groups()[-1]
    classmate = tmp_path / "classmate-docker"
    login = home.docker("login", "-u", CLASSMATE, "--password-stdin", home.address, stdin=password,
                        docker_config=classmate)
    assert login.returncode == 0, login.stderr
    ref = home.ref(CLASSMATE, "class-app")
    base_image(docker_engine)
    image = home.docker("build", "-q", "-t", ref, str(CONTEXTS / "backend"))
    assert image.returncode == 0, image.stderr
    assert home.docker("push", ref, docker_config=classmate).returncode == 0
    assert f"{CLASSMATE}/class-app" in {r["name"] for r in home.status()["repositories"]}


def test_state_survives_stop_and_start_and_stop_leaves_no_process(home, milestone):
    assert milestone["push"].returncode == 0
    assert home.tutor("practice-registry", "private", f"{LEARNER}/poll-backend").returncode == 0
    before = home.running()
    stopped = home.tutor("practice-registry", "stop")
    assert stopped.returncode == 0 and "Practice registry stopped" in stopped.stdout
    assert not alive(before["registry_pid"]) and not alive(before["token_pid"])
    assert live_processes_mentioning(str(home.state)) == []
    assert not (home.state / "running.json").exists()
    assert home.tutor("practice-registry", "status").returncode == 3
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", home.port)) != 0  # nothing listens there any more

    again = home.tutor("practice-registry", "start")  # no --port: the one it had
    assert again.returncode == 0, again.stdout + again.stderr
    assert PASSWORD.search(again.stdout) is None  # the account is still there: no new password
    status = home.status()
    assert status["address"] == home.address and status["since"] >= before["since"]
    # The token service's port too, when still free: a tunnel made for the node keeps working.
    assert home.running()["token_port"] == before["token_port"]
    held = {repo["name"]: repo for repo in status["repositories"]}
    assert held[f"{LEARNER}/poll-backend"]["tags"] == [TAG]
    assert held[f"{LEARNER}/poll-backend"]["visibility"] == "private"
    # The password shown at the very first start still logs in.
    login = home.tutor("do", "login", "--password-stdin", stdin=home.password + "\n")
    assert login.returncode == 0, login.stdout + login.stderr
    assert home.tutor("practice-registry", "public", f"{LEARNER}/poll-backend").returncode == 0


def test_status_says_where_since_when_and_what_it_holds(home, milestone):
    assert milestone["push"].returncode == 0
    shown = home.tutor("practice-registry", "status")
    assert shown.returncode == 0
    assert f"runs at {home.address}, since " in shown.stdout and " UTC on " in shown.stdout
    assert re.search(rf"{LEARNER}/poll-backend\s+public\s+{TAG}", shown.stdout), shown.stdout
    assert re.search(rf"accounts: .*{LEARNER}", shown.stdout), shown.stdout


def test_neither_binary_nor_image_says_how_to_install_and_starts_nothing(tmp_path, docker_engine):
    home = Home(tmp_path, free_port())
    absent = {"DOCKER_TUTOR_REGISTRY_BINARY": "", "DOCKER_TUTOR_REGISTRY_IMAGE": f"{TEST_PREFIX}/no-registry:0"}
    done = home.tutor("practice-registry", "start", "--port", str(home.port), env=absent)
    assert done.returncode == 1
    assert "sudo apt-get install docker-registry" in done.stderr
    assert f"no {TEST_PREFIX}/no-registry:0 image" in done.stderr and "Traceback" not in done.stderr
    assert live_processes_mentioning(str(home.state)) == []
    assert not (home.state / "running.json").exists()


def test_a_port_in_use_is_named_with_the_option_to_choose_another(tmp_path):
    need_binary("docker-registry", "docker-registry")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        home = Home(tmp_path, port)
        done = home.tutor("practice-registry", "start", "--port", str(port))
    assert done.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in done.stderr and "--port" in done.stderr
    assert live_processes_mentioning(str(home.state)) == []


def test_importing_the_practice_registry_loads_no_heavy_library():
    code = ("import sys, importlib\n"
            "for m in ('tutor.practice.state', 'tutor.practice.accounts', 'tutor.practice.policy', "
            "'tutor.practice.tokens', 'tutor.practice.backend', 'tutor.practice.control', 'tutor.practice.contents', "
            "'tutor.practice.service', 'tutor.commands.practice_registry'):\n"
            "    importlib.import_module(m)\n"
            "print(' '.join(sorted(sys.modules)))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert "tutor.practice.control" in loaded
    assert not {"jwt", "cryptography", "docker", "httpx", "asyncssh", "textual"} & loaded


async def test_the_settings_choice_starts_it_logs_docker_in_and_shows_the_password_once(tmp_path, monkeypatch,
                                                                                        docker_engine):
    """Choosing "Practice registry (offline)" and saving: it starts, the account is made, docker is
    logged in with the new password, the password is shown once, and the settings name its host."""
    need_binary("docker-registry", "docker-registry")
    from textual.app import App

    from tutor.docker_ops import docker_config
    from tutor.lesson.registries import describe
    from tutor.practice import accounts, control
    from tutor.practice.state import Layout
    from tutor.app import TutorApp
    from tutor.screens.practice_account import PracticeAccountDialog
    from tutor.screens.settings import SettingsScreen
    from tutor.store import Settings

    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("DOCKER_CONFIG", "docker")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    layout = Layout.default()
    layout.make()
    port = free_port()
    (layout.root / "registry.json").write_text(json.dumps({"port": port}))  # not 5000: the machine is shared
    address = f"127.0.0.1:{port}"

    class Host(App):
        CSS_PATH = TutorApp.CSS_PATH  # forms.tcss styles the form and its dialog
        result: object = "not closed"

        def on_mount(self) -> None:
            self.push_screen(SettingsScreen(Settings(username=LEARNER)), self.closed)

        def closed(self, value) -> None:
            self.result = value

    app = Host()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            from textual.widgets import Select

            app.screen.query_one("#registry", Select).value = "practice"
            await pilot.pause()
            await pilot.press("ctrl+s")
            for _ in range(600):
                if isinstance(app.screen, PracticeAccountDialog):
                    break
                await pilot.pause(0.1)
            dialog = app.screen
            assert isinstance(dialog, PracticeAccountDialog), "the practice registry did not start"
            password = re.search(r"Password: `(\S+)`", dialog.detail).group(1)
            assert "shown only this once" in dialog.detail and "logged your docker in" in dialog.detail
            stored = accounts.load(layout.accounts)[LEARNER]
            assert accounts.check_password(password, stored) and password not in stored
            login = docker_config.lookup(address)
            assert login is not None and login.username == LEARNER
            await pilot.press("enter")
            await pilot.pause()
            assert dialog.detail == ""  # the dialog let go of the password
            assert isinstance(app.result, Settings) and app.result.registry == address
            assert describe(address).name == f"the practice registry at {address}"
            assert describe(address).secret == "password"  # the login field: no access tokens here
            record = control.running(layout)
            assert record is not None and record.address == address
            # Opened again, the form shows the practice registry chosen; saving it again has nothing
            # new to say (running, account made, docker logged in): it closes without a dialog.
            app.result = "not closed"
            app.push_screen(SettingsScreen(Settings(username=LEARNER, registry=address)), app.closed)
            await pilot.pause()
            assert app.screen.query_one("#registry", Select).value == "practice"
            await pilot.press("ctrl+s")
            for _ in range(300):
                if app.result != "not closed":
                    break
                await pilot.pause(0.1)
            assert isinstance(app.result, Settings) and app.result.registry == address
            assert not isinstance(app.screen, PracticeAccountDialog)
    finally:
        control.stop(layout)
    assert live_processes_mentioning(str(layout.root)) == []


def anonymous_grant(home: Home, repository: str) -> list:
    """What the running token service gives an anonymous pull of ``repository`` (the token's access claim)."""
    import base64
    import urllib.request

    port = home.running()["token_port"]
    url = f"http://127.0.0.1:{port}/token?service=docker-tutor-practice-registry&scope=repository:{repository}:pull"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as answer:
        token = json.loads(answer.read())["token"]
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["access"]


def test_an_unreadable_visibility_file_makes_everything_private_not_public(home, milestone):
    assert milestone["push"].returncode == 0
    public = f"{LEARNER}/poll-frontend"
    assert anonymous_grant(home, public) == [{"type": "repository", "name": public, "actions": ["pull"]}]
    policy_file = home.state / "repositories.json"
    kept = policy_file.read_bytes() if policy_file.exists() else None
    policy_file.write_text("{ not json")
    try:
        assert anonymous_grant(home, public) == []  # fails closed
        refused = home.tutor("practice-registry", "private", public)
        assert refused.returncode == 1 and "cannot be read" in refused.stderr
        assert policy_file.read_text() == "{ not json"  # not saved over
    finally:
        if kept is None:
            policy_file.unlink()
        else:
            policy_file.write_bytes(kept)
    assert anonymous_grant(home, public) != []


def test_a_killed_registry_is_seen_as_stopped_and_started_again(home, milestone):
    import signal

    assert milestone["push"].returncode == 0
    before = home.running()
    os.kill(before["registry_pid"], signal.SIGKILL)
    for _ in range(100):
        if not alive(before["registry_pid"]):
            break
        time.sleep(0.05)
    assert home.tutor("practice-registry", "status").returncode == 3
    again = home.tutor("practice-registry", "start")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Practice registry started" in again.stdout
    assert not alive(before["token_pid"])  # the survivor of the old pair was stopped, not left behind
    assert [r for r in home.status()["repositories"] if r["name"] == f"{LEARNER}/poll-backend"][0]["tags"] == [TAG]


def test_an_unreadable_accounts_file_stops_start_and_is_kept(tmp_path):
    need_binary("docker-registry", "docker-registry")
    home = Home(tmp_path, free_port())
    home.state.mkdir(parents=True)
    (home.state / "accounts.json").write_text("[broken")
    done = home.tutor("practice-registry", "start", "--port", str(home.port))
    assert done.returncode == 1 and "accounts cannot be read" in done.stderr and "Traceback" not in done.stderr
    assert (home.state / "accounts.json").read_text() == "[broken"
    assert live_processes_mentioning(str(home.state)) == []


@pytest.fixture
def registry_image(docker_engine, tmp_path) -> str:
    """A stand-in for registry:2 (never pulled here): Debian's docker-registry with the C library it
    links, FROM scratch, with registry:2's command line (``registry serve CONFIG``)."""
    import shutil

    files = {"bin/registry": need_binary("docker-registry", "docker-registry"),
             "lib/x86_64-linux-gnu/libc.so.6": "/lib/x86_64-linux-gnu/libc.so.6",
             "lib64/ld-linux-x86-64.so.2": "/lib64/ld-linux-x86-64.so.2"}
    if not all(Path(source).exists() for source in files.values()):
        pytest.skip("the registry image is made from an x86-64 Debian's docker-registry and C library")
    for inside, source in files.items():
        (tmp_path / inside).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, tmp_path / inside)
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY lib64/ /lib64/\nCOPY lib/ /lib/\nCOPY bin/ /bin/\n"
                                         'ENTRYPOINT ["/bin/registry"]\n'
                                         'CMD ["serve", "/etc/docker/registry/config.yml"]\n')
    image = f"{TEST_PREFIX}/practice-registry:2"
    docker_engine.client.images.build(path=str(tmp_path), tag=image, rm=True)
    yield image
    try:
        docker_engine.client.images.remove(image)
    except Exception:  # noqa: BLE001 - another session's cleanup may have removed it first
        pass


def test_without_the_binary_the_engines_registry_image_runs_it(tmp_path, docker_engine, offline_base,
                                                               registry_image):
    home = Home(tmp_path / "home", free_port())
    image_only = {"DOCKER_TUTOR_REGISTRY_BINARY": "", "DOCKER_TUTOR_REGISTRY_IMAGE": registry_image}
    started = home.tutor("practice-registry", "start", "--port", str(home.port), env=image_only)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert f"the {registry_image} image" in started.stdout
        password = PASSWORD.search(started.stdout).group(2)
        record = home.running()
        assert record["backend"] == "image" and record["container"]
        login = home.docker("login", "-u", LEARNER, "--password-stdin", home.address, stdin=password)
        assert login.returncode == 0, login.stderr
        base_image(docker_engine)
        ref = home.ref(LEARNER, "from-image")
        assert home.docker("build", "-q", "-t", ref, str(CONTEXTS / "backend")).returncode == 0
        pushed = home.docker("push", ref)
        assert pushed.returncode == 0, pushed.stderr
        assert [r["tags"] for r in home.status()["repositories"] if r["name"] == f"{LEARNER}/from-image"] == [[TAG]]
        # An engine that cannot be reached is said, and the container is not forgotten: stop again later.
        lost = home.tutor("practice-registry", "stop", env={**image_only, "DOCKER_HOST": "unix:///nonexistent.sock"})
        assert lost.returncode == 1 and "could not be stopped" in lost.stderr and "docker rm -f" in lost.stderr
        assert docker_engine.client.containers.get(record["container"]).status == "running"
    finally:
        stopped = home.tutor("practice-registry", "stop", env=image_only)
        home.docker("rmi", home.ref(LEARNER, "from-image"))
    assert stopped.returncode == 0 and "Practice registry stopped" in stopped.stdout
    assert not docker_engine.client.containers.list(all=True, filters={"id": record["container"]})
    assert live_processes_mentioning(str(home.state)) == []
    # The images it stored are in the learner's own folder, where the next start finds them.
    assert (home.state / "storage" / "docker" / "registry" / "v2" / "repositories" / LEARNER / "from-image").is_dir()


def test_two_starts_at_once_run_one_registry(tmp_path):
    need_binary("docker-registry", "docker-registry")
    home = Home(tmp_path, free_port())
    command = [sys.executable, "-m", "tutor", "practice-registry", "start", "--port", str(home.port)]
    both = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=home.env)
            for _ in range(2)]
    try:
        outputs = [proc.communicate(timeout=120) for proc in both]
        assert [proc.returncode for proc in both] == [0, 0], outputs
        started = sorted("started at" in out for out, _ in outputs)
        assert started == [False, True], outputs  # one started it, the other found it running
        assert sum(1 for out, _ in outputs if PASSWORD.search(out)) == 1  # the password is shown once
        assert len(live_processes_mentioning(f"--state {home.state}")) == 1  # one token service
        assert len(live_processes_mentioning(str(home.state / "config.yml"))) == 1  # one registry
    finally:
        assert home.tutor("practice-registry", "stop").returncode == 0
    assert live_processes_mentioning(str(home.state)) == []


def test_the_checklist_node_item_pulls_from_it_when_the_node_reaches_it(home, milestone, ssh_node):
    """The node item through real SSH and the node's containerd (here the node reaches 127.0.0.1):
    public images pull without credentials, a private one needs the node's registries.yaml login
    (containerd's OAuth2 form against our token service)."""
    assert milestone["push"].returncode == 0
    node = ["--node", f"{ssh_node.user}@{ssh_node.host}:{ssh_node.port}", "--identity", str(ssh_node.key_path),
            "--known-hosts", str(ssh_node.known_hosts)]
    check = ("check", "--user", LEARNER, "--registry", home.address, "--tag", TAG, "--item", "node-can-pull",
             "--json", *node)

    def node_item() -> dict:
        done = home.tutor(*check)
        items = {item["item_id"]: item for item in json.loads(done.stdout)["items"]}
        return items["node-can-pull"]

    ssh_node.reset()
    try:
        assert node_item()["status"] == "passed"
        ssh_node.remove_images()
        assert home.tutor("practice-registry", "private", "poll-backend").returncode == 0
        refused = node_item()
        assert refused["status"] == "failed" and "poll-backend" in refused["reason"], refused
        ssh_node.set_registry_auth(home.address, LEARNER, home.password)
        assert node_item()["status"] == "passed"
    finally:
        ssh_node.reset()
        home.tutor("practice-registry", "public", "poll-backend")


def test_a_new_password_replaces_the_old_one_at_once(tmp_path, docker_engine):
    need_binary("docker-registry", "docker-registry")
    home = Home(tmp_path, free_port())
    started = home.tutor("practice-registry", "start", "--port", str(home.port))
    try:
        assert started.returncode == 0, started.stderr
        old = PASSWORD.search(started.stdout).group(2)
        renewed = home.tutor("practice-registry", "password")
        assert renewed.returncode == 0, renewed.stderr
        new = PASSWORD.search(renewed.stdout).group(2)
        assert new != old and "no longer works" in renewed.stderr
        login = ("login", "-u", LEARNER, "--password-stdin", home.address)
        assert home.docker(*login, stdin=old).returncode != 0  # no restart needed: the service re-reads it
        assert home.docker(*login, stdin=new).returncode == 0
        nobody = home.tutor("practice-registry", "password", "carol")
        assert nobody.returncode == 1 and "carol has no account" in nobody.stderr
    finally:
        home.tutor("practice-registry", "stop")


async def test_the_settings_say_why_the_practice_registry_cannot_start(tmp_path, monkeypatch, docker_engine):
    from textual.app import App
    from textual.widgets import Button, Select

    from tutor.app import TutorApp
    from tutor.screens.settings import SettingsScreen
    from tutor.store import Settings

    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("DOCKER_CONFIG", "docker")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    monkeypatch.setenv("DOCKER_TUTOR_REGISTRY_BINARY", "")
    monkeypatch.setenv("DOCKER_TUTOR_REGISTRY_IMAGE", f"{TEST_PREFIX}/no-registry:0")

    class Host(App):
        CSS_PATH = TutorApp.CSS_PATH  # forms.tcss styles the form and its dialog
        result: object = "not closed"

        def on_mount(self) -> None:
            self.push_screen(SettingsScreen(Settings(username=LEARNER)), self.closed)

        def closed(self, value) -> None:
            self.result = value

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#registry", Select).value = "practice"
        await pilot.pause()
        await pilot.press("ctrl+s")
        said = []
        for _ in range(300):
            said = [n.message for n in app._notifications if "not started" in (n.title or "")]
            if said:
                break
            await pilot.pause(0.1)
        assert said and "sudo apt-get install docker-registry" in said[0], [n.message for n in app._notifications]
        assert isinstance(app.screen, SettingsScreen) and app.result == "not closed"  # nothing saved
        assert not app.screen.query_one("#save", Button).disabled  # the learner can choose another registry


def test_the_checklist_finds_both_images_on_it_and_says_which_is_private(home, milestone):
    assert milestone["push"].returncode == 0
    check = ("check", "--user", LEARNER, "--registry", home.address, "--tag", TAG, "--item", "images-on-hub",
             "--json")
    done = home.tutor(*check)
    item = {i["item_id"]: i for i in json.loads(done.stdout)["items"]}["images-on-hub"]
    assert done.returncode == 0 and item["status"] == "passed", item
    assert home.tutor("practice-registry", "private", "poll-backend").returncode == 0
    try:
        item = {i["item_id"]: i for i in json.loads(home.tutor(*check).stdout)["items"]}["images-on-hub"]
        # Still there for its owner (docker's login is used), and said to be private.
        assert item["status"] == "passed" and "poll-backend:" in item["reason"] and "private" in item["reason"], item
    finally:
        home.tutor("practice-registry", "public", "poll-backend")


async def test_the_settings_choice_takes_the_next_free_port_when_5000_is_taken(tmp_path, monkeypatch, docker_engine):
    need_binary("docker-registry", "docker-registry")
    from tutor.practice import control
    from tutor.practice.ready import prepare
    from tutor.practice.state import Layout

    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("DOCKER_CONFIG", "docker")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    holder = socket.socket()
    try:
        try:
            holder.bind(("127.0.0.1", 5000))
            holder.listen()
        except OSError:
            pass  # another program has it already: the same case
        ready = await prepare(LEARNER)
        port = int(ready.address.rsplit(":", 1)[1])
        assert ready.started and 5000 < port < 5100 and ready.password and ready.logged_in
        again = await prepare(LEARNER)  # the port is kept from now on, the account too
        assert again.address == ready.address and not again.password and again.logged_in
    finally:
        holder.close()
        control.stop(Layout.default())
