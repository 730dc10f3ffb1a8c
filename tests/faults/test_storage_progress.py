"""Faults in the learner's saved state: a progress file we cannot read, saves killed with
SIGKILL, progress and settings files of the wrong shape or nested thousands deep.

Each test injects the fault for real (file modes enforced on root by dropping the
capabilities that let root ignore them, real SIGKILLs, real files) and runs the real
commands, then checks the message, the exit status and the files on disk.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tutor.atomic_files import TEMP_MAX_AGE
from tutor.progress import Progress
from tutor.store import ProgressStore

ROOT = Path(__file__).resolve().parents[2]
TUTOR = [str(ROOT / ".venv" / "bin" / "docker-tutor")] if (ROOT / ".venv" / "bin" / "docker-tutor").exists() \
    else [sys.executable, "-m", "tutor"]
LESSON = "push-to-registry"
# Root reads and writes whatever the file modes say; without these two capabilities it obeys them
# like any learner does, so "permission denied" is the kernel's own answer, not a simulation.
AS_A_LEARNER = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.update(HOME=str(tmp / "home"), XDG_CONFIG_HOME=str(tmp / "config"), XDG_STATE_HOME=str(tmp / "state"),
               XDG_CACHE_HOME=str(tmp / "cache"), XDG_DATA_HOME=str(tmp / "data"), COLUMNS="100")
    (tmp / "home").mkdir(exist_ok=True)
    return env


def tutor(tmp: Path, *args: str, unprivileged: bool = False) -> subprocess.CompletedProcess:
    prefix = AS_A_LEARNER if unprivileged and os.geteuid() == 0 else []
    return subprocess.run([*prefix, *TUTOR, *args], env=_env(tmp), capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def _needs_permissions() -> None:
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file modes cannot be made to apply")


def state_file(tmp: Path) -> Path:
    folder = tmp / "state" / "docker-tutor"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"progress-{LESSON}.json"


SAVED = {"lesson": LESSON, "position": "step:login", "hints": {"login": 2}, "checklist": {},
         "steps": {"login": {"status": "done", "at": 1764000000.0, "detail": "Login Succeeded"},
                   "build": {"status": "done", "at": 1764000100.0, "detail": "built"}},
         "quiz": {"push-twice": [{"answer": "the tag moves to the new image", "verdict": "correct", "score": 1.0,
                                  "at": 1764000200.0, "form": "text"}]}}


def no_temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".tmp")]


# --- a progress file that cannot be read is never overwritten --------------------------------------


@pytest.mark.parametrize("command", [["do", "account", "--var", "username=alice"], ["check", "--item", "naming"]])
def test_unreadable_progress_is_left_alone_and_the_command_works_on(tmp_path, command):
    """Fault: the progress file exists but reading it is denied (e.g. left by `sudo docker-tutor`)."""
    _needs_permissions()
    path = state_file(tmp_path)
    path.write_text(json.dumps(SAVED))
    before = path.read_bytes()
    path.chmod(0)
    result = tutor(tmp_path, *command, unprivileged=True)
    path.chmod(0o600)
    assert "Traceback" not in result.stderr
    assert f"{path} cannot be read (Permission denied)" in result.stderr
    assert "nothing is saved over it" in result.stderr
    assert "make the file readable" in result.stderr.lower()
    assert path.read_bytes() == before  # the learner's steps and answers are all still there
    assert no_temp_files(path.parent) == []
    if command[0] == "do":
        assert result.returncode == 0  # the step itself still ran
        assert "Progress could not be saved" in result.stderr and "is left as it is" in result.stderr
    else:
        assert result.returncode in (0, 1) and "naming" in result.stdout  # the checklist was still checked
        assert "the results could not be saved" in result.stderr


def test_a_folder_where_the_progress_file_belongs_keeps_the_session_working_in_memory(tmp_path):
    """Fault: something unreadable (a folder) sits where the progress file goes; the app's session
    keeps every change in memory, says so once, and never touches what is there."""
    from tutor.session import Session

    path = state_file(tmp_path)
    path.mkdir()
    (path / "keep").write_text("not ours")
    session = Session.open(LESSON, tmp_path / "settings.toml", state_dir=path.parent)
    assert any("cannot be read" in w and "nothing is saved over it" in w for w in session.warnings)
    said: list[str] = []
    session.on_save_error = said.append
    step = session.lesson.step("account")
    session.record_step(step, "done")
    session.record_step(session.lesson.step("login"), "done")
    assert session.progress.step_status("account") == "done" and session.progress.step_status("login") == "done"
    assert len(said) == 1 and "is left as it is" in said[0]  # said once, not at every change
    assert path.is_dir() and (path / "keep").read_text() == "not ours"
    assert no_temp_files(path.parent) == []


# --- kill -9 in the middle of saving -----------------------------------------------------------------


def _version(n: int) -> Progress:
    # Big enough (about 1 MB) that a write torn by the kill would show, and that writing it takes
    # long enough for the test to see the temporary file and kill the saver while it exists.
    progress = Progress(LESSON, position=f"v{n}")
    progress.steps = {f"step-{i}": {"status": "done", "at": float(n), "detail": "x" * 3000} for i in range(300)}
    return progress


def _saver(folder: Path, start: int, ready: int) -> None:
    """The child: load (as every tutor does first), announce itself, then save new versions until
    it is killed. Its own saves leave the file as it last wrote it, so none of them merges."""
    store = ProgressStore(folder)
    store.load(LESSON, repair=False)
    os.write(ready, b"!")
    n = start
    while True:
        store.save(_version(n))
        n += 1


def test_kill_9_while_saving_200_times_never_leaves_a_broken_file_and_leftovers_go_at_the_next_start(tmp_path):
    """Fault: the process is SIGKILLed in the middle of saving progress, 200 times in a row."""
    store = ProgressStore(tmp_path)
    store.save(_version(0))
    shown, rng, leftovers = 0, random.Random(4), set()
    for attempt in range(200):
        ready_r, ready_w = os.pipe()
        pid = os.fork()  # a warm child: 200 interpreter start-ups would cost a minute
        if pid == 0:
            try:
                os.close(ready_r)
                _saver(tmp_path, shown + 1, ready_w)
            finally:
                os._exit(0)
        os.close(ready_w)
        assert os.read(ready_r, 1) == b"!"
        os.close(ready_r)
        if attempt % 2:
            # Half the kills land as soon as a new temporary file is there: inside a save, on any
            # machine (random moments alone may all fall before the first save's write).
            known, deadline = set(no_temp_files(tmp_path)), time.monotonic() + 0.5
            while set(no_temp_files(tmp_path)) <= known and time.monotonic() < deadline:
                pass
        else:
            time.sleep(rng.uniform(0, 0.006))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        loaded = ProgressStore(tmp_path).load(LESSON, repair=False)
        assert loaded.warning == ""  # whole, valid JSON of the right shape: never empty or torn
        n = int(loaded.value.position[1:])
        assert n >= shown and all(s["at"] == n for s in loaded.value.steps.values())  # one version, whole
        assert len(loaded.value.steps) == 300
        shown = n
        leftovers.update(no_temp_files(tmp_path))
    assert len(leftovers) >= 20, f"only {len(leftovers)} SIGKILLs landed inside a save: too few to test anything"
    # Later: the leftovers are old. Another tutor's save in flight right now must be spared,
    # and files that are not ours (even with a similar name) are never touched.
    old = time.time() - TEMP_MAX_AGE - 5
    for path in no_temp_files(tmp_path):
        os.utime(path, (old, old))
    fd, in_flight = tempfile.mkstemp(prefix=f".progress-{LESSON}.json.", suffix=".tmp", dir=tmp_path)
    os.close(fd)
    foreign = [tmp_path / ".notes.txt.abcdefgh.tmp", tmp_path / "progress-backup.tmp"]
    for path in foreign:
        path.write_text("someone else's")
        os.utime(path, (old, old))
    before = store.path(LESSON).read_bytes()

    from tutor.session import Session

    session = Session.open(LESSON, tmp_path / "settings.toml", state_dir=tmp_path)
    remaining = no_temp_files(tmp_path)
    assert sorted(remaining) == sorted([Path(in_flight), *foreign])
    assert store.path(LESSON).read_bytes() == before
    assert session.progress.position == f"v{shown}"


# --- shapes and depths that used to end in a traceback ----------------------------------------------


def test_report_of_a_progress_file_with_lists_where_objects_belong(tmp_path):
    """Fault: hand-edited progress whose records have the wrong types (report: TypeError unhashable)."""
    path = state_file(tmp_path)
    bad = {**SAVED, "steps": {"build": {"status": ["done"], "at": 1}},
           "checklist": {"naming": {"status": {"x": 1}, "evidence": [1]}}}
    path.write_text(json.dumps(bad))
    before = path.read_bytes()
    result = tutor(tmp_path, "report")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert f"warning: Your progress file {path} could not be read ('steps' entry 'build' has a 'status'" \
        in result.stderr
    assert "# Self-assessment" in result.stdout and "not started" in result.stdout
    assert path.read_bytes() == before  # report only reads


DEEP = "[" * 4000 + "]" * 4000


@pytest.mark.parametrize("command", [["report"], ["check", "--item", "naming"], ["lesson", "show"],
                                     ["do", "build", "--var", "username=alice"]])
def test_progress_and_settings_nested_thousands_deep(tmp_path, command):
    """Fault: a progress JSON and a settings TOML of 4000 nested brackets (RecursionError)."""
    progress = state_file(tmp_path)
    progress.write_text(f'{{"lesson": "{LESSON}", "steps": {DEEP}}}')
    settings = tmp_path / "config" / "docker-tutor" / "settings.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text(f"username = {DEEP}\n")
    if command[0] == "do":  # an engine is not needed to get as far as the fault
        command = [*command, "--var", f"project_dir={tmp_path}/nowhere"]
    result = tutor(tmp_path, *command)
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    assert result.returncode in (0, 1)
    if command[0] != "report":  # report reads the settings only for the lesson's values
        assert f"Settings file {settings} could not be read (it is nested too deeply" in result.stderr
    if command[0] in ("report", "check"):
        assert f"progress file {progress} could not be read (it is nested too deeply" in result.stderr \
            or "progress file could not be read (it is nested too deeply" in result.stderr
    if command[0] == "do":
        assert "✘" in result.stdout and "next:" in result.stdout  # the build failed with a hint, not a crash


def test_check_with_a_node_host_that_is_a_number(tmp_path):
    """Fault: settings.toml says host = 5 (no quotes): check used to fail with TypeError."""
    settings = tmp_path / "config" / "docker-tutor" / "settings.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text('username = "alice"\n[node]\nhost = 5\nuser = "ubuntu"\n')
    result = tutor(tmp_path, "check", "--item", "naming")
    assert "Traceback" not in result.stderr and result.returncode in (0, 1)
    assert f"Settings file {settings} could not be read ('node.host' must be text in quotes, not a number)" \
        in result.stderr
    assert "naming" in result.stdout
    assert settings.read_text().startswith('username = "alice"')  # check repairs nothing


# --- two tutors at once: the app and `do`, `check` or `watch` in another terminal -------------------

def _settings(tmp: Path) -> Path:
    path = tmp / "config" / "docker-tutor" / "settings.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('username = "alice"\nfollow = false\n')
    return path


def _session(tmp: Path):
    from tutor.session import Session

    return Session.open(LESSON, _settings(tmp), state_dir=state_file(tmp).parent)


# A second tutor process that changes progress through the same session code as the app.
_OTHER = """
import sys
from pathlib import Path
from tutor.session import Session
session = Session.open({lesson!r}, {settings!r}, state_dir=Path({folder!r}))
for word in sys.argv[1:]:
    what, _, step = word.partition(":")
    if what == "reset-lesson":
        session.reset_lesson()
    elif what == "reset":
        session.progress.reset_step(step)
        session.save_progress()
    elif what == "wait":  # loaded: say so, and go on when told
        print("loaded", flush=True)
        sys.stdin.readline()
    elif what == "hint":
        session.progress.open_hint(step)
        session.save_progress()
    else:
        session.record_step(session.lesson.step(step), what, "from the other process")
"""


def other_process(tmp: Path, *words: str) -> None:
    script = _OTHER.format(lesson=LESSON, settings=str(_settings(tmp)), folder=str(state_file(tmp).parent))
    done = subprocess.run([sys.executable, "-c", script, *words], env=_env(tmp), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_apps_save_keeps_what_do_and_check_saved_in_another_terminal(tmp_path):
    """Fault: two tutor processes share the progress file; the one holding older records saves last."""
    session = _session(tmp_path)
    session.record_step(session.lesson.step("login"), "done", "Login Succeeded")
    session.progress.add_attempt("explain-naming", "registry, username, repository and tag", "correct", 1.0)
    session.save_progress()  # `check` judges the naming item by this answer, read from the file
    for command in (["do", "account", "--var", "username=alice"], ["check", "--item", "naming"]):
        done = tutor(tmp_path, *command)
        assert "Traceback" not in done.stderr and done.returncode in (0, 1), done.stderr
    on_disk = json.loads(state_file(tmp_path).read_text())
    assert on_disk["steps"]["account"]["status"] == "done" and on_disk["checklist"]["naming"]["status"] == "passed"
    assert "account" not in session.progress.steps  # this session's copy is the older one now
    session.progress.open_hint("login")  # h in the app: a save
    assert session.save_progress()
    saved = json.loads(state_file(tmp_path).read_text())
    assert saved["steps"]["account"]["status"] == "done"  # do's record
    assert saved["checklist"]["naming"] == on_disk["checklist"]["naming"]  # check's record, as it wrote it
    assert saved["steps"]["login"]["detail"] == "Login Succeeded" and saved["hints"] == {"login": 1}  # ours
    assert session.progress.step_status("account") == "done"  # and the app's copy holds them now


def test_a_reset_in_another_process_is_not_undone_by_a_save_here(tmp_path):
    session = _session(tmp_path)
    for step in ("account", "login", "build"):
        session.record_step(session.lesson.step(step), "done")
    session.progress.open_hint("build")
    session.save_progress()
    other_process(tmp_path, "reset:build")
    session.record_step(session.lesson.step("push"), "failed", "denied")  # still holds build done
    saved = json.loads(state_file(tmp_path).read_text())
    assert sorted(saved["steps"]) == ["account", "login", "push"] and "build" not in saved["hints"]
    other_process(tmp_path, "reset-lesson")
    session.progress.open_hint("push")  # the app never saw the reset; its next save comes after it
    session.save_progress()
    saved = json.loads(state_file(tmp_path).read_text())
    assert saved["steps"] == {} and saved["hints"] == {"push": 1} and saved["reset_at"]
    assert session.progress.steps == {}  # the app's marks say so too


def test_a_reset_here_is_not_undone_by_the_other_process_saving_later(tmp_path):
    session = _session(tmp_path)
    session.record_step(session.lesson.step("build"), "done")
    session.progress.open_hint("build")
    session.save_progress()
    script = _OTHER.format(lesson=LESSON, settings=str(_settings(tmp_path)), folder=str(state_file(tmp_path).parent))
    # The other tutor loads now (build done), waits for our reset, then saves a record of its own.
    slow = subprocess.Popen([sys.executable, "-c", script, "wait", "done:push"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(tmp_path), text=True)
    assert slow.stdout.readline() == "loaded\n"
    session.progress.reset_step("build")
    session.save_progress()
    _out, err = slow.communicate("go\n", timeout=60)
    assert slow.returncode == 0, err
    saved = json.loads(state_file(tmp_path).read_text())
    assert sorted(saved["steps"]) == ["push"] and saved["hints"] == {}


def _writer(folder: Path, name: str, count: int, start: float) -> None:
    store = ProgressStore(folder)
    progress = store.load(LESSON).value
    while time.time() < start:
        pass
    for n in range(count):
        progress.set_step(f"{name}-{n}", "done")
        store.save(progress)


def test_two_processes_saving_at_the_same_moments_lose_no_record(tmp_path):
    """Fault: two tutors save in the same milliseconds, 40 times each; the folder lock makes them take turns."""
    start, children = time.time() + 0.3, []
    for name in ("app", "watch"):
        pid = os.fork()
        if pid == 0:
            try:
                _writer(tmp_path, name, 40, start)
            finally:
                os._exit(0)
        children.append(pid)
    for pid in children:
        assert os.waitpid(pid, 0)[1] == 0
    saved = ProgressStore(tmp_path).load(LESSON).value
    assert sorted(saved.steps) == sorted(f"{name}-{n}" for name in ("app", "watch") for n in range(40))
    assert no_temp_files(tmp_path) == []
