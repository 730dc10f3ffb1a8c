"""Small modal dialogs: yes/no questions and trusting a node's host key."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, Static
from textual.widgets.button import ButtonVariant

from tutor.widgets.inline_code import inline_text


class ConfirmDialog(ModalScreen[bool]):
    """Ask a question; dismiss with True for yes and False for no or escape.

    Every question asked this way is about undoing something (reset the lesson, stop a running
    action, replace a file), so No has the focus: enter alone keeps what the learner has."""

    AUTO_FOCUS = "#no"

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    # The safe answer has the focus and looks like the default; the other one warns.
    YES_VARIANT: ButtonVariant = "error"
    NO_VARIANT: ButtonVariant = "primary"

    def __init__(self, question: str, detail: str = "", yes: str = "Yes", no: str = "No") -> None:
        super().__init__(classes="dialog-screen")
        self.question, self.detail, self.yes, self.no = question, detail, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.question), classes="dialog-title")
            if self.detail:
                yield Static(inline_text(self.detail), classes="dialog-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, variant=self.YES_VARIANT, id="yes")
                yield Button(self.no, variant=self.NO_VARIANT, id="no")
        # The dialog's own footer covers the one of the screen behind: its keys would not work here.
        yield Footer(compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class HostKeyDialog(ConfirmDialog):
    """An unknown SSH host key: show its fingerprint and trust it only when the learner says so.

    "Don't trust" has the focus, so enter alone (or escape, or n) declines; only y or the Trust
    button trusts. The checklist says on its screen what declining means and how to trust later.
    """

    YES_VARIANT: ButtonVariant = "warning"  # trusting is a judgement, not a loss
    BINDINGS = [
        Binding("y", "answer(True)", "Trust"),
        Binding("n,escape", "answer(False)", "Don't trust"),
    ]

    def __init__(self, host: str, port: int, fingerprint: str, key_type: str = "") -> None:
        self.fingerprint = fingerprint
        detail = (
            f"The node {host} (port {port}) offered a host key{f' ({key_type})' if key_type else ''} this computer "
            "has not seen before. Its fingerprint:\n\n"
            f"  {fingerprint}\n\n"
            "Compare it with the node's own: run `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the "
            "node, or read the EC2 console's system log. Trust it only if they match: the tutor then remembers "
            "it in its own known_hosts file.\n\n"
            # One line: at 80x24 the dialog, its footer and a long host name just fit.
            "y: trust and remember it. Enter, n or Esc: do not trust it."
        )
        super().__init__("Trust this host key?", detail, yes="Trust (y)", no="Don't trust")
