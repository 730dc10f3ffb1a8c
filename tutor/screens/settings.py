"""First run and settings: who the learner is, where images go, and the EC2 node."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Select, Static

from tutor.store import NodeSettings, Settings

REGISTRIES = [
    ("Docker Hub (docker.io)", "docker.io"),
    ("GitHub Container Registry (ghcr.io)", "ghcr.io"),
    ("Practice registry (offline)", "practice"),
    ("Another registry…", "custom"),
]
PRACTICE = "practice"  # the choice that starts the tutor's own registry (tutor/practice) when saved


class UsernameValidator(Validator):
    def __init__(self, registry: str) -> None:
        super().__init__()
        self.registry = registry

    def validate(self, value: str) -> ValidationResult:
        from tutor.reference import validate_username

        problem = validate_username(value, registry=self.registry)
        return self.failure(problem) if problem else self.success()


class TagValidator(Validator):
    def validate(self, value: str) -> ValidationResult:
        from tutor.reference import ReferenceError, parse

        try:
            parse(f"probe/app:{value}")
        except ReferenceError as exc:
            return self.failure(str(exc))
        return self.success()


class SettingsScreen(Screen[Settings | None]):
    """Dismisses with the new settings, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, settings: Settings, first_run: bool = False) -> None:
        super().__init__()
        self.settings = settings
        self.first_run = first_run

    def compose(self) -> ComposeResult:
        s, known = self.settings, {value for _, value in REGISTRIES}
        yield Header()
        with VerticalScroll(id="settings-form"):
            if self.first_run:
                yield Static("Welcome! Tell the tutor who you are; every command in the lesson is filled in "
                             "from these answers. You can change them later with [b]s[/b] on the lesson screen; [b]ctrl+s[/b] saves this form.",
                             id="welcome")
            yield Label("Your username on the registry (the first part of your image names)")
            yield Input(s.username, placeholder="e.g. alice", id="username",
                        validators=[UsernameValidator(s.registry)], valid_empty=False)
            yield Static("", id="username-problem", classes="problem")
            yield Label("Registry")
            yield Select(REGISTRIES, value=_choice(s.registry, known), allow_blank=False,
                         id="registry")
            yield Input(s.registry if s.registry not in known else "", placeholder="registry host, e.g. 127.0.0.1:5000",
                        id="registry-custom")
            yield Label("Tag")
            yield Input(s.tag, placeholder="v1", id="tag", validators=[TagValidator()])
            yield Label("Project folder holding backend/ and frontend/ (empty: the bundled sample app)")
            yield Input(s.project_dir, placeholder="empty: the sample app; or your folder, e.g. ~/poll-app",
                        id="project_dir")
            yield Label("EC2 node: host or ~/.ssh/config alias (optional)")
            yield Input(s.node.host, placeholder="ec2-3-80-1-2.compute-1.amazonaws.com", id="node-host")
            with Horizontal(classes="row"):
                yield Input(s.node.user, placeholder="user (ubuntu)", id="node-user")
                yield Input(str(s.node.port), placeholder="22", id="node-port", type="integer")
            yield Input(s.node.identity, placeholder="private key file, e.g. ~/.ssh/k3s.pem", id="node-identity")
            yield Checkbox("Follow my own terminal: tick steps when I run docker myself", s.follow, id="follow")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self._show_custom_registry()
        self.query_one("#username", Input).focus()

    @on(Select.Changed, "#registry")
    def _registry_changed(self) -> None:
        self._show_custom_registry()
        username = self.query_one("#username", Input)
        username.validators = [UsernameValidator(self._registry())]
        username.validate(username.value)

    def _show_custom_registry(self) -> None:
        self.query_one("#registry-custom").display = self.query_one("#registry", Select).value == "custom"

    @on(Input.Changed, "#username")
    def _username_changed(self, event: Input.Changed) -> None:
        result = event.validation_result
        problem = "" if result is None or result.is_valid else "; ".join(result.failure_descriptions)
        self.query_one("#username-problem", Static).update(problem)

    def _registry(self) -> str:
        choice = self.query_one("#registry", Select).value
        if choice == PRACTICE:
            return _practice_address()
        return self.query_one("#registry-custom", Input).value.strip() if choice == "custom" else str(choice)

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def collect(self) -> tuple[Settings | None, str]:
        """The settings in the form, or None and what is wrong with them."""
        from tutor.reference import validate_username

        registry = self._registry()
        if not registry:
            return None, "Type the registry host, e.g. 127.0.0.1:5000."
        username = self._value("username")
        problem = validate_username(username, registry=registry)
        if problem:
            return None, problem
        tag_result = TagValidator().validate(self._value("tag") or "v1")
        if not tag_result.is_valid:
            return None, "; ".join(tag_result.failure_descriptions)
        port_text = self._value("node-port") or "22"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            return None, "The node's SSH port must be a number from 1 to 65535."
        node = NodeSettings(host=self._value("node-host"), user=self._value("node-user"), port=int(port_text),
                            identity=self._value("node-identity"), known_hosts=self.settings.node.known_hosts)
        return replace(self.settings, username=username, registry=registry, tag=self._value("tag") or "v1",
                       project_dir=self._value("project_dir"), node=node,
                       follow=self.query_one("#follow", Checkbox).value), ""

    def action_save(self) -> None:
        settings, problem = self.collect()
        if settings is None:
            self.notify(problem, title="Not saved", severity="error")
            return
        self._saved(settings)

    def action_cancel(self) -> None:
        if self.first_run:
            self.notify("The tutor needs your username before it can fill in the commands.", severity="warning")
            return
        self.dismiss(None)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    # --- the practice registry ------------------------------------------------------------

    def _saved(self, settings: Settings) -> None:
        """Close with ``settings``; with the practice registry chosen, once it runs for this learner."""
        if self.query_one("#registry", Select).value != PRACTICE:
            self.dismiss(settings)
            return
        self.query_one("#save", Button).disabled = True
        self.notify("Starting the practice registry…")
        self.run_worker(self._start_practice(settings), exclusive=True, group="practice")

    async def _start_practice(self, settings: Settings) -> None:
        from tutor.practice.control import PracticeError
        from tutor.practice.ready import prepare

        try:
            ready = await prepare(settings.username)
        except PracticeError as exc:
            found = exc.hint()
            self.query_one("#save", Button).disabled = False
            self.notify(f"{found.what} {found.next_step}", title="Practice registry not started", severity="error")
            return
        except OSError as exc:
            self.query_one("#save", Button).disabled = False
            self.notify(f"The practice registry's folder cannot be written: {exc.strerror or exc}.",
                        title="Practice registry not started", severity="error")
            return
        saved = replace(settings, registry=ready.address)
        if not ready.started and not ready.password and ready.logged_in:
            self.dismiss(saved)  # nothing new to say: it ran, the account existed, docker is logged in
            return
        self.app.push_screen(PracticeAccountDialog(ready), lambda _closed: self.dismiss(saved))


def _practice_address() -> str:
    from tutor.practice.state import DEFAULT_PORT, HOST, known_address

    return known_address() or f"{HOST}:{DEFAULT_PORT}"


def _choice(registry: str, known: set[str]) -> str:
    """The registry menu's entry for a saved registry: the practice registry is recognised by its address."""
    if registry in known:
        return registry
    from tutor.practice.state import known_address

    return PRACTICE if registry and registry == known_address() else "custom"


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
