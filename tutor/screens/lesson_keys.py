"""The lesson screen's keys, and which of them apply to the entry in view (the footer shows only those)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType

if TYPE_CHECKING:
    from tutor.lesson import Lesson
    from tutor.widgets.outline import Entry

# Short labels: at 80 columns the footer holds about ten of them.
LESSON_BINDINGS: list[BindingType] = [
    Binding("r", "run", "Run"),
    Binding("v", "verify", "Check"),
    Binding("h", "hint", "Hint"),
    Binding("d", "mark_done", "Done", show=False),  # the pane says "press d" where it applies
    Binding("n", "next", "Next", show=False),
    Binding("p", "previous", "Prev", show=False),
    Binding("k", "skip", "Skip", show=False),
    Binding("x", "reset_step", "Reset step", show=False),
    Binding("escape", "cancel", "Stop", show=True),  # in the footer only while something runs
    Binding("escape", "leave_full_pane", "Back", show=True),  # only in the full pane
    Binding("escape", "to_outline", show=False),  # otherwise: back to the outline
    Binding("m", "maximize_pane", "Pane"),
    Binding("o", "toggle_outline", "Outline", show=False),
    Binding("y", "copy_commands", "Copy commands", show=False),
    # Not in the footer (it is full at 80 columns with following on): in the palette, and the outline's
    # Checklist section opens it too.
    Binding("c", "checklist", "Checklist", show=False),
    Binding("z", "quiz", "Quiz"),
    Binding("s", "settings", "Settings"),
    # The same keys while presenter mode's f2 takes their room in the footer (it is full at 80 columns).
    Binding("z", "quiz_unlisted", show=False),
    Binding("s", "settings_unlisted", show=False),
    # While the app follows the learner's own terminal (tutor/follow.py): one of these is in the footer.
    Binding("f", "follow_status", "Follow"),  # short: at 80 columns the footer is full
    Binding("f", "follow_lost", "Docker ✘"),
    # Demo mode only, while it waits for the presenter (tutor/screens/demo.py).
    Binding("space", "demo_run", "Run it"),
    Binding("space", "demo_next", "Next step"),
]


def key_applies(action: str, entry: Entry | None, lesson: Lesson) -> bool:
    """r, v and h are in the footer only where they do something: a step with a command to run,
    an automatic check, hints; a Verify item (r and v check it)."""
    if entry is not None and entry.kind == "verify":
        item = lesson.verify_item(entry.id)
        return action != "hint" and item is not None and bool(item.checks)
    step = lesson.step(entry.id) if entry is not None and entry.kind == "step" else None
    if step is None:
        return False
    if action == "hint":
        return bool(step.hints)
    if action == "run":
        return any(a.kind != "manual" for a in step.actions)
    item = lesson.verify_item(step.verify) if step.verify else None
    return item is not None and bool(item.checks)
