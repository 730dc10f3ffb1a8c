"""One learner's working set: the lesson, their settings and their saved progress.

The app builds one at start-up and the screens share it; every change to progress is
saved at once (atomically, by the store).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tutor.lesson import Lesson, get_lesson
from tutor.store import Progress, ProgressStore, Settings, load_settings, save_settings, settings_path


@dataclass
class Session:
    lesson: Lesson
    settings: Settings
    progress: Progress
    store: ProgressStore
    settings_file: Path
    warnings: list[str] = field(default_factory=list)
    on_save_error: Callable[[str], None] | None = None  # the app shows these; nothing is lost in memory

    @classmethod
    def open(cls, lesson: str | None = None, config: str | Path | None = None, lessons_dirs: tuple[str, ...] = (),
             state_dir: Path | None = None) -> Session:
        """Load everything; unreadable settings or progress become warnings, never a crash."""
        lesson_model = get_lesson(lesson, lessons_dirs)
        path = settings_path(config)
        settings = load_settings(path)
        store = ProgressStore(state_dir)
        progress = store.load(lesson_model.id)
        warnings = [w for w in (settings.warning, progress.warning) if w]
        return cls(lesson_model, settings.value, progress.value, store, path, warnings)

    @property
    def first_run(self) -> bool:
        return not self.settings.username

    def values(self) -> dict[str, str]:
        return self.lesson.values(self.settings.variables())

    def render(self, text: str) -> str:
        return self.lesson.render(text, self.settings.variables())

    def save_progress(self) -> bool:
        try:
            self.store.save(self.progress)
        except OSError as exc:
            self._save_failed(f"Progress could not be saved to {self.store.path(self.lesson.id)}: {exc}")
            return False
        return True

    def save_settings(self, settings: Settings) -> bool:
        self.settings = settings
        try:
            save_settings(settings, self.settings_file)
        except OSError as exc:
            self._save_failed(f"Settings could not be saved to {self.settings_file}: {exc}")
            return False
        return True

    def _save_failed(self, message: str) -> None:
        if self.on_save_error is not None:
            self.on_save_error(message)
        else:
            raise OSError(message)

    def reset_lesson(self) -> None:
        self.progress = Progress(self.lesson.id)
        self.save_progress()
