"""The lesson screen at 80x24: what a learner needs is on the screen, or one key away, and every mark is true.

The screen is read as a plain terminal capture would read it (the compositor's strips as text),
so a line cut at the edge or below the fold fails here as it fails for the learner.
"""

from __future__ import annotations

import re

import pytest
from textual.widgets import Markdown, ProgressBar

from tutor import hints
from tutor.app import TutorApp
from tutor.docker_ops import events as ev
from tutor.docker_ops.recording import Recording
from tutor.messages import StepEvent
from tutor.screens.lesson import LessonScreen
from tutor.store import Settings
from tutor.widgets.action_pane import ActionPane
from tutor.widgets.layer_bars import LayerBars
from tutor.widgets.outline import Outline
from tutor.widgets.step_text import StepText
from tutor.widgets.wrapping_log import CONTINUED, WrappingLog
from tests.ui.learner import offered

SMALL = (80, 24)
LONG_PROJECT = "/home/learner/courses/kubernetes/projects/poll-app-with-a-long-folder-name"


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def words_of(text: str) -> list[str]:
    return re.findall(r"[\w./:@-]{3,}", text)


def on_screen(app, text: str) -> list[str]:
    """The words of ``text`` that cannot be found in the screen's text (folded lines joined)."""
    joined = " ".join(line.strip().removeprefix(CONTINUED.strip()) for line in screen_lines(app))
    flat = re.sub(r"\s+", " ", joined)
    squashed = flat.replace(" ", "")
    return [w for w in words_of(text) if w not in flat and w not in squashed]


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


@pytest.fixture
def no_engine(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")


def feed(screen: LessonScreen, step_id: str, events) -> None:
    for event in events:
        screen.post_message(StepEvent(step_id, event))


# --- 5: results and advice are readable -----------------------------------------------------------


async def test_a_failed_push_shows_its_whole_advice_at_80x24(open_session):
    app = TutorApp(open_session(username="learner", registry="127.0.0.1:5157", project_dir=LONG_PROJECT))
    async with app.run_test(size=SMALL) as pilot:
        screen = app.screen
        screen.goto("step", "push")
        await pilot.pause()
        pane = screen.query_one(ActionPane)
        first, second = pane.commands
        failure = hints.hint("login_rejected", registry="127.0.0.1:5157", username="learner",
                             detail="unauthorized: incorrect username or password")
        feed(screen, "push", [ev.CommandLine(first)] + [ev.LayerProgress(f"layer{n}", "pushing", 5, 10)
                                                        for n in range(3)] + [ev.Failed(failure)])
        await settle(pilot)
        assert pane.state == "failed"
        missing = on_screen(app, f"{failure.what} {failure.next_step}")
        assert not missing, f"cut off at 80x24: {missing}\n" + "\n".join(screen_lines(app))
        assert not on_screen(app, "Docker said: unauthorized: incorrect username or password")
        assert not on_screen(app, f"{first} {second}"), "both commands are listed whole"


async def test_the_longest_hint_is_readable_in_the_full_pane(open_session):
    app = TutorApp(open_session(username="learner", registry="127.0.0.1:5157"))
    longest = max(hints.CATALOGUE, key=lambda code: len("".join(hints.CATALOGUE[code])))
    hint = hints.hint(longest, registry="127.0.0.1:5157", username="learner", ref="127.0.0.1:5157/learner/app:v1")
    async with app.run_test(size=SMALL) as pilot:
        screen = app.screen
        screen.goto("step", "push")
        await pilot.pause()
        pane = screen.query_one(ActionPane)
        feed(screen, "push", [ev.CommandLine(pane.commands[0]), ev.Output(tuple(f"line {n}" for n in range(50))),
                              ev.Failed(hint)])
        await settle(pilot)
        await pilot.press("m")
        await pilot.pause()
        assert screen.maximized is pane
        missing = on_screen(app, f"{hint.what} {hint.next_step}")
        assert not missing, "\n".join(screen_lines(app))
        assert "`" not in "\n".join(screen_lines(app)), "commands in hints are shown as code, not raw backticks"
        await pilot.press("m")
        await pilot.pause()
        assert screen.maximized is None


async def test_long_output_lines_fold_instead_of_being_cut(open_session):
    app = TutorApp(open_session(username="learner"))
    line = "Step 3/4 : RUN " + " ".join(f"word{n}" for n in range(40)) + " END-OF-LINE"
    async with app.run_test(size=SMALL) as pilot:
        screen = app.screen
        screen.goto("step", "build")
        await pilot.pause()
        feed(screen, "build", [ev.CommandLine(screen.query_one(ActionPane).commands[0]), ev.Output((line,))])
        await settle(pilot)
        log = screen.query_one(WrappingLog)
        assert log.raw_lines[-1] == line
        assert len(log.lines) > 1 and all(len(row) <= log.scrollable_content_region.width for row in log.lines)
        assert not on_screen(app, line)


# --- 6: commands wrap in the text and in the pane, and can be copied whole ------------------------------


async def test_long_commands_wrap_in_the_step_text_and_are_copied_whole(open_session):
    app = TutorApp(open_session(username="learner", registry="127.0.0.1:5157", project_dir=LONG_PROJECT))
    async with app.run_test(size=SMALL) as pilot:
        screen = app.screen
        screen.goto("step", "build")
        await pilot.pause()
        await pilot.pause()
        commands = screen.query_one(ActionPane).commands
        assert len(commands) == 2 and all(LONG_PROJECT in c for c in commands)
        assert not on_screen(app, " ".join(commands)), "\n".join(screen_lines(app))
        copied = []
        app.copy_to_clipboard = copied.append
        await pilot.press("y")
        assert copied == ["\n".join(commands)]
        # The clipboard is the terminal's to set: the toast does not promise more than was done.
        [said] = [str(n.message) for n in app._notifications]
        assert said.startswith("Copied 2 commands to the clipboard.") and "If pasting gives nothing" in said


# --- 7: tables, outline labels and toasts -----------------------------------------------------------------


@pytest.mark.parametrize("size", [SMALL, (100, 30)])
async def test_concept_tables_are_not_cut_to_ellipses(open_session, size):
    app = TutorApp(open_session(username="learner"))
    async with app.run_test(size=size) as pilot:
        for concept in app.session.lesson.concepts:
            app.screen.goto("concept", concept.id)
            for _ in range(3):
                await pilot.pause()
            text = app.screen.query_one(StepText)
            while True:
                assert "…" not in "\n".join(screen_lines(app)), (concept.id, screen_lines(app))
                if text.scroll_y >= text.max_scroll_y:
                    break
                text.scroll_page_down(animate=False)
                await pilot.pause()


async def test_every_outline_title_is_shown_whole(open_session):
    app = TutorApp(open_session(username="learner"))
    async with app.run_test(size=SMALL) as pilot:
        outline = app.screen.query_one(Outline)
        seen = []
        for entry in outline.entries():
            outline.select_entry(entry.kind, entry.id)
            await pilot.pause()
            seen.append((entry, on_screen(app, entry.title.replace("`", ""))))
        cut = [(entry.title, missing) for entry, missing in seen if missing]
        assert not cut


async def test_toasts_do_not_cover_the_result(open_session):
    app = TutorApp(open_session(username="learner"))
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = app.screen
        screen.goto("step", "build")
        await pilot.pause()
        feed(screen, "build", [ev.CommandLine(screen.query_one(ActionPane).commands[0]),
                               ev.Failed(hints.hint("engine_unreachable", host="unix:///x"))])
        await settle(pilot)
        app.notify("A note the learner reads later", timeout=30)
        await pilot.pause()
        await pilot.pause()
        result = screen.query_one("#result-area").region
        toasts = [toast.region for toast in app.screen.query("Toast")]
        assert toasts and not any(result.overlaps(toast) for toast in toasts)


# --- 8: focus is visible, and page keys on the outline scroll the text -------------------------------


async def test_focus_is_visible_and_page_down_on_the_outline_scrolls_the_text(open_session):
    app = TutorApp(open_session(username="learner"))
    async with app.run_test(size=SMALL) as pilot:
        screen = app.screen
        screen.goto("concept", "image-layers")
        await pilot.pause()
        await pilot.pause()
        outline, text = screen.query_one(Outline), screen.query_one(StepText)
        assert outline.has_focus
        unfocused = screen_lines(app)
        await pilot.press("pagedown")
        await pilot.pause()
        assert outline.has_focus and text.scroll_y > 0, "page down reads on without moving the focus"
        await pilot.press("tab")
        await pilot.pause()
        assert text.has_focus
        assert screen_lines(app) != unfocused
        assert text.styles.border_left[0] != "blank", "the focused text has a visible edge"


async def test_the_first_screen_highlights_the_entry_it_shows(open_session):
    app = TutorApp(open_session(username="learner"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        outline = app.screen.query_one(Outline)
        assert outline.current_entry == app.screen.current
        assert app.screen.current.kind == "step"


# --- 9: a result belongs to the commands it ran --------------------------------------------------------


async def test_after_a_settings_change_the_old_run_and_mark_do_not_pass_for_the_new_commands(open_session):
    app = TutorApp(open_session(username="alice", registry="127.0.0.1:5157"))
    async with app.run_test(size=SMALL) as pilot:
        screen, session = app.screen, app.session
        step = session.lesson.step("build")
        screen.goto("step", "build")
        await pilot.pause()
        old = session.step_commands(step)
        run = Recording(planned=old)
        for event in (ev.CommandLine(old[0]), ev.Output(("built for alice",)), ev.Succeeded("Built alice's backend"),
                      ev.CommandLine(old[1]), ev.Succeeded("Built alice's frontend")):
            run.add(event)
        session.record_step(step, "done", "Built both for alice")
        run.finish(dict(session.progress.steps["build"]))
        screen._runs["build"] = run
        screen.reload()
        await pilot.pause()
        pane = screen.query_one(ActionPane)
        assert "Built alice's frontend" in pane.result_text  # the same commands: the run is shown again

        session.save_settings(Settings(username="bob", registry="127.0.0.1:5157", project_dir="~/poll-app"))
        screen.reload()
        await pilot.pause()
        assert screen.query_one(Outline).status("step", "build") == "stale"
        assert all("bob" in command for command in pane.commands)
        assert "Built alice" not in pane.result_text and "built for alice" not in pane.log_lines
        assert "other names" in pane.result_text and old[0] in pane.result_text


async def test_a_failed_re_run_un_ticks_a_done_step(open_session, no_engine):
    app = TutorApp(open_session(username="alice", project_dir="/nonexistent-project"))
    async with app.run_test(size=SMALL) as pilot:
        screen = app.screen
        screen.goto("step", "build")
        await pilot.press("d")
        await pilot.pause()
        outline = screen.query_one(Outline)
        assert outline.status("step", "build") == "done"
        await pilot.press("r")
        await settle(pilot)
        assert screen.query_one(ActionPane).state == "failed"
        assert outline.status("step", "build") == "failed"
        assert app.session.progress.step_status("build") == "failed"


# --- 10: layer bars and logs of a two-command step ------------------------------------------------------


async def test_each_push_lists_only_its_own_layers_and_bars_stop_after_a_failure(open_session):
    app = TutorApp(open_session(username="learner"))
    async with app.run_test(size=SMALL) as pilot:
        screen = app.screen
        screen.goto("step", "push")
        await pilot.pause()
        pane = screen.query_one(ActionPane)
        backend, frontend = pane.commands
        feed(screen, "push", [ev.CommandLine(backend), ev.Output(tuple(f"backend line {n}" for n in range(300)))]
             + [ev.LayerProgress(layer, "pushed", 10, 10) for layer in ("base", "app", "config")]
             + [ev.Succeeded("Pushed the backend: 3 of 3 layers"), ev.CommandLine(frontend),
                ev.LayerProgress("base", "exists"), ev.LayerProgress("web", "pushing", 3, 10),
                ev.Output(("frontend line",))])
        await settle(pilot)
        layers = screen.query_one(LayerBars)
        assert set(layers.layer_states) == {"base", "web"}
        log = screen.query_one(WrappingLog)
        assert log.is_vertical_scroll_end and "frontend line" in screen_lines(app)[-5:][0] + "".join(screen_lines(app))
        assert f"$ {frontend}" in log.raw_lines, "the log says whose output follows"

        feed(screen, "push", [ev.Failed(hints.hint("unknown", detail="connection reset"))])
        await settle(pilot)
        assert layers.layer_states["web"] == "Stopped"
        assert all(bar.total is not None for bar in layers.query(ProgressBar)), "no bar left animating"
        assert "Pushed the backend" in pane.result_text and "connection reset" in pane.result_text


# --- 12: Verify items check on r and v, and show what the checklist found ----------------------------------


async def test_verify_items_are_checked_by_r_and_show_the_checklists_result(open_session, no_engine):
    app = TutorApp(open_session(username="learner", registry="127.0.0.1:9"))
    async with app.run_test(size=SMALL) as pilot:
        screen, outline = app.screen, app.screen.query_one(Outline)
        screen.goto("verify", "local")
        await pilot.press("r")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert not any("Pick a step" in m for m in messages)
        assert outline.status("verify", "local") in ("failed", "error")
        assert screen.query_one(ActionPane).result_text

        assert outline.status("verify", "hub") == "todo"
        app.session.progress.set_check("images-on-hub", "passed", "Both images are on the registry.")
        screen.reload()
        await pilot.pause()
        assert outline.status("verify", "hub") == "passed", "the checklist proved it, so the item is ticked"


# --- 17: the palette and the settings form ---------------------------------------------------------------


async def test_palette_offers_next_and_previous_step(open_session):
    app = TutorApp(open_session(username="learner"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        titles = {command.title: command for command in offered(app)}
        assert {"Next step", "Previous step", "Full pane"} <= set(titles)
        app.screen.goto("step", "login")
        titles["Next step"].callback()
        await pilot.pause()
        assert app.screen.current.id == "build"


async def test_the_empty_project_folder_does_not_claim_a_folder(open_session):
    from textual.widgets import Input

    app = TutorApp(open_session(username=""))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        field = app.screen.query_one("#project_dir", Input)
        assert field.value == "" or field.value == "~/poll-app"
        assert "sample app" in field.placeholder


async def test_a_markdown_widget_reads_the_rendered_title(open_session):
    app = TutorApp(open_session(username="learner", registry="127.0.0.1:5157"))
    async with app.run_test(size=SMALL) as pilot:
        app.screen.goto("step", "login")
        for _ in range(3):
            await pilot.pause()
        source = app.screen.query_one("#markdown", Markdown).source
        assert "{" not in source.splitlines()[0], source.splitlines()[0]


# --- found by walking the milestone at 80x24 ---------------------------------------------------------------


async def test_a_new_run_starts_on_a_clean_pane(open_session, no_engine):
    app = TutorApp(open_session(username="alice", project_dir="/nonexistent-project"))
    async with app.run_test(size=SMALL) as pilot:
        screen = app.screen
        screen.goto("step", "build")
        await pilot.pause()
        pane = screen.query_one(ActionPane)
        commands = pane.commands
        await pilot.press("r")
        await settle(pilot)
        first = pane.result_text
        await pilot.press("r")
        await settle(pilot)
        assert pane.commands == commands, "a re-run lists the step's commands once, not again below"
        assert pane.result_text == first, "the earlier run's result is gone from under the new run"


async def test_a_short_result_leaves_the_text_its_room(open_session):
    app = TutorApp(open_session(username="alice"))
    async with app.run_test(size=SMALL) as pilot:
        screen = app.screen
        screen.goto("step", "build")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        pane = screen.query_one(ActionPane)
        assert "Marked done" in pane.result_text
        assert pane.region.height <= len(pane.commands) * 2 + 3, pane.region


async def test_settings_change_unticks_checks_made_for_other_images(open_session):
    app = TutorApp(open_session(username="alice", registry="127.0.0.1:5157"))
    async with app.run_test(size=SMALL) as pilot:
        screen, session = app.screen, app.session
        hub_item = session.lesson.verify_item("hub")
        session.record_verify(hub_item, "passed", "Both images are on the registry.")
        images = session.lesson.checklist_item("images-on-hub").probe.images(session.values())
        session.progress.set_check("images-on-hub", "passed", "Both there.", {"images": {ref: {} for ref in images}})
        session.record_step(session.lesson.step("verify-hub"), "done", "Checked.")
        screen.reload()
        await pilot.pause()
        outline = screen.query_one(Outline)
        assert outline.status("verify", "hub") == "passed"
        assert outline.status("checklist", "images-on-hub") == "passed"
        assert outline.status("step", "verify-hub") == "done"

        session.save_settings(Settings(username="bob", registry="127.0.0.1:5157", project_dir="~/poll-app"))
        screen.reload()
        await pilot.pause()
        assert outline.status("verify", "hub") == "todo", "alice's images being there says nothing of bob's"
        assert outline.status("checklist", "images-on-hub") == "todo"
        assert outline.status("step", "verify-hub") == "stale"


async def test_esc_goes_back_to_the_outline_and_leaves_the_full_pane(open_session):
    app = TutorApp(open_session(username="alice"))
    async with app.run_test(size=SMALL) as pilot:
        screen = app.screen
        screen.goto("step", "build")
        await pilot.press("tab")
        await pilot.pause()
        assert not screen.query_one(Outline).has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert screen.query_one(Outline).has_focus
        await pilot.press("m")
        await pilot.pause()
        assert screen.maximized is not None
        assert screen.focused is not None and screen.maximized in screen.focused.ancestors_with_self, \
            "in the full pane the keys scroll the pane, not the outline hidden behind it"
        await pilot.press("escape")
        await pilot.pause()
        assert screen.maximized is None and screen.query_one(Outline).has_focus


async def test_a_step_with_nothing_to_run_does_not_claim_a_browser(open_session):
    app = TutorApp(open_session(username="alice", registry="127.0.0.1:5157"))
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = app.screen
        for step_id in ("account", "verify-hub"):
            screen.goto("step", step_id)
            await pilot.pause()
            pane = screen.query_one(ActionPane)
            assert not any("browser" in command for command in pane.commands), (step_id, pane.commands)
            assert "browser" not in str(pane.border_title)
        assert "v" in str(pane.border_title), "the registry's check is offered where there is no page to open"


async def test_palette_titles_are_rendered_and_name_no_ids(open_session):
    app = TutorApp(open_session(username="alice", registry="127.0.0.1:5157"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        commands = list(offered(app))
        assert not [c.title for c in commands if "{" in c.title]
        assert not [c.help for c in commands if "Step id" in c.help]


async def test_a_step_done_for_my_names_stays_done_after_a_failed_try_with_other_names(open_session, no_engine):
    app = TutorApp(open_session(username="learner", project_dir="/nonexistent-project"))
    async with app.run_test(size=SMALL) as pilot:
        screen, session = app.screen, app.session
        step = session.lesson.step("build")
        session.record_step(step, "done", "Built both for learner")
        session.save_settings(Settings(username="someoneelse", project_dir="/nonexistent-project"))
        screen.reload()
        screen.goto("step", "build")
        await pilot.press("r")  # fails: no engine
        await settle(pilot)
        assert screen.query_one(Outline).status("step", "build") == "failed"
        session.save_settings(Settings(username="learner", project_dir="/nonexistent-project"))
        screen.reload()
        await pilot.pause()
        assert screen.query_one(Outline).status("step", "build") == "done", "learner's build still stands"
        assert "Built both for learner" in screen.query_one(ActionPane).result_text


async def test_a_check_that_could_not_look_says_so_not_failed(open_session, no_engine):
    """The registry does not answer: the check could not tell, which is not a failure of the learner's push."""
    from tests.fixtures.services import free_port

    registry = f"127.0.0.1:{free_port()}"
    app = TutorApp(open_session(username="learner", registry=registry))
    async with app.run_test(size=SMALL) as pilot:
        screen = app.screen
        screen.goto("step", "verify-hub")
        await pilot.pause()
        await pilot.press("v")
        await settle(pilot)
        pane = screen.query_one(ActionPane)
        assert pane.state == "unknown" and str(pane.border_title) == "Could not check"
        assert pane.has_class("-unknown") and not pane.has_class("-failed")
        assert pane.result_text.startswith("? ") and "Next:" in pane.result_text
        assert any("Could not check" in line for line in screen_lines(app))
        # What failed, in words and whole at 80x24, with the next step (not httpx's "All connection attempts failed").
        assert not on_screen(app, f"{registry} refused the connection: no registry is listening at that address. "
                                  "Next: Start the registry, or correct its host and port in the settings")
        assert "All connection attempts failed" not in pane.result_text
        screen.goto("verify", "hub")  # the Verify item shows the saved result the same way
        await pilot.pause()
        assert pane.state == "unknown" and pane.result_text.startswith("? ")
