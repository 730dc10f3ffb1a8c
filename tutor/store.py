"""Settings (TOML in the user's config folder) and progress (JSON in the state folder).

Both are written atomically: a temporary file in the same folder, fsync, then rename,
so a crash never leaves a half-written file (and the temporary files a ``kill -9`` leaves
behind are removed at the next start). A file that exists but could not be read is never
replaced: it may hold the learner's work. No secret ever passes through here.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

APP_NAME = "docker-tutor"


def tutor_config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME)


def state_dir() -> Path:
    from platformdirs import user_state_path

    return user_state_path(APP_NAME)


def cache_dir() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME)


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
        with (os.fdopen(fd, "wb") if isinstance(content, bytes) else os.fdopen(fd, "w", encoding="utf-8")) as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
            written = os.fstat(out.fileno())
        os.replace(tmp, path)
        return written
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def _refuse_overwrite(path: Path, what: str) -> NotOverwritten:
    return NotOverwritten(f"{path} is left as it is, since it could not be read and saving over it could lose "
                          f"the {what} it holds. Your changes are kept while the tutor runs; make the file "
                          f"readable (see `ls -l {path}`) and start the tutor again.")


def _reason(exc: BaseException) -> str:
    """An exception as a short clause (RecursionError and friends say nothing useful by themselves)."""
    if isinstance(exc, RecursionError):
        return "it is nested too deeply to be a settings or progress file"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


def _move_aside(path: Path) -> Path:
    # Nanoseconds in the name: a second bad file within the same second must not replace the first.
    aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**9:09d}")
    os.replace(path, aside)
    return aside


# --- settings -----------------------------------------------------------------------------


@dataclass
class NodeSettings:
    host: str = ""  # an address, a hostname or an ~/.ssh/config alias
    user: str = ""
    port: int = 22
    identity: str = ""  # private key file
    known_hosts: str = ""  # extra known_hosts file; the tutor's own one is always consulted

    @property
    def configured(self) -> bool:
        return bool(self.host)


@dataclass
class Settings:
    username: str = ""
    registry: str = "docker.io"
    tag: str = "v1"
    project_dir: str = ""  # empty: the bundled sample app
    node: NodeSettings = field(default_factory=NodeSettings)
    follow: bool = True  # the app follows the learner's own docker commands (engine events) and ticks steps

    def variables(self) -> dict[str, str]:
        """The lesson variables these settings fill in (empty values are left to the lesson's defaults)."""
        from tutor.paths import assets_dir

        values = {
            "username": self.username,
            "registry": self.registry,
            "tag": self.tag,
            "project_dir": self.project_dir or str(assets_dir() / "sample-app"),
        }
        return {key: value for key, value in values.items() if value}

    def shown(self) -> Settings:
        """These settings with control characters in their text made visible (see :func:`shown`)."""
        from dataclasses import replace

        node = replace(self.node, **{f.name: shown(getattr(self.node, f.name)) for f in fields(NodeSettings)
                                     if isinstance(getattr(self.node, f.name), str)})
        return replace(self, node=node, **{f.name: shown(getattr(self, f.name)) for f in fields(self)
                                           if isinstance(getattr(self, f.name), str)})

    def to_toml(self) -> str:
        import tomli_w

        data = asdict(self)
        return "# docker-tutor settings. No password or token is ever stored here.\n" + tomli_w.dumps(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        """Settings from parsed TOML; TypeError or ValueError naming the key when a value has the wrong type."""
        if not isinstance(data, dict):
            raise TypeError("the settings are not a table of keys")
        node_data = data.get("node") or {}
        if not isinstance(node_data, dict):
            raise TypeError("'node' must be a [node] table")
        node = NodeSettings()
        for f in fields(NodeSettings):
            if f.name in node_data and f.name != "port":
                # A number here is a mistake (host = 10.0.0.5 without quotes), not a name to connect to.
                setattr(node, f.name, _text(f"node.{f.name}", node_data[f.name], numbers=False))
        node.port = _port(node_data.get("port"))
        known = {f.name for f in fields(cls)} - {"node", "follow"}
        follow = data.get("follow", True)
        if not isinstance(follow, bool):
            raise TypeError(f"'follow' must be true or false, not {_kind(follow)}")
        return cls(node=node, follow=follow, **{k: _text(k, v) for k, v in data.items() if k in known})


def _text(key: str, value: Any, numbers: bool = True) -> str:
    if isinstance(value, str):
        return shown(value)
    if numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # tag = 1 has always meant "1"
    raise TypeError(f"'{key}' must be text in quotes, not {_kind(value)}")


def shown(value: str) -> str:
    """A settings value with its control characters made visible: the app and the commands show
    these values (and put them in commands), so ``ESC]0;...`` must stay text, never reach a terminal."""
    if value.isprintable():
        return value  # the usual case, without importing anything
    from tutor.visible import visible

    return visible(value)


def _port(value: Any) -> int:
    if value in (None, "", 0):
        return 22
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
        raise TypeError(f"'node.port' must be a port number, not {_kind(value)}")
    port = int(value)
    if not 1 <= port <= 65535:
        raise ValueError(f"'node.port' must be between 1 and 65535, not {port}")
    return port


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__)


@dataclass
class Loaded:
    """What loading found: the value, and a warning for the learner when the file was unusable."""

    value: Any
    warning: str = ""
    unreadable: bool = False  # the file exists but could not be read: it must not be saved over


def settings_path(override: str | Path | None = None) -> Path:
    return Path(override) if override else tutor_config_dir() / "settings.toml"


def load_settings(path: Path, repair: bool = True) -> Loaded:
    """Settings from ``path``; an unusable file gives defaults and a warning.

    With ``repair`` (the app) a corrupt file is moved aside so the next save starts clean;
    read-only commands pass ``repair=False`` and leave it where it is.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return Loaded(Settings())
    except OSError as exc:
        return Loaded(Settings(), f"Settings file {path} cannot be read ({_reason(exc)}); defaults are used, "
                                  "and the file is left as it is (changed settings are not saved over it).",
                      unreadable=True)
    except UnicodeDecodeError as exc:
        return _unusable_settings(path, exc, repair)
    try:
        return Loaded(Settings.from_dict(tomllib.loads(text)))
    except (tomllib.TOMLDecodeError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        return _unusable_settings(path, exc, repair)


def _unusable_settings(path: Path, exc: BaseException, repair: bool) -> Loaded:
    if not repair:
        return Loaded(Settings(), f"Settings file {path} could not be read ({_reason(exc)}); defaults are used.")
    try:
        aside = _move_aside(path)
    except OSError as move_error:  # a read-only folder: leave it, and never save over it
        return Loaded(Settings(), f"Settings file {path} could not be read ({_reason(exc)}) nor moved aside "
                                  f"({_reason(move_error)}); defaults are used.", unreadable=True)
    return Loaded(Settings(), f"Settings file {path} could not be read ({_reason(exc)}); "
                              f"it was moved to {aside.name} and defaults are used.")


def save_settings(settings: Settings, path: Path) -> None:
    if unreadable(path):
        raise _refuse_overwrite(path, "settings")
    atomic_write(path, settings.to_toml())


# --- progress -----------------------------------------------------------------------------


def now() -> float:
    return round(time.time(), 3)


@dataclass
class Progress:
    """One learner's progress through one lesson; every field is plain JSON."""

    lesson: str
    # id -> {status, at, detail, commands}: the commands it was done with (absent in older files)
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    quiz: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # id -> attempts
    # id -> {status, reason, evidence, at}; a Verify item checked on the lesson screen is "verify:ID"
    checklist: dict[str, dict[str, Any]] = field(default_factory=dict)
    hints: dict[str, int] = field(default_factory=dict)  # step id -> hints opened
    position: str = ""  # the outline entry the learner was on
    # Resets on purpose, timed, so that merging with another process's copy cannot bring back
    # what was reset (tutor/progress_merge.py): step id -> when it was reset, and the whole lesson.
    resets: dict[str, float] = field(default_factory=dict)
    reset_at: float | None = None

    def set_step(self, step_id: str, status: str, detail: str = "", commands: list[str] | None = None) -> None:
        self.steps[step_id] = {"status": status, "at": now(), "detail": detail}
        if commands is not None:
            self.steps[step_id]["commands"] = list(commands)

    def step_status(self, step_id: str) -> str:
        return self.steps.get(step_id, {}).get("status", "todo")

    def add_attempt(self, question_id: str, answer: Any, verdict: str, score: float, **extra: Any) -> None:
        attempt = {"answer": answer, "verdict": verdict, "score": score, "at": now(), **extra}
        self.quiz.setdefault(question_id, []).append(attempt)

    def last_attempt(self, question_id: str) -> dict[str, Any] | None:
        attempts = self.quiz.get(question_id)
        return attempts[-1] if attempts else None

    def set_check(self, item_id: str, status: str, reason: str = "", evidence: dict | None = None) -> None:
        self.checklist[item_id] = {"status": status, "reason": reason, "evidence": evidence or {}, "at": now()}

    def open_hint(self, step_id: str) -> int:
        self.hints[step_id] = self.hints.get(step_id, 0) + 1
        return self.hints[step_id]

    def reset_step(self, step_id: str) -> None:
        self.steps.pop(step_id, None)
        self.hints.pop(step_id, None)
        self.resets[step_id] = now()

    def reset_all(self) -> None:
        """Every step, answer, check and hint gone, in place (screens hold this object)."""
        for records in (self.steps, self.quiz, self.checklist, self.hints, self.resets):
            records.clear()
        self.position = ""
        self.reset_at = now()

    def to_json(self) -> str:
        return json.dumps({f.name: getattr(self, f.name) for f in fields(self)}, indent=2, sort_keys=True)

    def plain(self) -> dict[str, Any]:
        """A copy as the JSON file holds it (tuples become lists): what merging compares."""
        return json.loads(self.to_json())

    def replace_with(self, data: dict[str, Any]) -> None:
        for f in fields(self):
            if f.name in data:
                setattr(self, f.name, data[f.name])


_NUMBER = (int, float)
# The JSON shape of each Progress field: a file with another shape is treated as corrupt.
_SHAPES = {"steps": (dict, dict), "quiz": (dict, list), "checklist": (dict, dict), "hints": (dict, int),
           "position": (str, None), "resets": (dict, _NUMBER)}
# ...and of the keys the tutor reads inside each record (other keys are kept as they are).
_TEXTS = "list of text"
_RECORDS = {
    "steps": {"status": str, "at": (*_NUMBER, type(None)), "detail": str, "commands": _TEXTS,
              "done_before": (dict, type(None))},
    "checklist": {"status": str, "reason": str, "evidence": (dict, type(None)), "at": (*_NUMBER, type(None))},
    "quiz": {"answer": (str, _TEXTS, type(None)), "verdict": str, "score": _NUMBER, "at": (*_NUMBER, type(None)),
             "form": str, "found": _TEXTS, "missed": _TEXTS, "misconceptions": _TEXTS},
}


def _fits(value: Any, shape: Any) -> bool:
    if shape == _TEXTS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if isinstance(shape, tuple):
        return any(_fits(value, one) for one in shape)
    return isinstance(value, shape)


def _check_record(field_name: str, key: str, record: dict[str, Any]) -> None:
    for name, shape in _RECORDS[field_name].items():
        if name in record and not _fits(record[name], shape):
            raise ValueError(f"'{field_name}' entry '{key}' has a '{name}' of the wrong shape")


def _progress_from(data: Any, lesson_id: str) -> Progress:
    if not isinstance(data, dict) or data.get("lesson") != lesson_id:
        raise ValueError("not a progress file for this lesson")
    for name, (outer, inner) in _SHAPES.items():
        value = data.get(name, outer())
        if not isinstance(value, outer) or (inner and not all(isinstance(v, inner) for v in value.values())):
            raise ValueError(f"'{name}' has the wrong shape")
    if not _fits(data.get("reset_at"), (*_NUMBER, type(None))):
        raise ValueError("'reset_at' has the wrong shape")
    for name in ("steps", "checklist"):
        for key, record in data.get(name, {}).items():
            _check_record(name, key, record)
    for key, attempts in data.get("quiz", {}).items():
        if not all(isinstance(a, dict) for a in attempts):
            raise ValueError("'quiz' has the wrong shape")
        for attempt in attempts:
            _check_record("quiz", key, attempt)
    known = {f.name for f in fields(Progress)}
    return Progress(**{k: v for k, v in data.items() if k in known})


_PROGRESS_NAME = re.compile(r"progress-[a-z0-9][a-z0-9-]*\.json")


class ProgressStore:
    """Progress files, one per lesson, saved after every change.

    Two tutor processes may share a file (the app, and `watch`, `do` or `check` in another
    terminal). A save never loses the other's records: when the file changed since this store
    last read or wrote it, it is read again and merged record by record (tutor/progress_merge.py)
    under a lock on the folder, then written atomically as always; ``refresh`` brings the other's
    records into a progress this process holds.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or state_dir()
        # Files this store failed to read: what it holds in memory for them is not what they hold.
        self._unreadable: set[Path] = set()
        # path -> (the file's identity, its text) as this store last read or wrote it; the text is
        # parsed only when the file changed since, so an ordinary save costs one stat more
        self._base: dict[Path, tuple[tuple | None, str]] = {}

    def path(self, lesson_id: str) -> Path:
        """The lesson's progress file; ValueError for an id that is not plain (it would leave the folder)."""
        from tutor.paths import child, is_plain_id

        if not is_plain_id(lesson_id):
            raise ValueError(f"{lesson_id!r} is not a lesson id (lowercase letters, digits and '-')")
        return child(self.folder, f"progress-{lesson_id}.json")

    def load(self, lesson_id: str, repair: bool = True) -> Loaded:
        path = self.path(lesson_id)
        try:
            identity, text = _read(path)
        except (FileNotFoundError, NotADirectoryError):
            self._base[path] = (None, "")
            return Loaded(Progress(lesson_id))
        except OSError as exc:
            self._unreadable.add(path)
            return Loaded(Progress(lesson_id), f"Your progress file {path} cannot be read ({_reason(exc)}). "
                                               "It is left as it is and nothing is saved over it: what you do "
                                               "now is kept only while the tutor runs. Make the file readable "
                                               f"(see `ls -l {path}`) and start again to carry on from it.",
                          unreadable=True)
        try:
            progress = _progress_from(json.loads(text), lesson_id)
        except (ValueError, TypeError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            if not repair:
                return Loaded(Progress(lesson_id), f"Your progress file {path} could not be read ({_reason(exc)}).")
            try:
                aside = _move_aside(path)
            except OSError as move_error:
                self._unreadable.add(path)  # it stays where it is, so it must not be saved over
                return Loaded(Progress(lesson_id), f"Your progress file {path} could not be read ({_reason(exc)}) "
                                                   f"nor moved aside ({_reason(move_error)}); what you do now is "
                                                   "kept only while the tutor runs.", unreadable=True)
            return Loaded(Progress(lesson_id), f"Your progress file could not be read ({_reason(exc)}). "
                                               f"It was kept as {aside} and you start afresh.")
        self._base[path] = (identity, text)
        return Loaded(progress)

    def save(self, progress: Progress) -> None:
        """Merge in what another process saved meanwhile, then write atomically; NotOverwritten (an
        OSError) when the file there could not be read. ``progress`` then holds the merged records."""
        path = self.path(progress.lesson)
        if path in self._unreadable or unreadable(path):
            self._unreadable.add(path)  # even once readable again, it holds what we never loaded
            raise _refuse_overwrite(path, "progress")
        with _folder_lock(path.parent):
            self._merge_changes(path, progress, saving=True)
            text = progress.to_json()
            written = atomic_write(path, text)
            self._base[path] = (_identity(written), text)

    def refresh(self, progress: Progress) -> bool:
        """Take in the records another process saved since this store last read or wrote the file
        (a stat when nothing changed); True when ``progress`` changed. Nothing is written."""
        path = self.path(progress.lesson)
        if path in self._unreadable:
            return False
        try:
            return self._merge_changes(path, progress, saving=False)
        except OSError:
            return False  # unreadable now: the next save says so

    def _merge_changes(self, path: Path, progress: Progress, saving: bool) -> bool:
        from tutor.progress_merge import merge

        seen, base_text = self._base.get(path, (None, ""))
        try:
            now_there = _identity(os.stat(path))
        except (FileNotFoundError, NotADirectoryError):
            now_there = None
        if now_there == seen:
            return False
        try:
            identity, text = _read(path)
            theirs = _plain(text, progress.lesson)
        except (FileNotFoundError, NotADirectoryError):
            identity, text, theirs = None, "", Progress(progress.lesson).plain()  # removed: as good as reset
        except OSError:
            self._unreadable.add(path)
            raise _refuse_overwrite(path, "progress") from None
        except (ValueError, TypeError, RecursionError):
            # Broken meanwhile (by hand: tutors write whole files): kept aside, ours is written.
            if saving:
                try:
                    _move_aside(path)
                except OSError:
                    self._unreadable.add(path)
                    raise _refuse_overwrite(path, "progress") from None
            return False
        mine = progress.plain()
        merged = merge(_plain(base_text, progress.lesson) if base_text else Progress(progress.lesson).plain(),
                       mine, theirs)
        self._base[path] = (identity, text)
        if merged == mine:
            return False
        progress.replace_with(merged)
        return True

    def clean_leftovers(self) -> list[Path]:
        """Temporary progress files a killed save left in the state folder (see clean_leftovers)."""
        return clean_leftovers(self.folder, _PROGRESS_NAME)

    def reset(self, lesson_id: str) -> None:
        path = self.path(lesson_id)
        if path in self._unreadable:
            raise _refuse_overwrite(path, "progress")
        path.unlink(missing_ok=True)
        self._base.pop(path, None)


def _plain(text: str, lesson_id: str) -> dict[str, Any]:
    """A progress file's text as plain JSON with every field (ValueError when it is not one)."""
    progress = _progress_from(json.loads(text), lesson_id)  # fresh objects, shared with nothing
    return {f.name: getattr(progress, f.name) for f in fields(progress)}


def _identity(stat: os.stat_result) -> tuple:
    """What tells one version of a file from another without reading it (a rename gives a new inode)."""
    return (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)


def _read(path: Path) -> tuple[tuple, str]:
    """A file's text and the identity of the very version read."""
    with open(path, "rb") as file:
        identity = _identity(os.fstat(file.fileno()))
        return identity, file.read().decode("utf-8")


class _folder_lock:
    """An exclusive lock on the progress folder while one save reads, merges and writes: two
    tutors saving at once take turns. The kernel drops it when its process dies (even kill -9);
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
