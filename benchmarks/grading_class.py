"""Time ``docker-tutor grade`` on a class answer sheet: 200 learners x 8 questions, and how the
time grows with the rows (50, 100, 200, 400 learners).

    python benchmarks/grading_class.py [--sizes 50,100,200,400] [--runs 3] [--against DIR]

The answers are the development set's (tests/data/grading_dev.jsonl), dealt out to the
learners in turn and varied a little (case, a word in front) so that caches do not see the
same text every time. Prints the wall time of the whole command, start-up included, and
its ratio to the same command on a sheet of one learner (interpreter start-up, imports and
the lesson: what does not grow with the rows), measured in the same run. Sizes alternate
round by round; medians are compared. ``--against DIR`` also times the 200-learner sheet
with another checkout of docker-tutor (e.g. ``git archive <commit> | tar -x -C DIR``), in
the same rounds: a before/after figure from one run.
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

from common import ROOT, alternate, header, median, report

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
    parser.add_argument("--sizes", default="50,100,200,400")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--against", default=None, metavar="DIR",
                        help="another checkout: time its grade on the largest sheet too")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    header("grade: a class answer sheet, learners x 8 questions")
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for learners in [1, *sizes]:
            paths[learners] = Path(folder) / f"class-{learners}.csv"
            paths[learners].write_text(sheet(learners), encoding="utf-8")

        def timed(learners: int, checkout: Path = ROOT) -> float:
            command = [sys.executable, "-m", "tutor", "grade", "--lesson", "04", str(paths[learners])]
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, cwd=checkout)
            took = time.perf_counter() - start
            if done.returncode not in (0, 1) or done.stdout.count("\n") < learners:
                raise RuntimeError(f"grade failed (exit {done.returncode}): {done.stderr[-1500:]}")
            return took

        names = {1: "1 learner (start-up, baseline)", **{n: f"{n} learners x 8" for n in sizes}}
        samplers = {names[n]: (lambda n=n: timed(n)) for n in [1, *sizes]}
        if args.against:
            largest = 200 if 200 in sizes else max(sizes)
            samplers[f"{largest} learners, {args.against}"] = lambda: timed(largest, Path(args.against).resolve())
        results = alternate(samplers, args.runs)
    report(results, names[1], {names[200]: "<= 2 s"} if 200 in sizes else {})
    base = median(results[names[1]])
    per_row = [(median(results[names[n]]) - base) / (n * 8) * 1000 for n in sizes]
    print("  grading time beyond start-up, per answer: "
          + ", ".join(f"{n} learners {ms:.2f} ms" for n, ms in zip(sizes, per_row))
          + " (equal figures: linear in rows)")
    print(f"  medians of {args.runs} alternating runs each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
