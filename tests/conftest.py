"""Session-wide isolation and the real-service fixtures (see tests/fixtures/)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.fixtures.engine import docker_config, docker_engine, offline_base  # noqa: F401
from tests.fixtures.registry import registry_basic, registry_token  # noqa: F401
from tests.fixtures.node import ssh_node  # noqa: F401
from tests.fixtures.rate_limit_proxy import rate_limit_proxy  # noqa: F401

# Nothing a test does may touch the developer's own docker login or tutor state.
_HOME = Path(tempfile.mkdtemp(prefix="dt-home-"))
for _var, _sub in (("DOCKER_CONFIG", "docker"), ("XDG_CONFIG_HOME", "config"),
                   ("XDG_STATE_HOME", "state"), ("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache")):
    os.environ[_var] = str(_HOME / _sub)
# The app follows the engine's events only in the tests that ask for it (monkeypatch DOCKER_TUTOR_FOLLOW=1):
# elsewhere every other test's docker activity would reach its marks and its footer.
os.environ["DOCKER_TUTOR_FOLLOW"] = "0"


@pytest.fixture(scope="session")
def isolated_home() -> Path:
    return _HOME
