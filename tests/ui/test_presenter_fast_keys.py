"""Presenter mode: keys pressed right after a screen opens, before the key overlay has been drawn there."""

from __future__ import annotations

import pytest
from textual import events

from tutor.app import TutorApp
from tutor.screens.checklist import ChecklistScreen
from tutor.screens.settings import SettingsScreen
from tutor.widgets.key_echo import KeyEcho


@pytest.fixture(autouse=True)
def no_engine(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")


@pytest.mark.parametrize(("keys", "screen", "caption"), [
    ((("c", "c"), ("down", None), ("down", None)), ChecklistScreen, "c  ↓  ↓"),
    ((("s", "s"), ("tab", None), ("tab", None)), SettingsScreen, "s  Tab  Tab"),
])
async def test_keys_pressed_before_the_overlay_is_composed_do_not_crash(open_session, keys, screen, caption):
    app = TutorApp(open_session(username="alice", registry="127.0.0.1:9"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f2")
        # As a fast typist's terminal delivers them: one burst, with no pause for the screens to draw.
        for key, char in keys:
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, screen)  # the keys are shown on the screen they opened
        echo = app.screen.query_one(KeyEcho)
        assert echo.display and echo.query_one("#keys").content.endswith(caption)
