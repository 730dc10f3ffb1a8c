"""``docker-tutor watch`` as a learner runs it: a process of its own, following the real engine
while the docker CLI builds and pushes in another process; exit codes as --help documents them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest

from tests.fixtures.engine import CONTEXTS
from tests.integration.test_follow import cleanup, docker, refs
from tutor.commands import watch
from tutor.store import Settings

pytestmark = pytest.mark.integration


class Watch:
    """``docker-tutor watch`` in a subprocess, its output lines collected as they come."""

    def __init__(self, tmp_path, registry: str, tag: str, *extra: str) -> None:
        config = tmp_path / "settings.toml"
        config.write_text(Settings(username="learner", registry=registry, tag=tag,
                                   project_dir=str(CONTEXTS)).to_toml())
        env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"), PYTHONUNBUFFERED="1", COLUMNS="80")
        self.proc = subprocess.Popen([sys.executable, "-m", "tutor", "watch", "--config", str(config), *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def said(self) -> list[str]:
        """The lines as said, before wrapping at 80 columns: a continuation line (indented, not a
        "  next:" line) joins the one before it."""
        joined: list[str] = []
        for line in list(self.lines):
            if joined and line.startswith("  ") and not line.startswith("  next: "):
                joined[-1] += " " + line.strip()
            else:
                joined.append(line)
        return joined

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = next((line for line in self.said() if text in line), None)
            if found is not None:
                return found
            if self.proc.poll() is not None and not any(text in line for line in self.said()):
                time.sleep(0.2)  # the last lines may still be on their way
                if not any(text in line for line in self.said()):
                    break
            time.sleep(0.05)
        raise AssertionError(f"no line with {text!r}; got {self.lines}")

    def end(self, timeout: float = 30) -> int:
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


def test_watch_ticks_each_step_and_exits_0_when_the_task_is_done(tmp_path, docker_engine, offline_base,
                                                                 registry_basic, docker_config):
    tag = f"watch-{uuid.uuid4().hex[:8]}"
    images = refs(registry_basic.host, tag)
    run = Watch(tmp_path, registry_basic.host, tag, "--timeout", "120")
    try:
        run.wait_for("Following your terminal")
        # Nothing is built yet: the first look says so and ticks nothing.
        run.wait_for("not done yet")
        assert not any(line.startswith("✔") for line in run.lines)
        docker("tag", offline_base, f"poll-frontend:{tag}")  # a mistake first: no namespace
        mistake = run.wait_for(f"! 3. Build both images with proper names: You named an image poll-frontend:{tag}")
        assert mistake
        run.wait_for(f"  next: Give the image the lesson's name and push that: `docker tag poll-frontend:{tag} "
                     f"{images['frontend']}`")
        # Wrapped at the terminal's 80 columns, never inside the command or an image name.
        assert all(len(line) <= 80 or line.strip().startswith("`") for line in run.lines), run.lines
        assert any(line.strip().startswith(f"`docker tag poll-frontend:{tag} {images['frontend']}`")
                   for line in run.lines)
        for name in ("backend", "frontend"):
            docker("build", "-q", "-t", images[name], str(CONTEXTS / name))
        built = run.wait_for("✔ 3. Build both images with proper names:")
        assert images["frontend"] in built
        assert run.proc.poll() is None  # the pushes are still to come
        registry_basic.docker_login()
        for name in ("backend", "frontend"):
            docker("push", images[name])
        run.wait_for("✔ 4. Push both images:")
        run.wait_for("Every step the tutor can follow is done.")
        assert run.end() == watch.EXIT_DONE
        # One line per step as it was ticked: build, push, and the registry check.
        ticked = [line for line in run.said() if line.startswith("✔")]
        assert [t.split(".")[0] for t in ticked] == ["✔ 3", "✔ 4", "✔ 5"], ticked
        assert ticked[1].startswith("✔ 4. Push both images: You pushed")
        # Saved as progress: the app opens with these marks.
        assert "build" in (tmp_path / "state" / "docker-tutor" / "progress-push-to-registry.json").read_text()
    finally:
        if run.proc.poll() is None:
            run.proc.kill()
        cleanup(*images.values(), f"poll-frontend:{tag}")


def test_ctrl_c_and_timeout_have_their_own_exit_codes(tmp_path, docker_engine, registry_basic):
    tag = f"watch-{uuid.uuid4().hex[:8]}"
    run = Watch(tmp_path, registry_basic.host, tag)
    try:
        run.wait_for("Following your terminal")
        run.proc.send_signal(signal.SIGINT)
        assert run.end() == watch.EXIT_INTERRUPTED == 130
        assert not any("Traceback" in line for line in run.lines)
        run.wait_for("Stopped watching. Your progress so far is saved.")
    finally:
        if run.proc.poll() is None:
            run.proc.kill()
    timed = Watch(tmp_path, registry_basic.host, tag, "--timeout", "2")
    assert timed.end() == watch.EXIT_TIMEOUT
    timed.wait_for("Stopped after 2 s; not done yet: 3. Build both images with proper names, 4. Push both images")
