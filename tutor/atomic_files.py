"""Files written whole or not at all, and what goes with that: the temporary files a killed save
leaves behind, files that must not be saved over, a lock while one process reads, merges and
writes, and telling one version of a file from another without reading it.

A write goes to a temporary file in the same folder, is fsynced, then renamed over the target,
so a crash never leaves a half-written file; the temporary files a ``kill -9`` leaves behind are
removed at the next start (:func:`clean_leftovers`). A file that exists but could not be read is
never replaced (:func:`unreadable`, :class:`NotOverwritten`): it may hold the learner's work.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path
from typing import IO, Any

# atomic_write's temporary files: ".<target>.<8 characters of mkstemp>.tmp" beside the target.
_TEMP = re.compile(r"\.(?P<target>.+)\.[a-z0-9_]{8}\.tmp")
# A save takes milliseconds; a temporary file this old belongs to a process that died saving.
TEMP_MAX_AGE = 60.0


def atomic_write(path: Path, content: str | bytes) -> os.stat_result:
    """Write ``path`` whole or not at all; the written file's stat (taken before the rename, so a
    file another process puts there right after is never mistaken for ours)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if isinstance(content, bytes):
            with os.fdopen(fd, "wb") as binary:
                binary.write(content)
                written = _synced(binary)
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as text:
                text.write(content)
                written = _synced(text)
        os.replace(tmp, path)
        return written
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _synced(out: IO[Any]) -> os.stat_result:
    """The file flushed and on the disk; its stat."""
    out.flush()
    os.fsync(out.fileno())
    return os.fstat(out.fileno())


def clean_leftovers(folder: Path, target: str | re.Pattern[str], max_age: float = TEMP_MAX_AGE) -> list[Path]:
    """Remove the temporary files atomic_write left in ``folder`` when its process was killed.

    Only ours: names atomic_write makes for a target matching ``target`` (a file name or a
    pattern), older than ``max_age`` seconds (a younger one may be another tutor's save in
    flight). Nothing else is touched; a folder we cannot list costs nothing.
    """
    removed: list[Path] = []
    limit = time.time() - max_age
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        found = _TEMP.fullmatch(entry.name)
        if found is None:
            continue
        name = found.group("target")
        if not (name == target if isinstance(target, str) else target.fullmatch(name)):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < limit:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue  # gone already, or not ours to remove
    return removed


class NotOverwritten(OSError):
    """A save refused because the file there could not be read: replacing it could lose work."""


def unreadable(path: Path) -> bool:
    """True when something is at ``path`` that we cannot read (permission, a folder in its place)."""
    try:
        with open(path, "rb") as existing:
            existing.read(1)
    except (FileNotFoundError, NotADirectoryError):
        return False  # nothing there to lose
    except OSError:
        return True
    return False


def refuse_overwrite(path: Path, what: str) -> NotOverwritten:
    return NotOverwritten(f"{path} is left as it is, since it could not be read and saving over it could lose "
                          f"the {what} it holds. Your changes are kept while the tutor runs; make the file "
                          f"readable (see `ls -l {path}`) and start the tutor again.")


def reason(exc: BaseException) -> str:
    """An exception as a short clause (RecursionError and friends say nothing useful by themselves)."""
    if isinstance(exc, RecursionError):
        return "it is nested too deeply to be a settings or progress file"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


def move_aside(path: Path) -> Path:
    # Nanoseconds in the name: a second bad file within the same second must not replace the first.
    aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**9:09d}")
    os.replace(path, aside)
    return aside


def identity(stat: os.stat_result) -> tuple:
    """What tells one version of a file from another without reading it (a rename gives a new inode)."""
    return (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)


def read_versioned(path: Path) -> tuple[tuple, str]:
    """A file's text and the identity of the very version read."""
    with open(path, "rb") as file:
        version = identity(os.fstat(file.fileno()))
        return version, file.read().decode("utf-8")


class folder_lock:  # noqa: N801 - used like contextlib's lower-case context managers
    """An exclusive lock on a folder while one save reads, merges and writes (the progress
    folder): two tutors saving at once take turns. The kernel drops it when its process dies (even kill -9);
    where locks do not work (no fcntl, a folder we cannot open) saves go on unlocked, as before."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.fd = folder, -1

    def __enter__(self) -> None:
        try:
            import fcntl

            self.folder.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(self.folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except (ImportError, OSError):
            self._close()

    def __exit__(self, *_exc: object) -> None:
        self._close()

    def _close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing the last descriptor releases the lock
            self.fd = -1
