"""The lesson screen: outline on the left, the selected part on the right, and under a step
the action pane that runs it for real."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, OptionList
from textual.worker import Worker, WorkerState

from tutor.lesson import Step, VerifyItem
from tutor.lesson.compose import (checklist_markdown, concept_markdown, question_markdown, stale_text,
                                  step_markdown, step_pane, verify_commands, verify_markdown)
from tutor.messages import StepEvent
from tutor.screens.base import TutorScreen
from tutor.screens.lesson_keys import LESSON_BINDINGS, key_applies
from tutor.secret import Secret
from tutor.session import Session, checks_runner
from tutor.states import CheckStatus, StepState
from tutor.widgets.action_pane import ActionPane, check_failure_text
from tutor.widgets.marks import QUIZ_ENTRY_STATES
from tutor.widgets.outline import Entry, Outline, lesson_sections
from tutor.widgets.step_text import StepText

if TYPE_CHECKING:
    from textual.timer import Timer

    from tutor.docker_ops.recording import Recording
    from tutor.screens.demo import DemoDriver


PROGRESS_POLL = 2.0  # seconds between looks at the progress file for another process's records


class LessonScreen(TutorScreen[None]):
    # esc stops a running action first, even in the full pane; leaving the full pane comes after.
    ESCAPE_TO_MINIMIZE = False
    BINDINGS = LESSON_BINDINGS

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.current: Entry | None = None
        self._position_timer: Timer | None = None
        self._runs: dict = {}  # step id -> its last finished run in this session (docker_ops.recording.Recording)
        self._served = ""  # id of the running step whose container answered: a stop now ends a success
        self.demo: DemoDriver | None = None  # the DemoDriver while `docker-tutor demo` walks the lesson
        # step id -> following's warning about a wrong name there, shown at the step until a check passes
        self._follow_warnings: dict[str, str] = {}

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="lesson-main"):
            with Horizontal(id="lesson-body"):
                yield Outline(id="outline")
                yield StepText(id="step-text")
            # The whole width, under both: commands and docker's lines are long.
            yield ActionPane(id="action-pane")
        yield Footer(compact=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Keys that mean nothing right now leave the footer, so the ones that do fit at 80 columns.
        if action in ("follow_status", "follow_lost"):
            return self.tutor_app.follow_state == ("lost" if action == "follow_lost" else "following")
        if action in ("demo_run", "demo_next"):  # space, labelled with what it does now
            return self.demo is not None and action == f"demo_{self.demo.waiting}"
        if action in ("quiz_unlisted", "settings_unlisted"):
            return self.tutor_app.presenter and self.check_action(action.split("_")[0], ("twin",))
        if action in ("quiz", "settings") and self.tutor_app.presenter and parameters != ("twin",):
            return False  # presenter mode: out of the footer, still on their keys (the _unlisted twins)
        if self.demo is not None and action in ("run", "verify", "checklist", "quiz", "settings"):
            return False  # the demo presses r and v itself; space, h, m, esc and f2 fit at 80 columns
        if action == "cancel":
            return self.running()
        if action == "leave_full_pane":
            return self.maximized is not None
        if self.maximized is not None and action in ("hint", "checklist", "quiz", "settings"):
            return False  # the full pane is for reading the run: its footer keeps to that
        if action in ("run", "verify") and self.running():
            return False  # esc (Stop) takes their place in the footer while an action runs
        if action == "maximize_pane":
            return not self.query_one(ActionPane).has_class("-hidden") or self.maximized is not None
        if action in ("run", "verify", "hint"):
            return key_applies(action, self.current, self.session.lesson)
        return True

    def on_mount(self) -> None:
        lesson = self.session.lesson
        self.sub_title = lesson.title
        outline = self.query_one(Outline)
        outline.fill(lesson_sections(self.session.lesson, self.session.render))
        self.refresh_marks()
        kind, _, item_id = (self.session.progress.position or "").partition(":")
        if not (kind and self.goto(kind, item_id)):
            first_open = next((s for s in lesson.steps if self.session.step_state(s) != StepState.DONE), None)
            if first_open is not None:
                self.goto("step", first_open.id)
            elif lesson.concepts:
                self.goto("concept", lesson.concepts[0].id)
        outline.focus()
        # `watch`, `do` or `check` in another terminal save to the same file: a stat every 2 s.
        self.set_interval(PROGRESS_POLL, self._progress_elsewhere)

    def _progress_elsewhere(self) -> None:
        """Another tutor process saved records: the marks (and the step on screen) show them."""
        if self.running():
            return  # the running step's mark is the pane's; this is taken in once it ends
        shown = self.current
        step = self.session.lesson.step(shown.id) if shown is not None and shown.kind == "step" else None
        before = self.session.step_state(step) if step is not None else None
        if not self.session.refresh_progress():
            return
        self.refresh_marks()
        if step is not None and self.session.step_state(step) != before:
            self._prepare_pane(step)

    def goto(self, kind: str, item_id: str) -> bool:
        """Select an outline entry and show it (False when the lesson has no such entry)."""
        outline = self.query_one(Outline)
        entry = next((e for e in outline.entries(kind) if e.id == item_id), None)
        if entry is None:
            return False
        outline.select_entry(kind, item_id)
        self.show(entry)
        return True

    def refresh_marks(self) -> None:
        """Outline marks from saved progress."""
        progress, outline = self.session.progress, self.query_one(Outline)
        for step in self.session.lesson.steps:
            outline.set_status("step", step.id, self.session.step_state(step))
        for verify in self.session.lesson.verify:
            outline.set_status("verify", verify.id, self.session.verify_state(verify).get("status", StepState.TODO))
        for question in self.session.lesson.quiz:
            attempt = progress.last_attempt(question.id)
            outline.set_status("quiz", question.id, QUIZ_ENTRY_STATES.get(attempt["verdict"], StepState.TODO)
                               if attempt else StepState.TODO)
        for item in self.session.lesson.checklist:
            outline.set_status("checklist", item.id, self.session.check_record(item.id).get("status", CheckStatus.TODO))

    # --- showing an entry ---------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#outline")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        entry = self.query_one(Outline).entry_of(event.option)
        if entry is not None and entry != self.current:
            self.show(entry)

    @on(OptionList.OptionSelected, "#outline")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        entry = self.query_one(Outline).entry_of(event.option)
        if entry is not None and entry.kind == "quiz":
            self.tutor_app.open_quiz(entry.id)
        elif entry is not None and entry.kind == "checklist":
            self.tutor_app.open_checklist()
        elif entry is not None and entry.kind in ("step", "verify"):
            self.query_one(StepText).focus()  # enter reads on; the arrows then scroll the text

    def show(self, entry: Entry) -> None:
        self.current = entry
        self.session.progress.position = f"{entry.kind}:{entry.id}"
        # Where the learner is reading changes with every arrow key: save it once they pause.
        if self._position_timer is not None:
            self._position_timer.stop()
        self._position_timer = self.set_timer(0.4, self.session.save_progress)
        lesson, pane = self.session.lesson, self.query_one(ActionPane)
        # A running action stays in view whatever the learner reads meanwhile.
        pane.set_class(entry.kind not in ("step", "verify") and not self.running(), "-hidden")
        self.refresh_bindings()
        render = self.session.render
        # The outline's entries come from this lesson: each id finds its part (the asserts say so to mypy).
        if entry.kind == "step":
            step = lesson.step(entry.id)
            assert step is not None
            self._render_step(step)
            if not self.running():
                self._prepare_pane(step)
        elif entry.kind == "concept":
            concept = next(c for c in lesson.concepts if c.id == entry.id)
            self._set_markdown(concept_markdown(render, concept))
        elif entry.kind == "quiz":
            question = lesson.question(entry.id)
            assert question is not None
            self._set_markdown(question_markdown(render, question))
        elif entry.kind == "verify":
            verify = lesson.verify_item(entry.id)
            assert verify is not None
            self._set_markdown(verify_markdown(render, self.session.values(), verify))
            if not self.running():
                self._prepare_verify_pane(verify)
        elif entry.kind == "checklist":
            item = lesson.checklist_item(entry.id)
            assert item is not None
            self._set_markdown(checklist_markdown(render, item, self.session.check_record(item.id)))

    def _render_step(self, step: Step, at_end: bool = False) -> None:
        hints_open = self.session.progress.hints.get(step.id, 0)
        self._set_markdown(step_markdown(self.session.render, self.session.values(), step, hints_open), at_end)

    def _set_markdown(self, text: str, at_end: bool = False) -> None:
        self.query_one(StepText).show(text, at_end=at_end)

    def _prepare_pane(self, step: Step) -> None:
        pane, commands = self.query_one(ActionPane), self.session.step_commands(step)
        lines, pane_state, title = step_pane(step, commands, self.session.values())
        pane.show_command(lines, state=pane_state)
        if title is not None:
            pane.border_title = title
        saved, state = self._saved_step(step), self.session.step_state(step)
        run = self._runs.get(step.id)
        # Back at a step run earlier: its run is shown again, while it ran these very commands.
        if run is not None and state != StepState.TODO and run.commands == commands:
            for event in run.replay(saved):
                pane.show_event(event)
            ending = run.ending(saved)
            if ending is not None:  # a served container stopped with esc: "Stopped", as the run ended
                pane.stop(*ending)
                return
            if run.verdict_replayed(saved) and pane.state != "running":
                return
            pane.settle()  # a run that ended is never shown as running: the saved state says how it ended
        if state == StepState.DONE:
            pane.show_result(saved.get("detail") or "Done.", "succeeded")
        elif state == StepState.FAILED:
            pane.show_result(f"Failed last time: {saved.get('detail') or 'see the output when you run it again'}",
                             "failed")
        elif state == StepState.STALE:
            pane.show_result(stale_text(saved.get("commands", []), bool(commands)), "idle")
        warning = self._follow_warnings.get(step.id)
        if warning and state != StepState.DONE:  # following saw a wrong name here: it stays until a check passes
            pane.add_result(warning, pane.state)

    def _prepare_verify_pane(self, item: VerifyItem) -> None:
        pane, values = self.query_one(ActionPane), self.session.values()
        pane.show_command(verify_commands(item, values))
        pane.border_title = "r or v checks it for you"
        saved = self.session.verify_state(item)
        if saved.get("status", StepState.TODO) != StepState.TODO:
            pane.show_result(saved.get("reason") or saved["status"], "succeeded" if saved["status"] == CheckStatus.PASSED
                             else "failed")

    def _saved_step(self, step: Step) -> dict:
        # Status, detail and time: any change by hand after a run shows up here.
        return dict(self.session.step_record(step))

    # --- running ------------------------------------------------------------------------

    def _current_step(self) -> Step | None:
        if self.current is None or self.current.kind != "step":
            self.notify("Pick a step (or a Verify item) in the outline first.", severity="warning")
            return None
        return self.session.lesson.step(self.current.id)

    def _current_verify(self) -> VerifyItem | None:
        if self.current is not None and self.current.kind == "verify":
            return self.session.lesson.verify_item(self.current.id)
        return None

    def running(self) -> bool:
        return any(w.group == "step" and w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in self.workers)

    def action_run(self) -> None:
        if self._current_verify() is not None:  # a Verify item has nothing to run: r checks it
            self.action_verify()
            return
        step = self._current_step()
        if step is None:
            return
        if self.running():
            self.notify("An action is still running: press esc to cancel it first.", severity="warning")
            return
        runnable = [a for a in step.actions if a.kind != "manual"]
        if not runnable and step.verify:  # done in the browser, but the tutor can look for the result
            self.action_verify()
            return
        if not runnable:
            self.notify("There is nothing to run in this step: follow the text, then press d.",
                        title=self.session.render(step.title))
            return
        missing = self.session.lesson.missing(self.session.values())
        if missing:
            self.notify(f"Set {', '.join(missing)} in the settings (s) first.", severity="warning")
            return
        if not self._runnable_lesson(runnable):
            return
        if any(a.kind == "login" for a in runnable):
            from tutor.screens.login import LoginDialog

            values = self.session.values()
            self.app.push_screen(LoginDialog(values["username"], values.get("registry", "docker.io")),
                                 lambda secret: self._run_with(step, secret))
        else:
            self.run_step(step)

    def _run_with(self, step: Step, secret: str | None) -> None:
        """The login dialog closed: run the step with the password given (none given: nothing runs)."""
        if secret:
            self.run_step(step, Secret(secret))

    def _runnable_lesson(self, actions: list) -> bool:
        """False, with the lesson's mistake shown as the step's failure, when the tutor must not run it."""
        from tutor.lesson import LessonError
        from tutor.runbook import check

        try:
            check(actions, self.session.values(), self.session.lesson.source)
        except LessonError as exc:
            self._show_lesson_error(exc)
            return False
        return True

    def _show_lesson_error(self, exc: Exception):
        """The lesson's mistake as the step's failure hint in the pane; returns that Failed event."""
        from tutor import hints
        from tutor.docker_ops.events import Failed

        failure = Failed(hints.from_lesson_error(exc))
        self.query_one(ActionPane).show_event(failure)
        return failure

    # A fixed description: Textual's default would put repr(secret) into the worker log.
    @work(exclusive=True, exit_on_error=False, group="step", description="run a lesson step")
    async def run_step(self, step: Step, secret: Secret | None = None) -> None:
        from tutor.docker_ops.recording import Recording

        self._served = ""
        # A fresh pane for this run: no earlier result may sit under these commands.
        self.query_one(ActionPane).show_command(self.session.step_commands(step), state="running")
        self.query_one(Outline).set_status("step", step.id, StepState.RUNNING)
        previous, recording = self._runs.get(step.id), Recording(planned=self.session.step_commands(step))
        self._runs[step.id] = recording
        verdict = None  # stays None when cancelled or crashed: nothing is recorded then
        try:
            verdict = await self._run_actions(step, recording, secret)
        finally:
            self._record_run(step, recording, previous, verdict)

    async def _run_actions(self, step: Step, recording: Recording, secret: Secret | None) -> tuple[StepState, str]:
        """Run the step's actions one after the other, each event to the pane and the recording;
        returns how the run ended (done or failed) and the detail to save with it."""
        from contextlib import aclosing

        from tutor.docker_ops import events as ev
        from tutor.lesson import LessonError
        from tutor.practice.ready import wake
        from tutor.runbook import run_action, runnable

        values = self.session.values()
        detail = ""
        summaries: list[str] = []  # each action's own, so the saved detail tells of every command
        # The settings' practice registry, stopped since (a reboot): started before the step needs it.
        woken: tuple[StepState, str] | None = None
        async for event in wake(values.get("registry"), [a.kind for a in runnable(step)]):
            self.post_message(StepEvent(step.id, event))
            recording.add(event)
            if isinstance(event, ev.Failed):
                woken = StepState.FAILED, event.hint.what
        if woken is not None:
            return woken
        for action in runnable(step):
            result = None
            try:
                stream = run_action(action, values, secret=secret, source=self.session.lesson.source)
            except LessonError as exc:  # the values changed since the check: still a lesson problem
                failure = self._show_lesson_error(exc)
                recording.add(failure)
                return StepState.FAILED, failure.hint.what
            async with aclosing(stream) as events:  # type: ignore[type-var]  # an async generator
                async for event in events:
                    self.post_message(StepEvent(step.id, event))
                    recording.add(event)
                    if isinstance(event, ev.Failed):
                        result, detail = StepState.FAILED, event.hint.what
                    elif isinstance(event, ev.Succeeded):
                        summaries.append(event.summary)
                        result, detail = StepState.DONE, " ".join(summaries)
                    elif isinstance(event, ev.Ready):
                        # `run` keeps streaming logs until cancelled: the step is done once it answers.
                        self._served = step.id
                        self._finish(step, StepState.DONE, f"Served at {event.url}")
                        result, detail = StepState.DONE, f"Served at {event.url}"
            if result != StepState.DONE:
                return StepState.FAILED, detail
        return StepState.DONE, detail

    def _record_run(self, step: Step, recording: Recording, previous: Recording | None,
                    verdict: tuple[StepState, str] | None) -> None:
        """Save how the run ended (``verdict``; None: cancelled or crashed) and keep its recording to
        show again, or bring back the last run that finished."""
        if verdict is not None:
            self._finish(step, *verdict)
            recording.finish(self._saved_step(step))
        elif self._served:  # a container that answered and was then stopped: a finished run
            recording.finish(self._saved_step(step))
            self.refresh_marks()
        else:
            self.refresh_marks()
            # Cancelled or crashed: coming back shows the last run that finished, if any.
            if previous is None:
                self._runs.pop(step.id, None)
            else:
                self._runs[step.id] = previous

    def action_verify(self) -> None:
        """The learner ran the commands themselves: look at the result instead of running them."""
        verify = self._current_verify()
        step = None if verify is not None else self._current_step()
        if verify is None and step is None:
            return
        item = verify or (self.session.lesson.verify_item(step.verify) if step is not None and step.verify else None)
        if item is None or not item.checks:
            self.notify("This step has no automatic check: run it (r) or mark it done (d).")
            return
        if self.running():
            self.notify("An action is still running: press esc to cancel it first.", severity="warning")
            return
        self.verify_step(step, item)

    @work(exclusive=True, exit_on_error=False, group="step", description="check a lesson step")
    async def verify_step(self, step: Step | None, item: VerifyItem) -> None:
        from rich.text import Text

        from tutor.docker_ops.events import Failed
        from tutor.lesson import ChecklistItem
        from tutor.practice.ready import wake
        from tutor.probes.runner import worst

        pane, values = self.query_one(ActionPane), self.session.values()
        pane.show_command(verify_commands(item, values), state="running")
        self.query_one(Outline).set_status("verify", item.id, StepState.RUNNING)
        async for event in wake(values.get("registry"), [check.probe.kind for check in item.checks]):
            pane.show_event(event)  # a stopped practice registry is started before it is asked
            if isinstance(event, Failed):
                self.refresh_marks()
                return
        runner, warning = checks_runner(self.session)
        if warning:
            self.notify(warning, severity="warning", markup=False)
        results = [await runner.evaluate(ChecklistItem(check.id, item.title, check.line, probe=check.probe))
                   for check in item.checks]
        reasons = " ".join(r.reason for r in results if r.reason)
        status = worst(r.status for r in results)
        self.session.record_verify(item, status, reasons)
        if status == CheckStatus.PASSED:
            if step is not None:
                self._finish(step, StepState.DONE, reasons)
            pane.show_result(Text.assemble(("✔ ", "bold"), reasons or "Checked: done."), "succeeded")
        else:
            hint = next((r.hint for r in results if r.hint is not None), None)
            message = check_failure_text(reasons, hint)
            if step is not None and self.session.step_state(step) == StepState.DONE:
                # The check just showed the step's result is not there (any more): the mark says so.
                self._finish(step, StepState.FAILED, reasons)
            pane.show_result(message, "failed")
        self.refresh_marks()

    def _finish(self, step: Step, status: str, detail: str) -> None:
        # A failed re-run un-ticks a done step: the mark says what is true now, for these commands.
        self.session.record_step(step, status, detail)
        if status == StepState.DONE:
            self._follow_warnings.pop(step.id, None)  # the check passed: the name is right now
        self.query_one(Outline).set_status("step", step.id, self.session.step_state(step))

    def follow_update(self, step_id: str, note: str, next_step: str = "", warning: bool = False) -> None:
        """A note from following the learner's own terminal (tutor/follow.py saved the marks): the
        outline shows them, and the step, if it is the one in view, shows the note. A warning (a wrong
        image name) stays with its step, shown whenever the learner comes back, until a check passes."""
        self.refresh_marks()
        step = self.session.lesson.step(step_id) if step_id else None
        if step is not None and warning:
            self._follow_warnings[step.id] = f"From your terminal: {note}" + \
                (f"\nNext: {next_step}" if next_step else "")
        elif step is not None and self.session.step_state(step) == StepState.DONE:
            self._follow_warnings.pop(step.id, None)
        if step is None or self.running() or self.current is None or \
                (self.current.kind, self.current.id) != ("step", step_id):
            return
        self._prepare_pane(step)  # a done step shows its saved detail: the note
        if self.session.step_state(step) != StepState.DONE and not warning:  # a warning: _prepare_pane showed it
            self.query_one(ActionPane).show_result(note + (f"\nNext: {next_step}" if next_step else ""), "idle")

    @on(StepEvent)
    def _step_event(self, message: StepEvent) -> None:
        # The pane follows the running action even when the learner reads another entry meanwhile.
        self.query_one(ActionPane).show_event(message.event)

    def on_unmount(self) -> None:
        if self._position_timer is not None:
            self.session.save_progress()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "step":
            return
        pane = self.query_one(ActionPane)
        if event.state == WorkerState.CANCELLED and self._served:
            # The container answered before esc: stopping it ends a success, not a cancellation.
            stopped = ("Stopped: the container was stopped and removed. The step is done.", "stopped")
            pane.stop(*stopped)
            if (run := self._runs.get(self._served)) is not None:
                run.ended(*stopped)  # shown again when the learner comes back to the step
            self.refresh_marks()
        elif event.state == WorkerState.CANCELLED:
            pane.stop("Cancelled: nothing was left running.", "cancelled")
            self.refresh_marks()
        elif event.state == WorkerState.ERROR:
            # A bug, not a learner mistake: keep the tutor alive and say what to report.
            pane.stop(f"Internal error: {event.worker.error!r}. Please report it.", "failed")
            self.refresh_marks()
        if event.state in (WorkerState.SUCCESS, WorkerState.CANCELLED, WorkerState.ERROR):
            self._served = ""  # it belonged to that run; a later check's esc is a cancellation
        self.refresh_bindings()  # esc (Stop) is in the footer only while something runs

    # --- demo mode (tutor/screens/demo.py drives; these are its hooks) ----------------------

    def start_demo(self, options) -> None:
        from tutor.screens.demo import DemoDriver

        self.demo = DemoDriver(self, options)
        self.run_worker(self._demo(), group="demo", exclusive=True, exit_on_error=False, description="demo mode")

    async def _demo(self) -> None:
        assert self.demo is not None  # start_demo set it
        try:
            await self.demo.run()
        finally:
            self.demo = None
            self.refresh_bindings()

    def stop_demo(self) -> None:
        """Palette: leave demo mode; a step it started goes on like one started with r."""
        if self.demo is not None:
            self.workers.cancel_group(self, "demo")
            self.notify("Demo stopped. Every key works as usual.")

    def action_demo_run(self) -> None:
        if self.demo is not None:
            self.demo.proceed()

    action_demo_next = action_demo_run

    def serving(self) -> bool:
        """A step's container answered and still runs (esc stops it)."""
        return bool(self._served) and self.running()

    def action_cancel(self) -> None:
        """esc: stop what runs (the full pane stays, to read how it ended)."""
        if self.running():
            self.workers.cancel_group(self, "step")

    def action_leave_full_pane(self) -> None:
        self.minimize()
        self.query_one(Outline).focus()
        self.refresh_bindings()

    def action_to_outline(self) -> None:
        """esc with nothing to stop: the focus goes back to the outline, to pick the next part."""
        outline = self.query_one(Outline)
        outline.display = True
        outline.focus()

    # --- layout keys ---------------------------------------------------------------------

    def action_maximize_pane(self) -> None:
        """m: the action pane fills the screen (m or esc again brings the lesson back)."""
        if self.maximized is not None:
            self.action_leave_full_pane()
            return
        pane = self.query_one(ActionPane)
        if not pane.has_class("-hidden"):
            self.maximize(pane, container=False)
            # The arrows then scroll what is in view (the outline is hidden behind the pane).
            target = pane.query_one("#output") if pane.has_class("-output") else pane.query_one("#result-area")
            target.focus()
            self.refresh_bindings()

    def action_toggle_outline(self) -> None:
        """o: hide the outline to give the text the whole width, or bring it back."""
        outline = self.query_one(Outline)
        outline.display = not outline.display
        (outline if outline.display else self.query_one(StepText)).focus()

    def action_page_text(self, direction: int) -> None:
        """Page keys on the outline scroll the text beside it."""
        text = self.query_one(StepText)
        text.scroll_page_down(animate=False) if direction > 0 else text.scroll_page_up(animate=False)

    def action_copy_commands(self) -> None:
        """y: the commands in the pane, whole, to the clipboard (the terminal must allow OSC 52)."""
        commands = [c for c in self.query_one(ActionPane).commands if not c.startswith("(")]  # notes are no commands
        if not commands:
            self.notify("There is no command to copy here.")
            return
        self.app.copy_to_clipboard("\n".join(commands))
        self.notify(f"Copied {len(commands)} command{'s' if len(commands) > 1 else ''} to the clipboard.")

    # --- progress through the steps -------------------------------------------------------

    def action_hint(self) -> None:
        step = self._current_step()
        if step is None:
            return
        if not step.hints:
            self.notify("This step has no hints.")
            return
        opened = self.session.progress.hints.get(step.id, 0)
        if opened >= len(step.hints):
            self.notify("All hints for this step are open.")
            return
        self.session.progress.open_hint(step.id)
        self.session.save_progress()
        self._render_step(step, at_end=True)  # the freshly opened hint, not the step's top

    def action_mark_done(self) -> None:
        step = self._current_step()
        if step is not None:
            self._finish(step, StepState.DONE, "Marked done by you.")
            self._prepare_pane(step)

    def action_skip(self) -> None:
        step = self._current_step()
        if step is not None:
            self._finish(step, StepState.SKIPPED, "Skipped.")
            self.action_next()

    def action_reset_step(self) -> None:
        step = self._current_step()
        if step is None:
            return
        self.session.progress.reset_step(step.id)
        self.session.save_progress()
        self._runs.pop(step.id, None)
        self.query_one(Outline).set_status("step", step.id, StepState.TODO)
        self._render_step(step)
        self._prepare_pane(step)

    def _move(self, offset: int) -> None:
        steps = self.session.lesson.steps
        ids = [s.id for s in steps]
        index = ids.index(self.current.id) if self.current and self.current.kind == "step" else -1
        target = max(0, min(len(ids) - 1, index + offset))
        self.goto("step", ids[target])

    def action_next(self) -> None:
        self._move(1)

    def action_previous(self) -> None:
        self._move(-1)

    def action_checklist(self) -> None:
        self.tutor_app.open_checklist()

    def action_quiz(self) -> None:
        self.tutor_app.open_quiz(self.current.id if self.current and self.current.kind == "quiz" else None)

    def action_settings(self) -> None:
        self.tutor_app.open_settings()

    action_quiz_unlisted, action_settings_unlisted = action_quiz, action_settings

    def action_follow_status(self) -> None:
        """f: what following the learner's terminal sees now (turn it off in the settings)."""
        seen = self.tutor_app.following.seen
        last = f" Last seen: {seen}" if seen else " Nothing seen from your terminal yet."
        self.notify(f"{self.tutor_app.follow_text}.{last} Steps are ticked when you run docker yourself; the settings "
                    "(s) turn this off.", markup=False, timeout=8 if seen else None)

    action_follow_lost = action_follow_status

    def reload(self) -> None:
        """Settings or progress changed elsewhere: titles, marks and the current entry are redrawn."""
        self.session.refresh_progress()  # and what another tutor process saved meanwhile
        self.query_one(Outline).fill(lesson_sections(self.session.lesson, self.session.render))
        self.refresh_marks()
        if self.current is not None:
            current, self.current = self.current, None
            self.goto(current.kind, current.id)
