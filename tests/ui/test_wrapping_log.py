"""The action pane's log: lines measured and folded as they are written, and a growing log
that never lays the screen out again (a build's 100,000 lines must leave room for keys)."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Static

from tutor.widgets.wrapping_log import WrappingLog


class OneLog(App):
    CSS = "WrappingLog { height: 1fr; }"

    def compose(self):
        yield Static("above")
        yield WrappingLog(max_lines=100)


async def test_a_longer_log_is_repainted_and_its_scrollbar_follows_without_a_layout():
    app = OneLog()
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        log = app.query_one(WrappingLog)
        log.write_lines([f"line {n}" for n in range(80)])
        # Textual's Log asks for a layout of the whole screen here (its virtual size changed).
        assert not log._layout_required and not app.screen._layout_required
        assert log.virtual_size.height == 80 and log.vertical_scrollbar.window_virtual_size == 80
        await pilot.pause()
        assert log.is_vertical_scroll_end and log.max_scroll_y == 80 - log.scrollable_content_region.height


async def test_a_line_with_tabs_is_folded_at_its_drawn_width_and_measured_by_it():
    app = OneLog()
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        log = app.query_one(WrappingLog)
        width = log.scrollable_content_region.width
        line = "\t".join(["col"] * 12)  # 47 characters, 91 cells once the tabs are expanded
        assert len(line) <= width < len(line.expandtabs())
        log.write_lines([line, "short"])
        await pilot.pause()
        assert len(log.lines) > 2 and all(len(row.expandtabs()) <= width for row in log.lines)
        assert log.virtual_size.width <= width  # no horizontal scrolling for a folded line
        assert log.raw_lines == [line, "short"]


async def test_rows_kept_between_frames_are_drawn_again_in_a_new_style():
    app = OneLog()
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        log = app.query_one(WrappingLog)
        log.write_lines([f"line {n}" for n in range(5)])
        await pilot.pause()
        before = log.render_line(0)
        assert log.render_line(0) is before  # kept: the same row is not laid out again
        log.styles.color = "red"
        await pilot.pause()
        after = log.render_line(0)
        assert after is not before and after.text == before.text
        assert after != before  # drawn in the new colour
