"""How often the quiz grader agrees with a teacher's labels, and how often it says "correct" to a
wrong answer.

    python benchmarks/grading_agreement.py tests/data/grading_dev.jsonl [--misses] [--json]

Each line of the file is {"question", "answer", "label": correct|partly|incorrect, "why"}, for
the questions of lesson 04. Prints agreement, false accepts (an answer labelled incorrect that
is graded correct), partly answers graded correct, and the confusion per question. --misses
lists the answers graded differently, except for a held-out file (its name says "untouched"
or "heldout", unless it is listed in SPENT): those are measured, never read.

    python benchmarks/grading_agreement.py tests/data/grading_heldout4.jsonl --half tuned|held

--half takes one half of a file, split at random (random.Random(15)) and stratified by
question and label: the round that spent heldout4 tuned on one half and only measured the
other (its misses are never listed, whatever the file).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tutor.lesson import get_lesson  # noqa: E402
from tutor.quiz.grader import VERDICTS, grade  # noqa: E402

HELD_OUT_NAMES = ("untouched", "heldout")  # files whose answers a tuner must not see
# Measured once as held out, since read and tuned on (heldout5: in round 5; heldout6: in round 6; heldout7: round 7;
# heldout8: round 8).
SPENT = ("grading_heldout2.jsonl", "grading_heldout3.jsonl", "grading_heldout5.jsonl", "grading_heldout6.jsonl",
         "grading_heldout7.jsonl", "grading_heldout8.jsonl")
HALF_SPENT = ("grading_heldout4.jsonl",)  # its tuned half was read and tuned on, its held half never
HALF_SEED = 15


def half(rows: list[dict[str, str]], which: str) -> list[dict[str, str]]:
    """One half of rows, stratified by (question, label); odd strata give their extra row to
    the held half and the tuned half in turn, so the halves differ by at most one per question."""
    rng = random.Random(HALF_SEED)
    strata: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        strata[(row["question"], row["label"])].append(index)
    held: set[int] = set()
    odd = 0
    for key in sorted(strata):
        indices = strata[key]
        rng.shuffle(indices)
        size = len(indices) // 2
        if len(indices) % 2:
            size += odd % 2 == 0
            odd += 1
        held.update(indices[:size])
    keep = which == "held"
    return [row for index, row in enumerate(rows) if (index in held) == keep]


def load(path: str | Path) -> list[dict[str, str]]:
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            if row.get("label") not in VERDICTS:
                raise ValueError(f"{path}:{number}: label must be one of {', '.join(VERDICTS)}")
            rows.append(row)
    return rows


def measure(path: str | Path, lesson: str = "04", which: str | None = None) -> dict[str, Any]:
    """Agreement figures for one labelled file (grading in each question's text form), or for
    one half of it (which: "tuned" or "held")."""
    found = get_lesson(lesson)
    rows = load(path) if which is None else half(load(path), which)
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
        "file": str(path) if which is None else f"{path} ({which} half)",
        "half": which,
        "answers": total,
        "agreement": round(agree / total, 4) if total else 0.0,
        "false_accepts": sum(1 for m in misses if m["label"] == "incorrect" and m["graded"] == "correct"),
        "partly_graded_correct": sum(1 for m in misses if m["label"] == "partly" and m["graded"] == "correct"),
        "per_question": per_question,
        "misses": misses,
    }


def readable(figures: dict[str, Any]) -> bool:
    """Whether a tuner may read these misses: not those of a held-out file or a held half."""
    name = Path(figures["file"].split(" (")[0]).name
    if name in HALF_SPENT:
        return figures.get("half") == "tuned"
    return name in SPENT or not any(word in name for word in HELD_OUT_NAMES)


def report(figures: dict[str, Any], show_misses: bool = False) -> str:
    lines = [f"{figures['file']}: {figures['answers']} answers, agreement {figures['agreement']:.1%}, "
             f"false accepts {figures['false_accepts']}, partly graded correct {figures['partly_graded_correct']}",
             "", f"{'question':<20} {'n':>3} {'agree':>6}   label -> graded (c/p/i)"]
    for qid, data in figures["per_question"].items():
        cells = "  ".join(f"{label[0]}:" + "/".join(str(data["confusion"][label][g]) for g in VERDICTS)
                          for label in VERDICTS)
        lines.append(f"{qid:<20} {data['answers']:>3} {data['agreement']:>6.1%}   {cells}")
    if show_misses and not readable(figures):
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
    parser.add_argument("--half", choices=("tuned", "held"), default=None,
                        help="one stratified random half of each file (seed 15)")
    args = parser.parse_args(argv)
    results = [measure(path, which=args.half) for path in args.files]
    for result in results:
        if not readable(result):
            result["misses"] = []  # a held-out file or half is measured, never read
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(report(r, args.misses) for r in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
