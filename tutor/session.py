"""One learner's working set: the lesson, their settings and their saved progress.

The app builds one at start-up and the screens share it; every change to progress is
saved at once (atomically, by the store).
"""

from __future__ import annotations

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

    def save_progress(self) -> None:
        self.store.save(self.progress)

    def save_settings(self, settings: Settings) -> None:
        self.settings = settings
        save_settings(settings, self.settings_file)

    def reset_lesson(self) -> None:
        self.progress = Progress(self.lesson.id)
        self.save_progress()
