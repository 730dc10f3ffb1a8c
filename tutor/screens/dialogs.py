"""Small modal dialogs: yes/no questions and trusting a node's host key."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ConfirmDialog(ModalScreen[bool]):
    """Ask a question; dismiss with True for yes and False for no or escape."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, detail: str = "", yes: str = "Yes", no: str = "No") -> None:
        super().__init__(classes="dialog-screen")
        self.question, self.detail, self.yes, self.no = question, detail, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.question), classes="dialog-title")
            if self.detail:
                yield Static(Text(self.detail), classes="dialog-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, variant="primary", id="yes")
                yield Button(self.no, id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class HostKeyDialog(ConfirmDialog):
    """An unknown SSH host key: show its fingerprint and trust it only when the learner says so."""

    AUTO_FOCUS = "#no"  # enter alone must never trust a key

    def __init__(self, host: str, port: int, fingerprint: str, key_type: str = "") -> None:
        detail = (
            f"The node {host} (port {port}) offered a {key_type or 'host'} key this computer has not seen:\n\n"
            f"    {fingerprint}\n\n"
            "Compare it with the fingerprint in the EC2 console's system log (or run "
            "`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the node). Trust it only if they match: "
            "the tutor then remembers it in its own known_hosts file."
        )
        super().__init__("Trust this host key?", detail, yes="Trust", no="Don't trust")
