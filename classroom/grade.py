"""Grade a folder of submissions, each in its own sandbox, into a per-question CSV.

Usage:
    python classroom/grade.py ASSIGNMENT SUBMISSIONS [-o grades.csv] [--jobs N]
        [--cell-timeout 60] [--notebook-timeout 300] [--memory-mb 2048] [--max-processes 64]
        [--max-file-size-mb 64] [--max-output-mb 2] [--cpu-seconds 600] [--workdir DIR]
        [--no-sandbox]

SUBMISSIONS holds one entry per student, in any of these layouts:

    SUBMISSIONS/<student>/<ASSIGNMENT>/<ASSIGNMENT>.ipynb   (what nbgrader collect gives)
    SUBMISSIONS/<student>/<ASSIGNMENT>.ipynb
    SUBMISSIONS/<student>.ipynb

How a submission is graded:

1. It is copied away first; the original is never opened again.
2. Its code cells run in a bubblewrap sandbox (sandbox.py) that sees the Python
   environment read-only and a private scratch folder holding only this notebook: no
   source notebook, no hidden test, no other submission, no network, with limits on
   time, memory, processes, file size and output. The instructor's locked cells (the
   imports, the data) are put back as they were; the check cells are not run.
3. Then, in the same sandbox, each question's answers are called on hidden inputs
   (the source notebook's ``grading`` metadata), and only the values come back, as data.
4. Outside, grade.py compares them with the values of the instructor's solution,
   computed the same way in a separate sandbox. Nothing the student's code does to
   numpy, lossviz or the check functions can change that comparison.

Only this process writes the CSV, once, after every submission is graded, through a
temporary file renamed into place. The status column says what happened to each row.
"""

import argparse
import csv
import os
import queue
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

import sandbox
import submissions as subs
import verdict
from course import SOURCE, check_assignments

GRADED = "graded"
MAX_NOTEBOOK_BYTES = 20_000_000
WARNING = """
************************************************************************************
  WARNING: --no-sandbox. Student code runs with YOUR rights, on YOUR files, with
  network access. A submission can read the solutions, change grades, delete files
  and leave processes behind. Use this only for notebooks you trust.
************************************************************************************
"""


class Assignment:
    """The source notebook: the cells to put back, the test cells, the questions, the points."""

    def __init__(self, name):
        self.name = name
        self.nb = nbformat.read(SOURCE / name / f"{name}.ipynb", as_version=4)
        meta = [c.metadata.get("nbgrader", {}) for c in self.nb.cells]
        self.locked = {m["grade_id"]: c.source for c, m in zip(self.nb.cells, meta)
                       if m.get("locked") and not m.get("grade") and not m.get("solution")}
        self.tests = {m["grade_id"]: verdict.strip_hidden_tests(c.source)
                      for c, m in zip(self.nb.cells, meta) if m.get("grade")}
        self.points = {m["grade_id"]: float(m["points"]) for m in meta if m.get("grade")}
        spec = self.nb.metadata.get("grading")
        if not spec or set(spec) != set(self.points):
            raise SystemExit(f"{name}: the source notebook's `grading` metadata must name every "
                             f"test cell {sorted(self.points)}")
        self.questions = [dict(spec[q], id=q, setup=spec[q].get("setup", "")) for q in self.points]

    def cells_to_run(self, nb):
        """The code cells of ``nb`` to execute, with a label for each; test cells left out."""
        cells, labels = [], []
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            meta = cell.metadata.get("nbgrader", {}) if isinstance(cell.metadata, dict) else {}
            grade_id = meta.get("grade_id")
            if meta.get("grade"):
                continue
            source = self.locked.get(grade_id, cell.source) if meta.get("locked") else cell.source
            cells.append(source)
            labels.append(grade_id or f"cell {index + 1}")
        return cells, labels

    def integrity(self, nb):
        """What a human must look at: test cells missing or changed (nbgrader's needs_manual_grade)."""
        seen = {}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {}) if isinstance(cell.metadata, dict) else {}
            if meta.get("grade_id") in self.tests and cell.cell_type == "code":
                seen[meta["grade_id"]] = verdict.strip_hidden_tests(cell.source)
        problems = []
        for grade_id, source in self.tests.items():
            if grade_id not in seen:
                problems.append(f"test cell {grade_id} missing")
            elif seen[grade_id] != source:
                problems.append(f"test cell {grade_id} altered")
        return problems

    def answers(self, nb, question):
        ids = set(question.get("answers", []))
        return "\n".join(c.source for c in nb.cells if c.cell_type == "code"
                         and isinstance(c.metadata, dict)
                         and c.metadata.get("nbgrader", {}).get("grade_id") in ids)

    def job(self, nb, notebook_text):
        cells, labels = self.cells_to_run(nb)
        return {"cells": cells, "questions": [{k: q[k] for k in ("id", "setup", "calls", "forbid")}
                                              for q in self.questions],
                "notebook_name": f"{self.name}.ipynb", "notebook_text": notebook_text}, labels


def read_notebook(path):
    data = Path(path).read_bytes()
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB")
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except Exception as exc:  # nbformat raises several kinds for a file that is not a notebook
        raise ValueError(f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}") from None
    if not all(isinstance(c.get("source"), str) for c in nb.cells):
        raise ValueError("a cell has no source text")
    return nb, data.decode("utf-8")


def events_status(outcome, labels, questions, limits):
    """The row's problems from what the runner reported, in plain words."""
    n = len(labels)

    def where(cell):
        if cell is None or not isinstance(cell, int):
            return "an unknown cell"
        if cell < n:
            return labels[cell]
        if cell == n:
            return "the grader's set-up"
        k = cell - n - 1
        return f"the grading calls of {questions[k]['id']}" if 0 <= k < len(questions) else "an unknown cell"

    problems = []
    for record in outcome.records:
        event, cell = record.get("event"), record.get("cell")
        if event == "cell timeout":
            problems.append(f"timed out in {where(cell)} (cell limit {limits.cell_timeout} s)")
        elif event == "notebook timeout":
            problems.append(f"notebook time limit ({limits.notebook_timeout} s) reached at "
                            f"{where(cell)}, later cells not run")
        elif event == "kernel died":
            problems.append(f"kernel died in {where(cell)}")
        elif event == "memory":
            problems.append(f"memory limit ({limits.memory_mb} MB) in {where(cell)}")
        elif event == "output limit":
            problems.append(f"output limit in {where(cell)}, later output dropped")
    if outcome.killed:
        problems.append(f"stopped after {outcome.seconds:.0f} s (wall-time limit of the whole sandbox)")
    elif not any(r.get("done") for r in outcome.records):
        problems.append(f"the sandbox ended early (exit code {outcome.returncode})")
    return list(dict.fromkeys(problems))


def results_of(outcome, questions):
    """The first result reported for each question id (later ones are ignored)."""
    ids = {q["id"] for q in questions}
    results = {}
    for record in outcome.records:
        q = record.get("question")
        if q in ids and q not in results and isinstance(record.get("values"), dict):
            results[q] = record
    return results


def run_one(assignment, sub, limits, slots, use_sandbox, workdir, number, fonts):
    """Run one copied submission in its sandbox; return (notebook, labels, outcome) or a status."""
    if sub.copy is None:
        return f"no {assignment.name}.ipynb found, every question scores 0"
    try:
        nb, text = read_notebook(sub.copy)
    except ValueError as exc:
        return f"invalid notebook ({exc}), every question scores 0"
    job, labels = assignment.job(nb, text)
    slot = slots.get()
    try:
        log = workdir / f"{number:04d}.log" if workdir else None
        outcome = sandbox.run(job, limits, slot=slot, sandbox=use_sandbox, log=log, fonts=fonts)
        if not outcome.killed and not any(r.get("done") for r in outcome.records):
            # the runner ended early (on a loaded machine, a kernel that did not start in
            # time): once more; a second early end is reported in the row's status
            outcome = sandbox.run(job, limits, slot=slot, sandbox=use_sandbox, log=log, fonts=fonts)
    finally:
        slots.put(slot)
    return nb, labels, outcome


def judge_one(assignment, ran, reference, limits):
    """Scores by question, the status parts and the reason for each question's score."""
    if isinstance(ran, str):
        return {q: 0.0 for q in assignment.points}, [ran], {}
    nb, labels, outcome = ran
    problems = events_status(outcome, labels, assignment.questions, limits)
    results = results_of(outcome, assignment.questions)
    scores, reasons = {}, {}
    for question in assignment.questions:
        q = question["id"]
        result = results.get(q)
        mentioned = verdict.forbidden_names(assignment.answers(nb, question), question["forbid"])
        called = (result or {}).get("forbidden_called") or []
        if mentioned or called:
            how = "uses" if mentioned else "called"
            names = ", ".join(f"lv.{n}" for n in mentioned) if mentioned else ", ".join(map(str, called))
            reason = f"{how} {names}, which this question forbids"
            problems.append(f"{q}: {reason}")
        else:
            reason = verdict.judge(question, result, reference[q]["values"])
        scores[q] = 0.0 if reason else assignment.points[q]
        reasons[q] = reason or "right"
    manual = assignment.integrity(nb)
    if manual:
        problems.append("needs manual grading: " + ", ".join(manual))
    return scores, [GRADED] + problems, reasons


def check_paths(out, folder):
    """Fail now, not after an hour of grading, if the CSV cannot be written."""
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise SystemExit(f"{folder} is not a folder of submissions")
    if out.is_dir():
        raise SystemExit(f"-o {out} is a folder; give the path of the CSV file to write")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise SystemExit(f"-o {out}: the folder {parent} does not exist")
    try:
        probe = tempfile.NamedTemporaryFile(dir=parent, prefix=".grades-", delete=True)
        probe.close()
    except OSError as exc:
        raise SystemExit(f"-o {out}: cannot write in {parent} ({exc.strerror})") from None


def write_csv(out, rows, questions):
    """Write the CSV through a temporary file in the same folder, renamed into place."""
    out = Path(out)
    fields = ["student_id", "submission", *questions, "total", "max_score", "status"]
    fd, tmp = tempfile.mkstemp(dir=out.parent if str(out.parent) else ".", prefix=".grades-", suffix=".csv")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp's file is private; a CSV is not
        with os.fdopen(fd, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: subs.csv_safe(v) if k in ("student_id", "submission", "status") else v
                                 for k, v in row.items()})
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def grade(name, folder, out, limits=None, jobs=None, use_sandbox=True, workdir=None):
    """Grade every submission in ``folder``; write the CSV to ``out`` and return its rows."""
    limits = limits or sandbox.Limits()
    jobs = max(1, jobs or os.cpu_count() or 1)
    if use_sandbox and sandbox.bwrap_missing():
        raise SystemExit("bubblewrap (bwrap) is not installed. Install it (Debian/Ubuntu: "
                         "sudo apt-get install bubblewrap; Fedora: sudo dnf install bubblewrap) "
                         "or, for notebooks you trust only, pass --no-sandbox.")
    if not use_sandbox:
        print(WARNING, file=sys.stderr, flush=True)
    check_paths(out, folder)
    assignment = Assignment(name)
    found, skipped = subs.find(folder, name)
    for entry, reason in skipped:
        print(f"skipped {entry!r}: {reason}")
    if not found:
        raise SystemExit(f"no submissions in {folder}")
    if workdir:
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lossviz-grade-") as private:
        Path(private, "copies").mkdir()
        subs.copy_all(found, Path(private, "copies"), MAX_NOTEBOOK_BYTES)
        fonts = sandbox.font_cache(Path(private, "fonts"))
        slots = queue.Queue()
        for slot in range(jobs):
            slots.put(slot)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            ref_job, _ = assignment.job(assignment.nb, nbformat.writes(assignment.nb))
            reference = pool.submit(reference_values, ref_job, limits, slots, use_sandbox, assignment, fonts)
            runs = [pool.submit(run_one, assignment, sub, limits, slots, use_sandbox, workdir, number,
                                fonts) for number, sub in enumerate(found)]
            try:
                reference = reference.result()
            except SystemExit:
                pool.shutdown(cancel_futures=True)
                raise
            runs = [_result(run) for run in runs]
    rows = []
    for sub, ran in zip(found, runs):
        scores, status, reasons = judge_one(assignment, ran, reference, limits)
        row = {"student_id": sub.student, "submission": sub.shown, **scores,
               "total": sum(scores.values()), "max_score": sum(assignment.points.values()),
               "status": "; ".join(status + sub.notes)}
        rows.append(row)
        print(f"{sub.student!r}: {row['total']:g}/{row['max_score']:g} {row['status']}"
              + "".join(f"\n    {q}: {r}" for q, r in reasons.items() if r != "right"), flush=True)
    write_csv(out, rows, list(assignment.points))
    print(f"wrote {len(rows)} row(s) to {out}")
    return rows


def _result(future):
    """A submission's run, or, if the grader itself failed on it, a status for its row only."""
    try:
        return future.result()
    except Exception as exc:
        return f"could not be graded ({type(exc).__name__}: {exc}), every question scores 0"


def reference_values(job, limits, slots, use_sandbox, assignment, fonts):
    """The instructor's solution run the same way; every question must pass on it."""
    slot = slots.get()
    try:
        outcome = sandbox.run(job, limits, slot=slot, sandbox=use_sandbox, fonts=fonts)
    finally:
        slots.put(slot)
    results = results_of(outcome, assignment.questions)
    for question in assignment.questions:
        q = question["id"]
        result = results.get(q)
        errors = {k: v for k, v in (result or {}).get("values", {}).items()
                  if isinstance(v, dict) and "error" in v}
        reason = verdict.judge(question, result, (result or {}).get("values"))
        if result is None or errors or reason or result.get("forbidden_called"):
            raise SystemExit(f"the reference solution of {assignment.name} fails {q}: "
                             f"{reason or errors or 'no result'}\n{outcome.stderr[-2000:]}")
    return results



def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment", metavar="ASSIGNMENT")
    parser.add_argument("submissions", metavar="SUBMISSIONS", type=Path)
    parser.add_argument("-o", "--out", default=Path("grades.csv"), type=Path,
                        help="the CSV to write (default: grades.csv)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="submissions graded at once, one sandbox each (default: the number of cores)")
    default = sandbox.Limits()
    for option, field, unit in (("--cell-timeout", "cell_timeout", "seconds one cell, or one question's grading calls, may run"),
                                ("--notebook-timeout", "notebook_timeout", "seconds all the cells of one notebook may run"),
                                ("--memory-mb", "memory_mb", "address space of each process in the sandbox, MB"),
                                ("--max-processes", "processes", "processes and threads in one sandbox"),
                                ("--max-file-size-mb", "file_size_mb", "largest file the notebook may write, MB"),
                                ("--scratch-mb", "scratch_mb", "size of the sandbox's writable folders, MB"),
                                ("--cpu-seconds", "cpu_seconds", "CPU time of each process in the sandbox, s")):
        parser.add_argument(option, dest=field, type=int, default=getattr(default, field),
                            help=f"{unit} (default: {getattr(default, field)})")
    parser.add_argument("--max-output-mb", type=float, default=default.max_output_bytes / 1e6,
                        help=f"output one notebook may print, MB (default: {default.max_output_bytes / 1e6:g})")
    parser.add_argument("--workdir", type=Path,
                        help="keep one log per submission here (numbered as the CSV rows)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run student code WITHOUT the sandbox (unsafe; for trusted notebooks only)")
    args = parser.parse_args(argv)
    check_assignments([args.assignment])
    fields = ("cell_timeout", "notebook_timeout", "memory_mb", "processes", "file_size_mb",
              "scratch_mb", "cpu_seconds")
    limits = sandbox.Limits(**{f: getattr(args, f) for f in fields},
                            max_output_bytes=int(args.max_output_mb * 1e6))
    if min(getattr(limits, f) for f in fields) <= 0 or args.jobs <= 0:
        parser.error("limits and --jobs must be positive")
    grade(args.assignment, args.submissions, args.out, limits, args.jobs,
          use_sandbox=not args.no_sandbox, workdir=args.workdir)


if __name__ == "__main__":
    sys.exit(main())
