"""Plain-terminal text (check, doctor, watch) wraps at words only: never at a hyphen of an image
name, never inside a `command`, at the terminal's width (80 when it is unknown)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tutor.commands import check, watch
from tutor.commands.wrap import terminal_width, wrap
from tutor.hints import FailureHint
from tutor.probes.results import CheckResult

IMAGE = "127.0.0.1:36395/learna/poll-frontend:v2"
COMMAND = f"docker tag {IMAGE} 127.0.0.1:36395/learner/poll-frontend:v2"
TEXT = (f"The registry has no {IMAGE} yet, and the lesson's frontend image is still missing there; "
        f"give it the lesson's name with `{COMMAND}` and push it with `docker push {IMAGE}` again.")


def assert_whole(lines: list[str], width: int) -> None:
    joined = " ".join(line.strip() for line in lines)
    assert joined == " ".join(TEXT.split())  # nothing lost, no word split
    for line in lines:
        assert not line.rstrip().endswith("-"), line
        assert line.count("`") % 2 == 0, line  # a command starts and ends on the same line
        # Only a command that cannot fit anywhere runs over, on a line of its own.
        assert len(line) <= width or re.fullmatch(r"\s*`[^`]+`[.,;:]?", line), line


def test_wrap_keeps_image_names_and_commands_whole():
    for width in (40, 60, 80, 100):
        assert_whole(wrap(TEXT, width), width)
    assert f"`{COMMAND}`" in wrap(TEXT, 40)  # longer than the line: alone on its own


def test_width_is_the_terminals_and_80_when_unknown(monkeypatch):
    monkeypatch.setenv("COLUMNS", "132")
    assert terminal_width() == 120  # wider lines are hard to read
    monkeypatch.setenv("COLUMNS", "72")
    assert terminal_width() == 72
    # Piped, with no COLUMNS: the 80 columns a terminal most likely has, not 100.
    script = "from tutor.commands.wrap import terminal_width; print(terminal_width())"
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                          cwd=Path(__file__).parents[2])
    assert done.stdout.strip() == "80", done.stderr


def test_check_table_wraps_at_the_terminal(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    hint = FailureHint("registry_missing_tag", "It is not there.", TEXT)
    check._print_table({"lesson": "push-to-registry", "username": "learna"},
                       [CheckResult("images-on-hub", "failed", "missing-tag", TEXT, hint, text="Both images are on "
                                    "the registry under your namespace, with a version tag")])
    lines = capsys.readouterr().out.splitlines()
    body = [line for line in lines if line.startswith(" " * 11)]
    for line in lines:
        assert not line.rstrip().endswith("-") and line.count("`") % 2 == 0, line
        assert len(line) <= 80 or re.fullmatch(r"\s*`[^`]+`[.,;:]?", line), line
    assert any(line.strip() == f"`{COMMAND}`" for line in body)
    assert any(line.startswith(" " * 11 + "hint: ") for line in body)


def test_watch_lines_wrap_under_their_first_word(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    watch._say(f"! 3. Build both images with proper names: {TEXT}\n  next: {TEXT}")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("! 3. Build") and lines[1].startswith("  ") and not lines[1].startswith("   ")
    nxt = next(i for i, line in enumerate(lines) if line.startswith("  next: "))
    assert all(line.startswith(" " * 8) for line in lines[nxt + 1:])
    for line in lines:
        assert not line.rstrip().endswith("-") and line.count("`") % 2 == 0, line
        assert len(line) <= 80 or re.fullmatch(r"\s*`[^`]+`[.,;:]?", line), line
