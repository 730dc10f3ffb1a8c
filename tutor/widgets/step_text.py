"""The selected part of the lesson as Markdown, with the learner's values filled in.

Textual's Markdown widget fills itself after the first frame whatever we do (it parses
in a thread and mounts its blocks later), so the first frame has an empty text area
anyway. Creating the widget after that frame as well keeps its import (markdown-it,
the code highlighter) off the start-up path: the first screen appears sooner and the
text appears when it always did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import VerticalScroll

if TYPE_CHECKING:
    from textual.widgets import Markdown


class StepText(VerticalScroll):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._source = ""
        self._markdown: Markdown | None = None  # created after the first frame

    def on_mount(self) -> None:
        self.call_after_refresh(self._create_markdown)

    async def _create_markdown(self) -> None:
        if not self.is_attached:  # closed before its first frame
            return
        from textual.widgets import Markdown

        shown = self._source
        markdown = Markdown(shown, id="markdown")
        await self.mount(markdown)
        self._markdown = markdown
        if self._source != shown:  # the learner moved on while it was being mounted
            markdown.update(self._source)

    @property
    def source(self) -> str:
        return self._source

    def show(self, markdown: str, at_end: bool = False) -> None:
        """Show ``markdown`` from its top, or (``at_end``) from its last part, the one after its
        last horizontal rule (a freshly opened hint starts there), once it is laid out: the
        Markdown widget parses and mounts its blocks later, so scrolling at once would go to
        the old text (or nowhere)."""
        self._source = markdown
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
                return
            rules = self._markdown.query("MarkdownHorizontalRule")
            if rules:
                self.call_after_refresh(self.scroll_to_widget, rules.last(), top=True, animate=False)
            else:
                self.call_after_refresh(self.scroll_end, animate=False)

        self.call_next(scroll_when_laid_out)
