"""Hostile input echoed back: terminal escape sequences (ESC]0;TITLE BEL retitles a terminal,
ESC[2J clears it) in CSV cells, lesson titles, settings and --var values must come out as
visible text, never raw; CSV cells that a spreadsheet would run as formulas come out as text.
The real commands run on real files; the tests read their raw output bytes.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TUTOR = [str(ROOT / ".venv" / "bin" / "docker-tutor")] if (ROOT / ".venv" / "bin" / "docker-tutor").exists() \
    else [sys.executable, "-m", "tutor"]
LESSON = "push-to-registry"
EVIL = "\x1b]0;TITLE\x07\x1b[2J"
SHOWN = "\\x1b]0;TITLE\\x07\\x1b[2J"  # what the learner sees instead
RAW = ("\x1b", "\x07", "\x9b")


def tutor(tmp: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.update(HOME=str(tmp / "home"), XDG_CONFIG_HOME=str(tmp / "config"), XDG_STATE_HOME=str(tmp / "state"),
               XDG_CACHE_HOME=str(tmp / "cache"), XDG_DATA_HOME=str(tmp / "data"))
    return subprocess.run([*TUTOR, *args], env=env, capture_output=True, text=True, timeout=60, input=stdin)


def no_raw_controls(*texts: str) -> bool:
    return not any(char in text for text in texts for char in RAW)


def settings_file(tmp: Path, body: str) -> Path:
    path = tmp / "config" / "docker-tutor" / "settings.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    return path


def test_grade_warns_about_a_csv_cell_with_escape_sequences_without_sending_them(tmp_path):
    """Fault: a class CSV whose cells hold ESC]0;TITLE BEL ESC[2J (grade's warnings printed them raw)."""
    sheet = tmp_path / "class.csv"
    with sheet.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["learner", "question", "answer"])
        writer.writerow(["ana", f"no-such{EVIL}", "x"])
        writer.writerow([f"bo{EVIL}", "push-twice", "b"])
    result = tutor(tmp_path, "grade", str(sheet))
    assert result.returncode == 0
    assert no_raw_controls(result.stdout, result.stderr)
    assert f"warning: line 2: no question 'no-such{SHOWN}' in lesson '{LESSON}'" in result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert [r[0] for r in rows[1:] if r[1] == "push-twice"] == [f"bo{SHOWN}"]


def test_grade_csv_output_never_holds_a_formula(tmp_path):
    """Fault: CSV cells starting with = + - @ came out of grade as spreadsheet formulas."""
    formulas = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)"]
    sheet = tmp_path / "class.csv"
    with sheet.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["learner", "question", "answer"])
        for name in formulas:
            writer.writerow([name, "push-twice", "b"])
        writer.writerow(["ana", "=HYPERLINK(\"http://x\")", "b"])
    result = tutor(tmp_path, "grade", str(sheet))
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    learners = [r[0] for r in rows[1:] if r[1] == "push-twice"]
    assert learners == [f"'{name}" for name in formulas]  # the text is all there, led by '
    assert "'=HYPERLINK(\"http://x\")" in cells
    # JSON is for programs, not spreadsheets: the names stay exactly as given there.
    as_json = json.loads(tutor(tmp_path, "grade", str(sheet), "--json").stdout)
    assert [r["learner"] for r in as_json["rows"][:4]] == formulas


def test_lesson_list_shows_a_title_with_escape_sequences_literally(tmp_path):
    """Fault: a lesson title holding escape sequences went raw to the terminal in `lesson list`."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    ok = (ROOT / "tests" / "fixtures" / "lessons" / "ok.md").read_text()
    (folder / "70-evil.md").write_text(ok.replace('title = "A broken lesson"',
                                                  'title = "Evil \\u001b]0;TITLE\\u0007\\u001b[2J title"'))
    result = tutor(tmp_path, "lesson", "list", "--lessons", str(folder))
    assert result.returncode == 0 and no_raw_controls(result.stdout, result.stderr)
    assert f"Evil {SHOWN} title" in result.stdout
    shown = tutor(tmp_path, "lesson", "show", str(folder / "70-evil.md"))
    assert shown.returncode == 0 and no_raw_controls(shown.stdout, shown.stderr) and SHOWN in shown.stdout


def test_var_values_are_echoed_with_their_controls_shown(tmp_path):
    """Fault: error and command lines that echo --var values printed escape sequences raw."""
    bad_pair = tutor(tmp_path, "do", "build", "--var", f"username{EVIL}")
    assert bad_pair.returncode == 2 and no_raw_controls(bad_pair.stderr)
    assert f"error: --var needs NAME=VALUE, got 'username{SHOWN}'" in bad_pair.stderr
    unknown = tutor(tmp_path, "lesson", "show", "--var", f"x{EVIL}=1")
    assert unknown.returncode == 2 and no_raw_controls(unknown.stderr) and f"x{SHOWN}" in unknown.stderr
    shown = tutor(tmp_path, "lesson", "show", "--var", f"username=a{EVIL}")
    assert shown.returncode == 0 and no_raw_controls(shown.stdout) and f"username=a{SHOWN}" in shown.stdout
    run = tutor(tmp_path, "do", "push", "--var", f"username=a{EVIL}", "--var", "registry=127.0.0.1:9")
    assert no_raw_controls(run.stdout, run.stderr) and "Traceback" not in run.stderr
    assert run.returncode in (1, 2) and SHOWN in run.stdout + run.stderr


def test_settings_values_with_escape_sequences_are_shown_as_text(tmp_path):
    """Fault: settings values (shown by the app and put in its commands) passed escapes through raw."""
    from tutor.session import Session
    from tutor.store import Settings

    path = settings_file(tmp_path, 'username = "a\\u001b]0;TITLE\\u0007"\n[node]\nhost = "ec2\\u001b[2J"\n')
    session = Session.open(LESSON, path, state_dir=tmp_path / "state")
    assert session.warnings == []
    assert session.settings.username == "a\\x1b]0;TITLE\\x07" and session.settings.node.host == "ec2\\x1b[2J"
    assert no_raw_controls(session.render("{username} {image_prefix}"), *session.values().values())
    # Typed or pasted in the app's settings screen: stored and used as visible text.
    assert session.save_settings(Settings(username=f"b{EVIL}", tag="v1\x07"))
    assert session.settings.username == f"b{SHOWN}" and session.settings.tag == "v1\\x07"
    assert no_raw_controls(path.read_text().encode().decode("unicode_escape"))
    shown = tutor(tmp_path, "lesson", "show")
    assert shown.returncode == 0 and no_raw_controls(shown.stdout, shown.stderr) and f"b{SHOWN}" in shown.stdout


def test_report_of_an_answer_with_escape_sequences(tmp_path):
    """Fault: a quiz answer holding escape sequences reached the terminal through `report`."""
    state = tmp_path / "state" / "docker-tutor"
    state.mkdir(parents=True)
    (state / f"progress-{LESSON}.json").write_text(json.dumps({
        "lesson": LESSON, "steps": {"build": {"status": "done", "at": 1764000000.0, "detail": f"built {EVIL}"}},
        "quiz": {"push-twice": [{"answer": f"it moves {EVIL}", "verdict": "correct", "score": 1.0,
                                 "at": 1764000000.0, "form": "text"}]}}))
    for fmt in ("md", "html"):
        result = tutor(tmp_path, "report", "--format", fmt)
        assert result.returncode == 0 and no_raw_controls(result.stdout, result.stderr)
        assert f"it moves {SHOWN}" in result.stdout
