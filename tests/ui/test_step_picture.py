"""The step text in the first frame from the picture the last start drew, and the Markdown widget
taking its place without a cell changing; a stale or corrupt picture is simply not used."""

from __future__ import annotations

import pytest

from tutor.app import TutorApp
from tutor.store import cache_dir
from tutor.widgets.step_text import StepText


class Watched(TutorApp):
    """Keeps the screen as it was when the step text first became readable."""

    readable_screen: list | None = None
    from_picture = False
    drawn = 0  # pictures the step text offered (the lesson screen keeps the last at quit)

    def on_step_text_readable(self) -> None:
        self.readable_screen = screen_rows(self)
        self.from_picture = self.lesson_screen().query_one(StepText).showing_picture

    def on_step_text_drawn(self) -> None:
        self.drawn += 1


def screen_rows(app) -> list[list[tuple[str, str]]]:
    return [[(s.text, str(s.style or "")) for s in strip] for strip in app.screen._compositor.render_strips()]


def above_footer(rows):
    # Textual's footer draws its keys just after the first frame (it waits for the screen's
    # bindings): the row under the action pane is the one thing that fills in afterwards.
    return rows[:-1]


def text_of(rows) -> str:
    return "\n".join("".join(text for text, _ in row) for row in rows)


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


async def start(open_session, size, keys=(), deadline=20.0) -> Watched:
    """Run until the Markdown widget has settled (and, unless it took over from a picture, offered
    its own picture, which is kept at quit), pressing *keys* once the text is readable. It waits on
    events, not a fixed time, so a slow machine only makes it take longer; then half a second more,
    in which nothing may move."""
    app = Watched(open_session(username="alice"))
    async with app.run_test(size=size) as pilot:
        offered, pressed = 0, False
        for _ in range(int(deadline / 0.05)):
            await pilot.pause(0.05)
            if app.readable_screen is None:
                continue
            if keys and not pressed:
                await pilot.press(*keys)
                offered, pressed = app.drawn, True
                continue
            took_over = app.from_picture and not pressed  # the swap offers no picture of its own
            if app.screen.query_one(StepText).settled and (app.drawn > offered or took_over):
                break
        await pilot.pause(0.5)
        text = app.screen.query_one(StepText)
        app.later_screen = screen_rows(app)
        app.picture_later = text.showing_picture
        app.markdown_later = any(markdown.display for markdown in text.query("#markdown"))
    return app


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_first_frame_paints_the_last_picture_and_the_swap_moves_nothing(open_session, size):
    first = await start(open_session, size)
    assert not first.from_picture  # nothing kept yet: the Markdown widget drew it, and it was kept
    assert (cache_dir() / "pictures" / "step.json").exists()
    again = await start(open_session, size)
    assert again.from_picture
    assert "Get an account on Docker Hub" in text_of(again.readable_screen)
    assert not again.picture_later and again.markdown_later  # a second later the Markdown widget is there ...
    assert above_footer(again.readable_screen) == above_footer(again.later_screen)  # ... and not a cell changed
    assert again.later_screen == first.later_screen


async def test_a_picture_of_another_size_is_not_used(open_session):
    await start(open_session, (120, 40))
    smaller = await start(open_session, (80, 24))
    assert not smaller.from_picture
    assert "Get an account on Docker Hub" in text_of(smaller.readable_screen)


@pytest.mark.parametrize("content", [b"{broken", b'{"key": 1}', b"\x00" * 64])
async def test_a_corrupt_picture_is_drawn_again(open_session, content):
    folder = cache_dir() / "pictures"
    folder.mkdir(parents=True)
    (folder / "step.json").write_bytes(content)
    app = await start(open_session, (80, 24))
    assert not app.from_picture
    assert "Get an account on Docker Hub" in text_of(app.later_screen)
    assert (folder / "step.json").read_bytes() != content  # replaced by the good one, whole


async def test_a_key_in_the_first_frame_shows_the_next_entry(open_session):
    await start(open_session, (80, 24))
    moved = await start(open_session, (80, 24), keys=("down",))
    assert moved.from_picture
    assert not moved.picture_later and moved.markdown_later
    assert "Get an account on Docker Hub" not in text_of(moved.later_screen)
