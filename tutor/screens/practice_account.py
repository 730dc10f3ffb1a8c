"""The practice registry's account, shown once when the settings start it: its new password
lives in this dialog until it closes (tutor/screens/settings.py opens it)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, Static


class PracticeAccountDialog(ModalScreen[None]):
    """The practice registry runs: the learner's account, and its new password shown this once."""

    BINDINGS = [Binding("enter,escape", "close", "OK")]

    def __init__(self, ready) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = f"Practice registry at {ready.address}"
        self.detail = _account_text(ready)  # the password lives here until the dialog closes

    def compose(self) -> ComposeResult:
        from rich.text import Text

        from tutor.widgets.inline_code import inline_text

        with Vertical(classes="dialog", id="practice-account"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Static(inline_text(self.detail), classes="dialog-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", variant="primary", id="ok")
        yield Footer(compact=True)  # enter OK, not the keys of the screen behind

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_close()

    def action_close(self) -> None:
        self.detail = ""
        self.dismiss(None)


def _account_text(ready) -> str:
    if ready.password:
        login = ("The tutor has logged your docker in with it, so your pushes work now; the lesson's login "
                 "step asks for it if you run that step yourself." if ready.logged_in else
                 f"The tutor could not log your docker in ({ready.login_problem.what if ready.login_problem else 'no answer'}): "
                 "run the lesson's login step with this password.")
        return (f"Your account: `{ready.username}`\nPassword: `{ready.password}`\n\n"
                f"Note it now: it is shown only this once (the registry keeps only a hash of it). {login}")
    login = ("Your docker is logged in to it." if ready.logged_in else
             "Your docker is not logged in to it: run the lesson's login step. Lost the password? Run "
             "`docker-tutor practice-registry password` in a terminal for a new one.")
    return f"Your account `{ready.username}` was made earlier, and its password shown then. {login}"
