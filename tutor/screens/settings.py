"""First run and settings: who the learner is, where images go, and the EC2 node."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import re

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.await_complete import AwaitComplete
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Select, Static

from tutor.store import FOLLOW_OFF_ENV, NodeSettings, Settings, follow_switched_off
from tutor.visible import visible

if TYPE_CHECKING:
    from tutor.practice.ready import PracticeReady

REGISTRIES = [
    ("Docker Hub (docker.io)", "docker.io"),
    ("GitHub Container Registry (ghcr.io)", "ghcr.io"),
    ("Practice registry (offline)", "practice"),
    ("Another registry…", "custom"),
]
PRACTICE = "practice"  # the choice that starts the tutor's own registry (tutor/practice) when saved


# What each field is called in a message that refuses its value.
LABELS = {"username": "Username", "registry-custom": "Registry", "tag": "Tag", "project_dir": "Project folder",
          "node-host": "Node host", "node-user": "Node user", "node-port": "Node SSH port",
          "node-identity": "Node key file"}
_NODE_USER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}")
NAME_MAX, PATH_MAX = 255, 4095  # Linux: bytes in one folder or file name, and in a whole path


class FieldInput(Input):
    """A one-line field that shows what was typed or pasted, control characters included: they
    become visible escapes (``\\x1b``) as they come in, so a pasted ``ESC[2J`` can never reach the
    terminal and the learner sees why the value is refused. A paste of several lines is kept
    whole (line breaks shown as ``\\n``) instead of silently losing all but its first line."""

    def replace(self, text: str, start: int, end: int) -> None:
        shown = visible(text)
        if shown != text:
            self.control_escapes.update(_escapes_made(text))
        self._offered = shown  # what restricted() says was not taken
        super().replace(shown, start, end)

    @property
    def control_escapes(self) -> set[str]:
        """The escapes this field made from control characters that came in (``\\x1b`` ...)."""
        if not hasattr(self, "_control_escapes"):
            self._control_escapes: set[str] = set()
        return self._control_escapes

    def _on_paste(self, event: events.Paste) -> None:
        text = event.text.rstrip("\r\n")  # the line break a copied line brings along is not part of it
        if text:
            start, end = self.selection
            self.replace(text, start, end)
        event.stop()
        event.prevent_default()  # Input's own handler would insert the first line again

    def restricted(self) -> None:
        # Said, not only a bell: the learner learns which field took nothing of what they typed.
        label = LABELS.get(self.id or "", "This field")
        what = "digits only" if self.type == "integer" else "nothing more"
        offered = getattr(self, "_offered", "")
        self.notify(literal(f"{label} takes {what}: {quoted(offered)} was not taken." if offered else
                            f"{label} takes {what}."), severity="warning")


def _escapes_made(text: str) -> set[str]:
    return {visible(char) for char in text if visible(char) != char}


def quoted(value: str) -> str:
    """A value in a message, between quotes, short and with control characters shown."""
    shown = visible(value)
    return f"'{shown[:60]}…' ({len(value)} characters)" if len(shown) > 60 else f"'{shown}'"


def literal(message: str) -> str:
    """A message whose backticks are the learner's, shown as typed: toasts read `x` as code, so
    each run of backticks is put in a code span of its own that shows it literally."""
    return re.sub(r"`+", lambda run: f"{'`' * (len(run.group()) + 1)} {run.group()} {'`' * (len(run.group()) + 1)}",
                  message)


def path_problem(value: str) -> str | None:
    """None if ``value`` can name a folder or file, else why not."""
    if "\0" in value:
        return f"{quoted(value)} holds a NUL character, which no file name can hold."
    if len(value.encode()) > PATH_MAX:
        return f"{quoted(value)} is longer than a path can be ({PATH_MAX} bytes)."
    long_part = next((part for part in value.split("/") if len(part.encode()) > NAME_MAX), None)
    if long_part is not None:
        return (f"{quoted(value)} has a folder or file name of {len(long_part)} characters; a name has at most "
                f"{NAME_MAX}.")
    return None


def node_host_problem(value: str) -> str | None:
    if not value:
        return None
    if len(value) > 260:  # a DNS name has at most 253 characters; user@ and :port add a few
        return f"{quoted(value)} is too long for a host name (at most 253 characters)."
    from tutor.probes.node import parse_node_spec

    try:
        parse_node_spec(value)
    except ValueError as exc:
        return f"{exc}.".replace(repr(value), quoted(value))
    return None


def node_user_problem(value: str) -> str | None:
    if not value or _NODE_USER.fullmatch(value):
        return None
    return (f"{quoted(value)} is not a user name on a Linux node: letters, digits, '_', '.' and '-', "
            "at most 32, e.g. ubuntu or ec2-user.")


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
        problem = _tag_problem(value)
        return self.failure(problem) if problem else self.success()


def _tag_problem(value: str) -> str | None:
    from tutor.image_rules import ImageNameError, check_tag

    try:
        # The tag on its own: inside a whole name, a '/' or ':' in it would be read as part of the
        # repository, and the hint would talk about a name the learner never typed.
        check_tag(value, value)
    except ImageNameError as exc:
        return f"{quoted(value)} is not a valid tag: {exc.hint or exc.rule}."
    return None


def _titled(field: FieldInput, title: str) -> FieldInput:
    """A field without a label of its own says what it holds in its border: once filled, its
    placeholder is gone, and "ubuntu" beside "22" would name nothing."""
    field.border_title = title
    return field


class SettingsScreen(Screen[Settings | None]):
    """Dismisses with the new settings, or None when cancelled. The first screen of a first start
    (TutorApp.get_default_screen) has nothing under it: saved, it posts FirstSaved instead."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]
    # Focused as the screen is mounted, before the first frame: focusing it later (on_mount) moved the
    # focus twice, and each move restyled the whole form.
    AUTO_FOCUS = "#username"

    class FirstSaved(Message):
        """The first start's form, the app's first screen, saved: the app puts the lesson in its place."""

        def __init__(self, screen: SettingsScreen, settings: Settings) -> None:
            super().__init__()
            self.screen = screen
            self.settings = settings

    def __init__(self, settings: Settings, first_run: bool = False) -> None:
        super().__init__()
        self.settings = settings
        self.first_run = first_run
        # What the practice registry's set-up did (practice.ready.PracticeReady, without its password), for
        # the lesson's account and login steps (Session.record_practice_setup); None without it.
        self.ready: PracticeReady | None = None

    def compose(self) -> ComposeResult:
        s, known = self.settings, {value for _, value in REGISTRIES}
        yield Header()
        with VerticalScroll(id="settings-form"):
            if self.first_run:
                yield Static("Welcome! Tell the tutor who you are; every command in the lesson is filled in "
                             "from these answers. You can change them later with [b]s[/b] on the lesson screen; "
                             "[b]ctrl+s[/b] saves this form.",
                             id="welcome")
            yield Label("Your username on the registry (the first part of your image names)")
            yield FieldInput(s.username, placeholder="e.g. alice", id="username",
                             validators=[UsernameValidator(s.registry)], valid_empty=False)
            yield Static("", id="username-problem", classes="problem")
            yield Label("Registry")
            yield Select(REGISTRIES, value=_choice(s.registry, known), allow_blank=False,
                         id="registry")
            yield _titled(FieldInput(s.registry if s.registry not in known else "",
                                     placeholder="registry host, e.g. 127.0.0.1:5000", id="registry-custom"),
                          "registry host")
            yield Label("Tag")
            yield FieldInput(s.tag, placeholder="v1", id="tag", validators=[TagValidator()])
            yield Label("Project folder holding backend/ and frontend/ (empty: the bundled sample app)")
            yield FieldInput(s.project_dir, placeholder="empty: the sample app; or your folder, e.g. ~/poll-app",
                             id="project_dir")
            yield Label("EC2 node: host or ~/.ssh/config alias (optional)")
            yield FieldInput(s.node.host, placeholder="ec2-3-80-1-2.compute-1.amazonaws.com", id="node-host")
            with Horizontal(classes="row"):
                yield _titled(FieldInput(s.node.user, placeholder="user (ubuntu)", id="node-user"), "SSH user")
                yield _titled(FieldInput(str(s.node.port), placeholder="22", id="node-port", type="integer"),
                              "SSH port")
            yield _titled(FieldInput(s.node.identity, placeholder="private key file, e.g. ~/.ssh/k3s.pem",
                                     id="node-identity"), "SSH private key file")
            yield Checkbox("Follow my own terminal: tick steps when I run docker myself", s.follow, id="follow")
            if follow_switched_off():  # the box is the saved choice: say why this run does not follow
                yield Label(f"Off for this run: {FOLLOW_OFF_ENV}=0 is set. The box is what is saved for later runs.",
                            id="follow-off")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self._show_custom_registry()

    def dismiss(self, result: Settings | None = None) -> AwaitComplete:
        if self.app.screen_stack[0] is self and result is not None:
            self.post_message(self.FirstSaved(self, result))  # no screen under it to go back to
            return AwaitComplete.nothing()
        return super().dismiss(result)

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
        self.query_one("#username-problem", Static).update(Text(problem))  # Text: the value is not markup

    def _registry(self) -> str:
        choice = self.query_one("#registry", Select).value
        if choice == PRACTICE:
            return _practice_address()
        return self.query_one("#registry-custom", Input).value.strip() if choice == "custom" else str(choice)

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def problems(self) -> list[tuple[str, str]]:
        """(field id, what is wrong with its value) for every field the settings cannot take."""
        from tutor.reference import validate_registry, validate_username

        found: list[tuple[str, str]] = []
        custom = self.query_one("#registry", Select).value == "custom"
        fields = ["username", "tag", "project_dir", "node-host", "node-user", "node-identity"]
        for widget_id in (["registry-custom"] if custom else []) + fields:
            field = self.query_one(f"#{widget_id}", Input)
            made = sorted(escape for escape in field.control_escapes if escape in field.value) \
                if isinstance(field, FieldInput) else []
            if made:  # first, or the rules below would complain about a backslash nobody typed
                found.append((widget_id, f"{quoted(field.value)} holds control characters (shown as "
                                         f"{', '.join(made)}) that came in with what you pasted: remove them."))
        refused = {widget_id for widget_id, _ in found}
        registry = self._registry()
        checks = {
            "registry-custom": lambda: validate_registry(registry) if custom else None,
            "username": lambda: validate_username(self._value("username"), registry=registry),
            "tag": lambda: _tag_problem(self._value("tag") or "v1"),
            "project_dir": lambda: path_problem(self._value("project_dir")),
            "node-host": lambda: node_host_problem(self._value("node-host")),
            "node-user": lambda: node_user_problem(self._value("node-user")),
            "node-identity": lambda: path_problem(self._value("node-identity")),
        }
        for widget_id, check in checks.items():
            if widget_id not in refused and (problem := check()):
                value = self._value(widget_id)
                if value and visible(value)[:40] not in problem:  # the learner is told which value
                    problem = f"{quoted(value)}: {problem}"
                found.append((widget_id, problem))
        port_text = self._value("node-port") or "22"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            found.append(("node-port", "The node's SSH port must be a number from 1 to 65535."))
        return found

    def collect(self) -> tuple[Settings | None, str]:
        """The settings in the form, or None and what is wrong with them (the first field named)."""
        problems = self.problems()
        if problems:
            widget_id, problem = problems[0]
            more = f" ({len(problems) - 1} more field{'s' if len(problems) > 2 else ''} to fix)" \
                if len(problems) > 1 else ""
            return None, f"{LABELS[widget_id]} not saved: {problem}{more}"
        node = NodeSettings(host=self._value("node-host"), user=self._value("node-user"),
                            port=int(self._value("node-port") or "22"), identity=self._value("node-identity"),
                            known_hosts=self.settings.node.known_hosts)
        return replace(self.settings, username=self._value("username"), registry=self._registry(),
                       tag=self._value("tag") or "v1", project_dir=self._value("project_dir"), node=node,
                       follow=self.query_one("#follow", Checkbox).value), ""

    def action_save(self) -> None:
        settings, problem = self.collect()
        if settings is None:
            self.notify(literal(problem), title="Not saved", severity="error")
            problems = self.problems()
            if problems:  # the learner lands on the field to fix
                self.query_one(f"#{problems[0][0]}", Input).focus()
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
        self.ready = replace(ready, password="")
        if not ready.started and not ready.password and ready.logged_in:
            self.dismiss(saved)  # nothing new to say: it ran, the account existed, docker is logged in
            return
        from tutor.screens.practice_account import PracticeAccountDialog  # only once a practice registry starts

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
