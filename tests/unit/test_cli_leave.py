"""Leaving without the interpreter's tear-down (tutor.cli.leave) still does everything an ordinary
exit does first: threads waited for, atexit handlers run, buffered output written, the code kept."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import atexit, sys, threading, time
from tutor.cli import leave

def late():
    time.sleep(0.3)
    print("the thread finished")

atexit.register(lambda: print("atexit ran"))
threading.Thread(target=late).start()
sys.stdout.write("buffered, no newline;")
sys.stderr.write("said on stderr;")
leave(3)
print("never")
"""


def test_leave_waits_runs_atexit_flushes_and_keeps_the_code():
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # stdout fully buffered to a pipe
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 3
    assert done.stdout == "buffered, no newline;the thread finished\natexit ran\n"
    assert done.stderr == "said on stderr;"


def test_the_module_entry_keeps_the_commands_exit_code(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    good = subprocess.run([sys.executable, "-m", "tutor", "ref", "alice/poll-backend:v1"], capture_output=True,
                          text=True, env=env, timeout=60)
    bad = subprocess.run([sys.executable, "-m", "tutor", "ref", "Bad Name"], capture_output=True, text=True, env=env,
                         timeout=60)
    usage = subprocess.run([sys.executable, "-m", "tutor", "do"], capture_output=True, text=True, env=env, timeout=60)
    assert good.returncode == 0 and "docker.io/alice/poll-backend:v1" in good.stdout
    assert bad.returncode == 2 and "invalid reference format" in bad.stderr
    assert usage.returncode == 2 and "usage: docker-tutor do" in usage.stderr


def test_login_without_a_terminal_asks_for_what_the_chosen_registry_takes(tmp_path):
    # A local registry has passwords only; Docker Hub also takes access tokens (tutor.lesson.registries).
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "DOCKER_HOST": "unix:///nonexistent.sock"}
    said = {}
    for registry in ("localhost:5000", "docker.io"):
        done = subprocess.run([sys.executable, "-m", "tutor", "do", "login", "--var", f"registry={registry}",
                               "--var", "username=alice"], capture_output=True, text=True, env=env,
                              stdin=subprocess.DEVNULL, timeout=60)
        assert done.returncode == 2
        said[registry] = done.stderr
    assert "pipe the password in with --password-stdin" in said["localhost:5000"]
    assert "password or access token" in said["docker.io"]
