from __future__ import annotations

from tutor.cli import main


def test_words_for_a_choice_only_question_get_a_clear_message(capsys):
    code = main(["grade", "--lesson", "04", "--question", "layer-upload", "No, only the layers that changed"])
    err = capsys.readouterr().err
    assert code == 2
    assert "answered by choosing options" in err
    assert "'n'" not in err
