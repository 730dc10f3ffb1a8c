from __future__ import annotations

from tutor.cli import main


def test_words_for_a_question_that_also_has_options_are_graded_as_words(capsys):
    code = main(["grade", "--lesson", "04", "--question", "layer-upload", "No, only the layers that changed"])
    out = capsys.readouterr().out
    assert code == 0
    assert "verdict: correct" in out and "only-missing-layers" in out


def test_words_given_to_the_choice_form_get_a_clear_message(capsys):
    code = main(["grade", "--lesson", "04", "--question", "layer-upload", "--form", "choice",
                 "No, only the layers that changed"])
    err = capsys.readouterr().err
    assert code == 2
    assert "answered by choosing options" in err
    assert "'n'" not in err
