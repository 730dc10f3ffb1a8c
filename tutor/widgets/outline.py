"""The lesson outline: concepts, steps, quiz, verify and checklist, each with a status mark."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

MARKS = {
    "todo": ("·", "dim"), "done": ("✔", "green"), "passed": ("✔", "green"), "failed": ("✘", "red"),
    "running": ("▶", "yellow"), "skipped": ("↷", "dim"), "partly": ("◐", "yellow"), "read": ("✔", "dim"),
}


@dataclass(frozen=True)
class Entry:
    kind: str  # concept, step, quiz, verify, checklist
    id: str
    title: str


class Outline(Tree[Entry]):
    DEFAULT_CSS = """
    Outline { padding: 0 1; }
    """

    def __init__(self, **kwargs) -> None:
        # Text, not str: a str label is parsed as Rich markup (headings may hold brackets).
        super().__init__(Text("Lesson"), **kwargs)
        self.show_root = False
        self._entry_nodes: dict[tuple[str, str], TreeNode[Entry]] = {}
        self._status: dict[tuple[str, str], str] = {}

    def fill(self, sections: list[tuple[str, list[Entry]]]) -> None:
        """Sections in order: a heading and its entries."""
        self.clear()
        self._entry_nodes.clear()
        for heading, entries in sections:
            parent = self.root.add(Text(heading), expand=True)
            for entry in entries:
                key = (entry.kind, entry.id)
                self._entry_nodes[key] = parent.add_leaf(self._label(entry, self._status.get(key, "todo")), data=entry)

    def set_status(self, kind: str, item_id: str, status: str) -> None:
        key = (kind, item_id)
        self._status[key] = status
        node = self._entry_nodes.get(key)
        if node is not None and node.data is not None:
            node.set_label(self._label(node.data, status))

    def status(self, kind: str, item_id: str) -> str:
        return self._status.get((kind, item_id), "todo")

    def select_entry(self, kind: str, item_id: str) -> bool:
        node = self._entry_nodes.get((kind, item_id))
        if node is None:
            return False
        self.move_cursor(node)
        return True

    def entries(self, kind: str | None = None) -> list[Entry]:
        return [node.data for node in self._entry_nodes.values() if node.data and (kind is None or node.data.kind == kind)]

    @staticmethod
    def _label(entry: Entry, status: str) -> Text:
        mark, style = MARKS.get(status, MARKS["todo"])
        return Text.assemble((mark, style), " ", entry.title)
