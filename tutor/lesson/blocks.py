"""Top-level Markdown blocks with their source line ranges, from markdown-it-py tokens.

The lesson parser works on these: headings and fenced blocks carry structure, task
lists carry choices and checklist items, and everything else is prose that is kept as
the author wrote it (sliced from the source by line range) for the app to render.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_BOX = re.compile(r"^\[([ xX])\]\s*")


@dataclass
class Block:
    type: str  # "heading", "fence", "list" or "prose"
    start: int  # 0-based first line
    end: int  # 0-based line after the block
    level: int = 0  # heading level
    text: str = ""  # heading text (inline Markdown)
    info: str = ""  # fence info string
    content: str = ""  # fence content
    items: list[tuple[int, int]] = field(default_factory=list)  # list item line ranges

    @property
    def line(self) -> int:
        return self.start + 1


@dataclass
class Item:
    """One list entry: its text with the marker and checkbox taken off."""

    line: int
    lines: list[str]
    checkbox: str | None  # " ", "x" or None when the entry has no [ ] box


def top_level_blocks(text: str) -> list[Block]:
    from markdown_it import MarkdownIt  # imported here: the CLI parser and app start must not pay for it

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    blocks: list[Block] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.level != 0 or token.map is None:
            index += 1
            continue
        start, end = token.map
        if token.type == "heading_open":
            blocks.append(Block("heading", start, end, level=int(token.tag[1]), text=tokens[index + 1].content.strip()))
        elif token.type == "fence":
            blocks.append(Block("fence", start, end, info=token.info.strip(), content=token.content))
        elif token.type == "bullet_list_open":
            block = Block("list", start, end)
            depth = index + 1
            while tokens[depth].type != "bullet_list_close" or tokens[depth].level != 0:
                item = tokens[depth]
                if item.type == "list_item_open" and item.level == 1 and item.map:
                    block.items.append((item.map[0], item.map[1]))
                depth += 1
            blocks.append(block)
        else:
            blocks.append(Block("prose", start, end))
        index = _after(tokens, index)
    return blocks


def _after(tokens: list, index: int) -> int:
    """Index of the token after the block that starts at ``index``."""
    if tokens[index].nesting != 1:
        return index + 1
    depth = 0
    while True:
        depth += tokens[index].nesting
        index += 1
        if depth == 0:
            return index


def list_item(lines: list[str], start: int, end: int) -> Item:
    raw = [line for line in lines[start:end]]
    while raw and not raw[-1].strip():
        raw.pop()
    first = _MARKER.sub("", raw[0], count=1) if raw else ""
    box = _BOX.match(first)
    if box:
        first = first[box.end():]
    rest = [line.strip() for line in raw[1:]]
    return Item(start + 1, [first.strip()] + rest, box.group(1).lower() if box else None)


def is_task_list(block: Block, lines: list[str]) -> bool:
    return block.type == "list" and bool(block.items) and list_item(lines, *block.items[0]).checkbox is not None
