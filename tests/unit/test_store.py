from __future__ import annotations

import json
import os

from tutor.store import NodeSettings, Progress, ProgressStore, Settings, atomic_write, load_settings, save_settings


def test_settings_round_trip(tmp_path):
    path = tmp_path / "cfg" / "settings.toml"
    settings = Settings(username="alice", registry="ghcr.io", tag="v2",
                        node=NodeSettings(host="ec2-1", user="ubuntu", port=2222, identity="~/.ssh/k.pem"))
    save_settings(settings, path)
    loaded = load_settings(path)
    assert loaded.warning == ""
    assert loaded.value == settings
    assert "password" not in path.read_text().lower().replace("no password or token", "")


def test_settings_corrupt_file_is_moved_aside(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("username = [unclosed")
    loaded = load_settings(path)
    assert loaded.value == Settings()
    assert "moved to" in loaded.warning
    assert not path.exists()
    assert len(list(tmp_path.glob("settings.toml.corrupt-*"))) == 1


def test_variables_fill_project_dir_with_sample_app():
    variables = Settings(username="bob").variables()
    assert variables["username"] == "bob"
    assert variables["project_dir"].endswith("sample-app")


def test_progress_saved_and_resumed(tmp_path):
    store = ProgressStore(tmp_path)
    progress = store.load("push").value
    progress.set_step("login", "done")
    progress.add_attempt("push-twice", "the tag moves", "correct", 1.0)
    progress.open_hint("login")
    progress.set_check("images-on-hub", "passed", "public", {"digest": "sha256:ab"})
    store.save(progress)
    again = store.load("push")
    assert again.warning == ""
    assert again.value == progress
    assert again.value.step_status("login") == "done"
    assert again.value.step_status("build") == "todo"
    assert again.value.last_attempt("push-twice")["verdict"] == "correct"


def test_corrupt_progress_is_moved_aside_with_a_warning(tmp_path):
    store = ProgressStore(tmp_path)
    store.path("push").write_text('{"lesson": "push", "steps": ')
    loaded = store.load("push")
    assert loaded.value == Progress("push")
    assert "start afresh" in loaded.warning
    assert list(tmp_path.glob("progress-push.json.corrupt-*"))


def test_atomic_write_leaves_old_file_when_interrupted(tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    atomic_write(path, json.dumps({"a": 1}))

    def boom(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    try:
        atomic_write(path, json.dumps({"a": 2}))
    except OSError:
        pass
    assert json.loads(path.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["p.json"]


def test_progress_of_the_wrong_shape_is_treated_as_corrupt(tmp_path):
    store = ProgressStore(tmp_path)
    store.path("push").write_text(json.dumps({"lesson": "push", "steps": {"login": "done"}}))
    loaded = store.load("push")
    assert loaded.value == Progress("push")
    assert "wrong shape" in loaded.warning


def test_two_corrupt_files_in_one_second_keep_both_backups(tmp_path):
    store = ProgressStore(tmp_path)
    for text in ("[1]", "[1, 2]"):
        store.path("push").write_text(text)
        store.load("push")
    kept = sorted(p.read_text() for p in tmp_path.glob("progress-push.json.corrupt-*"))
    assert kept == ["[1, 2]", "[1]"]


def test_unreadable_settings_path_is_a_warning_not_a_crash(tmp_path):
    loaded = load_settings(tmp_path)  # a folder, not a file
    assert loaded.value == Settings()
    assert "cannot be read" in loaded.warning


def test_read_only_load_leaves_a_corrupt_settings_file_in_place(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("username = [")
    loaded = load_settings(path, repair=False)
    assert loaded.warning and path.exists()


# --- two tutors, one progress file (tutor/progress_merge.py) ---------------------------------------


def _two(tmp_path):
    """Two stores on one folder, as two tutor processes have; both loaded the same file."""
    first, second = ProgressStore(tmp_path), ProgressStore(tmp_path)
    return first, first.load("push").value, second, second.load("push").value


def test_a_save_merges_what_another_store_saved_since_record_by_record(tmp_path):
    first, mine, second, theirs = _two(tmp_path)
    theirs.set_step("build", "done", "built")
    theirs.set_check("naming", "passed", "names fit")
    theirs.add_attempt("push-twice", "the tag moves", "correct", 1.0)
    second.save(theirs)
    mine.set_step("login", "done", "Login Succeeded")
    mine.open_hint("login")
    first.save(mine)  # holds nothing of the other's records in memory before this
    saved = ProgressStore(tmp_path).load("push").value
    assert saved.step_status("build") == "done" and saved.step_status("login") == "done"
    assert saved.checklist["naming"]["status"] == "passed" and saved.hints == {"login": 1}
    assert saved.last_attempt("push-twice")["answer"] == "the tag moves"
    assert mine == saved  # the saving store's copy holds them too


def test_a_record_both_changed_goes_to_the_newer(tmp_path):
    first, mine, second, theirs = _two(tmp_path)
    mine.set_step("build", "failed", "mine, earlier")
    theirs.set_step("build", "done", "theirs, later")
    mine.steps["build"]["at"] -= 5
    second.save(theirs)
    first.save(mine)
    assert ProgressStore(tmp_path).load("push").value.steps["build"]["detail"] == "theirs, later"


def test_a_step_reset_in_one_store_stays_reset_when_the_other_saves(tmp_path):
    setup = ProgressStore(tmp_path)
    progress = setup.load("push").value
    progress.set_step("build", "done")
    progress.open_hint("build")
    setup.save(progress)
    first, mine, second, theirs = _two(tmp_path)
    stale = ProgressStore(tmp_path)
    copy = stale.load("push").value
    theirs.reset_step("build")
    second.save(theirs)
    mine.set_step("login", "done")  # still holds build done and its hint
    first.save(mine)
    saved = ProgressStore(tmp_path).load("push").value
    assert saved.step_status("build") == "todo" and "build" not in saved.hints
    assert saved.step_status("login") == "done"
    # ...and a record a third one changed before the reset, unseen by it, does not come back either
    copy.steps["build"] = {"status": "failed", "at": saved.resets["build"] - 1, "detail": "before the reset"}
    stale.save(copy)
    saved = ProgressStore(tmp_path).load("push").value
    assert saved.step_status("build") == "todo" and saved.step_status("login") == "done"


def test_a_lesson_reset_stays_a_reset_and_later_records_are_kept(tmp_path):
    setup = ProgressStore(tmp_path)
    progress = setup.load("push").value
    progress.set_step("build", "done")
    progress.add_attempt("push-twice", "the tag moves", "correct", 1.0)
    progress.set_check("naming", "passed")
    progress.open_hint("build")
    setup.save(progress)
    first, mine, second, theirs = _two(tmp_path)
    theirs.reset_all()
    second.save(theirs)
    mine.set_step("login", "done")  # after the reset, in the process that never saw it
    first.save(mine)
    saved = ProgressStore(tmp_path).load("push").value
    assert list(saved.steps) == ["login"] and saved.quiz == {} and saved.checklist == {} and saved.hints == {}
    assert saved.reset_at is not None


def test_refresh_takes_in_the_other_stores_records_without_writing(tmp_path):
    first, mine, second, theirs = _two(tmp_path)
    assert first.refresh(mine) is False  # nothing changed: a stat, no read
    theirs.set_step("build", "done")
    second.save(theirs)
    before = first.path("push").stat().st_mtime_ns
    assert first.refresh(mine) is True and mine.step_status("build") == "done"
    assert first.path("push").stat().st_mtime_ns == before
    assert first.refresh(mine) is False


def test_a_file_changed_to_nonsense_meanwhile_is_kept_aside_and_ours_written(tmp_path):
    first, mine, _second, _theirs = _two(tmp_path)
    mine.set_step("build", "done")
    first.save(mine)
    first.path("push").write_text("{ broken by hand")
    mine.set_step("login", "done")
    first.save(mine)
    assert ProgressStore(tmp_path).load("push").value.step_status("build") == "done"
    assert [p.read_text() for p in tmp_path.glob("progress-push.json.corrupt-*")] == ["{ broken by hand"]


def test_records_a_save_merged_in_still_tell_the_next_refresh_that_marks_changed(tmp_path):
    # The app's own save (a hint, its position) can be the one that takes in a record `do`
    # saved meanwhile; the lesson screen's next look must still redraw the outline's marks.
    from tests.ui.conftest import write_settings
    from tutor.session import Session

    settings = write_settings(tmp_path, username="alice")
    app = Session.open(config=settings, state_dir=tmp_path / "state")
    other = Session.open(config=settings, state_dir=tmp_path / "state")
    assert app.refresh_progress() is False
    other.record_step(other.lesson.step("account"), "done", "in another terminal")
    app.progress.open_hint("login")
    assert app.save_progress()
    assert app.progress.step_status("account") == "done"
    assert app.refresh_progress() is True  # the merge happened in the save, not in this look
    assert app.refresh_progress() is False  # and is told once
