"""Where the bundled lessons and assets are, installed or in a checkout."""

from __future__ import annotations

from functools import cache
from importlib.util import find_spec
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parent.parent


def _bundled(package: str, checkout_name: str) -> Path:
    # An installed wheel maps lessons/ and assets/ to tutor._lessons and tutor._assets
    # (see pyproject.toml); a plain checkout on sys.path has them beside tutor/.
    # They have no __init__.py (they hold data, not code), so they are namespace packages:
    # their folder is the first search location.
    spec = find_spec(package)
    for location in (spec.submodule_search_locations or []) if spec else []:
        if Path(location).is_dir():
            return Path(location)
    return _REPO_ROOT / checkout_name


@cache  # asked for whenever the learner's values are filled in; the answer never changes
def lessons_dir() -> Path:
    return _bundled("tutor._lessons", "lessons")


@cache
def assets_dir() -> Path:
    return _bundled("tutor._assets", "assets")
