"""Where the bundled lessons and assets are, installed or in a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parent.parent


def _bundled(package: str, checkout_name: str) -> Path:
    # An installed wheel maps lessons/ and assets/ to tutor._lessons and tutor._assets
    # (see pyproject.toml); a plain checkout on sys.path has them beside tutor/.
    try:
        path = Path(str(resources.files(package)))
        if path.is_dir():
            return path
    except ModuleNotFoundError:
        pass
    return _REPO_ROOT / checkout_name


def lessons_dir() -> Path:
    return _bundled("tutor._lessons", "lessons")


def assets_dir() -> Path:
    return _bundled("tutor._assets", "assets")
