"""The quiz screen, mounted in a tiny app and driven by the keyboard at 80x24."""

from __future__ import annotations


import pytest
from textual.app import App
from textual.widgets import OptionList, RadioSet, Static

from tutor.app import TutorApp
from tutor.lesson import get_lesson
from tutor.screens.quiz import AnswerArea, OptionButton, OptionCheckbox, QuizScreen
from tutor.store import Progress

SIZE = (80, 24)


class QuizHost:
    """What the quiz screen uses of a Session: the lesson, its progress, saving and the values."""

    def __init__(self, app: QuizApp) -> None:
        self.lesson, self.progress, self.save_progress = app.lesson, app.progress, app.save

    def values(self) -> dict[str, str]:
        return {"username": "alice"}


class QuizApp(App):
    CSS_PATH = TutorApp.CSS_PATH

    def __init__(self, progress: Progress | None = None, **screen_args) -> None:
        super().__init__()
        self.lesson = get_lesson("04")
        self.progress = progress or Progress(self.lesson.id)
        self.saves = 0
        self.fail_save = False
        self.messages: list[str] = []
        self.closed = False
        self.quiz = QuizScreen(QuizHost(self), **screen_args)

    def save(self) -> bool:
        if self.fail_save:  # as Session.save_progress: it says so itself and returns False
            self.notify("Progress could not be saved: No space left on device", severity="error")
            return False
        self.saves += 1
        return True

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
        assert isinstance(app.focused, AnswerArea)
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
        assert "Checklist ticked: I can explain why versioned tags" in _feedback(app)  # not in a toast over it
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
        assert app.quiz.form == "text" and isinstance(app.focused, AnswerArea)


async def test_wrong_option_shows_why():
    app = QuizApp(question_id="layer-upload")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.quiz.form == "text", "the milestone asks it as an open question"
        await pilot.press("ctrl+t")  # the options, one key away
        await pilot.pause()
        await pilot.press("enter", "ctrl+g")  # the first option: "Yes, a push always sends the whole image."
        await pilot.pause()
        feedback = _feedback(app)
        assert "Not right:" in feedback and "asks the registry which layers it already has" in feedback
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.quiz.form == "text"


async def test_several_correct_options_with_checkboxes():
    app = QuizApp(question_id="push-twice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")  # the options (the question is asked in words first)
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
        await pilot.press(*"the tag moves with each push so it is ambiguous which version runs", "enter")
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


def _status(app: QuizApp) -> str:
    return str(app.quiz.query_one("#quiz-status", Static).render())


async def test_retry_keeps_question_numbers_and_says_so_at_once():
    app = QuizApp(question_id="build-vs-push")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"no idea", "enter")  # 3: wrong
        await pilot.press("ctrl+n", "ctrl+n")
        await pilot.pause()
        await pilot.press(*"no idea", "enter")  # 5: wrong
        await pilot.pause()
        assert app.quiz.current_id == "always-with-latest"
        await pilot.press("ctrl+r")
        await pilot.pause()
        # Before any answer in the round: the header names the retried question by its own number.
        assert app.quiz.current_id == "build-vs-push"
        status = _status(app)
        assert "Question 3/8" in status and "retrying missed: 1 of 2" in status, status
        assert [label[:5] for label in _review(app)] == ["✘ 3. ", "✘ 5. "]
        await pilot.press("ctrl+n")
        await pilot.pause()
        status = _status(app)
        assert "Question 5/8" in status and "retrying missed: 2 of 2" in status, status
        assert any("Retrying questions 3, 5" in m for m in app.messages)


async def test_answer_field_takes_several_lines_and_enter_still_checks():
    app = QuizApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        field = app.quiz.query_one("#quiz-text", AnswerArea)
        assert app.focused is field
        shown = {binding.key: binding for binding in (b.binding for b in app.screen.active_bindings.values())
                 if binding.show}
        assert {"ctrl+j", "ctrl+g"} <= set(shown)  # both keys are in the footer while typing
        await pilot.press(*"latest moves with every push", "ctrl+j", *"so you cannot roll back")
        await pilot.pause()
        assert field.text == "latest moves with every push\nso you cannot roll back"
        assert app.progress.last_attempt("latest-in-k8s") is None  # ctrl+j is a new line, not a check
        await pilot.press("enter")
        await pilot.pause()
        attempt = app.progress.last_attempt("latest-in-k8s")
        assert attempt["answer"] == "latest moves with every push\nso you cannot roll back"
        assert attempt["verdict"] == "correct"
        assert field.text == attempt["answer"]  # enter did not add a line
        await pilot.press("ctrl+g")  # checks from the field too
        await pilot.pause()
        assert len(app.progress.quiz["latest-in-k8s"]) == 2


async def test_long_answer_grows_the_field_and_the_verdict_is_scrolled_into_view():
    app = QuizApp()
    answer = ("latest moves with every push, so nobody can tell which build runs on which node, and rolling "
              "back to the previous version is impossible because every version had the same name")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*answer, "enter")
        await pilot.pause()
        field = app.quiz.query_one("#quiz-text", AnswerArea)
        assert field.size.height >= 4  # the whole answer shows, not one scrolled line
        main = app.quiz.query_one("#quiz-main")
        feedback = app.quiz.query_one("#quiz-feedback")
        assert main.scroll_y > 0
        assert main.region.contains_point(feedback.region.offset)  # the verdict's first line is on screen


async def test_coming_back_shows_the_saved_answer():
    app = QuizApp(question_id="always-with-latest")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"always is faster", "enter")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.quiz.query_one("#quiz-text", AnswerArea).text == ""
        await pilot.press("ctrl+b")
        await pilot.pause()
        field = app.quiz.query_one("#quiz-text", AnswerArea)
        assert field.text == "always is faster"
        note = _feedback(app)
        assert "Your last answer" in note and "Not right yet" in note
        await pilot.press(*"pulls on every start so the cached copy is never stale")  # replaces the old answer
        await pilot.pause()
        assert field.text == "pulls on every start so the cached copy is never stale"


async def test_a_saved_choice_is_shown_after_a_restart_in_either_form():
    first = QuizApp(question_id="private-repo")
    async with first.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("enter", "ctrl+g")  # a) the pull works
        await pilot.pause()
    assert first.progress.last_attempt("private-repo")["answer"] == ["a"]
    again = QuizApp(progress=first.progress, question_id="private-repo")
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.quiz.form == "text"
        note = _feedback(again)
        assert "With options you chose" in note and "The pull works; private only hides" in note
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert again.quiz.query_one("#quiz-radio", RadioSet).pressed_index == 0
        assert "It is chosen above" in _feedback(again)


async def test_a_saved_set_of_ticks_comes_back():
    app = QuizApp(question_id="push-twice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")  # the options (the question is asked in words first)
        await pilot.pause()
        await pilot.press("down", "space", "ctrl+g", "ctrl+n", "ctrl+b")  # b only
        await pilot.pause()
        await pilot.press("ctrl+t")  # back in words first; the options hold the saved ticks
        await pilot.pause()
        assert {box.key: box.value for box in app.quiz.query(OptionCheckbox)} == \
            {"a": False, "b": True, "c": False, "d": False}


async def test_wrong_single_choice_names_the_right_answer():
    app = QuizApp(question_id="layer-upload")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")  # the options (the question is asked in words first)
        await pilot.pause()
        await pilot.press("enter", "ctrl+g")  # a) "Yes, a push always sends the whole image."
        await pilot.pause()
        feedback = _feedback(app)
        assert "Also right" not in feedback
        assert "Right answer:\n  - b) No. Layers the registry already has" in feedback
        assert "Not right: a) Yes, a push always sends the whole image." in feedback


async def test_ticks_and_picks_differ_in_plain_text():
    app = QuizApp(question_id="push-twice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")  # the options (the question is asked in words first)
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        marks = [str(box.render()).split(")")[0] for box in app.quiz.query(OptionCheckbox)]
        assert marks == ["[x] a", "[ ] b", "[ ] c", "[ ] d"]
        await app.quiz.show_question("layer-upload", "choice")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        marks = [str(button.render())[:3] for button in app.quiz.query(OptionButton)]
        assert marks == ["( )", "(●)", "( )", "( )"]
