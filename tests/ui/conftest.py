"""Helpers for Pilot and snapshot tests: a learner's session in a temporary home."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.session import Session
from tutor.store import NodeSettings, Settings, save_settings


def write_settings(folder: Path, **values) -> Path:
    # A fixed project folder keeps rendered commands (and snapshots) the same on every checkout.
    values.setdefault("project_dir", "~/poll-app")
    node = values.pop("node", NodeSettings())
    path = folder / "settings.toml"
    save_settings(Settings(node=node, **values), path)
    return path


@pytest.fixture
def learner_home(tmp_path) -> Path:
    (tmp_path / "state").mkdir()
    return tmp_path


@pytest.fixture
def open_session(learner_home):
    """Open a session as the app would; call it again to 'restart' the tutor on the same files."""

    def opener(**settings) -> Session:
        path = learner_home / "settings.toml"
        if settings or not path.exists():
            write_settings(learner_home, **settings)
        return Session.open(config=path, state_dir=learner_home / "state")

    return opener
