"""The selected part of the lesson as Markdown, with the learner's values filled in.

Textual's Markdown widget fills itself after the first frame whatever we do (it parses
in a thread and mounts its blocks later), so creating it after that frame keeps its
import (markdown-it, the code highlighter) off the start-up path.

So that the text is there in the first frame all the same, the screen may hand over a
picture: the rows this widget drew for the very same source at an earlier start (see
tutor/pictures.py, which keeps them). The widget paints those rows itself, over its whole
region, and creates the Markdown widget hidden SWAP_AFTER seconds later, or at once when
the learner scrolls or clicks or shows something else; once the Markdown widget has drawn
its blocks, it takes the picture's place in the same frame. Both draw the same cells, so
nothing moves or flickers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.widgets import Markdown

SWAP_AFTER = 0.5  # seconds after the first frame: the start-up's own work is done by then
PICTURE_AFTER = 0.3  # seconds after the Markdown widget has mounted its blocks

Row = list[tuple[str, str]]  # as tutor.pictures keeps them: text and Rich's style string


class StepText(VerticalScroll):
    class Readable(Message):
        """The text is on screen for the first time (from a picture or from the Markdown widget)."""

    class Drawn(Message):
        """The Markdown widget has drawn *source* from its top, unfocused and uncovered: these are
        the rows, for a picture the next start can paint (``rows`` matches ``show_picture``)."""

        def __init__(self, source: str, rows: list[Row], size: tuple[int, int]) -> None:
            super().__init__()
            self.source, self.rows, self.size = source, rows, size

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._source = ""
        # A scroll to the freshly opened hint waits for the Markdown widget's layout; until then
        # what is on screen is the old position (tests wait on this rather than on time).
        self.scroll_pending = False
        self._markdown: Markdown | None = None  # created after the first frame
        self._creating = False
        self._picture: list[Strip] | None = None  # painted until the Markdown widget has drawn
        self._picture_source = ""
        self._readable = False

    # --- the picture ----------------------------------------------------------------------

    @property
    def showing_picture(self) -> bool:
        return self._picture is not None

    def show_picture(self, rows: list[Row]) -> None:
        """Paint *rows* (a picture of the current source, drawn at an earlier start) until the
        Markdown widget is ready. Ignored once that widget exists."""
        if self._markdown is not None or self._creating or not rows:
            return
        parse = Style.parse  # cached by Rich: a picture has a dozen styles or so
        self._picture = [Strip([Segment(text, parse(style)) for text, style in row]) for row in rows]
        self._picture_source = self._source
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        picture = self._picture
        if picture is None or not self._fits(picture):
            return super().render_lines(crop)
        # The frame being drawn shows the text: readable once it is out (the message is handled
        # after this frame, not behind the callbacks queued for after it, the footer's rebuild first).
        self._now_readable()
        return [strip.crop(crop.x, crop.right) for strip in picture[crop.y:crop.bottom]]

    def _fits(self, picture: list[Strip]) -> bool:
        width, height = self.outer_size
        return len(picture) == height and all(strip.cell_length == width for strip in picture)

    def on_resize(self) -> None:
        if self._picture is not None and not self._fits(self._picture):
            self._drop_picture()

    def wake(self) -> None:
        """The learner did something (a key, the mouse): the real widget now, not in a moment."""
        if self._picture is not None:
            self._wake_markdown()

    def on_mouse_down(self) -> None:
        self.wake()

    def on_mouse_scroll_down(self) -> None:
        self.wake()

    def on_mouse_scroll_up(self) -> None:
        self.wake()

    def _drop_picture(self) -> None:
        """The Markdown widget in the picture's place (it shows the old text until it has the new)."""
        self._picture = None
        if self._markdown is not None:
            self._markdown.display = True
        self.refresh()
        self._wake_markdown()

    def _wake_markdown(self) -> None:
        if self._markdown is None and not self._creating:
            self.call_next(self._create_markdown)

    # --- the Markdown widget --------------------------------------------------------------

    def on_mount(self) -> None:
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        if self._picture is not None:
            self.set_timer(SWAP_AFTER, self.wake)
        else:
            self._wake_markdown()

    async def _create_markdown(self) -> None:
        if not self.is_attached or self._markdown is not None or self._creating:  # closed before its first frame
            return
        self._creating = True
        from textual.widgets import Markdown

        shown = self._source
        markdown = Markdown(shown, id="markdown")
        markdown.display = self._picture is None  # drawn behind the picture, shown when complete
        try:
            await self.mount(markdown)
        finally:
            self._creating = False
        self._markdown = markdown
        markdown.display = self._picture is None  # the picture may have gone while it was mounted
        if self._source != shown:  # the learner moved on while it was being mounted
            markdown.update(self._source)

    def on_markdown_table_of_contents_updated(self, event: Markdown.TableOfContentsUpdated) -> None:
        # The Markdown widget has mounted the blocks of its source (the message goes on to the app).
        markdown = self._markdown
        if markdown is None or event.markdown is not markdown:
            return
        if self._picture is not None and markdown.source == self._picture_source:
            self._picture = None  # the same frame draws the blocks where the picture was
            markdown.display = True
            self.refresh()
            self.call_after_refresh(self._now_readable)
            return
        if not self._readable:
            self.call_after_refresh(self._now_readable)
        # Its blocks are laid out over the next frames or so: the picture is taken once they are.
        self.set_timer(PICTURE_AFTER, lambda: self._offer_picture(markdown.source))

    def _now_readable(self) -> None:
        if not self._readable:
            self._readable = True
            self.post_message(self.Readable().set_sender(self))  # not the app, whatever runs this

    def _offer_picture(self, source: str) -> None:
        """The rows as they are on screen now, if they are what a start would show: this source
        from its top, nothing over it, not focused, no mouse on it (a hovered link looks different)."""
        if (self._markdown is None or self._picture is not None or source != self._source
                or self._markdown.source != source or self.scroll_y != 0 or self.has_focus or self.is_mouse_over
                or not self.screen.is_current or self.app._notifications):
            return
        region = self.region
        blocks = self._markdown.children
        if not region or region != self.screen.region.intersection(region) or not blocks or \
                not all(block.region or not block.display for block in blocks[:3]):
            return  # not all there yet
        strips = self.screen._compositor.render_strips()  # what the terminal shows, all layers
        rows = [[(segment.text, str(segment.style or "")) for segment in strip.crop(region.x, region.right)]
                for strip in strips[region.y:region.bottom]]
        self.post_message(self.Drawn(source, rows, self.app.size).set_sender(self))

    @property
    def source(self) -> str:
        return self._source

    @property
    def settled(self) -> bool:
        """The Markdown widget shows the current source where it will stay: no picture, nothing being
        mounted, no scroll waiting (snapshots wait on this rather than on time)."""
        markdown = self._markdown
        return (markdown is not None and bool(markdown.display) and self._picture is None and not self._creating
                and self._readable and markdown.source == self._source and not self.scroll_pending)

    def show(self, markdown: str, at_end: bool = False) -> None:
        """Show ``markdown`` from its top, or (``at_end``) from its last part, the one after its
        last horizontal rule (a freshly opened hint starts there), once it is laid out: the
        Markdown widget parses and mounts its blocks later, so scrolling at once would go to
        the old text (or nowhere)."""
        self._source = markdown
        if self._picture is not None and markdown != self._picture_source:
            self._drop_picture()
        if self._markdown is None:
            self.scroll_home(animate=False)
            return
        done = self._markdown.update(markdown)
        if not at_end:
            self.scroll_home(animate=False)
            return

        async def scroll_when_laid_out() -> None:
            await done
            if self._markdown is None:
                self.scroll_pending = False
                return
            rules = self._markdown.query("MarkdownHorizontalRule")
            if rules:
                self.call_after_refresh(self._scroll_to_last_part, rules.last())
            else:
                self.call_after_refresh(self._scroll_to_last_part, None)

        self.scroll_pending = True
        self.call_next(scroll_when_laid_out)

    def _scroll_to_last_part(self, rule: Widget | None) -> None:
        if rule is None:
            self.scroll_end(animate=False)
        else:
            self.scroll_to_widget(rule, top=True, animate=False)
        self.scroll_pending = False
