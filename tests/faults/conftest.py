"""Fixtures the fault tests share."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A learner's home: HOME, XDG folders, DOCKER_CONFIG and TMPDIR all under tmp_path."""
    for var, sub in (("HOME", "home"), ("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
                     ("XDG_CACHE_HOME", "cache"), ("XDG_DATA_HOME", "data"), ("DOCKER_CONFIG", "docker"),
                     ("TMPDIR", "tmp")):
        (tmp_path / sub).mkdir()
        monkeypatch.setenv(var, str(tmp_path / sub))
    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR is read again
    return tmp_path
