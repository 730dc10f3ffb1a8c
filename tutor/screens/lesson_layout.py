"""The lesson screen's layout keys: the full pane (m), the outline shown or hidden (o), paging the
text from the outline, copying the pane's commands (y), and esc back to the outline."""

from __future__ import annotations

from tutor.screens.base import TutorScreen
from tutor.widgets.action_pane import ActionPane
from tutor.widgets.outline import Outline
from tutor.widgets.step_text import StepText


class LessonLayout(TutorScreen[None]):
    """Keys that change what the lesson screen shows where, never what a step records."""

    def action_leave_full_pane(self) -> None:
        self.minimize()
        self.query_one(Outline).focus()
        self.refresh_bindings()

    def action_to_outline(self) -> None:
        """esc with nothing to stop: the focus goes back to the outline, to pick the next part."""
        outline = self.query_one(Outline)
        outline.display = True
        outline.focus()

    def action_maximize_pane(self) -> None:
        """m: the action pane fills the screen (m or esc again brings the lesson back)."""
        if self.maximized is not None:
            self.action_leave_full_pane()
            return
        pane = self.query_one(ActionPane)
        if not pane.has_class("-hidden"):
            self.maximize(pane, container=False)
            # The arrows then scroll what is in view (the outline is hidden behind the pane).
            target = pane.query_one("#output") if pane.has_class("-output") else pane.query_one("#result-area")
            target.focus()
            self.refresh_bindings()

    def action_toggle_outline(self) -> None:
        """o: hide the outline to give the text the whole width, or bring it back."""
        outline = self.query_one(Outline)
        outline.display = not outline.display
        (outline if outline.display else self.query_one(StepText)).focus()

    def action_page_text(self, direction: int) -> None:
        """Page keys on the outline scroll the text beside it."""
        text = self.query_one(StepText)
        text.scroll_page_down(animate=False) if direction > 0 else text.scroll_page_up(animate=False)

    def action_copy_commands(self) -> None:
        """y: the commands in the pane, whole, to the clipboard (the terminal must allow OSC 52)."""
        commands = [c for c in self.query_one(ActionPane).commands if not c.startswith("(")]  # notes are no commands
        if not commands:
            self.notify("There is no command to copy here.")
            return
        self.app.copy_to_clipboard("\n".join(commands))
        # Said as it is: the terminal decides (OSC 52), and many ignore it without a word.
        self.notify(f"Copied {len(commands)} command{'s' if len(commands) > 1 else ''} to the clipboard. If pasting "
                    "gives nothing, your terminal does not let apps set it: select the commands with its own "
                    "selection instead (usually shift and the mouse).", markup=False)
