"""Textual's Markdown, with code blocks that suit a lesson: commands wrap, other code scrolls.

A long `docker build -t ...` must be read (and copied) whole, so shell blocks wrap. YAML,
expected output and other code keep their lines, since wrapping would change what they say,
and scroll sideways under a visible scrollbar instead of being cut at the edge.
Imported with the step text's first fill, after the first frame (Markdown is heavy).
"""

from __future__ import annotations

from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownFence

SHELL = {"bash", "sh", "shell", "console", "zsh"}


class LessonFence(MarkdownFence):
    def __init__(self, markdown: Markdown, token, code: str) -> None:
        super().__init__(markdown, token, code)
        language = (token.info or "").split()[0].lower() if (token.info or "").strip() else ""
        self.add_class("-shell" if language in SHELL else "-code")


class LessonMarkdown(Markdown):
    BLOCKS = {**Markdown.BLOCKS, "fence": LessonFence, "code_block": LessonFence}
