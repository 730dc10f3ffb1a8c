"""The action pane under a step or Verify item as the learner comes back to it: the commands, the
step's last run in this session replayed, and how it ended as the progress file says."""

from __future__ import annotations

from tutor.hints import FailureHint
from tutor.lesson import Step, VerifyItem
from tutor.lesson.compose import stale_text, step_pane, verify_commands
from tutor.screens.base import TutorScreen
from tutor.session import Session
from tutor.states import CheckStatus, StepState
from tutor.widgets.action_pane import ActionPane, check_failure_text


def check_pane_state(status: str) -> str:
    """The pane's state for a check's status: a check that could not look (an error: unreachable,
    rate limited; skipped: an input missing) is "unknown", not "failed"."""
    if status == CheckStatus.PASSED:
        return "succeeded"
    return "failed" if status == CheckStatus.FAILED else "unknown"


def check_outcome_text(reasons: str, hint: FailureHint | None, status: str):
    return check_failure_text(reasons, hint, unknown=check_pane_state(status) == "unknown")


class PaneReplay(TutorScreen[None]):
    """The lesson screen's pane filling (LessonScreen sets these attributes in its __init__)."""

    session: Session
    _runs: dict  # step id -> its last finished run in this session (docker_ops.recording.Recording)
    _follow_warnings: dict[str, str]  # step id -> following's warning about a wrong name there

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
        status = saved.get("status", StepState.TODO)
        if status == CheckStatus.PASSED:
            pane.show_result(saved.get("reason") or status, "succeeded")
        elif status != StepState.TODO:
            # As the check said it when it ran: the reason, then its next step when one was saved.
            next_step = (saved.get("evidence") or {}).get("next_step")
            advice = FailureHint("saved", "", next_step) if next_step else None
            pane.show_result(check_outcome_text(saved.get("reason") or status, advice, status),
                             check_pane_state(status))

    def _saved_step(self, step: Step) -> dict:
        # Status, detail and time: any change by hand after a run shows up here.
        return dict(self.session.step_record(step))
