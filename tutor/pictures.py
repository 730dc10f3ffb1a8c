"""The step text as it was last drawn, kept in the cache folder so the next start can paint it in
its first frame, before the Markdown widget (and markdown-it) is even imported.

A picture is rows of (text, style) pairs, the style as Rich writes it ("bold #e0e0e0 on #1e1e1e"),
with the key it was drawn under: the step's source text, the terminal's size, the theme and a
stamp of the code that draws it. A picture whose key differs, or a file that is missing, corrupt
or unwritable, only means drawing with the Markdown widget as before: never an error. One file
holds the last picture only: the next start shows the entry the learner was reading.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

Row = list[tuple[str, str]]  # one line of the picture: its pieces of text, each with its style
FILE = "step.json"


def _stamp(path: str | Path) -> str:
    try:
        info = Path(path).stat()
    except OSError:
        return f"{path}:missing"
    return f"{path}:{info.st_mtime_ns}:{info.st_size}"


def picture_key(source: str, size: tuple[int, int], theme: str, code: Iterable[str | Path] = (),
                version: str = "") -> str:
    """What a picture must have been drawn under to be painted now. *code* names the files whose
    change may draw differently (an upgrade of Textual, our CSS); each costs one stat."""
    parts = [version, theme, f"{size[0]}x{size[1]}", *(_stamp(path) for path in code), source]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def load(folder: Path, key: str) -> list[Row] | None:
    """The picture drawn under *key*, or None (none kept, another key, or unreadable)."""
    try:
        data = json.loads((folder / FILE).read_bytes())
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        styles, rows = data["styles"], data["rows"]
        if not (isinstance(styles, list) and all(isinstance(s, str) for s in styles) and isinstance(rows, list)):
            return None
        picture = []
        for row in rows:
            picture.append([(text, styles[index]) for text, index in row if isinstance(text, str)])
        return picture or None
    except Exception:  # noqa: BLE001 - a stale, foreign or corrupt file is simply drawn again
        return None


def save(folder: Path, key: str, picture: Sequence[Row]) -> bool:
    """Keep *picture* (written whole or not at all); False when it could not be written."""
    from tutor.atomic_files import atomic_write

    styles: dict[str, int] = {}
    rows = [[[text, styles.setdefault(style, len(styles))] for text, style in row] for row in picture]
    try:
        atomic_write(folder / FILE, json.dumps({"key": key, "styles": list(styles), "rows": rows},
                                               separators=(",", ":")))
    except OSError:
        return False
    return True
