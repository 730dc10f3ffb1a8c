"""The step text's Markdown widget is created after the first frame; nothing shown meanwhile is lost."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Markdown

from tutor.widgets.step_text import StepText


class Holder(App):
    def compose(self):
        yield StepText()

    def on_mount(self) -> None:
        self.query_one(StepText).show("# One\n\nBefore the first frame.")


async def _settled(pilot) -> Markdown:
    for _ in range(50):
        await pilot.pause()
        found = pilot.app.query("#markdown")
        if found:
            await pilot.pause()
            return found.first(Markdown)
    raise AssertionError("the Markdown widget was never created")


async def test_text_shown_before_the_first_frame_appears():
    app = Holder()
    async with app.run_test(size=(60, 12)) as pilot:
        markdown = await _settled(pilot)
        assert markdown.source.startswith("# One")
        assert app.query_one(StepText).source == markdown.source
        app.query_one(StepText).show("# Three")
        await pilot.pause()
        assert markdown.source == "# Three"


async def test_a_move_while_the_widget_is_mounted_wins(monkeypatch):
    mount = StepText.mount

    def mount_then_move(self, *widgets, **kwargs):
        awaitable = mount(self, *widgets, **kwargs)
        self.show("# Two\n\nThe learner moved on meanwhile.")
        return awaitable

    monkeypatch.setattr(StepText, "mount", mount_then_move)
    app = Holder()
    async with app.run_test(size=(60, 12)) as pilot:
        markdown = await _settled(pilot)
        await pilot.pause()
        assert markdown.source.startswith("# Two")
