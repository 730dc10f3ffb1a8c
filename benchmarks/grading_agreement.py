"""How often the quiz grader agrees with a teacher's labels, and how often it says "correct" to a
wrong answer.

    python benchmarks/grading_agreement.py tests/data/grading_dev.jsonl [--misses] [--json]

Each line of the file is {"question", "answer", "label": correct|partly|incorrect, "why"}, for
the questions of lesson 04. Prints agreement, false accepts (an answer labelled incorrect that
is graded correct), partly answers graded correct, and the confusion per question. --misses
lists the answers graded differently, except for a held-out file (its name says "untouched"
or "heldout", unless it is listed in SPENT): those are measured, never read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tutor.lesson import get_lesson  # noqa: E402
from tutor.quiz.grader import VERDICTS, grade  # noqa: E402

HELD_OUT_NAMES = ("untouched", "heldout")  # files whose answers a tuner must not see
SPENT = ("grading_heldout2.jsonl",)  # measured once as held out, since read and tuned on


def load(path: str | Path) -> list[dict[str, str]]:
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            if row.get("label") not in VERDICTS:
                raise ValueError(f"{path}:{number}: label must be one of {', '.join(VERDICTS)}")
            rows.append(row)
    return rows


def measure(path: str | Path, lesson: str = "04") -> dict[str, Any]:
    """Agreement figures for one labelled file (grading in each question's text form)."""
    found = get_lesson(lesson)
    rows = load(path)
    confusion: dict[str, Counter] = defaultdict(Counter)  # question -> (label, graded) counts
    misses = []
    for row in rows:
        question = found.question(row["question"])
        if question is None:
            raise ValueError(f"lesson {lesson} has no question '{row['question']}'")
        graded = grade(question, row["answer"], "text").verdict
        confusion[row["question"]][(row["label"], graded)] += 1
        if graded != row["label"]:
            misses.append({**row, "graded": graded})
    total = len(rows)
    agree = total - len(misses)
    per_question = {}
    for qid, counts in confusion.items():
        n = sum(counts.values())
        per_question[qid] = {
            "answers": n,
            "agreement": round(sum(v for (a, b), v in counts.items() if a == b) / n, 4),
            "confusion": {label: {graded: counts[(label, graded)] for graded in VERDICTS} for label in VERDICTS},
        }
    return {
        "file": str(path),
        "answers": total,
        "agreement": round(agree / total, 4) if total else 0.0,
        "false_accepts": sum(1 for m in misses if m["label"] == "incorrect" and m["graded"] == "correct"),
        "partly_graded_correct": sum(1 for m in misses if m["label"] == "partly" and m["graded"] == "correct"),
        "per_question": per_question,
        "misses": misses,
    }


def report(figures: dict[str, Any], show_misses: bool = False) -> str:
    lines = [f"{figures['file']}: {figures['answers']} answers, agreement {figures['agreement']:.1%}, "
             f"false accepts {figures['false_accepts']}, partly graded correct {figures['partly_graded_correct']}",
             "", f"{'question':<20} {'n':>3} {'agree':>6}   label -> graded (c/p/i)"]
    for qid, data in figures["per_question"].items():
        cells = "  ".join(f"{label[0]}:" + "/".join(str(data["confusion"][label][g]) for g in VERDICTS)
                          for label in VERDICTS)
        lines.append(f"{qid:<20} {data['answers']:>3} {data['agreement']:>6.1%}   {cells}")
    name = Path(figures["file"]).name
    if show_misses and name not in SPENT and any(word in name for word in HELD_OUT_NAMES):
        lines += ["", "(misses of a held-out file are not listed: it is measured, never read)"]
    elif show_misses:
        lines.append("")
        for miss in figures["misses"]:
            lines.append(f"[{miss['question']}] label {miss['label']}, graded {miss['graded']}: {miss['answer']!r}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", help="labelled JSONL files")
    parser.add_argument("--misses", action="store_true", help="list the answers graded differently")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = [measure(path) for path in args.files]
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(report(r, args.misses) for r in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
