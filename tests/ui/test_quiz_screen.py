"""The quiz screen, mounted in a tiny app and driven by the keyboard at 80x24."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Input, OptionList, RadioSet, Static

from tutor.lesson import get_lesson
from tutor.screens.quiz import OptionCheckbox, QuizScreen
from tutor.store import Progress

APP_CSS = Path(__file__).resolve().parents[2] / "tutor" / "app.tcss"
SIZE = (80, 24)


class QuizApp(App):
    CSS_PATH = str(APP_CSS)

    def __init__(self, **screen_args) -> None:
        super().__init__()
        self.lesson = get_lesson("04")
        self.progress = Progress(self.lesson.id)
        self.saves = 0
        self.fail_save = False
        self.messages: list[str] = []
        self.closed = False
        self.quiz = QuizScreen(self.lesson, self.progress, self.save, values={"username": "alice"}, **screen_args)

    def save(self) -> None:
        if self.fail_save:
            raise OSError(28, "No space left on device")
        self.saves += 1

    def on_mount(self) -> None:
        self.push_screen(self.quiz, lambda _: setattr(self, "closed", True))

    def notify(self, message, *args, **kwargs) -> None:
        self.messages.append(str(message))
        super().notify(message, *args, **kwargs)


def _feedback(app: QuizApp) -> str:
    return str(app.quiz.query_one("#quiz-feedback", Static).render())


def _review(app: QuizApp) -> list[str]:
    review = app.quiz.query_one("#quiz-review", OptionList)
    return [str(review.get_option_at_index(i).prompt) for i in range(review.option_count)]


async def test_answering_a_text_question_by_keyboard():
    app = QuizApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.quiz.current_id == "latest-in-k8s"
        assert isinstance(app.focused, Input)
        await pilot.press(*"latest moves with every push, so you can't roll back", "enter")
        await pilot.pause()
        attempt = app.progress.last_attempt("latest-in-k8s")
        assert attempt["verdict"] == "correct" and attempt["form"] == "text"
        assert attempt["answer"] == "latest moves with every push, so you can't roll back"
        assert app.saves == 1
        feedback = _feedback(app)
        assert "Correct" in feedback and "Ideas you had" in feedback and '"moves"' in feedback
        # The explanation follows the verdict.
        explanation = app.quiz.query_one("#quiz-explanation")
        assert "just the tag Docker uses" in explanation.source
        # Linked checklist item ticked, and the learner is told.
        assert app.progress.checklist["versioned-tags"]["status"] == "passed"
        assert any("Checklist ticked" in m for m in app.messages)
        assert _review(app)[0].startswith("✔ 1.")
        assert "Score 1/8" in str(app.quiz.query_one("#quiz-status", Static).render())


async def test_misconception_and_missed_ideas_are_shown():
    app = QuizApp(question_id="build-vs-push")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"docker build uploads the image to Docker Hub", "enter")
        await pilot.pause()
        feedback = _feedback(app)
        assert "Not right yet" in feedback
        assert "Misconception:" in feedback and "docker build also uploads or publishes the image" in feedback
        assert "Building never leaves your machine" in feedback  # the correction
        assert "Ideas missing:" in feedback
        assert app.progress.last_attempt("build-vs-push")["misconceptions"] == ["build-uploads"]
        assert _review(app)[2].startswith("✘ 3.")


async def test_empty_answer_is_not_graded():
    app = QuizApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.progress.quiz == {} and app.saves == 0
        assert any("Type an answer first" in m for m in app.messages)


async def test_switch_to_choices_and_pick_one_by_keyboard():
    app = QuizApp(question_id="private-repo")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.quiz.form == "choice"
        radio = app.quiz.query_one("#quiz-radio", RadioSet)
        assert app.focused is radio
        await pilot.press("down", "enter", "ctrl+g")  # the second option is the right one
        await pilot.pause()
        attempt = app.progress.last_attempt("private-repo")
        assert attempt["form"] == "choice" and attempt["answer"] == ["b"] and attempt["verdict"] == "correct"
        assert app.progress.checklist["private-repo"]["status"] == "passed"
        assert "You chose:" in _feedback(app)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.quiz.form == "text" and isinstance(app.focused, Input)


async def test_wrong_option_shows_why():
    app = QuizApp(question_id="layer-upload")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter", "ctrl+g")  # the first option: "Yes, a push always sends the whole image."
        await pilot.pause()
        feedback = _feedback(app)
        assert "Not right:" in feedback and "asks the registry which layers it already has" in feedback
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert any("only one form" in m for m in app.messages)


async def test_several_correct_options_with_checkboxes():
    app = QuizApp(question_id="push-twice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, OptionCheckbox) and app.focused.key == "a"
        await pilot.press("space", "down", "down", "down", "down", "space", "ctrl+g")  # a and d
        await pilot.pause()
        assert app.focused.key == "d"  # down stops at the last option
        await pilot.pause()
        attempt = app.progress.last_attempt("push-twice")
        assert attempt["answer"] == ["a", "d"] and attempt["verdict"] == "correct"


async def test_next_back_retry_and_score():
    app = QuizApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"no idea", "enter")  # incorrect
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.quiz.current_id == "push-twice"
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert app.quiz.current_id == "latest-in-k8s"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert [q.id for q in app.quiz.quiz.questions] == ["latest-in-k8s"]
        assert len(_review(app)) == 1
        assert "retrying missed" in str(app.quiz.query_one("#quiz-status", Static).render())
        await pilot.press(*"it is ambiguous which version runs", "enter")
        await pilot.pause()
        assert app.quiz.quiz.status("latest-in-k8s") == "correct"
        assert [a["verdict"] for a in app.progress.quiz["latest-in-k8s"]] == ["incorrect", "correct"]
        await pilot.press("ctrl+n")  # past the end of the round
        await pilot.pause()
        assert any("last question" in m for m in app.messages)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert len(_review(app)) == 8


async def test_shuffle_with_a_seed_and_toggle():
    app = QuizApp(seed=5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        order = [q.id for q in app.quiz.quiz.questions]
        assert app.quiz.current_id == order[0]
        assert "seed 5" in str(app.quiz.query_one("#quiz-status", Static).render())
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert [q.id for q in app.quiz.quiz.questions] == [q.id for q in app.lesson.quiz]
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert [q.id for q in app.quiz.quiz.questions] == order


async def test_save_failure_is_reported_not_raised():
    app = QuizApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.fail_save = True
        await pilot.press(*"latest is ambiguous", "enter")
        await pilot.pause()
        assert any("could not be saved" in m for m in app.messages)
        assert app.progress.last_attempt("latest-in-k8s") is not None


async def test_review_list_jumps_and_escape_closes():
    app = QuizApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        review = app.quiz.query_one("#quiz-review", OptionList)
        review.focus()
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.quiz.current_id == "build-vs-push"
        await pilot.press("escape")
        await pilot.pause()
        assert app.closed


@pytest.mark.parametrize("question_id", ["explain-naming", "pull-failure"])
async def test_variables_are_filled_in(question_id):
    app = QuizApp(question_id=question_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = app.quiz.query_one("#quiz-question").source + " ".join(_review(app))
        assert "{username}" not in shown
