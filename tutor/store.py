"""Settings (TOML in the tutor's config folder) and progress files (JSON in its state folder,
one per lesson): where they are, loading them, and saving them.

Both are written atomically (:mod:`tutor.atomic_files`); a file that exists but could not be
read is never replaced, since it may hold the learner's work. No secret ever passes through here.
The progress model itself is :mod:`tutor.progress`.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from tutor.atomic_files import NotOverwritten as NotOverwritten  # what a refused save raises
from tutor.atomic_files import (
    atomic_write, clean_leftovers, folder_lock, identity, move_aside, read_versioned, reason, refuse_overwrite,
    unreadable,
)
from tutor.progress import Progress, plain_from_text, progress_from

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


FOLLOW_OFF_ENV = "DOCKER_TUTOR_FOLLOW"  # =0: no following for this run, whatever the settings say


def follow_switched_off() -> bool:
    """Whether this run was started with following switched off (``DOCKER_TUTOR_FOLLOW=0``)."""
    return os.environ.get(FOLLOW_OFF_ENV, "1") == "0"


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

        def texts(of: Settings | NodeSettings) -> dict[str, Any]:
            return {f.name: shown(value) for f in fields(of) if isinstance(value := getattr(of, f.name), str)}

        return replace(self, node=replace(self.node, **texts(self.node)), **texts(self))

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
        return Loaded(Settings(), f"Settings file {path} cannot be read ({reason(exc)}); defaults are used, "
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
        return Loaded(Settings(), f"Settings file {path} could not be read ({reason(exc)}); defaults are used.")
    try:
        aside = move_aside(path)
    except OSError as move_error:  # a read-only folder: leave it, and never save over it
        return Loaded(Settings(), f"Settings file {path} could not be read ({reason(exc)}) nor moved aside "
                                  f"({reason(move_error)}); defaults are used.", unreadable=True)
    return Loaded(Settings(), f"Settings file {path} could not be read ({reason(exc)}); "
                              f"it was moved to {aside.name} and defaults are used.")


def save_settings(settings: Settings, path: Path) -> None:
    if unreadable(path):
        raise refuse_overwrite(path, "settings")
    atomic_write(path, settings.to_toml())


# --- progress files -----------------------------------------------------------------------

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
        # How many times another process's records were merged into a progress held here, by a
        # save as well as by ``refresh``: a save that merged them leaves nothing for the next
        # refresh to find, yet marks drawn before it are stale.
        self.merges = 0

    def path(self, lesson_id: str) -> Path:
        """The lesson's progress file; ValueError for an id that is not plain (it would leave the folder)."""
        from tutor.paths import child, is_plain_id

        if not is_plain_id(lesson_id):
            raise ValueError(f"{lesson_id!r} is not a lesson id (lowercase letters, digits and '-')")
        return child(self.folder, f"progress-{lesson_id}.json")

    def load(self, lesson_id: str, repair: bool = True) -> Loaded:
        path = self.path(lesson_id)
        try:
            version, text = read_versioned(path)
        except (FileNotFoundError, NotADirectoryError):
            self._base[path] = (None, "")
            return Loaded(Progress(lesson_id))
        except OSError as exc:
            self._unreadable.add(path)
            return Loaded(Progress(lesson_id), f"Your progress file {path} cannot be read ({reason(exc)}). "
                                               "It is left as it is and nothing is saved over it: what you do "
                                               "now is kept only while the tutor runs. Make the file readable "
                                               f"(see `ls -l {path}`) and start again to carry on from it.",
                          unreadable=True)
        try:
            progress = progress_from(json.loads(text), lesson_id)
        except (ValueError, TypeError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            if not repair:
                return Loaded(Progress(lesson_id), f"Your progress file {path} could not be read ({reason(exc)}).")
            try:
                aside = move_aside(path)
            except OSError as move_error:
                self._unreadable.add(path)  # it stays where it is, so it must not be saved over
                return Loaded(Progress(lesson_id), f"Your progress file {path} could not be read ({reason(exc)}) "
                                                   f"nor moved aside ({reason(move_error)}); what you do now is "
                                                   "kept only while the tutor runs.", unreadable=True)
            return Loaded(Progress(lesson_id), f"Your progress file could not be read ({reason(exc)}). "
                                               f"It was kept as {aside} and you start afresh.")
        self._base[path] = (version, text)
        return Loaded(progress)

    def save(self, progress: Progress) -> None:
        """Merge in what another process saved meanwhile, then write atomically; NotOverwritten (an
        OSError) when the file there could not be read. ``progress`` then holds the merged records."""
        path = self.path(progress.lesson)
        if path in self._unreadable or unreadable(path):
            self._unreadable.add(path)  # even once readable again, it holds what we never loaded
            raise refuse_overwrite(path, "progress")
        with folder_lock(path.parent):
            self._merge_changes(path, progress, saving=True)
            text = progress.to_json()
            written = atomic_write(path, text)
            self._base[path] = (identity(written), text)

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
            now_there = identity(os.stat(path))
        except (FileNotFoundError, NotADirectoryError):
            now_there = None
        if now_there == seen:
            return False
        try:
            version, text = read_versioned(path)
            theirs = plain_from_text(text, progress.lesson)
        except (FileNotFoundError, NotADirectoryError):
            version, text, theirs = None, "", Progress(progress.lesson).plain()  # removed: as good as reset
        except OSError:
            self._unreadable.add(path)
            raise refuse_overwrite(path, "progress") from None
        except (ValueError, TypeError, RecursionError):
            # Broken meanwhile (by hand: tutors write whole files): kept aside, ours is written.
            if saving:
                try:
                    move_aside(path)
                except OSError:
                    self._unreadable.add(path)
                    raise refuse_overwrite(path, "progress") from None
            return False
        mine = progress.plain()
        merged = merge(plain_from_text(base_text, progress.lesson) if base_text else Progress(progress.lesson).plain(),
                       mine, theirs)
        self._base[path] = (version, text)
        if merged == mine:
            return False
        progress.replace_with(merged)
        self.merges += 1
        return True

    def clean_leftovers(self) -> list[Path]:
        """Temporary progress files a killed save left in the state folder (see clean_leftovers)."""
        return clean_leftovers(self.folder, _PROGRESS_NAME)
