"""Time ``docker-tutor grade`` on a class answer sheet: 200 learners x 8 questions.

    python benchmarks/grading_class.py [--learners 200]

The answers are the development set's (tests/data/grading_dev.jsonl), dealt out to the
learners in turn and varied a little (case, a word in front) so that caches do not see the
same text every time. Prints the wall time of the whole command, start-up included.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPENERS = ("", "I think ", "Well, ", "So ", "Basically ", "Hmm, ")


def sheet(learners: int) -> str:
    by_question = defaultdict(list)
    for line in (ROOT / "tests" / "data" / "grading_dev.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        by_question[row["question"]].append(row["answer"])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["learner", "question", "answer"])
    for n in range(learners):
        for qid, answers in by_question.items():
            answer = answers[n % len(answers)]
            opener = OPENERS[(n // len(answers)) % len(OPENERS)]
            writer.writerow([f"learner{n:03d}", qid, opener + (answer.lower() if n % 2 else answer)])
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "class.csv"
        path.write_text(sheet(args.learners), encoding="utf-8")
        command = [sys.executable, "-m", "tutor", "grade", "--lesson", "04", str(path)]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        took = time.perf_counter() - start
    rows = max(0, done.stdout.count("\n") - 1)
    print(f"{args.learners} learners x 8 questions: {took:.2f} s wall (exit {done.returncode}, {rows} lines)")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
