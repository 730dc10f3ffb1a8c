"""Settings (TOML in the user's config folder) and progress (JSON in the state folder).

Both are written atomically: a temporary file in the same folder, fsync, then rename,
so a crash never leaves a half-written file. No secret ever passes through here.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

APP_NAME = "docker-tutor"


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME)


def state_dir() -> Path:
    from platformdirs import user_state_path

    return user_state_path(APP_NAME)


def cache_dir() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME)


def atomic_write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with (os.fdopen(fd, "wb") if isinstance(content, bytes) else os.fdopen(fd, "w", encoding="utf-8")) as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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

    def to_toml(self) -> str:
        import tomli_w

        data = asdict(self)
        return "# docker-tutor settings. No password or token is ever stored here.\n" + tomli_w.dumps(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        node_data = data.get("node") or {}
        node = NodeSettings(**{f.name: node_data[f.name] for f in fields(NodeSettings) if f.name in node_data})
        node.port = int(node.port or 22)
        known = {f.name for f in fields(cls)} - {"node"}
        return cls(node=node, **{k: str(v) for k, v in data.items() if k in known})


@dataclass
class Loaded:
    """What loading found: the value, and a warning for the learner when the file was unusable."""

    value: Any
    warning: str = ""


def settings_path(override: str | Path | None = None) -> Path:
    return Path(override) if override else config_dir() / "settings.toml"


def load_settings(path: Path, repair: bool = True) -> Loaded:
    """Settings from ``path``; an unusable file gives defaults and a warning.

    With ``repair`` (the app) a corrupt file is moved aside so the next save starts clean;
    read-only commands pass ``repair=False`` and leave it where it is.
    """
    if not path.exists():
        return Loaded(Settings())
    try:
        return Loaded(Settings.from_dict(tomllib.loads(path.read_text(encoding="utf-8"))))
    except OSError as exc:
        return Loaded(Settings(), f"Settings file {path} cannot be read ({exc.strerror or exc}); defaults are used.")
    except (tomllib.TOMLDecodeError, TypeError, ValueError, AttributeError, UnicodeDecodeError) as exc:
        if not repair:
            return Loaded(Settings(), f"Settings file {path} could not be read ({exc}); defaults are used.")
        aside = _move_aside(path)
        return Loaded(Settings(), f"Settings file {path} could not be read ({exc}); "
                                  f"it was moved to {aside.name} and defaults are used.")


def save_settings(settings: Settings, path: Path) -> None:
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


# The JSON shape of each Progress field: a file with another shape is treated as corrupt.
_SHAPES = {"steps": (dict, dict), "quiz": (dict, list), "checklist": (dict, dict), "hints": (dict, int),
           "position": (str, None)}


def _progress_from(data: Any, lesson_id: str) -> Progress:
    if not isinstance(data, dict) or data.get("lesson") != lesson_id:
        raise ValueError("not a progress file for this lesson")
    for name, (outer, inner) in _SHAPES.items():
        value = data.get(name, outer())
        if not isinstance(value, outer) or (inner and not all(isinstance(v, inner) for v in value.values())):
            raise ValueError(f"'{name}' has the wrong shape")
    if not all(isinstance(a, dict) for attempts in data.get("quiz", {}).values() for a in attempts):
        raise ValueError("'quiz' has the wrong shape")
    known = {f.name for f in fields(Progress)}
    return Progress(**{k: v for k, v in data.items() if k in known})


class ProgressStore:
    """Progress files, one per lesson, saved after every change."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or state_dir()

    def path(self, lesson_id: str) -> Path:
        return self.folder / f"progress-{lesson_id}.json"

    def load(self, lesson_id: str, repair: bool = True) -> Loaded:
        path = self.path(lesson_id)
        if not path.exists():
            return Loaded(Progress(lesson_id))
        try:
            return Loaded(_progress_from(json.loads(path.read_text(encoding="utf-8")), lesson_id))
        except OSError as exc:
            return Loaded(Progress(lesson_id), f"Your progress file {path} cannot be read ({exc.strerror or exc}); "
                                               "changes will not be saved until it can.")
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            if not repair:
                return Loaded(Progress(lesson_id), f"Your progress file {path} could not be read ({exc}).")
            aside = _move_aside(path)
            return Loaded(Progress(lesson_id), f"Your progress file could not be read ({exc}). "
                                               f"It was kept as {aside} and you start afresh.")

    def save(self, progress: Progress) -> None:
        atomic_write(self.path(progress.lesson), json.dumps(asdict(progress), indent=2, sort_keys=True))

    def reset(self, lesson_id: str) -> None:
        self.path(lesson_id).unlink(missing_ok=True)
