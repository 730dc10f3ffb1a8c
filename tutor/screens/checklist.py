"""The checklist: each item's live probe state, re-checked on demand, and trusting a node's host key.

Laid out for 80x24 first: each item is one row of an OptionList whose text wraps (the sentences are
long once the learner's values are filled in), with its state word in a fixed column; the selected
item's full reason, hint and next step are below it in a scrolling area that takes the rest.
"""

from __future__ import annotations

import re

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from tutor.messages import CheckDone
from tutor.probes.results import STATUS_WORDS, CheckResult, shown_status
from tutor.screens.base import TutorScreen
from tutor.session import Session
from tutor.states import CheckStatus
from tutor.widgets.inline_code import inline_text
from tutor.widgets.marks import CHECKING, mark_of

STATE_WIDTH = max(len(word) for word in STATUS_WORDS.values())
UNKNOWN_HOST_KEY = "unknown-host-key"  # the node probe's outcome for a key the tutor has not seen
HOW_TO_TRUST = "To trust it: press t, compare the fingerprint with the node's own, then press y or choose Trust."


class DetailBox(VerticalScroll):
    """The selected item's details; its border says when they are longer than the room they have."""

    def on_mount(self) -> None:
        self.border_title = "Details"

    def update_cue(self) -> None:
        # The scrollbar alone is easy to miss.
        self.border_title = "Details · PgUp/PgDn: more" if self.max_scroll_y > 0 else "Details"

    def watch_virtual_size(self) -> None:
        # Set before the container size during layout: look once both are settled.
        self.call_after_refresh(self.update_cue)

    def on_resize(self) -> None:
        self.update_cue()


class ChecklistScreen(TutorScreen[None]):
    BINDINGS = [
        Binding("r", "recheck", "Re-check"),
        Binding("a", "recheck_all", "Re-check all"),
        Binding("t", "trust", "Trust host key"),
        # The items' advice says "in the settings (s)"; at 80 columns the footer has room for it only
        # while there is no host key to trust: s works all the same.
        Binding("s", "settings", "Settings"),
        Binding("s", "settings_unlisted", show=False),
        # Priority, so the details scroll while the list keeps the focus (and its arrow keys).
        Binding("pageup", "scroll_detail(-1)", "Scroll details", show=False, priority=True),
        Binding("pagedown", "scroll_detail(1)", "Scroll details", show=False, priority=True),
        Binding("escape,b", "back", "Back"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.results: dict[str, CheckResult] = {}
        self.declined: dict[str, str] = {}  # item id -> fingerprint of the host key the learner did not trust
        self._pointed: str | None = None  # the row drawn with the pointer
        self._settings = session.settings  # replaced when the learner saves new settings (s)

    def compose(self) -> ComposeResult:
        yield Header()
        yield OptionList(id="checklist-items")
        with DetailBox(id="check-detail-box"):
            yield Static("", id="check-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Checklist"
        items = self.query_one("#checklist-items", OptionList)
        items.add_options(Option(self._row(item.id), id=item.id) for item in self.session.lesson.checklist)
        if items.option_count:
            items.highlighted = 0
        items.focus()
        self._detail()
        self.run_checks()

    # --- what a row and the details say ---------------------------------------------------------

    def _status(self, item_id: str) -> str:
        result = self.results.get(item_id)
        if result is not None:
            return shown_status(result.status, result.outcome)
        record = self.session.check_record(item_id)
        return shown_status(record.get("status", CheckStatus.TODO), evidence=record.get("evidence"))

    @staticmethod
    def _state(status: str) -> tuple[str, str, str]:
        symbol, style = CHECKING if status == CheckStatus.RUNNING else mark_of(status)
        return symbol, style, STATUS_WORDS.get(status, status)

    def _row(self, item_id: str) -> Table:
        item = self.session.lesson.checklist_item(item_id)
        mark, style, word = self._state(self._status(item_id))
        row = Table.grid(padding=(0, 1), expand=True)
        row.add_column(width=1, no_wrap=True)  # the pointer: the highlight alone is lost in a plain capture
        row.add_column(width=1, no_wrap=True)
        row.add_column(ratio=1, overflow="fold")  # the sentence wraps; a word longer than the row folds
        row.add_column(width=STATE_WIDTH, overflow="fold")
        row.add_row("▸" if item_id == self._pointed else "", Text(mark, style=style),
                    inline_text(self.session.render(item.text) if item else item_id), Text(word, style=style))
        return row

    def _selected_id(self) -> str | None:
        items = self.query_one("#checklist-items", OptionList)
        if items.highlighted is None:
            return None
        return items.get_option_at_index(items.highlighted).id

    def _detail(self) -> None:
        item_id = self._selected_id()
        self.query_one("#check-detail", Static).update(self._detail_text(item_id) if item_id else Text())
        self.call_after_refresh(self.query_one("#check-detail-box", DetailBox).update_cue)

    def _detail_text(self, item_id: str) -> Text:
        result = self.results.get(item_id)
        saved = self.session.check_record(item_id)
        mark, style, word = self._state(self._status(item_id))
        reason = result.reason if result is not None else ""
        detail = Text()
        if reason.casefold().startswith(word.casefold()):  # "Not answered yet: ..." says the word itself
            detail.append(mark, style=f"bold {style}")
            detail.append(" ")
            detail.append_text(inline_text(reason, style="bold"))
            reason = ""
        else:
            detail.append(f"{mark} {word}", style=f"bold {style}")
        if result is None and not saved:
            detail.append(": press r to check this item, or a to check every item.")
            return detail
        if result is None:
            detail.append(" at the last check: ")
            detail.append_text(inline_text(saved.get("reason", "")))
            return detail
        if result.status == CheckStatus.RUNNING:
            detail.append(": looking now…")
            return detail
        if reason:
            detail.append(": ")
            detail.append_text(inline_text(reason, style="bold"))
        if result.hint is not None:
            if not _says_the_same(result.reason, result.hint.what):  # the reason often is the hint's "what"
                detail.append("\n")
                detail.append_text(inline_text(result.hint.what))
            detail.append("\nNext: ", style="bold")
            detail.append_text(inline_text(result.hint.next_step))
        for image in getattr(result, "images", []):
            # Each image's own sentence, unless the item's reason already says it.
            if image.reason and image.reason not in (result.reason or ""):
                detail.append(f"\n• {image.ref}: ", style="dim")
                detail.append_text(inline_text(image.reason, style="dim"))
        if result.outcome == UNKNOWN_HOST_KEY and result.evidence.get("public_key"):
            shown = result.evidence.get("fingerprint", "")
            if self.declined.get(item_id) == shown:
                detail.append(f"\nYou did not trust this key: nothing was saved and the node was not checked. "
                              f"{HOW_TO_TRUST}", style="bold yellow")
            else:
                detail.append("\nPress t to see the key's fingerprint and decide whether to trust it.",
                              style="bold")
        return detail

    @on(OptionList.OptionHighlighted, "#checklist-items")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        before, self._pointed = self._pointed, event.option.id
        items = self.query_one("#checklist-items", OptionList)
        for item_id in {i for i in (before, self._pointed) if i is not None}:
            items.replace_option_prompt(item_id, self._row(item_id))
        self.query_one("#check-detail-box", VerticalScroll).scroll_home(animate=False)
        self._detail()

    def _redraw(self, item_id: str) -> None:
        self.query_one("#checklist-items", OptionList).replace_option_prompt(item_id, self._row(item_id))
        self._detail()
        self.refresh_bindings()

    # --- probing ------------------------------------------------------------------------

    def _runner(self):
        from tutor.session import checks_runner

        runner, warning = checks_runner(self.session)
        if warning:
            self.notify(warning, severity="warning", markup=False)
        return runner

    def checking(self) -> bool:
        return any(w.group == "checks" and w.is_running for w in self.workers)

    @work(exclusive=True, exit_on_error=False, group="checks", description="check the checklist")
    async def run_checks(self, only: list[str] | None = None) -> None:
        runner = self._runner()
        for planned in runner.plan():
            if only is None or planned.item_id in only:
                self._show(planned, save=False)
        async for result in runner.run(only):
            self.post_message(CheckDone(result))

    @on(CheckDone)
    def _check_done(self, message: CheckDone) -> None:
        self._show(message.result, save=True)

    def _show(self, result, save: bool) -> None:
        self.results[result.item_id] = result
        if save and result.status != CheckStatus.RUNNING:
            evidence = {k: v for k, v in result.evidence.items() if k != "public_key"}
            self.session.progress.set_check(result.item_id, result.status, result.reason, evidence)
            self.session.save_progress()
        self._redraw(result.item_id)
        if save and result.outcome == UNKNOWN_HOST_KEY:
            self.action_trust(result)

    # --- keys -----------------------------------------------------------------------------

    def on_worker_state_changed(self, event) -> None:
        from textual.worker import WorkerState

        if event.worker.group != "checks" or event.state not in (WorkerState.ERROR, WorkerState.CANCELLED):
            return
        # Rows the run never finished go back to what was last saved, instead of "checking…" forever.
        for item_id, result in list(self.results.items()):
            if result.status == CheckStatus.RUNNING:
                del self.results[item_id]
                self._redraw(item_id)
        if event.state == WorkerState.ERROR:
            self.notify(f"The checks stopped with an internal error: {event.worker.error!r}", severity="error",
                        markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("trust", "settings_unlisted"):
            return self._untrusted() is not None  # in the footer only while there is a key to trust
        if action == "settings":
            return self._untrusted() is None
        return True

    def _untrusted(self):
        return next((r for r in self.results.values()
                     if r.outcome == UNKNOWN_HOST_KEY and r.evidence.get("public_key")), None)

    def action_scroll_detail(self, direction: int) -> None:
        box = self.query_one("#check-detail-box", VerticalScroll)
        if direction < 0:
            box.scroll_page_up(animate=False)
        else:
            box.scroll_page_down(animate=False)

    def action_recheck(self) -> None:
        item_id = self._selected_id()
        if item_id is None:
            return
        if self.checking():
            self.notify("Still checking: wait for this round to finish, then re-check.")
            return
        self.run_checks([item_id])

    def action_recheck_all(self) -> None:
        if self.checking():
            self.notify("Still checking: wait for this round to finish.")
            return
        self.run_checks()

    def action_settings(self) -> None:
        self.tutor_app.open_settings()

    action_settings_unlisted = action_settings

    def on_screen_resume(self) -> None:
        if self.session.settings is self._settings:
            return
        # New names, registry or node: every row's sentence and result may be different now.
        self._settings = self.session.settings
        self.results.clear()
        items = self.query_one("#checklist-items", OptionList)
        for item in self.session.lesson.checklist:
            items.replace_option_prompt(item.id, self._row(item.id))
        self._detail()
        self.workers.cancel_group(self, "checks")
        self.run_checks()

    def action_back(self) -> None:
        self.workers.cancel_group(self, "checks")
        self.dismiss()

    def action_trust(self, result=None) -> None:
        from tutor.screens.dialogs import HostKeyDialog

        result = result or self._untrusted()
        key_line = result.evidence.get("public_key") if result is not None else None
        if not key_line:
            self.notify("No unknown host key to trust right now.")
            return
        if any(isinstance(screen, HostKeyDialog) for screen in self.app.screen_stack):
            return  # one question at a time; a second round of checks must not stack another

        host = result.evidence.get("known_hosts_host", self.session.settings.node.host)
        port = int(result.evidence.get("known_hosts_port") or 22)
        shown = result.evidence.get("fingerprint", "(unknown)")

        def answered(trust: bool | None) -> None:
            if not trust:
                # Said in the item's details, which stay (a toast would vanish and cover them).
                self.declined[result.item_id] = shown
                items = self.query_one("#checklist-items", OptionList)
                items.highlighted = items.get_option_index(result.item_id)
                self._detail()
                return
            from tutor.probes.node import trust_host_key

            try:
                path = trust_host_key(host, port, key_line)
            except (OSError, ValueError) as exc:
                self.notify(f"Could not remember the key: {exc}", severity="error", markup=False)
                return
            self.declined.pop(result.item_id, None)
            self.notify(f"Trusted; remembered in {path}. Checking the node again.", markup=False)
            self.run_checks([result.item_id])

        self.app.push_screen(HostKeyDialog(host, port, shown, result.evidence.get("key_type", "")), answered)


def _says_the_same(reason: str, what: str) -> bool:
    """Whether two sentences tell the same thing (the probe's reason is often the hint's first
    sentence, worded a little differently): most of the shorter one's words are in the other."""
    words = [set(re.findall(r"[a-z0-9]{3,}", text.lower())) for text in (reason or "", what or "")]
    shorter, longer = sorted(words, key=len)
    return bool(shorter) and len(shorter & longer) >= 0.7 * len(shorter)
