"""The pane under a step: the CLI commands, live output, layer bars, and the result or hint.

It only renders the events the docker actions yield; the screen that owns the
worker feeds them in. No I/O happens here.

Each command of a step is listed whole (folded, never cut) with a mark of how it went, and
each result line names the command it belongs to, so the outcome of the backend's push is
never read as the frontend's. The result area scrolls, and `m` maximizes the whole pane.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.lazy import Lazy
from textual.reactive import reactive
from textual.widgets import Static

from tutor.widgets.layer_bars import LayerBars
from tutor.widgets.wrapping_log import CONTINUED, WrappingLog

# Bounded so a 100k-line build never holds the whole log in the widget as well.
MAX_LOG_LINES = 5000
# Seconds between two writes into the log while a build streams: each one repaints every row
# of the log, and at every frame (60 a second) that left keys waiting behind the repaints.
WRITE_EVERY = 1 / 30
STATE_LABELS = {
    "idle": "r runs it · v checks it", "running": "Running… (esc cancels)", "succeeded": "Done",
    "failed": "Failed", "cancelled": "Cancelled", "stopped": "Stopped",
    "manual": "Do this yourself, then press d to mark it done", "unavailable": "Cannot run",
    "unknown": "Could not check",  # a check that could not look (registry unreachable, no input): not a failure
}
STYLED_STATES = {"running", "succeeded", "failed", "unknown"}
# How each listed command went: not run yet, running, done, failed.
COMMAND_MARKS = {"todo": ("$", "bold green"), "running": ("▶", "bold yellow"), "done": ("✔", "bold green"),
                 "failed": ("✘", "bold red")}


class CommandLines(Static):
    """The step's commands, one per row; a command longer than the row goes on under a ↪ mark, like the
    log's, so its last words (often the build's folder) do not read as a command of their own."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self._rows: list[tuple[str, str, str, str]] | None = None  # (mark, its style, command, its style)

    def show_rows(self, rows: list[tuple[str, str, str, str]]) -> None:
        self._rows = rows
        self.update(wrapped_commands(rows, 0))  # unwrapped; render() folds it to the width it gets

    def show_text(self, text: Text) -> None:
        self._rows = None
        self.update(text)

    def render(self):
        width = self.content_size.width
        if self._rows is None or width <= 0:
            return super().render()
        return wrapped_commands(self._rows, width)

    def on_resize(self) -> None:
        self.refresh(layout=True)  # folded again at the new width


def wrapped_commands(rows: list[tuple[str, str, str, str]], width: int) -> Text:
    """The rows as text, each command folded at spaces to ``width`` (0: not folded) under a ↪ mark."""
    from textwrap import wrap

    text = Text(overflow="fold")
    for number, (mark, mark_style, command, style) in enumerate(rows):
        text.append("\n" if number else "")
        text.append(mark, mark_style)
        room = width - len(mark)
        parts = wrap(command, room, break_long_words=True, break_on_hyphens=False) if width and room >= 12 else []
        for index, part in enumerate(parts or [command]):
            if index:
                text.append("\n")
                text.append(CONTINUED, "dim")
            text.append(part, style)
    return text


class ActionPane(Vertical):
    ALLOW_MAXIMIZE = True  # m: the whole pane fills the screen
    state: reactive[str] = reactive("idle", init=False)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = Content(STATE_LABELS["idle"])
        self._log = WrappingLog(id="output", max_lines=MAX_LOG_LINES, highlight=False)
        self._unwritten: list[str] = []  # lines waiting for the next write into the log
        self._written_at = float("-inf")  # when they last went in (time.monotonic)
        self._commands: list[list[str]] = []  # [text, mark] per command, in the order they run
        self._current = -1
        self._result = Text()
        self.typed = ""  # what demo mode's typing shows in the command line (show_typing)

    def compose(self) -> ComposeResult:
        # Commands, then what came of them, then the layers and the output: when the pane is
        # short, the log (last, and scrollable) gives up its rows first, never the advice.
        yield CommandLines(id="command")
        # One Static per result line (a command's outcome, a failure's advice), so the newest
        # can be scrolled to its first line: a hint must be read from its start.
        yield VerticalScroll(id="result-area")
        yield LayerBars(id="layers")
        # Empty until an action runs, so Textual's Lazy mounts it just after the first frame.
        yield Lazy(self._log)

    def watch_state(self, state: str) -> None:
        # In the pane's top border, so the commands below keep the whole width; plain text, no markup.
        self.border_title = Content(STATE_LABELS.get(state, state))
        # Only the states app.tcss colours have a class, changed in one batch: each change of the
        # class set restyles the whole pane, and the idle and manual panes of start-up need none.
        self.update_classes({f"-{styled}": styled == state for styled in STYLED_STATES})

    # --- commands -------------------------------------------------------------------------

    def show_command(self, text: str | list[str], state: str = "idle", output: bool = False) -> None:
        """Prepare for an action: its commands, an empty log, no result yet. ``output``: the action
        will print lines (a build), so the log takes its room now."""
        lines = text.splitlines() if isinstance(text, str) else list(text)
        self._commands = [[line, "todo"] for line in lines]
        self._current = -1
        self._draw_commands()
        self._log.clear()
        self._unwritten.clear()
        # The pane takes its running height here, while the engine starts, instead of at the first
        # line: that layout of the whole screen (and the one for the log's scrollbars after it) kept
        # the keys pressed during a build's first tenth of a second waiting. An action that then
        # prints nothing gives the room back with its verdict (_end_log).
        self.set_class(output, "-output")
        self.query_one(LayerBars).clear()
        self._set_result(Text())
        self.state = state

    @property
    def commands(self) -> list[str]:
        return [text for text, _mark in self._commands]

    def _start_command(self, text: str) -> None:
        index = next((i for i, (listed, mark) in enumerate(self._commands) if listed == text and mark == "todo"), None)
        if index is None:  # a command the list did not hold (secrets masked differently, a re-run)
            self._commands.append([text, "todo"])
            index = len(self._commands) - 1
        self._current = index
        self._commands[index][1] = "running"
        self._draw_commands()
        # Each command's layers are its own: the frontend's push lists only the frontend's.
        self.query_one(LayerBars).clear()
        if self._log.line_count or self._unwritten:
            self._write([f"$ {text}"])  # the log says whose output follows

    def _end_command(self, mark: str) -> str:
        """Mark the running command; returns its text for the result line."""
        if not 0 <= self._current < len(self._commands):
            return ""
        self._commands[self._current][1] = mark
        self._draw_commands()
        return self._commands[self._current][0]

    def settle(self) -> None:
        """A replayed run without its verdict: no command is shown as still running."""
        for entry in self._commands:
            if entry[1] == "running":
                entry[1] = "todo"
        self._draw_commands()

    def show_typing(self, commands: list[str] | tuple[str, ...], index: int, count: int) -> None:
        """Demo mode: the commands typed out so far, the one at ``index`` up to ``count`` characters
        with a cursor after them, the later ones not yet there."""
        text = Text(overflow="fold")
        for number, command in enumerate(commands[:index + 1]):
            text.append("\n" if number else "")
            text.append("$ ", COMMAND_MARKS["todo"][1])
            text.append(command if number < index else command[:count], "bold")
        text.append("▏", "bold reverse")
        self.typed = text.plain
        self.query_one("#command", CommandLines).show_text(text)

    def _draw_commands(self) -> None:
        rows = []
        for command, mark in self._commands:
            symbol, style = COMMAND_MARKS[mark]
            if command.startswith("("):  # a note in place of a command: nothing to type, no prompt
                rows.append(("  ", "", command, "italic"))
            else:
                rows.append((f"{symbol} ", style, command, "bold" if mark != "todo" or self._current < 0 else ""))
        self.query_one("#command", CommandLines).show_rows(rows)

    # --- events ---------------------------------------------------------------------------

    def show_event(self, event) -> None:
        """Render one event from tutor.docker_ops.events."""
        from tutor.docker_ops import events as ev

        match event:
            case ev.CommandLine(text=text):
                self._start_command(text)
                self.state = "running"
            case ev.Output(lines=lines):
                self._write(list(lines))
            case ev.LayerProgress(layer=layer, status=status, current=current, total=total):
                self.query_one(LayerBars).update_layer(layer, status, current, total)
            case ev.Notice(text=text):
                self._write([f"note: {text}"])
            case ev.Succeeded(summary=summary):
                self._end_log()  # the whole output is there with the verdict
                self._end_command("done")
                self.add_result(Text.assemble(("✔ ", "bold"), summary), "succeeded")
            case ev.Failed(hint=hint):
                # Failed.output repeats lines already streamed as Output; the hint is what is new.
                self._end_log()
                self._end_command("failed")
                self.query_one(LayerBars).stop()
                self.add_result(failure_text(hint), "failed")
            case ev.Ready(url=url):
                self.add_result(f"Serving at {url}  (esc stops and removes the container)", "running")

    def stop(self, text: str, state: str) -> None:
        """The action ended without a verdict of its own (cancelled, or a server stopped)."""
        self._end_log()
        self._end_command("done" if state == "stopped" else "failed")
        self.query_one(LayerBars).stop()
        self.add_result(text, state)

    def _write(self, lines: list[str]) -> None:
        # Lines wait and go into the log together, after the next frame and at most WRITE_EVERY
        # apart: a build delivers hundreds of batches a second, and writing each one on its own
        # (the log's new size, the scroll to its end, every row drawn again) kept the screen
        # too busy for keys. A quiet log's first line goes in at once; a verdict flushes them.
        self.add_class("-output")  # the log takes room only once there is something in it
        if not self._unwritten:
            wait = self._written_at + WRITE_EVERY - time.monotonic()
            if wait > 0:
                self.set_timer(wait, self._write_unwritten)
            else:
                self.call_after_refresh(self._write_unwritten)
        self._unwritten.extend(lines)
        if len(self._unwritten) > 2 * MAX_LOG_LINES:
            del self._unwritten[:-MAX_LOG_LINES]  # the log would keep only the newest ones anyway

    def _write_unwritten(self) -> None:
        if not self.is_attached:
            return
        if not self._log.is_mounted:  # only around the first frame: Lazy mounts the log just after it
            self.call_after_refresh(self._write_unwritten)
        elif self._unwritten:
            lines, self._unwritten = self._unwritten, []
            self._log.write_lines(lines[-MAX_LOG_LINES:])
            self._written_at = time.monotonic()
            self._follow()

    def _end_log(self) -> None:
        """The action is over: what waits goes into the log, and a log that stayed empty gives
        its room back (the pane is then as it was before output was expected)."""
        if self._unwritten:
            self._write_unwritten()
        elif not self._log.line_count:
            self.remove_class("-output")

    def _follow(self) -> None:
        # Log follows the end only while it is at the end, and the pane's height changes as a
        # run goes on: the newest line must stay in view unless the learner is reading the log.
        if not self._log.has_focus:
            self._log.scroll_end(animate=False)

    # --- result ---------------------------------------------------------------------------

    def show_result(self, text: str | Text, state: str) -> None:
        """Replace the result (a saved verdict, a check's outcome)."""
        self._set_result(Text(text) if isinstance(text, str) else text)
        self.state = state

    def add_result(self, text: str | Text, state: str) -> None:
        """One more line of the result: each finished command adds its own."""
        line = Text(text) if isinstance(text, str) else text
        self._set_result(Text("\n").join([self._result, line]) if self._result else line, added=line)
        self.state = state

    def _set_result(self, text: Text, added: Text | None = None) -> None:
        # Text, not markup: hints and summaries quote image names and registry messages verbatim.
        self._result = text
        area = self.query_one("#result-area", VerticalScroll)
        area.display = bool(text)
        if added is None:
            area.remove_children()
            if text:
                area.mount(Static(text, classes="result"))
            return
        block = Static(added, classes="result")
        area.mount(block)
        area.call_after_refresh(area.scroll_to_widget, block, animate=False, top=True)

    @property
    def result_text(self) -> str:
        return self._result.plain

    @property
    def log_lines(self) -> list[str]:
        return self._log.raw_lines + self._unwritten


def failure_text(hint) -> Text:
    """A failure hint as the pane shows it: what happened, docker's own words, what to do next.

    Hints mark commands with backticks; they are shown as code, never as raw backticks.
    """
    from tutor.widgets.inline_code import inline_text

    text = Text.assemble(("✘ ", "bold"), inline_text(hint.what, style="bold"))
    said = (getattr(hint, "detail", "") or "").strip().splitlines()
    if said and said[0] not in hint.what and not hint.code.startswith("lesson"):  # a lesson's mistake is ours
        text.append("\nDocker said: ", "bold")
        text.append(said[0][:300])
    text.append("\nNext: ", "bold")
    text.append(inline_text(hint.next_step))
    return text


def check_failure_text(reasons: str, hint, unknown: bool = False) -> Text:
    """A failed check as the pane shows it: the checks' reasons (they say what happened, so the
    hint's "what" would say it twice), then the hint's next step. ``unknown``: it could not look."""
    from tutor.widgets.inline_code import inline_text

    text = Text.assemble(("? " if unknown else "✘ ", "bold"), inline_text(reasons))
    if hint is not None:
        text.append("\nNext: ", style="bold")
        text.append(inline_text(hint.next_step))
    return text
