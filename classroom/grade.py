"""Grade a folder of submissions with nbgrader into a per-student, per-question CSV.

Usage:
    python classroom/grade.py ASSIGNMENT SUBMISSIONS [-o grades.csv]
                              [--cell-timeout 60] [--notebook-timeout 300] [--workdir DIR]

SUBMISSIONS holds one entry per student, in any of these layouts:

    SUBMISSIONS/<student>/<ASSIGNMENT>/<ASSIGNMENT>.ipynb   (what nbgrader collect gives)
    SUBMISSIONS/<student>/<ASSIGNMENT>.ipynb
    SUBMISSIONS/<student>.ipynb

nbgrader does the grading: ``generate_assignment`` records the assignment's test cells
and points in a gradebook, then ``autograde`` runs each submission with the source
notebook's test cells, hidden tests included, put back in place. Each submission is
graded by its own nbgrader process, so one that crashes, loops or hangs cannot stop the
others:

- a cell that raises (a syntax error, an exception) fails only the tests that depend on
  it; those questions score 0;
- a cell that runs longer than --cell-timeout seconds is interrupted (CellTimeoutError)
  and grading goes on with the next cell;
- a notebook that cannot be run (not valid JSON, a kernel that stops answering) or that
  takes longer than --notebook-timeout seconds in all scores 0 on every question.

The CSV has one row per student: student_id, one column per question (the grade cell
ids q1, q2, ...), total, max_score and status, which says what happened.
"""

import argparse
import csv
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
from nbgrader.api import Gradebook, MissingEntry

from course import check_assignments, nbgrader_command, nbgrader_env, run_nbgrader, scratch_course

GRADED = "graded"


def find_submissions(folder, assignment):
    """Map each student id to their notebook for ``assignment`` (None if there is none)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SystemExit(f"{folder} is not a folder of submissions")
    wanted = f"{assignment}.ipynb"
    found = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix == ".ipynb":
            found[entry.stem] = entry
        elif entry.is_dir():
            matches = sorted(p for p in entry.rglob(wanted) if ".ipynb_checkpoints" not in p.parts)
            found[entry.name] = matches[0] if matches else None
    return found


def autograde(root, assignment, student, notebook, cell_timeout, notebook_timeout, log):
    """Autograde one submission in its own process group; return (status, seconds)."""
    dest = root / "submitted" / student / assignment
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(notebook, dest / f"{assignment}.ipynb")
    args = nbgrader_command("autograde", assignment, "--student", student, "--force",
                            f"--Execute.timeout={int(cell_timeout)}")
    start = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen(args, cwd=root, env=nbgrader_env(), stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            returncode = proc.wait(timeout=notebook_timeout)
        except subprocess.TimeoutExpired:
            _kill_tree(proc)
            return (f"timed out: the notebook ran longer than {notebook_timeout:g} s, "
                    f"every question scores 0"), time.perf_counter() - start
    seconds = time.perf_counter() - start
    if returncode != 0:
        return f"could not be graded, every question scores 0: {_last_error(log)}", seconds
    timeouts = _timed_out_cells(root / "autograded" / student / assignment / f"{assignment}.ipynb")
    if timeouts:
        return (f"{GRADED}; stopped after {cell_timeout:g} s (cell time limit) in "
                f"{', '.join(timeouts)}"), seconds
    return GRADED, seconds


def _kill_tree(proc):
    """Kill nbgrader and everything it started; kernels run in sessions of their own."""
    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    proc.send_signal(signal.SIGKILL)
    for child in family:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    proc.wait()


def _last_error(log):
    lines = [line.strip() for line in Path(log).read_text(errors="replace").splitlines()]
    errors = [line for line in lines if line and not line.startswith("[") and "Error" in line]
    reason = errors[-1] if errors else "see the nbgrader log"
    return reason[:200]


def _timed_out_cells(path):
    if not path.is_file():
        return []
    nb = nbformat.read(path, as_version=4)
    names = []
    for index, cell in enumerate(nb.cells):
        if any(out.get("ename") == "CellTimeoutError" for out in cell.get("outputs", [])):
            names.append(cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index}")
    return names


def question_points(gradebook, assignment, source):
    """The grade cells of the assignment, in the order of the source notebook, with their points."""
    nb = nbformat.read(source, as_version=4)
    order = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade")]
    points = {}
    for notebook in gradebook.find_assignment(assignment).notebooks:
        for cell in notebook.grade_cells:
            points[cell.name] = cell.max_score
    return {name: points[name] for name in order}


def scores(gradebook, assignment, student):
    """Score of each grade cell of one student's autograded submission."""
    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return {}
    return {grade.name: grade.score for notebook in submission.notebooks for grade in notebook.grades}


def grade(assignment, submissions, out, cell_timeout=60, notebook_timeout=300, workdir=None):
    """Grade every submission; write the CSV to ``out`` and return its rows."""
    found = find_submissions(submissions, assignment)
    if not found:
        raise SystemExit(f"no submissions in {submissions}")
    with tempfile.TemporaryDirectory(prefix="lossviz-grade-") as tmp:
        root = scratch_course(Path(workdir) if workdir else Path(tmp), [assignment])
        (root / "logs").mkdir(exist_ok=True)
        run_nbgrader(root, "generate_assignment", assignment, "--force",
                     log=root / "logs" / "generate_assignment.log")
        status, seconds = {}, {}
        for student, notebook in found.items():
            if notebook is None:
                status[student] = f"no {assignment}.ipynb found, every question scores 0"
                continue
            status[student], seconds[student] = autograde(
                root, assignment, student, notebook, cell_timeout, notebook_timeout,
                root / "logs" / f"{student}.log")
            print(f"{student}: {status[student]} ({seconds[student]:.1f} s)", flush=True)
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
            points = question_points(gradebook, assignment,
                                     root / "source" / assignment / f"{assignment}.ipynb")
            rows = []
            for student in found:
                got = scores(gradebook, assignment, student) if status[student].startswith(GRADED) else {}
                row = {"student_id": student}
                row.update({q: float(got.get(q) or 0.0) for q in points})
                row["total"] = sum(row[q] for q in points)
                row["max_score"] = float(sum(points.values()))
                row["status"] = status[student]
                rows.append(row)
    out = Path(out)
    with open(out, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["student_id", *points, "total", "max_score", "status"])
        writer.writeheader()
        writer.writerows(rows)
    if seconds:
        print(f"graded {len(seconds)} submission(s) in {sum(seconds.values()):.1f} s "
              f"({sum(seconds.values()) / len(seconds):.1f} s each on average); scores in {out}")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment", metavar="ASSIGNMENT")
    parser.add_argument("submissions", metavar="SUBMISSIONS", type=Path)
    parser.add_argument("-o", "--out", default=Path("grades.csv"), type=Path,
                        help="the CSV to write (default: grades.csv)")
    parser.add_argument("--cell-timeout", type=int, default=60,
                        help="seconds one cell may run before it is interrupted (default: 60)")
    parser.add_argument("--notebook-timeout", type=int, default=300,
                        help="seconds one whole submission may take (default: 300)")
    parser.add_argument("--workdir", type=Path,
                        help="keep nbgrader's course folder (gradebook, autograded notebooks, "
                             "logs) here instead of a temporary folder")
    args = parser.parse_args(argv)
    check_assignments([args.assignment])
    grade(args.assignment, args.submissions, args.out, args.cell_timeout,
          args.notebook_timeout, args.workdir)


if __name__ == "__main__":
    sys.exit(main())
