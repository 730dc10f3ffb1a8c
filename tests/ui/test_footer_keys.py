"""The lesson and checklist footers at 80 columns: every key they show is whole (^q Quit and the
palette key too), with following on or lost; keys that would do nothing are not shown."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from tutor.app import TutorApp
from tutor.screens.checklist import ChecklistScreen
from tutor.screens.settings import SettingsScreen
from tests.ui.test_checklist_screen import row_texts


@pytest.fixture
def app_factory(open_session, monkeypatch, tmp_path):
    # Following on, against an engine that is not there: the footer really shows "f Docker ✘".
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")

    def make(follow: bool = False, **settings) -> TutorApp:
        monkeypatch.setenv("DOCKER_TUTOR_FOLLOW", "1" if follow else "0")
        settings.setdefault("username", "alice")
        settings.setdefault("registry", "127.0.0.1:9")
        return TutorApp(open_session(**settings))

    return make


async def _until(pilot, condition) -> None:
    for _ in range(300):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out waiting")


async def _redrawn(pilot) -> None:
    """The footer recomposes after the bindings change: wait (a little) until it shows them all."""
    for _ in range(40):
        row = footer_row(pilot.app)
        if row.rstrip().endswith("^p palette") and all(label in row for label in footer_labels(pilot.app)):
            return
        await pilot.pause(0.05)


def footer_row(app) -> str:
    return app.screen._compositor.render_strips()[-1].text


def footer_labels(app) -> list[str]:
    """The footer's entries as drawn: key, a space, the description (one per action, its first key)."""
    labels: dict[str, str] = {}
    for active in app.screen.active_bindings.values():
        if active.binding.show and active.enabled:
            key = app.get_key_display(active.binding)
            labels.setdefault(active.binding.action, f"{key} {active.binding.description}")
    return list(labels.values())


def unreadable(app) -> list[str]:
    row = footer_row(app)
    assert row.rstrip().endswith("^p palette"), row
    return [label for label in footer_labels(app) if label not in row]


def shown_keys(app) -> set[str]:
    return {key for key, active in app.screen.active_bindings.items() if active.binding.show and active.enabled}


@pytest.mark.parametrize("follow", [False, True], ids=["following-off", "following-lost"])
async def test_every_key_in_the_lesson_footer_is_whole_at_80_columns(app_factory, follow):
    app = app_factory(follow=follow)
    async with app.run_test(size=(80, 24)) as pilot:
        lesson = app.screen
        if follow:
            await _until(pilot, lambda: app.follow_state == "lost")
        for step in ("account", "login", "build", "push"):
            lesson.goto("step", step)
            await _redrawn(pilot)
            labels = footer_labels(app)
            assert "^q Quit" in labels and "s Settings" in labels
            assert ("f Docker ✘" in labels) == follow
            assert not unreadable(app), (step, footer_row(app))
        # The longest: a step with commands, a check and hints (r, v and h), following lost.
        assert {"r", "v", "h"} <= shown_keys(app)


async def test_r_and_v_are_shown_only_where_they_do_something(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        lesson = app.screen
        shown = {}
        for step in ("account", "login", "build"):
            lesson.goto("step", step)
            await pilot.pause()
            shown[step] = shown_keys(app) & {"r", "v"}
        assert shown == {"account": set(), "login": {"r"}, "build": {"r", "v"}}
        lesson.goto("concept", app.session.lesson.concepts[0].id)
        await pilot.pause()
        assert not shown_keys(app) & {"r", "v", "h"}  # a concept has nothing to run, check or hint
        lesson.goto("step", "account")
        await pilot.pause()
        await pilot.press("r", "v")  # not in the footer, and nothing starts either
        await pilot.pause()
        assert not lesson.running() and lesson.query_one("#outline").status("step", "account") == "todo"


async def test_s_on_the_checklist_opens_the_settings_and_comes_back(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await _until(pilot, lambda: isinstance(app.screen, ChecklistScreen))
        checklist = app.screen
        await _redrawn(pilot)
        assert "s Settings" in footer_labels(app) and not unreadable(app), footer_row(app)
        await pilot.press("s")
        await _until(pilot, lambda: isinstance(app.screen, SettingsScreen))
        await pilot.press("escape")
        await _until(pilot, lambda: app.screen is checklist)
        assert "127.0.0.1:9" in row_texts(app)

        # New settings saved there: the list is drawn and checked again for them.
        await pilot.press("s")
        await _until(pilot, lambda: isinstance(app.screen, SettingsScreen))
        app.session.save_settings(replace(app.session.settings, registry="127.0.0.1:10"))
        await pilot.press("escape")
        await _until(pilot, lambda: app.screen is checklist)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "127.0.0.1:10" in row_texts(app) and not re.search(r"127\.0\.0\.1:9(?!\d)", row_texts(app))


async def test_presenter_mode_footer_is_whole_and_z_and_s_still_work(app_factory):
    from tutor.screens.quiz import QuizScreen

    app = app_factory(follow=True)
    async with app.run_test(size=(80, 24)) as pilot:
        lesson = app.screen
        await _until(pilot, lambda: app.follow_state == "lost")
        lesson.goto("step", "push")
        await pilot.press("f2")
        await _redrawn(pilot)
        labels = footer_labels(app)
        assert {"f2 Presenter", "^q Quit", "f Docker ✘", "r Run"} <= set(labels), labels
        assert not unreadable(app), footer_row(app)
        assert "z Quiz" not in labels and "s Settings" not in labels  # their room goes to f2 ...
        await pilot.press("z")  # ... their keys still work
        await _until(pilot, lambda: isinstance(app.screen, QuizScreen))
        await pilot.press("escape")
        await _until(pilot, lambda: app.screen is lesson)
        await pilot.press("s")
        await _until(pilot, lambda: isinstance(app.screen, SettingsScreen))
