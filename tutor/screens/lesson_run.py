"""Running a lesson step for real and recording the run (r), checking a step's result (v), and
stopping what runs (esc): the lesson screen's workers and what their ends leave on screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.worker import Worker, WorkerState

from tutor.lesson import Step, VerifyItem
from tutor.lesson.compose import verify_commands
from tutor.messages import StepEvent
from tutor.screens.pane_replay import PaneReplay, check_outcome_text, check_pane_state
from tutor.secret import Secret
from tutor.session import checks_runner
from tutor.states import CheckStatus, StepState
from tutor.widgets.action_pane import ActionPane
from tutor.widgets.marks import QUIZ_ENTRY_STATES
from tutor.widgets.outline import Entry, Outline

if TYPE_CHECKING:
    from tutor.docker_ops.recording import Recording


class StepRunner(PaneReplay):
    """The lesson screen's running and checking (LessonScreen sets these attributes in its __init__)."""

    current: Entry | None
    _served: str  # id of the running step whose container answered: a stop now ends a success


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
        # A fresh pane for this run: no earlier result may sit under these commands. A build prints
        # its lines by the thousand: the log takes its room before they come.
        self.query_one(ActionPane).show_command(self.session.step_commands(step), state="running",
                                                output=any(action.kind == "build" for action in step.actions))
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
            async with aclosing(stream) as events:
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
        hint = next((r.hint for r in results if r.hint is not None), None)
        self.session.record_verify(item, status, reasons, hint.next_step if hint is not None else "")
        if status == CheckStatus.PASSED:
            if step is not None:
                self._finish(step, StepState.DONE, reasons)
            pane.show_result(Text.assemble(("✔ ", "bold"), reasons or "Checked: done."), "succeeded")
        else:
            message = check_outcome_text(reasons, hint, status)
            if step is not None and self.session.step_state(step) == StepState.DONE:
                # The check just showed the step's result is not there (any more): the mark says so.
                self._finish(step, StepState.FAILED, reasons)
            pane.show_result(message, check_pane_state(status))
        self.refresh_marks()

    def _finish(self, step: Step, status: str, detail: str) -> None:
        # A failed re-run un-ticks a done step: the mark says what is true now, for these commands.
        self.session.record_step(step, status, detail)
        if status == StepState.DONE:
            self._follow_warnings.pop(step.id, None)  # the check passed: the name is right now
        self.query_one(Outline).set_status("step", step.id, self.session.step_state(step))

    @on(StepEvent)
    def _step_event(self, message: StepEvent) -> None:
        # Not on to the app: a build posts hundreds a second, and each one waiting in the app's
        # queue would stand before the keys that arrive there (and come back there as bindings).
        message.stop()
        # The pane follows the running action even when the learner reads another entry meanwhile.
        self.query_one(ActionPane).show_event(message.event)

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

    def serving(self) -> bool:
        """A step's container answered and still runs (esc stops it)."""
        return bool(self._served) and self.running()

    def action_cancel(self) -> None:
        """esc: stop what runs (the full pane stays, to read how it ended)."""
        if self.running():
            self.workers.cancel_group(self, "step")

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
        from tutor.probes.results import record_status

        for item in self.session.lesson.checklist:
            # A quiz item nobody answered yet is not done (·), not skipped (↷), as on the checklist screen.
            outline.set_status("checklist", item.id, record_status(self.session.check_record(item.id)))
