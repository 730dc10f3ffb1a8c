"""The checklist: each item's live probe state, re-checked on demand, and trusting a node's host key."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tutor.session import Session
from tutor.widgets.outline import MARKS

STATUS_MARKS = {**MARKS, "error": ("!", "yellow"), "running": ("…", "yellow")}
STATUS_WORDS = {"passed": "passed", "failed": "not yet", "error": "could not check", "skipped": "skipped",
                "running": "checking…", "todo": "not checked"}


@dataclass
class CheckDone(Message):
    """One checklist item's result, from the probe worker."""

    result: object


class ChecklistScreen(Screen):
    BINDINGS = [
        Binding("r", "recheck", "Re-check item"),
        Binding("a", "recheck_all", "Re-check all"),
        Binding("t", "trust", "Trust host key", show=False),
        Binding("escape,b", "back", "Back"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.results: dict[str, object] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="checklist-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="check-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Checklist"
        table = self.query_one(DataTable)
        table.add_column("", key="mark", width=2)
        table.add_column("Item", key="item")
        table.add_column("State", key="state", width=16)
        saved = self.session.progress.checklist
        for item in self.session.lesson.checklist:
            status = saved.get(item.id, {}).get("status", "todo")
            table.add_row(self._mark(status), Text(self.session.render(item.text)), STATUS_WORDS.get(status, status),
                          key=item.id)
        table.focus()
        self.run_checks()

    @staticmethod
    def _mark(status: str) -> Text:
        mark, style = STATUS_MARKS.get(status, STATUS_MARKS["todo"])
        return Text(mark, style=style)

    # --- probing ------------------------------------------------------------------------

    def _runner(self):
        from tutor.probes.node import target_from_settings
        from tutor.probes.runner import CheckContext, Runner

        settings = self.session.settings
        try:
            node = target_from_settings(settings.node)
        except ValueError as exc:
            node = None
            self.notify(f"The node in your settings is not usable: {exc}", severity="warning")
        context = CheckContext(values=self.session.values(), node=node, progress=self.session.progress,
                               no_node_reason="No EC2 node is set: add its host, user and key in the settings (s).")
        return Runner(self.session.lesson, context)

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
        table = self.query_one(DataTable)
        table.update_cell(result.item_id, "mark", self._mark(result.status))
        table.update_cell(result.item_id, "state", STATUS_WORDS.get(result.status, result.status))
        if save and result.status != "running":
            evidence = {k: v for k, v in result.evidence.items() if k != "public_key"}
            self.session.progress.set_check(result.item_id, result.status, result.reason, evidence)
            self.session.save_progress()
        self._detail()
        if save and result.outcome == "unknown-host-key":
            self.action_trust(result)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self._detail()

    def _selected_id(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _detail(self) -> None:
        item_id = self._selected_id()
        if item_id is None:
            return
        result = self.results.get(item_id)
        saved = self.session.progress.checklist.get(item_id, {})
        detail = Text()
        if result is not None:
            detail.append(result.reason or "", style="bold")
            if result.hint is not None:
                detail.append(f"\n{result.hint.what}\nNext: {result.hint.next_step}")
            for image in getattr(result, "images", []):
                detail.append(f"\n  {image.ref}: {image.reason}", style="dim")
        elif saved:
            detail.append(f"Last check: {saved.get('status')}: {saved.get('reason', '')}")
        self.query_one("#check-detail", Static).update(detail)

    # --- keys -----------------------------------------------------------------------------

    def on_worker_state_changed(self, event) -> None:
        from textual.worker import WorkerState

        if event.worker.group != "checks" or event.state not in (WorkerState.ERROR, WorkerState.CANCELLED):
            return
        # Rows the run never finished go back to what was last saved, instead of "checking…" forever.
        for item_id, result in list(self.results.items()):
            if result.status == "running":
                status = self.session.progress.checklist.get(item_id, {}).get("status", "todo")
                table = self.query_one(DataTable)
                table.update_cell(item_id, "mark", self._mark(status))
                table.update_cell(item_id, "state", STATUS_WORDS.get(status, status))
                del self.results[item_id]
        if event.state == WorkerState.ERROR:
            self.notify(f"The checks stopped with an internal error: {event.worker.error!r}", severity="error")

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

    def action_back(self) -> None:
        self.workers.cancel_group(self, "checks")
        self.dismiss()

    def action_trust(self, result=None) -> None:
        result = result or next((r for r in self.results.values() if r.outcome == "unknown-host-key"), None)
        key_line = result.evidence.get("public_key") if result is not None else None
        if not key_line:
            self.notify("No unknown host key to trust right now.")
            return
        from tutor.screens.dialogs import HostKeyDialog

        host = result.evidence.get("known_hosts_host", self.session.settings.node.host)
        port = int(result.evidence.get("known_hosts_port") or 22)

        def answered(trust: bool | None) -> None:
            if not trust:
                self.notify("Not trusted: the node will not be checked until you trust its key.")
                return
            from tutor.probes.node import trust_host_key

            try:
                path = trust_host_key(host, port, key_line)
            except OSError as exc:
                self.notify(f"Could not remember the key: {exc}", severity="error")
                return
            self.notify(f"Trusted; remembered in {path}.")
            self.run_checks([result.item_id])

        self.app.push_screen(HostKeyDialog(host, port, result.evidence.get("fingerprint", "(unknown)"),
                                           result.evidence.get("key_type", "")), answered)
