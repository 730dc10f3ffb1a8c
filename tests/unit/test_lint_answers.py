"""`docker-tutor lint --answers FILE` warns about rubric ideas no labelled answer exercises, without failing."""

from __future__ import annotations

import json
from pathlib import Path

from tutor.cli import main

LESSON = Path(__file__).resolve().parents[2] / "lessons" / "04-push-to-registry.md"
DEV = Path(__file__).resolve().parents[2] / "tests" / "data" / "grading_dev.jsonl"


def test_the_development_set_exercises_every_rubric_entry(capsys):
    assert main(["lint", str(LESSON), "--answers", str(DEV)]) == 0
    assert "warning:" not in capsys.readouterr().out


def test_an_unexercised_idea_is_a_warning_with_its_line(tmp_path, capsys):
    few = tmp_path / "few.jsonl"
    few.write_text(json.dumps({"question": "latest-in-k8s", "answer": "it moves", "label": "correct"}) + "\n")
    assert main(["lint", str(LESSON), "--answers", str(few)]) == 0
    out = capsys.readouterr().out
    assert "warning: rubric concept 'no-rollback' of question 'latest-in-k8s'" in out
    assert "04-push-to-registry.md:" in out.splitlines()[0]
