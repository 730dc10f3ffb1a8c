"""Faults in lesson files: an id that would put progress outside the state folder, two lessons
sharing an id, TOML nested thousands deep. The real commands run on real files in a temporary
home; the tests check the message, the exit status and what was (not) written.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TUTOR = [str(ROOT / ".venv" / "bin" / "docker-tutor")] if (ROOT / ".venv" / "bin" / "docker-tutor").exists() \
    else [sys.executable, "-m", "tutor"]
OK = (ROOT / "tests" / "fixtures" / "lessons" / "ok.md").read_text()


def tutor(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.update(HOME=str(tmp / "home"), XDG_CONFIG_HOME=str(tmp / "config"), XDG_STATE_HOME=str(tmp / "state"),
               XDG_CACHE_HOME=str(tmp / "cache"), XDG_DATA_HOME=str(tmp / "data"))
    return subprocess.run([*TUTOR, *args], env=env, capture_output=True, text=True, timeout=60, cwd=tmp,
                          stdin=subprocess.DEVNULL)


def lesson(folder: Path, name: str, ident: str, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(OK.replace('id = "broken"', f'id = "{ident}"{extra}'))
    return path


def written(tmp: Path) -> set[Path]:
    return {p for p in tmp.rglob("*") if p.is_file()}


@pytest.mark.parametrize("ident", ["../../escaped", "a/b", ""])
def test_a_lesson_whose_id_is_not_plain_is_refused(tmp_path, ident):
    """Fault: a lesson id with ../ or / (progress-../../x.json would land outside the state folder)."""
    path = lesson(tmp_path / "lessons", "50-evil.md", ident)
    files = written(tmp_path)
    shown = f"lesson id {ident!r} is not a plain id" if ident else "the lesson has no id"
    # The app, `do` and `lesson show` all refuse it, each with its usual exit status for a broken lesson.
    for args, code in ((["--lesson", str(path)], 1), (["do", "build", "--lesson", str(path)], 2),
                       (["lesson", "show", str(path)], 1), (["report", "--lesson", str(path)], 2)):
        result = tutor(tmp_path, *args)
        assert result.returncode == code, (args, result.stderr)
        assert f"error: {path}:2: {shown}" in result.stderr, args
        assert "lowercase letters, digits and '-'" in result.stderr and "Traceback" not in result.stderr
    listing = tutor(tmp_path, "lesson", "list", "--lessons", str(tmp_path / "lessons"))
    assert listing.returncode == 0 and "50-evil" in listing.stdout and "not usable" in listing.stdout
    assert f"see docker-tutor lint {path}" in listing.stdout
    lint = tutor(tmp_path, "lint", str(path))
    assert lint.returncode == 1 and "50-evil.md:2:" in lint.stdout
    # Nothing was written outside our folders, and no progress file at all.
    new = written(tmp_path) - files
    assert all(p.is_relative_to(tmp_path / "cache") for p in new), new
    assert not list(tmp_path.rglob("progress-*"))


def test_progress_file_names_are_checked_in_the_store(tmp_path):
    """Defence in depth: whatever reaches the store, its file names stay in the state folder."""
    from tutor.store import Progress, ProgressStore

    store = ProgressStore(tmp_path / "state")
    for ident in ("../x", "a/b", "..", "x\0y", ""):
        with pytest.raises(ValueError, match="is not a lesson id"):
            store.save(Progress(ident))
    assert not (tmp_path / "x.json").exists() and list(tmp_path.rglob("*")) == []


def test_two_lessons_with_the_same_id_are_reported_by_lint(tmp_path):
    """Fault: two lesson files share an id (they would share, and overwrite, one progress file)."""
    folder = tmp_path / "lessons"
    first = lesson(folder, "51-first.md", "shared")
    lesson(folder, "52-second.md", "shared")
    lesson(folder, "53-other.md", "other")
    result = tutor(tmp_path, "lint", "--lessons", str(folder))
    assert result.returncode == 1
    assert f"lessons/52-second.md:2: duplicate lesson id 'shared' (also in {first}:2)" in result.stdout
    assert "53-other" not in result.stdout and "51-first.md:2" not in result.stdout.split("also in")[0]
    # A file linted on its own that takes the bundled lesson's id is reported too.
    clash = lesson(tmp_path / "mine", "my-copy.md", "push-to-registry")
    alone = tutor(tmp_path, "lint", str(clash))
    assert alone.returncode == 1 and "mine/my-copy.md:2: duplicate lesson id 'push-to-registry' (also in " \
        in alone.stdout and "04-push-to-registry.md:2)" in alone.stdout


DEEP = "[" * 4000 + "]" * 4000


@pytest.mark.parametrize("where", ["front matter", "rubric"])
def test_a_lesson_nested_thousands_deep(tmp_path, where):
    """Fault: TOML of 4000 nested brackets in a lesson (RecursionError in lint, lesson list/show and do)."""
    folder = tmp_path / "lessons"
    if where == "front matter":
        path = lesson(folder, "60-deep.md", "deep", f"\nextra = {DEEP}")
        line, message = 3, "malformed front matter: arrays or tables nested too deeply"
    else:
        path = lesson(folder, "60-deep.md", "deep")
        text = path.read_text().replace("#### Explanation", f"```rubric\nx = {DEEP}\n```\n\n#### Explanation")
        path.write_text(text)
        line = text.split("\n").index(f"x = {DEEP}") + 1
        message = "malformed rubric: arrays or tables nested too deeply"
    lint = tutor(tmp_path, "lint", str(path))
    assert lint.returncode == 1 and f"{path.name}:{line}: {message}" in lint.stdout
    listing = tutor(tmp_path, "lesson", "list", "--lessons", str(folder))
    assert listing.returncode == 0
    runs = [tutor(tmp_path, "lesson", "show", str(path)), tutor(tmp_path, "do", "build", "--lesson", str(path))]
    for result in [lint, listing, *runs]:
        assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr + result.stdout
    if where == "front matter":  # the lesson cannot be read at all: refused with file:line
        assert "60-deep  " in listing.stdout and message in listing.stdout
        assert runs[0].returncode == 1 and f"error: {path}:{line}: {message}" in runs[0].stderr
        assert runs[1].returncode == 2 and f"error: {path}:{line}: {message}" in runs[1].stderr
        assert "docker-tutor lint" in runs[0].stderr + runs[1].stderr
    else:  # a bad rubric is a lint problem; the lesson itself still opens
        assert "60-deep" in listing.stdout and "A broken lesson" in listing.stdout
        assert runs[0].returncode == 0 and "Build it" in runs[0].stdout
