"""Skip a step (k), reset a step (x) and reset the whole lesson (palette), as a learner does them: the
outline's marks change on screen and the progress file holds the same after a restart."""

from __future__ import annotations

import pytest

from tests.ui.learner import outline_mark, run_from_palette, screen_lines, screen_text, stack_names, until

SIZE = (80, 24)
TODO, DONE, SKIPPED = "·", "✔", "↷"


@pytest.fixture
def tutor(open_session, learner_home, monkeypatch):
    """The app on a fresh learner's files; ``tutor.restart()`` opens those files again, as a new run would."""
    from tutor.app import TutorApp

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")  # nothing here may touch an engine
    monkeypatch.setenv("HOME", str(learner_home / "home"))

    class Tutor:
        session = open_session(username="alice", registry="127.0.0.1:9")
        app = TutorApp(session)

        @staticmethod
        def restart():
            return open_session()

        def title(self, number: int) -> str:
            """The first words of step ``number``'s outline line ("1. Get an")."""
            step = self.session.lesson.steps[number - 1]
            return f"{number}. " + " ".join(self.session.render(step.title).split()[:2])

    return Tutor()


async def test_k_skips_the_step_and_moves_on_and_the_skip_is_saved(tutor):
    first, second = tutor.session.lesson.steps[:2]
    async with tutor.app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = tutor.session.render(first.title)
        assert shown in screen_text(tutor.app) and outline_mark(tutor.app, tutor.title(1)) == TODO
        await pilot.press("k")
        await until(pilot, lambda: outline_mark(tutor.app, tutor.title(1)) == SKIPPED, "step 1 marked skipped")
        # On to the next step: its text is what is read now.
        assert tutor.session.render(second.title) in screen_text(tutor.app)
        assert outline_mark(tutor.app, tutor.title(2)) == TODO
    again = tutor.restart()
    assert again.step_state(first) == "skipped" and again.step_state(second) == "todo"


async def test_x_resets_the_step_its_mark_and_its_open_hints(tutor):
    step = next(s for s in tutor.session.lesson.steps if s.hints)
    number = tutor.session.lesson.steps.index(step) + 1
    async with tutor.app.run_test(size=SIZE) as pilot:
        await run_from_palette(pilot, f"Go to step {number}")
        await pilot.press("h")  # a hint opened ...
        await pilot.press("d")  # ... and the step marked done
        await until(pilot, lambda: outline_mark(tutor.app, tutor.title(number)) == DONE, "the step marked done")
        assert tutor.restart().step_state(step) == "done"
        assert tutor.restart().progress.hints.get(step.id) == 1

        await pilot.press("x")
        await until(pilot, lambda: outline_mark(tutor.app, tutor.title(number)) == TODO, "the step back to todo")
        assert tutor.session.render(step.title) in screen_text(tutor.app)  # still at that step
    again = tutor.restart()
    assert again.step_state(step) == "todo"
    assert not again.progress.hints.get(step.id)


async def _some_progress(pilot, tutor) -> None:
    await pilot.pause()
    await pilot.press("k")  # step 1 skipped
    await pilot.press("d")  # step 2 done
    await until(pilot, lambda: outline_mark(tutor.app, tutor.title(2)) == DONE, "step 2 marked done")
    assert outline_mark(tutor.app, tutor.title(1)) == SKIPPED


async def test_reset_lesson_asks_first_and_no_keeps_everything(tutor):
    first, second = tutor.session.lesson.steps[:2]
    async with tutor.app.run_test(size=SIZE) as pilot:
        await _some_progress(pilot, tutor)
        for decline in ("n", "escape"):
            await run_from_palette(pilot, "Reset lesson")
            assert stack_names(tutor.app)[-1] == "ConfirmDialog"
            assert "Reset the whole lesson?" in screen_text(tutor.app)
            footer = screen_lines(tutor.app)[-1]
            # The dialog's keys, not the lesson's: d or k would do nothing while it is open.
            assert "y Yes" in footer and "n No" in footer and "Pane" not in footer, footer
            await pilot.press(decline)
            await until(pilot, lambda: stack_names(tutor.app) == ["LessonScreen"], "the question is gone")
            assert outline_mark(tutor.app, tutor.title(1)) == SKIPPED
            assert outline_mark(tutor.app, tutor.title(2)) == DONE
    again = tutor.restart()
    assert (again.step_state(first), again.step_state(second)) == ("skipped", "done")


async def test_reset_lesson_with_yes_clears_every_mark_and_the_saved_progress(tutor):
    async with tutor.app.run_test(size=SIZE, notifications=True) as pilot:
        await _some_progress(pilot, tutor)
        await run_from_palette(pilot, "Reset lesson")
        assert stack_names(tutor.app)[-1] == "ConfirmDialog"
        said = []  # the toast goes after a few seconds: noted whenever it is seen

        def reset_and_said() -> bool:
            said.extend(["Lesson reset"] if "Lesson reset" in screen_text(tutor.app) else [])
            return bool(said) and outline_mark(tutor.app, tutor.title(2)) == TODO

        await pilot.press("y")
        await until(pilot, reset_and_said, "step 2 back to todo and the toast saying the lesson was reset")
        assert outline_mark(tutor.app, tutor.title(1)) == TODO
    again = tutor.restart()
    assert [again.step_state(s) for s in again.lesson.steps] == ["todo"] * len(again.lesson.steps)


async def test_enter_alone_does_not_reset_the_lesson(tutor):
    async with tutor.app.run_test(size=SIZE) as pilot:
        await _some_progress(pilot, tutor)
        await run_from_palette(pilot, "Reset lesson")
        assert stack_names(tutor.app)[-1] == "ConfirmDialog"
        await pilot.press("enter")
        await pilot.pause()
        assert outline_mark(tutor.app, tutor.title(2)) == DONE
    assert tutor.restart().step_state(tutor.session.lesson.steps[1]) == "done"
