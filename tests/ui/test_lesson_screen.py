"""Pilot tests of the lesson screen that need no docker engine."""

from __future__ import annotations

import json

from textual.widgets import Markdown

from tutor.app import TutorApp
from tutor.screens.lesson import LessonScreen
from tutor.screens.settings import SettingsScreen
from tutor.widgets.action_pane import ActionPane
from tutor.widgets.outline import Outline


def markdown_text(app) -> str:
    return app.screen.query_one("#markdown", Markdown).source


async def test_first_run_asks_for_username_and_fills_commands(learner_home, open_session):
    session = open_session(username="")
    app = TutorApp(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        await pilot.click("#username")
        await pilot.press(*"Bad_Name")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen), "an invalid username must not be saved"
        app.screen.query_one("#username").value = "alice"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        app.screen.goto("step", "build")
        await pilot.pause()
        assert "docker build -t alice/poll-backend:v1" in markdown_text(app)
        # Step 1 says what happened: the username was asked for at the start, and s changes it.
        app.screen.goto("step", "account")
        await pilot.pause()
        text = " ".join(markdown_text(app).split())
        assert "The tutor asked for this username when it first started" in text
        assert "enter the username in the tutor's settings" not in text
        assert "change it in the settings (press **s**)" in text
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen) and app.screen.query_one("#username").value == "alice"
    saved = (learner_home / "settings.toml").read_text()
    assert 'username = "alice"' in saved


async def test_a_path_typed_into_the_tag_is_refused_with_words_about_the_tag(open_session):
    # A folder typed into the wrong field: the refusal must name the character at fault, not a
    # name like 'app:/tmp/poll' made up around it ("'app:' contains ':'; a tag comes once ...").
    app = TutorApp(open_session(username="alice"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.action_settings()
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        app.screen.query_one("#tag").value = "/tmp/poll-app"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen), "an invalid tag must not be saved"
        said = " ".join(str(n.message) for n in app._notifications)
        assert "'/tmp/poll-app' is not a valid tag" in said and "'/' is not allowed" in said
        assert "app:" not in said


async def test_fields_without_a_label_say_what_they_hold_once_filled(open_session):
    # Filled, a field loses its placeholder: "ubuntu" beside "2222" must still say user and port.
    from tutor.store import NodeSettings

    app = TutorApp(open_session(username="alice", registry="127.0.0.1:5000",
                                node=NodeSettings(host="node.example", user="ubuntu", port=2222,
                                                  identity="~/.ssh/k3s.pem")))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.action_settings()
        await pilot.pause()
        titles = {field: str(app.screen.query_one(f"#{field}").border_title)
                  for field in ("registry-custom", "node-user", "node-port", "node-identity")}
        assert titles == {"registry-custom": "registry host", "node-user": "SSH user", "node-port": "SSH port",
                          "node-identity": "SSH private key file"}


async def test_hints_open_one_at_a_time_and_are_saved(learner_home, open_session):
    app = TutorApp(open_session(username="alice"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen.goto("step", "login")
        await pilot.pause()
        assert "Hint 1" not in markdown_text(app)
        await pilot.press("h")
        await pilot.pause()
        assert "Hint 1" in markdown_text(app) and "Hint 2" not in markdown_text(app)
    progress = json.loads((learner_home / "state" / "progress-push-to-registry.json").read_text())
    assert progress["hints"]["login"] == 1


async def test_manual_step_marked_done_and_resumed_after_restart(open_session):
    app = TutorApp(open_session(username="alice"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        outline = app.screen.query_one(Outline)
        app.screen.goto("step", "account")
        await pilot.pause()
        assert app.screen.query_one(ActionPane).state == "manual"
        await pilot.press("d")
        await pilot.pause()
        assert outline.status("step", "account") == "done"
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.current.id == "login"

    again = TutorApp(open_session())
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = again.screen
        assert screen.query_one(Outline).status("step", "account") == "done"
        assert screen.current.id == "login", "the tutor resumes where the learner left off"


async def test_next_on_the_last_step_says_where_to_go_instead_of_doing_nothing(open_session):
    app = TutorApp(open_session(username="alice"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        last = app.session.lesson.steps[-1].id
        app.screen.goto("step", last)
        await pilot.pause()
        app.clear_notifications()
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.current.id == last
        said = [str(n.message) for n in app._notifications]
        assert said == ["That was the last step. Next: the quiz (z), then the checklist (c)."]


async def test_an_unanswered_checklist_item_is_not_marked_skipped_in_the_outline(open_session):
    # The checklist saves a quiz item nobody answered as "skipped"; the checklist screen says "not
    # answered" (·), and the outline must not show it as a step skipped with k (↷).
    session = open_session(username="alice")
    session.progress.set_check("naming", "skipped", "Not answered yet.", {"question": "explain-naming"})
    session.progress.set_check("node-can-pull", "skipped", "No k3s node is set.", {})
    session.save_progress()
    app = TutorApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        outline = app.screen.query_one(Outline)
        assert outline.status("checklist", "naming") == "unanswered"
        assert outline.status("checklist", "node-can-pull") == "skipped"  # a real skip keeps its mark
        app.screen.goto("checklist", "naming")
        await pilot.pause()
        assert "State: **not answered**: Not answered yet." in markdown_text(app)
        app.screen.goto("checklist", "node-can-pull")
        await pilot.pause()
        assert "State: **skipped**: No k3s node is set." in markdown_text(app)


async def test_a_failed_verify_item_keeps_its_next_step_when_the_learner_comes_back(open_session):
    # The live check says the reason and "Next: ..."; coming back to the item showed the reason alone.
    from tests.ui.learner import screen_text

    session = open_session(username="alice")
    node = next(v for v in session.lesson.verify if v.id == "node")
    session.record_verify(node, "error", "The node ubuntu@node.example did not answer within 10 seconds.",
                          "Check the address and that the security group allows SSH from your IP.")
    app = TutorApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.goto("verify", "node")
        await pilot.pause()
        shown = " ".join(screen_text(app).split())
        # An error is a check that could not look: marked '?' under 'Could not check', not as failed.
        assert "? The node ubuntu@node.example did not answer within 10 seconds." in shown
        assert "Could not check" in shown
        assert "Next: Check the address and that the security group allows SSH" in shown


async def test_corrupt_progress_file_is_set_aside_with_a_warning(learner_home, open_session):
    open_session(username="alice")
    progress_file = learner_home / "state" / "progress-push-to-registry.json"
    progress_file.write_text("{ not json")
    app = TutorApp(open_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        messages = [n.message for n in app._notifications]
        assert any("start afresh" in m for m in messages)
    assert list((learner_home / "state").glob("progress-push-to-registry.json.corrupt-*"))


async def test_a_lesson_mistake_is_shown_as_the_steps_failure_not_a_crash(learner_home, open_session):
    from tests.ui.conftest import write_settings
    from tests.unit.test_runbook import BROKEN
    from tutor.session import Session

    folder = learner_home / "lessons"
    folder.mkdir()
    (folder / "01-broken-actions.md").write_text(BROKEN)
    session = Session.open("broken-actions", write_settings(learner_home, username="alice"), (str(folder),),
                           state_dir=learner_home / "state")
    app = TutorApp(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen.goto("step", "run-it")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        pane = app.screen.query_one(ActionPane)
        assert pane.state == "failed"
        assert "publish 'abc' is not a port mapping" in pane.result_text
        assert "docker-tutor lint" in pane.result_text
        assert not app.screen.running()  # nothing was started


async def test_outline_titles_use_the_learners_values_and_follow_settings(open_session):
    from tutor.store import Settings

    app = TutorApp(open_session(username="alice"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        outline = app.screen.query_one(Outline)
        title = next(e.title for e in outline.entries("quiz") if e.id == "explain-naming")
        assert "ghcr.io/alice/poll-backend" in title and "{username}" not in title
        app.session.save_settings(Settings(username="bob", project_dir="~/poll-app"))
        app.screen.reload()
        await pilot.pause()
        title = next(e.title for e in outline.entries("quiz") if e.id == "explain-naming")
        assert "ghcr.io/bob/poll-backend" in title


async def test_the_follow_box_says_why_this_run_does_not_follow(open_session, monkeypatch):
    # The box is the saved choice; with DOCKER_TUTOR_FOLLOW=0 the run does not follow, and the form says so.
    from textual.widgets import Checkbox

    for switched_off in (True, False):
        monkeypatch.setenv("DOCKER_TUTOR_FOLLOW", "0" if switched_off else "1")
        monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        app = TutorApp(open_session(username="alice"))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.screen.action_settings()
            await pilot.pause()
            assert isinstance(app.screen, SettingsScreen)
            assert app.screen.query_one("#follow", Checkbox).value  # the saved setting, on
            notes = app.screen.query("#follow-off")
            assert bool(notes) == switched_off
            if switched_off:
                assert "DOCKER_TUTOR_FOLLOW=0" in str(notes.first().render())
                notes.first().scroll_visible(animate=False)
                await pilot.pause()
                assert notes.first().region.height >= 1  # on screen at 80x24, the form scrolled to it
