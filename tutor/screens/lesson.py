"""The lesson screen: outline on the left, the selected part on the right, and under a step
the action pane that runs it for real."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, OptionList

from tutor.lesson import Step
from tutor.lesson.compose import checklist_markdown, concept_markdown, question_markdown, step_markdown, verify_markdown
from tutor.screens.lesson_keys import LESSON_BINDINGS, key_applies
from tutor.screens.lesson_layout import LessonLayout
from tutor.screens.palette import LessonCommands
from tutor.screens.lesson_run import StepRunner
from tutor.screens.step_pictures import StepPictures
from tutor.session import Session
from tutor.states import StepState
from tutor.widgets.action_pane import ActionPane
from tutor.widgets.outline import Entry, Outline, lesson_sections
from tutor.widgets.step_text import StepText

if TYPE_CHECKING:
    from textual.timer import Timer

    from tutor.screens.demo import DemoDriver


PROGRESS_POLL = 2.0  # seconds between looks at the progress file for another process's records


class LessonScreen(LessonLayout, StepRunner):
    # Its parts: lesson_layout (m, o, y), lesson_run (r, v, esc and the runs), pane_replay (the pane).
    # esc stops a running action first, even in the full pane; leaving the full pane comes after.
    ESCAPE_TO_MINIMIZE = False
    BINDINGS = LESSON_BINDINGS
    COMMANDS = {LessonCommands}  # its palette entries, besides the app's own

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
        self._pictures = StepPictures()  # the step text in the first frame, from the last start's drawing

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
        self._pictures.paint(self.app, self.query_one(StepText))
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
            self._set_markdown(checklist_markdown(render, item, self._check_words(item.id)))

    def _check_words(self, item_id: str) -> dict[str, str]:
        """The saved result with its state in the checklist screen's words ("could not check", "not
        answered"), not the stored status ("error", "skipped")."""
        from tutor.probes.results import STATUS_WORDS, record_status

        record = dict(self.session.check_record(item_id))
        if record.get("status"):
            status = record_status(record)
            record["status"] = STATUS_WORDS.get(status, status)
        return record

    def _render_step(self, step: Step, at_end: bool = False) -> None:
        hints_open = self.session.progress.hints.get(step.id, 0)
        self._set_markdown(step_markdown(self.session.render, self.session.values(), step, hints_open), at_end)

    def _set_markdown(self, text: str, at_end: bool = False) -> None:
        self.query_one(StepText).show(text, at_end=at_end)

    # --- following the learner's terminal -----------------------------------------------

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

    def on_unmount(self) -> None:
        if self._position_timer is not None:
            self.session.save_progress()
        self._pictures.keep()

    # --- the step text's picture (tutor/screens/step_pictures.py) ----------------------------

    def on_step_text_drawn(self, message: StepText.Drawn) -> None:
        self._pictures.drawn(self.app, message)

    def on_key(self) -> None:
        self.query_one(StepText).wake()  # the first key brings the real Markdown widget at once

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
        if offset > 0 and index == len(ids) - 1:
            # Not a silent key: the task is over, and what comes after is reached by other keys.
            self.notify("That was the last step. Next: the quiz (z), then the checklist (c).")
            return
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
