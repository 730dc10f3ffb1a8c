"""The pane under a step: the CLI command, live output, layer bars, and the result or hint.

It only renders the events the docker actions yield; the screen that owns the
worker feeds them in. No I/O happens here.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.lazy import Lazy
from textual.reactive import reactive
from textual.widgets import Label, Log, Static

from tutor.widgets.layer_progress import LayerProgress

# Bounded so a 100k-line build never holds the whole log in the widget as well.
MAX_LOG_LINES = 5000
STATE_LABELS = {
    "idle": "r runs it · v checks it", "running": "Running… (esc cancels)", "succeeded": "Done",
    "failed": "Failed", "cancelled": "Cancelled", "manual": "Do this yourself, then press d to mark it done",
    "unavailable": "Cannot run",
}
STYLED_STATES = {"running", "succeeded", "failed"}


class ActionPane(Vertical):
    state: reactive[str] = reactive("idle", init=False)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = Content(STATE_LABELS["idle"])
        self._log = Log(id="output", max_lines=MAX_LOG_LINES, highlight=False)
        self._unwritten: list[str] = []  # lines that came before the log was mounted

    def compose(self) -> ComposeResult:
        with Horizontal(id="action-header"):
            yield Label("$", id="prompt")
            yield Static("", id="command")
        yield LayerProgress(id="layers")
        # Empty until an action runs, so Textual's Lazy mounts it just after the first frame.
        yield Lazy(self._log)
        yield Static("", id="result")

    def watch_state(self, state: str) -> None:
        # In the pane's top border, so the command below keeps the whole width; plain text, no markup.
        self.border_title = Content(STATE_LABELS.get(state, state))
        # Only the states app.tcss colours have a class, changed in one batch: each change of the
        # class set restyles the whole pane, and the idle and manual panes of start-up need none.
        self.update_classes({f"-{styled}": styled == state for styled in STYLED_STATES})

    def show_command(self, text: str, state: str = "idle") -> None:
        """Prepare for an action: its command, an empty log, no result yet."""
        self.query_one("#command", Static).update(Text(text))
        self._log.clear()
        self._unwritten.clear()
        self.query_one(LayerProgress).clear()
        self.query_one("#result", Static).update("")
        self.state = state

    def show_event(self, event) -> None:
        """Render one event from tutor.docker_ops.events."""
        from tutor.docker_ops import events as ev

        match event:
            case ev.CommandLine(text=text):
                self.query_one("#command", Static).update(Text(text))
                self.state = "running"
            case ev.Output(lines=lines):
                self._write(lines)
            case ev.LayerProgress(layer=layer, status=status, current=current, total=total):
                self.query_one(LayerProgress).update_layer(layer, status, current, total)
            case ev.Notice(text=text):
                self._write([f"note: {text}"])
            case ev.Succeeded(summary=summary):
                self.show_result(summary, "succeeded")
            case ev.Failed(hint=hint):
                # Failed.output repeats lines already streamed as Output; the hint is what is new.
                self.show_result(Text.assemble((hint.what, "bold"), "\n", ("Next: ", "bold"), hint.next_step), "failed")
            case ev.Ready(url=url):
                self.show_result(f"Serving at {url}  (esc stops and removes the container)", "running")

    def _write(self, lines: list[str]) -> None:
        if self._log.is_mounted and not self._unwritten:
            self._log.write_lines(lines)
            return
        # Only around the first frame: Lazy mounts the log just after it.
        if not self._unwritten:
            self.call_after_refresh(self._write_unwritten)
        self._unwritten.extend(lines)

    def _write_unwritten(self) -> None:
        if not self.is_attached:
            return
        if not self._log.is_mounted:
            self.call_after_refresh(self._write_unwritten)
        elif self._unwritten:
            lines, self._unwritten = self._unwritten, []
            self._log.write_lines(lines)

    def show_result(self, text: str | Text, state: str) -> None:
        # Text, not markup: hints and summaries quote image names and registry messages verbatim.
        self.query_one("#result", Static).update(Text(text) if isinstance(text, str) else text)
        self.state = state

    @property
    def result_text(self) -> str:
        return str(self.query_one("#result", Static).content)
