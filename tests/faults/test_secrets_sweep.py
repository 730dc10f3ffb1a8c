"""The secrets sweep: log in through the app's masked dialog and through `do login --password-stdin`,
against the real htpasswd registry and the token-auth registry, with a right and then a wrong
password. The password (and base64 of user:password) must appear in no file we write, no output,
no --json, no report, no SVG screenshot, no process's argument list while the login runs (a thread
reads /proc/*/cmdline throughout), and no failure message. Docker's own config.json is the one
place it may be: there it must be exactly what `docker login` itself writes.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.fixtures.engine import CONTEXTS
from tests.fixtures.services import need_binary
from tutor.app import TutorApp
from tutor.screens.lesson import LessonScreen
from tutor.screens.login import LoginDialog
from tutor.session import Session
from tutor.widgets.action_pane import ActionPane

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
TUTOR = [str(ROOT / ".venv" / "bin" / "docker-tutor")] if (ROOT / ".venv" / "bin" / "docker-tutor").exists() \
    else [sys.executable, "-m", "tutor"]
SIZE = (80, 24)
LESSON = "push-to-registry"


def needles(username: str, password: str) -> list[bytes]:
    """The password as it could leak: plain, base64 of user:password (with and without padding, as
    config.json and a Basic header hold it) and base64 of the password alone."""
    pair = base64.b64encode(f"{username}:{password}".encode())
    return [password.encode(), pair, pair.rstrip(b"="), base64.b64encode(password.encode()).rstrip(b"=")]


def leaks(data: bytes | str, found: list[bytes]) -> list[bytes]:
    raw = data.encode() if isinstance(data, str) else data
    return [n for n in found if n in raw]


# The scanner runs in a process of its own, so it takes nothing from the app's own (GIL-bound)
# event loop; the secrets reach it on stdin, never on its command line.
_SCAN = r"""
import json, os, select, sys
secrets = [bytes.fromhex(h) for h in json.loads(sys.stdin.readline())]
me, hits, logins, passes = str(os.getpid()), [], 0, 0
while not select.select([sys.stdin], [], [], 0)[0]:
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or entry.name == me:
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                argv = f.read()
        except OSError:
            continue
        if any(s in argv for s in secrets):
            hits.append(argv.replace(b"\0", b" ").decode(errors="replace"))
        if b"login" in argv and b"--password-stdin" in argv and b"docker" in argv:
            logins += 1
    passes += 1
    if passes == 1:
        print("scanning", flush=True)
print(json.dumps({"hits": hits, "logins": logins, "passes": passes}))
"""


class ProcScanner:
    """Reads every process's argument list over and over while the block runs."""

    def __init__(self, secrets: list[bytes]) -> None:
        self.secrets = secrets
        self.hits: list[str] = []
        self.logins_seen = 0  # argument lists of `docker login ... --password-stdin` seen
        self.passes = 0

    def __enter__(self) -> ProcScanner:
        self._proc = subprocess.Popen([sys.executable, "-c", _SCAN], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      text=True)
        self._proc.stdin.write(json.dumps([s.hex() for s in self.secrets]) + "\n")
        self._proc.stdin.flush()
        assert self._proc.stdout.readline().strip() == "scanning"  # a whole pass before the login starts
        return self

    def __exit__(self, *exc) -> None:
        out, _ = self._proc.communicate("stop\n", timeout=30)
        found = json.loads(out.strip().splitlines()[-1])
        self.hits, self.logins_seen, self.passes = found["hits"], found["logins"], found["passes"]


def tutor(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([*TUTOR, *args], env=dict(os.environ), capture_output=True, text=True, timeout=120,
                          input=stdin, cwd=home)


def files_holding(home: Path, found: list[bytes]) -> list[str]:
    """Every file under the test's home (ours, reports, screenshots) holding a secret, but docker's own
    config.json, which `docker login` writes and is checked apart."""
    config = home / "docker" / "config.json"
    return [str(p.relative_to(home)) for p in home.rglob("*")
            if p.is_file() and p != config and leaks(p.read_bytes(), found)]


def docker_writes(registry, tmp: Path) -> dict:
    """config.json as `docker login` itself leaves it, in a folder of its own."""
    folder = tmp / "docker-reference"
    user, password = registry.credentials()
    done = subprocess.run([need_binary("docker", "docker.io"), "login", "-u", user, "--password-stdin", registry.host],
                          input=password, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "DOCKER_CONFIG": str(folder)})
    assert done.returncode == 0, done.stderr
    return json.loads((folder / "config.json").read_text())


def outputs_of_commands(home: Path, registry) -> dict[str, str]:
    """What the learner's other commands print after the login: reports (also to a file) and --json."""
    results = {
        "report md": tutor(home, "report"),
        "report json": tutor(home, "report", "--format", "json"),
        "report -o": tutor(home, "report", "-o", str(home / "reports" / "me.html")),
        "check --json": tutor(home, "check", "--json", "--user", registry.username, "--registry", registry.host,
                              "--tag", "v1", "--item", "images-on-hub"),
    }
    for name, done in results.items():
        assert "Traceback" not in done.stderr, (name, done.stderr)
    return {name: done.stdout + done.stderr for name, done in results.items()}


def registry_of(request, which: str):
    return request.getfixturevalue(which)


@pytest.mark.parametrize("which", ["registry_basic", "registry_token"])
async def test_logging_in_through_the_app_leaves_the_password_nowhere(home, request, which, docker_engine):
    """Fault: a login in the app's masked dialog (right, then wrong password): every place a secret could
    leak is searched for it while and after the login runs."""
    registry = registry_of(request, which)
    user, password = registry.credentials()
    wrong = f"Wr0ng-{uuid.uuid4().hex}"
    secrets = needles(user, password) + needles(user, wrong)
    settings = home / "config" / "docker-tutor" / "settings.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text(f'username = "{user}"\nregistry = "{registry.host}"\nproject_dir = "{CONTEXTS}"\n')
    screenshots: list[str] = []
    app = TutorApp(Session.open())
    with ProcScanner(secrets) as scan:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            lesson = app.screen
            assert isinstance(lesson, LessonScreen)
            pane = lesson.query_one(ActionPane)
            for attempt in (password, wrong):
                lesson.goto("step", "login")
                await pilot.press("r")
                await pilot.pause()
                assert isinstance(app.screen, LoginDialog)
                await pilot.press(*attempt)
                screenshots.append(app.export_screenshot())  # while it is typed: dots only
                field = app.screen.query_one("#secret")
                assert field.password and field.value == attempt
                await pilot.press("enter")
                await pilot.app.workers.wait_for_complete()
                await pilot.pause()
                assert app.screen is lesson
                assert field.value == "", "the secret must not stay in the widget tree"
                screenshots.append(app.export_screenshot())
                (home / "shots").mkdir(exist_ok=True)
                app.save_screenshot(path=str(home / "shots"), filename=f"after-{len(screenshots)}.svg")
                messages = [n.message for n in app._notifications]
                if attempt == password:
                    assert pane.state == "succeeded", pane.result_text
                else:
                    # The failure is said in words, without the password that failed.
                    assert pane.state == "failed" and "rejected" in pane.result_text, pane.result_text
                assert not leaks(pane.result_text + "".join(messages), secrets)
    assert scan.passes > 10 and scan.logins_seen, "the scan must have seen the login's docker process"
    assert scan.hits == []
    assert [i for i, shot in enumerate(screenshots) if leaks(shot, secrets)] == []
    printed = outputs_of_commands(home, registry)
    assert {name: leaks(text, secrets) for name, text in printed.items() if leaks(text, secrets)} == {}
    assert files_holding(home, secrets) == []
    assert_logged_in_as_docker_leaves_it(home, registry, user, password)


def assert_logged_in_as_docker_leaves_it(home: Path, registry, user: str, password: str) -> None:
    """The learner's shell is logged in exactly as `docker login` leaves it, and the search above would
    have found the secret in the form docker keeps it (so a clean result means something)."""
    config = home / "docker" / "config.json"
    assert json.loads(config.read_text()) == docker_writes(registry, home)
    assert leaks(config.read_bytes(), needles(user, password)), "config.json holds base64 of user:password"


@pytest.mark.parametrize("which", ["registry_basic", "registry_token"])
def test_do_login_with_password_stdin_leaves_the_password_nowhere(home, request, which, docker_engine):
    """Fault: `docker-tutor do login --password-stdin` (right, then wrong password) searched the same way."""
    registry = registry_of(request, which)
    user, password = registry.credentials()
    wrong = f"Wr0ng-{uuid.uuid4().hex}"
    secrets = needles(user, password) + needles(user, wrong)
    args = ("do", "login", "--password-stdin", "--var", f"username={user}", "--var", f"registry={registry.host}")
    with ProcScanner(secrets) as scan:
        good = tutor(home, *args, stdin=password + "\n")
    assert good.returncode == 0, good.stdout + good.stderr
    assert scan.passes > 10 and scan.logins_seen, "the scan must have seen the login's docker process"
    with ProcScanner(secrets) as scan_wrong:
        bad = tutor(home, *args, stdin=wrong + "\n")
    assert bad.returncode == 1 and "rejected" in bad.stdout, bad.stdout + bad.stderr
    assert "Traceback" not in bad.stderr
    assert scan.hits == [] and scan_wrong.hits == []
    assert not leaks(good.stdout + good.stderr + bad.stdout + bad.stderr, secrets)
    printed = outputs_of_commands(home, registry)
    assert {name: leaks(text, secrets) for name, text in printed.items() if leaks(text, secrets)} == {}
    assert files_holding(home, secrets) == []
    assert_logged_in_as_docker_leaves_it(home, registry, user, password)
