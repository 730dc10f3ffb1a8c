"""The selected part of the lesson as Markdown, with the learner's values filled in.

Textual's Markdown widget fills itself after the first frame whatever we do (it parses
in a thread and mounts its blocks later), so the first frame has an empty text area
anyway. Creating the widget after that frame as well keeps its import (markdown-it,
the code highlighter) off the start-up path: the first screen appears sooner and the
text appears when it always did.
"""

from __future__ import annotations

from textual.containers import VerticalScroll


class StepText(VerticalScroll):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._source = ""
        self._markdown = None

    def on_mount(self) -> None:
        self.call_after_refresh(self._create_markdown)

    def _create_markdown(self) -> None:
        if not self.is_attached:  # closed before the first frame
            return
        from textual.widgets import Markdown

        self._markdown = Markdown(self._source, id="markdown")
        self.mount(self._markdown)

    @property
    def source(self) -> str:
        return self._source

    def show(self, markdown: str) -> None:
        self._source = markdown
        if self._markdown is not None:
            self._markdown.update(markdown)
        self.scroll_home(animate=False)
