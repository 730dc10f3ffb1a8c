"""The login dialog: a masked field for a password or access token.

The secret goes straight back to the screen that runs the login action and lives
only as long as that action; it is never stored, logged or shown. The advice above the
field is the chosen registry's (tutor.lesson.registries): Docker Hub's token page means
nothing to a learner logging in to their own registry.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static

from tutor.lesson.registries import describe
from tutor.visible import visible


def token_help(registry: str) -> str:
    """What to type as the password for ``registry``: a token page, a command, or whoever runs it."""
    return describe(registry).token_help


class LoginDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, username: str, registry: str) -> None:
        super().__init__(classes="dialog-screen")
        self.username, self.registry = username, registry

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="login-dialog"):
            # visible(): the settings may come from a hand-edited file; a control character stays text.
            yield Label(Text(visible(f"docker login {self.registry} as {self.username}")), classes="dialog-title")
            # Text, not markup: a registry such as [::1]:5000 must not be read as a style.
            yield Static(Text(token_help(self.registry)), classes="dialog-detail", id="token-help")
            yield Input(placeholder=describe(self.registry).secret, password=True, id="secret")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Log in", variant="primary", id="login")
                yield Button("Cancel", id="cancel")
        yield Footer(compact=True)  # esc Cancel, not the keys of the screen behind

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "login":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        field = self.query_one("#secret", Input)
        secret = field.value
        field.value = ""  # do not leave the secret in the widget tree
        if secret:
            self.dismiss(secret)
        else:
            self.notify(f"Type your {describe(self.registry).secret} first.", severity="warning")

    def action_cancel(self) -> None:
        self.query_one("#secret", Input).value = ""
        self.dismiss(None)
