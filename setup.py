"""Everything about the package is in pyproject.toml; this adds one build step: each bundled
lesson is shipped parsed too (tutor/lesson/shipped.py), so a first start skips markdown-it."""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPy(build_py):
    def run(self) -> None:
        super().run()
        lessons = Path(self.build_lib, "tutor", "_lessons")
        if self.dry_run or not lessons.is_dir():
            return
        sys.path.insert(0, str(Path(__file__).resolve().parent))  # the tutor being built, not an installed one
        try:
            from tutor.lesson.shipped import write_parsed

            for lesson in sorted(lessons.glob("*.md")):
                if lesson.name.lower() != "readme.md":
                    write_parsed(lesson)
        except Exception as exc:  # noqa: BLE001 - without them a first start parses, as it always did
            print(f"warning: lessons not shipped parsed ({exc}); a first start will parse them", file=sys.stderr)
        finally:
            sys.path.pop(0)


setup(cmdclass={"build_py": BuildPy})
