"""Where the bundled lessons and assets are, installed or in a checkout; and the rule that keeps
file names made from input inside their folder."""

from __future__ import annotations

import re
from functools import cache
from importlib.util import find_spec
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parent.parent

# A lesson id (and any other id we put in a file name): no '/', no '..', no leading '-' or '.'.
PLAIN_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


def is_plain_id(ident: object) -> bool:
    return isinstance(ident, str) and PLAIN_ID.fullmatch(ident) is not None


def child(folder: Path, name: str) -> Path:
    """``folder / name``, or ValueError when ``name`` would lead anywhere else (``..``, ``/``, a drive).

    Only the name is judged: a file the learner chose to make a symbolic link stays theirs to make
    (we replace a link, never write through it)."""
    path = folder / name
    if not name or name in (".", "..") or any(c in name for c in "/\\\0") or path.parent != folder:
        raise ValueError(f"{name!r} is not a plain file name inside {folder}")
    return path


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
