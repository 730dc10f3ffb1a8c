"""The self-assessment report, shown in the app, and saved where the learner chooses.

The screen renders the report's Markdown and asks for a file name; the writing itself is the
``save`` callback the app passes in (:func:`tutor.quiz.report.save_report`), so the screen
does no I/O of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Markdown, Static

from tutor.quiz.report import DEFAULT_NAME, ReportExists, to_markdown
from tutor.screens.settings import FieldInput, path_problem, quoted

Save = Callable[..., Path]  # save(data, path, overwrite=False) -> the full path written


class ReportScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+o", "choose_path", "Save as…", tooltip="Choose where to save the report"),
    ]

    def __init__(self, data: dict[str, Any], save: Save, default_path: str = f"~/{DEFAULT_NAME}") -> None:
        super().__init__()
        self.data = data
        self.save = save
        self.default_path = default_path
        self.saved_to: Path | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="report-body"):
            yield Markdown(to_markdown(self.data), id="report-text")
        with Horizontal(id="report-save"):
            yield Label("Save to", id="report-save-label")
            # FieldInput: a pasted control character shows as an escape and is refused below, never sent
            # to the terminal nor made part of a file name (a NUL would not even reach the file system).
            yield FieldInput(self.default_path, placeholder=f"~/{DEFAULT_NAME}", compact=True, id="report-path")
            yield Button("Save ^s", variant="primary", compact=True, id="report-save-button")
        yield Static(Text("A .html or .json name saves in that format; anything else saves Markdown.",
                          style="dim"), id="report-message")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#report-body").focus()  # arrows and page keys scroll the report at once

    # --- saving ---------------------------------------------------------------------------

    def _say(self, message: str, style: str = "") -> None:
        # On the screen, not in a toast: a toast would cover the report and vanish.
        self.query_one("#report-message", Static).update(Text(message, style=style))

    def action_choose_path(self) -> None:
        self.query_one("#report-path", Input).focus()

    def action_save(self) -> None:
        self._save(overwrite=False)

    @on(Input.Submitted, "#report-path")
    def _submitted(self) -> None:
        self._save(overwrite=False)

    @on(Button.Pressed, "#report-save-button")
    def _pressed(self) -> None:
        self._save(overwrite=False)

    def _save(self, overwrite: bool) -> None:
        field = self.query_one("#report-path", FieldInput)
        given = field.value.strip()
        if not given:
            field.value = given = self.default_path
        made = sorted(escape for escape in field.control_escapes if escape in given)
        problem = f"{quoted(given)} holds control characters (shown as {', '.join(made)}) that came in with " \
                  "what you pasted: remove them." if made else path_problem(given)
        if problem:
            self._say(f"Not saved: {problem}", "bold red")
            field.focus()
            return
        try:
            written = self.save(self.data, given, overwrite=overwrite)
        except ReportExists:
            self._ask_to_replace(given)
            return
        except IsADirectoryError:
            self._say(f"{given} is a folder. Add a file name, e.g. {given.rstrip('/')}/{DEFAULT_NAME}.",
                      "bold red")
            field.focus()
            return
        except OSError as exc:
            self._say(f"Could not save to {given}: {exc.strerror or exc}. Choose another place and press enter.",
                      "bold red")
            field.focus()
            return
        self.saved_to = written
        self._say(f"✔ Saved to {written}", "bold green")

    def _ask_to_replace(self, given: str) -> None:
        from tutor.screens.dialogs import ConfirmDialog

        def answered(replace: bool | None) -> None:
            if replace:
                self._save(overwrite=True)
            else:
                self._say("Not saved: the file is kept. Type another name and press enter.", "yellow")
                self.query_one("#report-path", Input).focus()

        self.app.push_screen(ConfirmDialog(f"{given} already exists. Replace it?",
                                           "The file there now is overwritten with this report.",
                                           yes="Replace", no="Keep it"), answered)

    def action_close(self) -> None:
        self.dismiss(None)
