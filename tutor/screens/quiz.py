"""The quiz: one question at a time, a review list, feedback that teaches, retries and the score.

Grading and order live in :class:`tutor.quiz.session.QuizSession`; this screen only shows
them. Every answer is added to ``progress`` and saved through the ``save`` callback the
app provides (the screen itself does no I/O).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Markdown, OptionList, RadioSet, Static
from textual.widgets.option_list import Option as ListOption

from tutor.lesson.model import Question
from tutor.quiz.grader import GradeError, Grading
from tutor.states import Verdict
from tutor.quiz.report import human_time
from tutor.quiz.session import QuizSession
from tutor.screens.base import TutorScreen
from tutor.session import Session
from tutor.widgets.marks import VERDICT_WORDS, mark_of
from tutor.widgets.quiz_fields import AnswerArea, OptionButton, OptionCheckbox, OptionChecks, answer_text

REVIEW_WIDTH = 20  # characters of a question's prompt shown in the review list
TEXT_KEYS = "enter checks · ctrl+j new line"


def inline(text: str, style: str = "") -> Text:
    """Lesson text with its `code` spans shown bold instead of as backticks."""
    result = Text()
    for index, part in enumerate(" ".join(text.split()).split("`")):
        result.append(part, style=f"{style} bold".strip() if index % 2 else style)
    return result


class QuizScreen(TutorScreen[None]):
    # ctrl+ keys so that they work while typing in the answer field, too. Form and Shuffle stay
    # out of the footer so the rest fits 80 columns; the question itself mentions ctrl+t.
    BINDINGS = [
        Binding("ctrl+g", "check", "Check"),
        Binding("ctrl+n", "next", "Next"),
        Binding("ctrl+b", "previous", "Back"),
        Binding("ctrl+t", "switch_form", "Form", show=False, tooltip="Switch between your own words and options"),
        Binding("ctrl+r", "retry", "Retry", tooltip="Retry the missed questions (again: all questions)"),
        Binding("ctrl+f", "shuffle", "Shuffle", show=False),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, session: Session, question_id: str | None = None, seed: int | None = None) -> None:
        super().__init__()
        self.session = session
        self.lesson, self.progress = session.lesson, session.progress
        lesson, progress = self.lesson, self.progress
        self.values = dict(session.values())  # the settings fill {username} and friends
        self.quiz = QuizSession(lesson, progress, seed=seed, shuffle=seed is not None)
        self.current_id = question_id if question_id and lesson.question(question_id) else None
        self.form = "text"
        self.shown_options: list[str] = []  # option keys in the order the widgets show them
        self.last_outcome: Grading | None = None
        self.follow_up_of: str | None = None  # the text answer whose follow-up question is open

    # --- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="quiz-status")
        with Horizontal(id="quiz-layout"):
            yield OptionList(id="quiz-review")
            with VerticalScroll(id="quiz-main"):
                yield Markdown("", id="quiz-question")
                yield Vertical(id="quiz-answer")
                with Horizontal(id="quiz-buttons"):
                    yield Static("", id="quiz-keys")
                    yield Button("Check ^g", variant="primary", compact=True, id="quiz-check")
                yield Static("", id="quiz-feedback")
                yield Markdown("", id="quiz-explanation")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
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

    def number(self, question_id: str) -> int:
        """A question's number among all questions: a retry round keeps calling question 5 "5"."""
        ids = [q.id for q in self.quiz.all_questions]
        return ids.index(question_id) + 1 if question_id in ids else 0

    def refresh_review(self) -> None:
        review = self.query_one("#quiz-review", OptionList)
        review.clear_options()
        for question in self.quiz.questions:
            symbol, style = mark_of(self.quiz.status(question.id))
            prompt = self.render_text(question.prompt).replace("`", "")
            if len(prompt) > REVIEW_WIDTH:
                prompt = prompt[: REVIEW_WIDTH - 1].rstrip() + "…"
            label = Text.assemble((f"{symbol} ", style), f"{self.number(question.id)}. {prompt}")
            review.add_option(ListOption(label, id=question.id))
        ids = [q.id for q in self.quiz.questions]
        if self.current_id in ids:
            review.highlighted = ids.index(self.current_id)
        self.refresh_status()

    def refresh_status(self) -> None:
        round_ids = [q.id for q in self.quiz.questions]
        total = len(self.quiz.all_questions)
        score = self.quiz.score()
        parts = [f"Question {self.number(self.current_id)}/{total}" if self.current_id else f"{total} questions"]
        if self.quiz.retrying:
            place = round_ids.index(self.current_id) + 1 if self.current_id in round_ids else 0
            parts.append(f"retrying missed: {place} of {len(round_ids)}" if place else
                         f"retrying {len(round_ids)} missed")
        parts.append(f"Score {score} ({score.correct} correct)")
        if self.quiz.shuffled:
            parts.append(f"shuffled (seed {self.quiz.seed})")
        self.query_one("#quiz-status", Static).update(" · ".join(parts))

    def _attempts(self, question_id: str, form: str | None = None) -> list[dict[str, Any]]:
        attempts = self.progress.quiz.get(question_id, [])
        return [a for a in attempts if form is None or a.get("form", "text") == form]

    async def show_question(self, question_id: str, form: str | None = None) -> None:
        """Show a question in ``form`` (default: its preferred one), its answer field holding the
        learner's last answer in that form, if any."""
        question = self.lesson.question(question_id)
        if question is None:
            return
        self.current_id = question_id
        self.form = form if form in question.kinds else question.kinds[0]
        self.last_outcome = None
        self.follow_up_of = None
        self.refresh_review()  # first, so the header is right while the rest is drawn
        if self.form == "choice" and question.choice and question.choice.prompt:
            text = question.choice.prompt
        else:
            text = question.body
        header = f"**{self.render_text(question.prompt)}**"
        if len(question.kinds) > 1:
            other = "options" if self.form == "text" else "your own words"
            header += f"\n\n*Prefer {other}? Press ctrl+t.*"
        await self.query_one("#quiz-question", Markdown).update(f"{header}\n\n{self.render_text(text)}".strip())
        saved = self._attempts(question_id, self.form)
        await self._build_answer(question, saved[-1].get("answer") if saved else None)
        self.query_one("#quiz-keys", Static).update(TEXT_KEYS if self.form == "text" else "")
        self.query_one("#quiz-feedback", Static).update(self._previous_note(question))
        await self.query_one("#quiz-explanation", Markdown).update("")
        self.query_one("#quiz-main", VerticalScroll).scroll_home(animate=False)
        self._focus_answer()

    async def _build_answer(self, question: Question, saved: Any = None) -> None:
        area = self.query_one("#quiz-answer", Vertical)
        await area.remove_children()
        self.shown_options = []
        if self.form == "text":
            text = answer_text(saved) if isinstance(saved, str) else ""  # older files may hold raw controls
            field = AnswerArea(text, soft_wrap=True, tab_behavior="focus", id="quiz-text",
                               placeholder="Your answer in a sentence or two")
            await area.mount(field)
            field.select_all()  # typing replaces the old answer; an arrow key keeps it to edit
            return
        options = self.quiz.options(question.id)
        self.shown_options = [o.key for o in options]
        chosen = set(saved) if isinstance(saved, list) else set()
        labels = [Text(f"{self.letter(o.key)}) ") + inline(self.render_text(o.text)) for o in options]
        if question.choice and question.choice.multiple:
            await area.mount(Static("Pick every right answer: space ticks, then ctrl+g.", classes="quiz-hint"))
            await area.mount(OptionChecks(*[OptionCheckbox(label, o.key, o.key in chosen)
                                            for label, o in zip(labels, options)], id="quiz-checks"))
        else:
            await area.mount(Static("Pick one: enter chooses, then ctrl+g.", classes="quiz-hint"))
            await area.mount(RadioSet(*[OptionButton(label, o.key in chosen) for label, o in zip(labels, options)],
                                      id="quiz-radio"))

    def letter(self, key: str) -> str:
        """The letter an option is shown with (options may be shuffled)."""
        return chr(ord("a") + self.shown_options.index(key)) if key in self.shown_options else key

    def _focus_answer(self) -> None:
        for selector in ("#quiz-text", "#quiz-radio", "#quiz-checks OptionCheckbox"):
            found = self.query(selector)
            if found:
                found.first().focus()
                return

    def _previous_note(self, question: Question) -> Text:
        """The last answer's verdict, and where that answer is (filled in, or what it was)."""
        attempt = self.progress.last_attempt(question.id)
        if not attempt:
            return Text("")
        verdict = str(attempt.get("verdict", ""))
        symbol, style = mark_of(verdict)
        when = human_time(attempt.get("at"))
        text = Text.assemble(("Your last answer", "bold"), (f" ({when})" if when else "", "dim"), ": ",
                             (f"{symbol} {VERDICT_WORDS.get(verdict, verdict)}", f"bold {style}"))
        answer = attempt.get("answer")
        if attempt.get("form", "text") == self.form and self.form == "text":
            text.append("\nIt is filled in above: type to replace it, or press an arrow key to edit it.",
                        style="dim")
        elif attempt.get("form", "text") == self.form:
            text.append("\nIt is chosen above: change it and check again, or move on.", style="dim")
        elif isinstance(answer, list):
            options = {o.key: o.text for o in question.choice.options} if question.choice else {}
            text.append("\nWith options you chose:\n", style="dim")
            for key in answer:
                text.append("  • ")
                text.append(inline(self.render_text(options.get(key) or str(key))))
                text.append("\n")
        else:
            text.append("\nIn your own words:\n", style="dim")
            text.append(f"  {answer_text(str(answer))}\n" if answer else "  (empty)\n", style="italic")
        return text

    def current_answer(self) -> str | list[str] | None:
        """What the learner has given so far, or None when nothing yet."""
        if self.form == "text":
            value = self.query_one("#quiz-text", AnswerArea).text.strip()
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
        # A reply to the follow-up question is graded with the answer it follows (unless the
        # learner rewrote that answer instead, keeping it in the field).
        earlier = self.follow_up_of if isinstance(answer, str) and self.follow_up_of \
            and self.follow_up_of.strip() not in answer else None
        try:
            outcome = self.quiz.answer(question.id, answer, self.form, follow_up_of=earlier)
        except GradeError as exc:
            self.notify(str(exc), severity="error")
            return
        self.session.save_progress()  # a failure is the session's to report (the app shows it), the answer stays
        self.last_outcome = outcome.verdict
        asked = outcome.verdict.follow_up and self.form == "text"
        self.follow_up_of = (f"{earlier.rstrip()}\n{answer}" if earlier else answer) \
            if asked and isinstance(answer, str) else None
        if asked:
            self.query_one("#quiz-text", AnswerArea).select_all()  # typing the reply replaces the answer
        feedback = self.feedback(outcome.verdict, question)
        for item_id in outcome.ticked:  # said here, not in a toast that would cover the feedback
            item = self.lesson.checklist_item(item_id)
            feedback.append("\n✔ Checklist ticked: ", style="bold green")
            feedback.append(inline(self.render_text(item.text) if item else item_id))
        self.query_one("#quiz-feedback", Static).update(feedback)
        explanation = self.render_text(outcome.verdict.explanation)
        await self.query_one("#quiz-explanation", Markdown).update(f"**Why**\n\n{explanation}" if explanation else "")
        self.refresh_review()
        self.call_after_refresh(self._show_feedback)

    def _show_feedback(self) -> None:
        """Scroll the verdict into view, keeping as much of the answer above it as fits."""
        main = self.query_one("#quiz-main", VerticalScroll)
        answer_top = self.query_one("#quiz-answer").virtual_region.y
        feedback_top = self.query_one("#quiz-feedback").virtual_region.y
        main.scroll_to(y=max(answer_top, feedback_top - main.scrollable_content_region.height // 2), animate=False)

    def feedback(self, verdict: Grading, question: Question | None = None) -> Text:
        symbol, style = mark_of(verdict.verdict)
        text = Text.assemble((f"{symbol} {VERDICT_WORDS[verdict.verdict]}", f"bold {style}"),
                             f"  (score {verdict.score:g})\n")
        choice = verdict.form == "choice"
        label = (lambda key: f"{self.letter(key)}) ") if choice else (lambda key: "")
        if verdict.found:
            text.append("You chose:\n" if choice else "Ideas you had:\n", style="bold")
            for idea in verdict.found:
                text.append(f"  + {label(idea.id)}", style="green")
                text.append(inline(self.render_text(idea.label), "green"))
                if not choice and idea.evidence:
                    text.append(f'  ("{idea.evidence}")', style="dim")
                text.append("\n")
        for wrong in verdict.misconceptions:
            heading = f"Not right: {label(wrong.id)}" if choice else "Misconception: "
            text.append(heading, style="bold red")
            text.append(inline(self.render_text(wrong.label)))
            text.append("\n  → ")
            text.append(inline(self.render_text(wrong.correction)))
            text.append("\n")
        if verdict.missed:
            multiple = bool(question and question.choice and question.choice.multiple)
            if not choice:
                title = "Ideas missing:"
            elif verdict.found:
                title = "Also right:"  # some right options were chosen, these were not
            else:
                title = "Right answers:" if multiple and len(verdict.missed) > 1 else "Right answer:"
            text.append(f"{title}\n", style="bold")
            for idea in verdict.missed:
                text.append(f"  - {label(idea.id)}", style="yellow")
                text.append(inline(self.render_text(idea.label), "yellow"))
                text.append("\n")
        for note in verdict.notes:
            text.append(f"{note}\n", style="italic")
        if verdict.follow_up and not choice:
            text.append("Follow-up: ", style="bold")
            text.append(inline(self.render_text(verdict.follow_up)))
            text.append("\nType your reply above; it is graded together with your answer.\n", style="dim")
        elif verdict.verdict != Verdict.CORRECT:
            change = "Change your choice" if choice else "Edit your answer"
            text.append(f"{change} and check again, or move on and retry the missed ones later (ctrl+r).",
                        style="dim")
        return text

    @on(AnswerArea.Submitted)
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
        numbers = ", ".join(str(self.number(qid)) for qid in missed)
        self.notify(f"Retrying question{'s' if len(missed) != 1 else ''} {numbers}. ctrl+r again shows all.")
        await self.show_question(missed[0])

    async def action_shuffle(self) -> None:
        self.quiz.set_shuffle(not self.quiz.shuffled)
        self.notify("Questions and options shuffled." if self.quiz.shuffled else "Back to the lesson's order.")
        if self.current_id:
            keep = self.form
            await self.show_question(self.current_id, keep)

    def action_close(self) -> None:
        self.dismiss(None)
