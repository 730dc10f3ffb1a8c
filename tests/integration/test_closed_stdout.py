"""`docker-tutor ... | head -1`: when the reader has gone, every command leaves quietly (exit 0, no error
on stderr), never with a traceback or an error about something else (practice-registry's is in
test_practice_registry.py, where its registry runs)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("args", [("lesson", "show", "--var", "username=alice"), ("lesson", "list"),
                                  ("ref", "alice/poll-backend:v1"), ("lint",), ("--help",), ("report",),
                                  ("practice-registry", "status", "--json"), ("practice-registry", "status")])
def test_a_reader_that_left_is_a_quiet_exit(tmp_path, args):
    env = {**os.environ, **{name: str(tmp_path / name.lower()) for name in
                            ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME",
                             "DOCKER_CONFIG")}}
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line
    try:
        done = subprocess.run([sys.executable, "-m", "tutor", *args], stdout=write, stderr=subprocess.PIPE,
                              text=True, env=env, timeout=60)
    finally:
        os.close(write)
    # stderr may still carry what a command always says there (lint's summary), never an error.
    assert done.returncode == 0 and "Traceback" not in done.stderr and "error" not in done.stderr, done.stderr
