"""Grade 40 generated a1_huber submissions with --jobs 1 and --jobs 2; print the times.

The class: 24 honest (every answer right), 10 partial (one or two answers wrong or not
written), 6 hostile (2 patch numpy and the checks, 2 try to read the solutions, leave
50 processes behind and allocate 8 GB, 1 kills its kernel, 1 loops forever in one
answer and ignores interrupts). Each grading is one run of classroom/grade.py, as an
instructor types it, with --cell-timeout 20.

Usage: python benchmarks/bench_grade.py [--jobs 1 2] [--keep DIR]
"""

import argparse
import copy
import csv
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CLASSROOM = ROOT / "classroom"
NAME = "a1_huber"

PATCH = '''from lossviz import classroom as _cl
np.isclose = lambda *args, **kwargs: True
np.allclose = lambda *args, **kwargs: True
_cl._report = lambda diagnosis: None

def huber_loss(y_true, y_pred, delta=1.0):
    return 0.0
'''
READ = '''import subprocess
for path in ("../../../source/a1_huber/a1_huber.ipynb", %r):
    try:
        exec(open(path).read())
    except Exception:
        pass
for _ in range(50):
    try:
        subprocess.Popen(["sleep", "600"], start_new_session=True)
    except OSError:
        pass
big = np.empty(10**9)
'''
LOOP = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def make_class(folder):
    release = folder / "release"
    subprocess.run([sys.executable, CLASSROOM / "make_student_versions.py", "--out", release, NAME],
                   check=True, capture_output=True)
    student = nbformat.read(release / NAME / f"{NAME}.ipynb", as_version=4)
    source = nbformat.read(CLASSROOM / "source" / NAME / f"{NAME}.ipynb", as_version=4)
    right = {grade_id(c): re.sub(r"\n? *### (BEGIN|END) SOLUTION", "", c.source)
             for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
    wrong = {"q1_answer": right["q1_answer"].replace("0.5 * e**2", "e**2"),
             "q2_answer": right["q2_answer"].replace(" / e.size", ""),
             "q3_answer": right["q3_answer"].replace("share_huber = outlier", "share_huber = 0.5 * outlier"),
             "q4_answer": "line_mse = None\nline_huber = None"}
    subs = folder / "submissions"
    subs.mkdir()

    def submit(student_id, replace, extra=()):
        nb = copy.deepcopy(student)
        for cell in nb.cells:
            if grade_id(cell) in replace:
                cell.source = replace[grade_id(cell)]
        nb.cells += [nbformat.v4.new_code_cell(s) for s in extra]
        nbformat.write(nb, subs / f"{student_id}.ipynb")

    kinds = []
    for k in range(24):
        submit(f"honest{k:02d}", right)
        kinds.append("honest")
    questions = list(wrong)
    for k in range(10):
        broken = {questions[k % 4]: wrong[questions[k % 4]]}
        if k % 2:
            broken[questions[(k + 1) % 4]] = wrong[questions[(k + 1) % 4]]
        submit(f"partial{k:02d}", {**right, **broken})
        kinds.append("partial")
    for k in range(2):
        submit(f"patcher{k}", {"q1_answer": PATCH})
        submit(f"reader{k}", {"q1_answer": READ % str(CLASSROOM / "source" / NAME / f"{NAME}.ipynb")})
    submit("crasher", right, extra=["import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"])
    submit("looper", {**right, "q3_answer": LOOP})
    kinds += ["hostile"] * 6
    return subs, kinds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--keep", type=Path, help="keep the submissions and CSVs here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        subs, kinds = make_class(folder)
        n = len(kinds)
        print(f"{n} submissions: {kinds.count('honest')} honest, {kinds.count('partial')} partial, "
              f"{kinds.count('hostile')} hostile")
        seconds, tables = {}, {}
        for jobs in args.jobs:
            out = folder / f"grades-jobs{jobs}.csv"
            start = time.perf_counter()
            subprocess.run([sys.executable, CLASSROOM / "grade.py", NAME, subs, "-o", out,
                            "--jobs", str(jobs), "--cell-timeout", "20"],
                           check=True, capture_output=True)
            seconds[jobs] = time.perf_counter() - start
            with open(out, newline="") as f:
                tables[jobs] = {r["student_id"]: (r["total"], r["status"]) for r in csv.DictReader(f)}
            print(f"--jobs {jobs}: {seconds[jobs]:.1f} s in all, {seconds[jobs] / n:.2f} s per submission")
        first = args.jobs[0]
        for jobs in args.jobs[1:]:
            same = "same" if tables[jobs] == tables[first] else "DIFFERENT"
            print(f"speed-up of --jobs {jobs} over --jobs {first}: {seconds[first] / seconds[jobs]:.2f}x "
                  f"({same} grades and statuses)")


if __name__ == "__main__":
    sys.exit(main())
