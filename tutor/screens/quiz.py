"""The quiz: one question at a time, a review list, feedback that teaches, retries and the score.

Grading and order live in :class:`tutor.quiz.session.QuizSession`; this screen only shows
them. Every answer is added to ``progress`` and saved through the ``save`` callback the
app provides (the screen itself does no I/O).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Input, Markdown, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option as ListOption

from tutor.lesson.model import Lesson, Question
from tutor.quiz.grader import CORRECT, GradeError, Verdict
from tutor.quiz.session import QuizSession
from tutor.store import Progress

REVIEW_WIDTH = 20  # characters of a question's prompt shown in the review list
MARKS = {"correct": ("✔", "green"), "partly": ("◐", "yellow"), "incorrect": ("✘", "red"), "todo": ("·", "dim")}
HEADLINES = {"correct": "Correct", "partly": "Partly right", "incorrect": "Not right yet"}


def inline(text: str, style: str = "") -> Text:
    """Lesson text with its `code` spans shown bold instead of as backticks."""
    result = Text()
    for index, part in enumerate(" ".join(text.split()).split("`")):
        result.append(part, style=f"{style} bold".strip() if index % 2 else style)
    return result


class OptionButton(RadioButton):
    """A radio button whose label wraps, so a long option is shown whole."""

    DEFAULT_CSS = """
    OptionButton { width: 1fr; height: auto; text-wrap: wrap; }
    """

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, self.render().get_height(self.styles, width))


class OptionCheckbox(Checkbox):
    """A checkbox whose label wraps (SelectionList cuts long options off)."""

    DEFAULT_CSS = """
    OptionCheckbox {
        width: 1fr; height: auto; text-wrap: wrap; border: none; padding: 0; background: transparent;
        &:focus { border: none; }
    }
    """

    def __init__(self, label: Text, key: str) -> None:
        super().__init__(label)
        self.key = key

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, self.render().get_height(self.styles, width))


class OptionChecks(Vertical):
    """The options of a question with several right answers; up and down move between them."""

    DEFAULT_CSS = """
    OptionChecks { height: auto; border: tall $border-blurred; }
    OptionChecks:focus-within { border: tall $border; }
    """
    BINDINGS = [Binding("down", "move(1)", "Next option", show=False),
                Binding("up", "move(-1)", "Previous option", show=False)]

    @property
    def chosen(self) -> list[str]:
        return [box.key for box in self.query(OptionCheckbox) if box.value]

    def action_move(self, delta: int) -> None:
        boxes = list(self.query(OptionCheckbox))
        focused = self.screen.focused
        index = boxes.index(focused) if focused in boxes else -delta
        boxes[max(0, min(len(boxes) - 1, index + delta))].focus()


class QuizScreen(Screen[None]):
    # ctrl+ keys so that they work while typing in the answer field, too.
    BINDINGS = [
        Binding("ctrl+g", "check", "Check"),
        Binding("ctrl+n", "next", "Next"),
        Binding("ctrl+b", "previous", "Back"),
        Binding("ctrl+t", "switch_form", "Form", tooltip="Switch between your own words and options"),
        Binding("ctrl+r", "retry", "Retry", tooltip="Retry the missed questions (again: all questions)"),
        Binding("ctrl+f", "shuffle", "Shuffle"),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, lesson: Lesson, progress: Progress, save: Callable[[], None], seed: int | None = None,
                 question_id: str | None = None, values: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.lesson = lesson
        self.progress = progress
        self.save = save
        self.values = dict(values or {})
        self.quiz = QuizSession(lesson, progress, seed=seed, shuffle=seed is not None)
        self.current_id = question_id if question_id and lesson.question(question_id) else None
        self.form = "text"
        self.shown_options: list[str] = []  # option keys in the order the widgets show them
        self.last_outcome: Verdict | None = None

    # --- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="quiz-status")
        with Horizontal(id="quiz-layout"):
            yield OptionList(id="quiz-review")
            with VerticalScroll(id="quiz-main"):
                yield Markdown("", id="quiz-question")
                yield Vertical(id="quiz-answer")
                with Horizontal(id="quiz-buttons"):
                    yield Button("Check ^g", variant="primary", compact=True, id="quiz-check")
                yield Static("", id="quiz-feedback")
                yield Markdown("", id="quiz-explanation")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        session = getattr(self.app, "session", None)
        if not self.values and callable(getattr(session, "values", None)):
            self.values = dict(session.values())  # the app's settings fill {username} and friends
        if not self.lesson.quiz:
            self.query_one("#quiz-status", Static).update("This lesson has no quiz.")
            return
        if self.current_id is None:
            self.current_id = self.quiz.questions[0].id
        await self.show_question(self.current_id)

    # --- helpers --------------------------------------------------------------------------

    def render_text(self, text: str) -> str:
        return self.lesson.render(text, self.values)

    @property
    def question(self) -> Question | None:
        return self.lesson.question(self.current_id) if self.current_id else None

    def refresh_review(self) -> None:
        review = self.query_one("#quiz-review", OptionList)
        review.clear_options()
        for number, question in enumerate(self.quiz.questions, 1):
            mark, style = MARKS[self.quiz.status(question.id)]
            prompt = self.render_text(question.prompt).replace("`", "")
            if len(prompt) > REVIEW_WIDTH:
                prompt = prompt[: REVIEW_WIDTH - 1].rstrip() + "…"
            label = Text.assemble((f"{mark} ", style), f"{number}. {prompt}")
            review.add_option(ListOption(label, id=question.id))
        ids = [q.id for q in self.quiz.questions]
        if self.current_id in ids:
            review.highlighted = ids.index(self.current_id)
        self.refresh_status()

    def refresh_status(self) -> None:
        ids = [q.id for q in self.quiz.questions]
        position = ids.index(self.current_id) + 1 if self.current_id in ids else 0
        score = self.quiz.score()
        parts = [f"Question {position}/{len(ids)}"]
        if self.quiz.retrying:
            parts.append("retrying missed")
        parts.append(f"Score {score} ({score.correct} correct)")
        if self.quiz.shuffled:
            parts.append(f"shuffled (seed {self.quiz.seed})")
        self.query_one("#quiz-status", Static).update(" · ".join(parts))

    async def show_question(self, question_id: str, form: str | None = None) -> None:
        """Show a question in ``form`` (default: its preferred one) with a fresh answer field."""
        question = self.lesson.question(question_id)
        if question is None:
            return
        self.current_id = question_id
        self.form = form if form in question.kinds else question.kinds[0]
        self.last_outcome = None
        if self.form == "choice" and question.choice and question.choice.prompt:
            text = question.choice.prompt
        else:
            text = question.body
        header = f"**{self.render_text(question.prompt)}**"
        if len(question.kinds) > 1:
            other = "options" if self.form == "text" else "your own words"
            header += f"\n\n*Prefer {other}? Press ctrl+t.*"
        await self.query_one("#quiz-question", Markdown).update(f"{header}\n\n{self.render_text(text)}".strip())
        await self._build_answer(question)
        self.query_one("#quiz-feedback", Static).update(self._previous_note(question_id))
        await self.query_one("#quiz-explanation", Markdown).update("")
        self.refresh_review()
        self.query_one("#quiz-main", VerticalScroll).scroll_home(animate=False)
        self._focus_answer()

    async def _build_answer(self, question: Question) -> None:
        area = self.query_one("#quiz-answer", Vertical)
        await area.remove_children()
        self.shown_options = []
        if self.form == "text":
            await area.mount(Input(placeholder="Your answer in a sentence or two, then enter", id="quiz-text"))
            return
        options = self.quiz.options(question.id)
        self.shown_options = [o.key for o in options]
        labels = [Text(f"{chr(ord('a') + i)}) ") + inline(self.render_text(o.text)) for i, o in enumerate(options)]
        if question.choice and question.choice.multiple:
            await area.mount(Static("Pick every right answer: space ticks, then ctrl+g.", classes="quiz-hint"))
            await area.mount(OptionChecks(*[OptionCheckbox(label, o.key) for label, o in zip(labels, options)],
                                          id="quiz-checks"))
        else:
            await area.mount(Static("Pick one: enter chooses, then ctrl+g.", classes="quiz-hint"))
            await area.mount(RadioSet(*[OptionButton(label) for label in labels], id="quiz-radio"))

    def _focus_answer(self) -> None:
        for selector in ("#quiz-text", "#quiz-radio", "#quiz-checks OptionCheckbox"):
            found = self.query(selector)
            if found:
                found.first().focus()
                return

    def _previous_note(self, question_id: str) -> Text:
        attempt = self.progress.last_attempt(question_id)
        if not attempt:
            return Text("")
        verdict = attempt.get("verdict", "")
        mark, style = MARKS.get(verdict, MARKS["todo"])
        return Text.assemble(("Last time: ", "dim"), (f"{mark} {verdict}", style))

    def current_answer(self) -> str | list[str] | None:
        """What the learner has given so far, or None when nothing yet."""
        if self.form == "text":
            value = self.query_one("#quiz-text", Input).value.strip()
            return value or None
        if self.query("#quiz-radio"):
            index = self.query_one("#quiz-radio", RadioSet).pressed_index
            return [self.shown_options[index]] if 0 <= index < len(self.shown_options) else None
        chosen = self.query_one("#quiz-checks", OptionChecks).chosen
        return [key for key in self.shown_options if key in chosen] or None

    # --- answering ------------------------------------------------------------------------

    async def action_check(self) -> None:
        question = self.question
        if question is None:
            return
        answer = self.current_answer()
        if answer is None:
            what = "Type an answer" if self.form == "text" else "Choose an option"
            self.notify(f"{what} first.", severity="warning")
            return
        try:
            outcome = self.quiz.answer(question.id, answer, self.form)
        except GradeError as exc:
            self.notify(str(exc), severity="error")
            return
        try:
            self.save()
        except OSError as exc:
            self.notify(f"Your answer could not be saved: {exc}", title="Not saved", severity="error")
        self.last_outcome = outcome.verdict
        self.query_one("#quiz-feedback", Static).update(self.feedback(outcome.verdict))
        explanation = self.render_text(outcome.verdict.explanation)
        await self.query_one("#quiz-explanation", Markdown).update(f"**Why**\n\n{explanation}" if explanation else "")
        for item_id in outcome.ticked:
            item = self.lesson.checklist_item(item_id)
            self.notify(f"Checklist ticked: {self.render_text(item.text) if item else item_id}", title="Checklist")
        self.refresh_review()

    def feedback(self, verdict: Verdict) -> Text:
        mark, style = MARKS[verdict.verdict]
        text = Text.assemble((f"{mark} {HEADLINES[verdict.verdict]}", f"bold {style}"),
                             f"  (score {verdict.score:g})\n")
        if verdict.found:
            title = "You chose:" if verdict.form == "choice" else "Ideas you had:"
            text.append(f"{title}\n", style="bold")
            for idea in verdict.found:
                text.append("  + ", style="green")
                text.append(inline(self.render_text(idea.label), "green"))
                if verdict.form == "text" and idea.evidence:
                    text.append(f'  ("{idea.evidence}")', style="dim")
                text.append("\n")
        if verdict.missed:
            title = "Also right:" if verdict.form == "choice" else "Ideas missing:"
            text.append(f"{title}\n", style="bold")
            for idea in verdict.missed:
                text.append("  - ", style="yellow")
                text.append(inline(self.render_text(idea.label), "yellow"))
                text.append("\n")
        for wrong in verdict.misconceptions:
            heading = "Not right:" if verdict.form == "choice" else "Misconception:"
            text.append(f"{heading} ", style="bold red")
            text.append(inline(self.render_text(wrong.label)))
            text.append("\n  → ")
            text.append(inline(self.render_text(wrong.correction)))
            text.append("\n")
        for note in verdict.notes:
            text.append(f"{note}\n", style="italic")
        if verdict.verdict != CORRECT:
            text.append("Edit your answer and check again, or move on and retry the missed ones later (ctrl+r).",
                        style="dim")
        return text

    @on(Input.Submitted, "#quiz-text")
    async def _submitted(self) -> None:
        await self.action_check()

    @on(Button.Pressed, "#quiz-check")
    async def _check_pressed(self) -> None:
        await self.action_check()

    @on(OptionList.OptionSelected, "#quiz-review")
    async def _jump(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and event.option.id != self.current_id:
            await self.show_question(event.option.id)

    # --- moving around --------------------------------------------------------------------

    async def _step(self, delta: int) -> None:
        ids = [q.id for q in self.quiz.questions]
        if not ids:
            return
        index = ids.index(self.current_id) if self.current_id in ids else -delta
        target = index + delta
        if not 0 <= target < len(ids):
            if delta > 0:
                self._round_finished()
            return
        await self.show_question(ids[target])

    def _round_finished(self) -> None:
        score = self.quiz.score()
        missed = len(self.quiz.missed())
        more = f" {missed} to retry with ctrl+r." if missed else " Nothing missed: well done!"
        self.notify(f"That was the last question. Score {score} ({score.correct} correct).{more}", title="Quiz")

    async def action_next(self) -> None:
        await self._step(1)

    async def action_previous(self) -> None:
        await self._step(-1)

    async def action_switch_form(self) -> None:
        question = self.question
        if question is None:
            return
        if len(question.kinds) < 2:
            self.notify("This question has only one form.", severity="information")
            return
        await self.show_question(question.id, "choice" if self.form == "text" else "text")

    async def action_retry(self) -> None:
        if self.quiz.retrying:
            self.quiz.all()
            self.notify("Back to all questions.")
            self.refresh_review()
            return
        missed = self.quiz.retry_missed()
        if not missed:
            self.notify("Nothing to retry: every answered question is correct.", severity="information")
            return
        self.notify(f"Retrying {len(missed)} missed question{'s' if len(missed) != 1 else ''}. "
                    "ctrl+r again shows all.")
        await self.show_question(missed[0])

    async def action_shuffle(self) -> None:
        self.quiz.set_shuffle(not self.quiz.shuffled)
        self.notify("Questions and options shuffled." if self.quiz.shuffled else "Back to the lesson's order.")
        if self.current_id:
            keep = self.form
            await self.show_question(self.current_id, keep)

    def action_close(self) -> None:
        self.dismiss(None)
