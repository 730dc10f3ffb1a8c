"""Faults in the disk under the learner's state: a full disk, a read-only file system, a config
folder the tutor may not write. Each on a real file system: a tiny tmpfs mounted for the test
(root only; skipped with the reason elsewhere, but under CI it must run), or file modes
enforced on root by dropping the capabilities that let it ignore them.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.learner import until
from tutor.session import Session
from tutor.store import NodeSettings, Settings, save_settings

ROOT = Path(__file__).resolve().parents[2]
TUTOR = [str(ROOT / ".venv" / "bin" / "docker-tutor")] if (ROOT / ".venv" / "bin" / "docker-tutor").exists() \
    else [sys.executable, "-m", "tutor"]
LESSON = "push-to-registry"
AS_A_LEARNER = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


def tutor(home: Path, *args: str, state: Path, unprivileged: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(state),
               XDG_CACHE_HOME=str(home / "cache"), XDG_DATA_HOME=str(home / "data"))
    prefix = AS_A_LEARNER if unprivileged and os.geteuid() == 0 else []
    return subprocess.run([*prefix, *TUTOR, *args], env=env, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


@pytest.fixture
def tiny_fs(tmp_path):
    """A 256 kB tmpfs of its own: filling it fills nobody else's disk."""
    point = tmp_path / "fs"
    point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0755", "tmpfs", str(point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        reason = f"mounting a tmpfs is not allowed here ({mounted.stderr.strip() or 'not root'})"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"{reason}: under CI this fault must be tested")
        pytest.skip(reason)
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def fill(folder: Path) -> Path:
    """Write until the file system says it is full; the file that did it."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as out:  # unbuffered: closing must not retry the failed write
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.tmp")]


def progress_file(state: Path) -> Path:
    return state / "docker-tutor" / f"progress-{LESSON}.json"


def test_disk_full_saving_fails_clearly_and_nothing_saved_is_lost(tmp_path, tiny_fs):
    """Fault: the disk holding the state folder is full when progress is saved."""
    first = tutor(tmp_path, "do", "account", "--var", "username=alice", state=tiny_fs)
    assert first.returncode == 0, first.stderr
    path = progress_file(tiny_fs)
    before = path.read_bytes()
    assert json.loads(before)["steps"]["account"]["status"] == "done"
    fill(tiny_fs)
    result = tutor(tmp_path, "do", "verify-hub", "--var", "username=alice", state=tiny_fs)
    assert result.returncode == 0 and "Traceback" not in result.stderr  # the step ran all the same
    assert f"warning: Progress could not be saved to {path}: the disk is full. What was saved before is intact" \
        in result.stderr
    assert "free some space" in result.stderr
    assert path.read_bytes() == before
    assert temp_files(tiny_fs) == []  # the torn temporary file went with the failed save


def test_disk_full_the_session_works_on_and_saves_everything_once_there_is_room(tmp_path, tiny_fs):
    """Fault: the disk fills up while the tutor runs: changes stay in memory, said once, saved later."""
    settings = tmp_path / "settings.toml"
    save_settings(Settings(username="alice"), settings)
    session = Session.open(LESSON, settings, state_dir=tiny_fs)
    said: list[str] = []
    session.on_save_error = said.append
    session.record_step(session.lesson.step("account"), "done")
    filler = fill(tiny_fs)
    session.record_step(session.lesson.step("login"), "done")
    session.record_step(session.lesson.step("build"), "failed", "no Dockerfile")
    assert len(said) == 1 and "the disk is full" in said[0]
    saved = json.loads(session.store.path(LESSON).read_text())
    assert set(saved["steps"]) == {"account"}  # the last good save, whole
    filler.unlink()
    session.record_step(session.lesson.step("push"), "done")
    again = Session.open(LESSON, settings, state_dir=tiny_fs)
    assert {s: again.progress.step_status(s) for s in ("account", "login", "build", "push")} == \
        {"account": "done", "login": "done", "build": "failed", "push": "done"}


def test_read_only_state_and_config_saving_fails_clearly_and_keeps_the_files(tmp_path, tiny_fs):
    """Fault: the state and config folders are on a file system mounted read-only."""
    state, config = tiny_fs / "state", tiny_fs / "config"
    state.mkdir()
    save_settings(Settings(username="alice"), config / "settings.toml")
    first = tutor(tmp_path, "do", "account", "--var", "username=alice", state=state)
    assert first.returncode == 0, first.stderr
    path = progress_file(state)
    before, settings_before = path.read_bytes(), (config / "settings.toml").read_bytes()
    remounted = subprocess.run(["mount", "-o", "remount,ro", str(tiny_fs)], capture_output=True, text=True)
    assert remounted.returncode == 0, remounted.stderr
    result = tutor(tmp_path, "do", "verify-hub", "--var", "username=alice", state=state)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert f"Progress could not be saved to {path}: its folder is on a read-only file system. " \
           "What was saved before is intact" in result.stderr
    # The app's session: a settings change is used at once and said not to be saved.
    session = Session.open(LESSON, config / "settings.toml", state_dir=state)
    said: list[str] = []
    session.on_save_error = said.append
    assert session.save_settings(Settings(username="bob", node=NodeSettings(host="ec2"))) is False
    assert session.settings.username == "bob" and session.values()["username"] == "bob"
    assert said and said[0].startswith(f"Settings could not be saved to {config / 'settings.toml'}: its folder is "
                                       "on a read-only file system")
    assert path.read_bytes() == before and (config / "settings.toml").read_bytes() == settings_before


@pytest.mark.integration
def test_trusting_a_host_key_into_a_read_only_config_folder(tmp_path, ssh_node):
    """Fault: `check --trust-host-key` when the tutor's config folder may not be written (OSError)."""
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file modes cannot be made to apply")
    folder = tmp_path / "config" / "docker-tutor"
    folder.mkdir(parents=True)
    folder.chmod(0o555)
    try:
        result = tutor(tmp_path, "check", "--user", "learner", "--item", "node-can-pull",
                       "--node", f"{ssh_node.user}@{ssh_node.host}:{ssh_node.port}",
                       "--identity", str(ssh_node.key_path), "--trust-host-key", ssh_node.host_key_fingerprint,
                       state=tmp_path / "state", unprivileged=True)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"host key {ssh_node.host_key_fingerprint} matches, but it could not be recorded in " \
           f"{folder / 'known_hosts'} (Permission denied): nothing was trusted" in result.stderr
    assert "Make " in result.stderr and "writable" in result.stderr
    assert not (folder / "known_hosts").exists()


async def test_the_app_says_once_that_the_disk_is_full_and_keeps_working(tmp_path, tiny_fs):
    """Fault: the disk is full while the learner moves through the lesson in the app."""
    from tutor.app import TutorApp

    settings = tmp_path / "settings.toml"
    save_settings(Settings(username="alice", project_dir="~/poll-app"), settings)
    session = Session.open(LESSON, settings, state_dir=tiny_fs)
    session.save_progress()
    before = session.store.path(LESSON).read_bytes()
    filler = fill(tiny_fs)
    app = TutorApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(3):
            await pilot.press("down")
            await pilot.pause(0.6)  # the position is saved once the learner pauses

        def not_saved():
            return [n for n in app._notifications if n.title == "Not saved"]

        await until(pilot, not_saved, "the failed save is told")
        errors = not_saved()
        assert len(errors) == 1 and "the disk is full" in errors[0].message
        assert session.store.path(LESSON).read_bytes() == before
        moved_to = session.progress.position
        assert moved_to  # kept in memory
        filler.unlink()
        await pilot.press("down")
        await until(pilot, lambda: session.store.path(LESSON).read_bytes() != before, "the position is saved")
        assert app.is_running
        saved = json.loads(session.store.path(LESSON).read_text())
        assert saved["position"] == session.progress.position != ""
