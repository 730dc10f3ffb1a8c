"""The action pane's log is mounted just after the first frame; output that comes earlier is kept in order."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Log

from tutor.docker_ops import events as ev
from tutor.widgets.action_pane import ActionPane


class Early(App):
    """Feeds the pane before its first frame, when the log is not mounted yet."""

    def compose(self):
        yield ActionPane()

    def on_mount(self) -> None:
        pane = self.query_one(ActionPane)
        self.log_was_mounted = pane.query("#output").first().is_mounted if pane.query("#output") else False
        pane.show_event(ev.Output(("from an earlier action",)))
        pane.show_command("docker build -t alice/poll-backend:v1 backend")
        pane.show_event(ev.Output(("Step 1/3", "Step 2/3")))
        pane.show_event(ev.Notice("the cache was used"))


async def test_output_before_the_log_is_mounted_arrives_in_order_and_a_new_command_clears_it():
    app = Early()
    async with app.run_test(size=(80, 20)) as pilot:
        for _ in range(20):
            await pilot.pause()
            if app.query("#output"):
                break
        await pilot.pause()
        assert app.log_was_mounted is False  # the case under test really happened
        assert list(app.query_one("#output", Log).lines) == ["Step 1/3", "Step 2/3", "note: the cache was used"]


class Bare(App):
    def compose(self):
        yield ActionPane()


async def test_a_build_gets_the_log_room_at_its_start_and_a_run_that_printed_nothing_gives_it_back():
    app = Bare()
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        pane = app.query_one(ActionPane)
        pane.show_command("docker build -t alice/app:v1 .", state="running", output=True)
        await pilot.pause()
        assert pane.has_class("-output")  # before the first line: no layout waits for it in the stream
        pane.show_event(ev.Succeeded("built"))
        assert not pane.has_class("-output")  # nothing was printed: the pane is as small as before
        pane.show_command("docker build -t alice/app:v1 .", state="running", output=True)
        pane.show_event(ev.Output(("Step 1/3",)))
        pane.show_event(ev.Succeeded("built"))
        assert pane.has_class("-output") and pane.log_lines == ["Step 1/3"]
        pane.show_command("docker push alice/app:v1", state="running")
        assert not pane.has_class("-output")
