"""grade.py against hostile students (issue 9), all graded in ONE run with honest classmates.

Each attack is one submission; each test below checks one of them in the CSV of that run.
Every test also relies on what the run shares: the honest classmates keep their correct
grades, the instructor's files (classroom/) and the submissions folder are unchanged
(hashed before and after), and no process outlives grading.

The student versions come from make_student_versions.py (as in test_classroom.py); the
right answers are the instructor's solution cells.
"""

import copy
import csv
import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
CLASSROOM = ROOT / "classroom"
NAME = "a1_huber"
SOURCE_NB = CLASSROOM / "source" / NAME / f"{NAME}.ipynb"
sys.path.insert(0, str(CLASSROOM))

import sandbox  # noqa: E402  (classroom/ is a folder of scripts, not a package)

pytestmark = pytest.mark.skipif(sandbox.bwrap_missing(), reason="bubblewrap is not installed")


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def tree_hash(folder):
    """One hash of every file's path and content under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def student_nb(tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    subprocess.run([sys.executable, CLASSROOM / "make_student_versions.py", "--out", out, NAME],
                   check=True, capture_output=True, cwd=ROOT)
    return nbformat.read(out / NAME / f"{NAME}.ipynb", as_version=4)


@pytest.fixture(scope="module")
def right():
    source = nbformat.read(SOURCE_NB, as_version=4)
    return {grade_id(c): re.sub(r"\n? *### (BEGIN|END) SOLUTION", "", c.source)
            for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}


def submit(student_nb, path, replace, extra=(), drop=None, strip_metadata=False):
    """Write a submission: answer cells replaced, extra cells appended, cells dropped."""
    nb = copy.deepcopy(student_nb)
    for cell in nb.cells:
        if grade_id(cell) in replace:
            cell.source = replace[grade_id(cell)]
    if drop:
        nb.cells = [c for c in nb.cells if not drop(c)]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in extra]
    if strip_metadata:
        for cell in nb.cells:
            cell.metadata.pop("nbgrader", None)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


VANDAL = '''
import os, subprocess, sys, json
T = {targets!r}
stolen = None
for path in (T["source_nb"], "../../../source/a1_huber/a1_huber.ipynb", "../source/a1_huber/a1_huber.ipynb"):
    try:
        stolen = open(path).read()
        break
    except OSError:
        pass
if stolen:  # run the instructor's solutions, if they can be read
    for cell in json.loads(stolen)["cells"]:
        if "BEGIN SOLUTION" in "".join(cell["source"]):
            try:
                exec("".join(cell["source"]))
            except Exception:
                pass
for path in (T["classmate"], "../../../gradebook.db", "../../../../gradebook.db"):
    try:
        os.remove(path)
    except OSError:
        pass
try:
    open(T["source_dir"] + "/planted.py", "w").write("planted = True")
    open(T["source_nb"], "a").write(" ")
except OSError:
    pass
# a process in its own session that keeps overwriting the CSV for a minute
code = ("import time\\nend = time.time() + 60\\nwhile time.time() < end:\\n"
        "    for p in %r:\\n        try:\\n            open(p, 'w').write('student_id\\\\nhacked\\\\n')\\n"
        "        except OSError:\\n            pass\\n    time.sleep(0.3)\\n") % ([T["csv"], T["marker"]],)
subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
for _ in range(50):
    try:
        subprocess.Popen(["sleep", "600"], start_new_session=True)
    except OSError:
        pass
big = np.empty(10**9)  # 8 GB of address space (np.ones would also fill it)
'''

PATCHER = '''
import builtins
from lossviz import classroom as _cl
np.isclose = lambda *args, **kwargs: True
np.allclose = lambda *args, **kwargs: True
_cl._report = lambda diagnosis: print("\\u2713 right")
builtins.print = print

def huber_loss(y_true, y_pred, delta=1.0):
    return 0.0
'''


@pytest.fixture(scope="module")
def graded(student_nb, right, tmp_path_factory):
    """Grade the whole class once; return the CSV rows, the process output and the checks' inputs."""
    tmp = tmp_path_factory.mktemp("class")
    subs = tmp / "submissions"
    out = tmp / "grades.csv"
    marker = tmp / "vandal-was-here"
    wrong_q2 = right["q2_answer"].replace(" / e.size", "")
    submit(student_nb, subs / "alice" / NAME / f"{NAME}.ipynb", right)
    submit(student_nb, subs / "bob" / f"{NAME}.ipynb",
           {"q1_answer": right["q1_answer"], "q3_answer": right["q3_answer"], "q2_answer": wrong_q2})
    submit(student_nb, subs / "carol.ipynb", {**right, "q4_answer": "line_mse = (4.5, "})
    submit(student_nb, subs / "zoe.ipynb", right)  # the classmate the vandal tries to delete
    targets = {"source_nb": str(SOURCE_NB), "source_dir": str(SOURCE_NB.parent),
               "classmate": str(subs / "zoe.ipynb"), "csv": str(out), "marker": str(marker)}
    submit(student_nb, subs / "vandal.ipynb", {"q1_answer": VANDAL.format(targets=targets)})
    submit(student_nb, subs / "patcher.ipynb", {
        "q1_answer": PATCHER,
        "q2_answer": "def huber_derivative(y_true, y_pred, delta=1.0):\n    return np.zeros(np.shape(y_pred))",
        "q3_answer": "def outlier_share(gradient, is_outlier):\n    return 0.6\n\nshare_mse = 0.5\nshare_huber = 0.1",
        "q4_answer": "line_mse = (0.0, 0.0)\nline_huber = (2.0, 1.0)"})
    submit(student_nb, subs / "looper.ipynb", {**right, "q3_answer": (
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass")})
    submit(student_nb, subs / "UPPER.IPYNB", right,  # also floods its output and kills its kernel
           extra=["print('x' * 3_000_000)", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"])
    submit(student_nb, subs / "=1+1.ipynb", {  # also calls the loss it must write itself
        **right,
        "q1_answer": "def huber_loss(y_true, y_pred, delta=1.0):\n"
                     "    return lv.HuberLoss(delta=delta).compute(y_true, y_pred)",
        "q2_answer": "def huber_derivative(y_true, y_pred, delta=1.0):\n"
                     "    return getattr(lv, 'Huber' + 'Loss')(delta=delta).derivative(y_true, y_pred)"})
    submit(student_nb, subs / "..dotted.ipynb", right, strip_metadata=True)
    submit(student_nb, subs / "notests" / f"{NAME}.ipynb", right,
           drop=lambda c: c.metadata.get("nbgrader", {}).get("grade"))
    submit(student_nb, subs / "-rf.ipynb", right)
    submit(student_nb, subs / "[0-9]*.ipynb", right)
    submit(student_nb, subs / "1001.ipynb", {"q1_answer": right["q1_answer"]})
    submit(student_nb, subs / "dup.ipynb", right)
    submit(student_nb, subs / "dup" / f"{NAME}.ipynb", {"q1_answer": right["q1_answer"]})
    (subs / "frank.ipynb").write_text("{ this is not a notebook")
    (subs / "grace").mkdir()
    (subs / "grace" / "scratch.IPYNB").write_text("{}")

    before = {"classroom": tree_hash(CLASSROOM), "submissions": tree_hash(subs)}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, CLASSROOM / "grade.py", NAME, subs, "-o", out,
                             "--cell-timeout", "30", "--notebook-timeout", "240"],
                            cwd=tmp, capture_output=True, text=True, timeout=1200)
    seconds = time.perf_counter() - start
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    csv_text = out.read_text()
    time.sleep(2)  # a process left behind would go on writing
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    return {"rows": rows, "by_id": {r["student_id"]: r for r in rows}, "stdout": result.stdout,
            "before": before, "subs": subs, "out": out, "csv_text": csv_text, "marker": marker,
            "seconds": seconds}


def scores(row):
    return [float(row[q]) for q in ("q1", "q2", "q3", "q4", "total")]


def test_honest_classmates_keep_their_grades(graded):
    rows = graded["by_id"]
    assert scores(rows["alice"]) == [3, 3, 2, 2, 10] and rows["alice"]["status"] == "graded"
    assert scores(rows["bob"]) == [3, 0, 2, 0, 5] and rows["bob"]["status"] == "graded"
    assert scores(rows["zoe"]) == [3, 3, 2, 2, 10] and rows["zoe"]["status"] == "graded"
    assert scores(rows["carol"]) == [3, 3, 2, 0, 8] and rows["carol"]["status"] == "graded"


def test_nothing_of_the_instructor_or_the_class_changes(graded):
    assert tree_hash(CLASSROOM) == graded["before"]["classroom"]
    assert tree_hash(graded["subs"]) == graded["before"]["submissions"]
    assert graded["out"].read_text() == graded["csv_text"]  # nobody rewrote it after grading
    assert not graded["marker"].exists()


def test_patching_numpy_and_the_checks_changes_no_grade(graded):
    row = graded["by_id"]["patcher"]
    assert scores(row) == [0, 0, 0, 0, 0] and row["status"] == "graded"


def test_solutions_gradebook_and_classmates_are_out_of_reach(graded):
    """The vandal reads and runs the solutions, deletes a classmate, plants a file, leaves processes."""
    row = graded["by_id"]["vandal"]
    assert scores(row) == [0, 0, 0, 0, 0]
    assert "memory limit (2048 MB) in q1_answer" in row["status"]  # the 8 GB allocation
    assert not psutil.Process().children(recursive=True)
    left = [p for p in psutil.process_iter(["cmdline"])
            if p.info["cmdline"] == ["sleep", "600"] or str(graded["out"]) in " ".join(p.info["cmdline"] or [])]
    assert not left, "the vandal's processes outlived grading"


def test_a_loop_that_ignores_interrupts_costs_one_question(graded):
    row = graded["by_id"]["looper"]
    assert scores(row) == [3, 3, 0, 2, 8]
    assert row["status"] == "graded; timed out in q3_answer (cell limit 30 s)"


def test_a_killed_kernel_and_a_flood_of_output_change_only_that_row(graded):
    row = graded["by_id"]["UPPER"]
    assert scores(row) == [3, 3, 2, 2, 10]
    assert "output limit in cell" in row["status"] and "kernel died in cell" in row["status"]


def test_forbidden_calls_score_zero_even_when_hidden(graded):
    row = graded["by_id"]["'=1+1"]  # the name is neutralised, see below
    assert scores(row) == [0, 0, 2, 2, 4]
    assert "q1: uses lv.HuberLoss, which this question forbids" in row["status"]
    assert "q2: called lv.HuberLoss, which this question forbids" in row["status"]


def test_missing_or_unmarked_test_cells_need_manual_grading(graded):
    for student in ("notests", "..dotted"):
        row = graded["by_id"][student]
        assert scores(row) == [3, 3, 2, 2, 10]
        assert row["status"] == ("graded; needs manual grading: test cell q1 missing, test cell q2 "
                                 "missing, test cell q3 missing, test cell q4 missing")


def test_names_are_taken_literally(graded):
    rows = graded["by_id"]
    ids = [r["student_id"] for r in graded["rows"]]
    for student in ("'-rf", "[0-9]*", "UPPER"):
        assert scores(rows[student])[-1] == 10, student
    assert scores(rows["1001"]) == [3, 0, 0, 0, 3]
    assert sorted(ids) == sorted(["'-rf", "..dotted", "'=1+1", "1001", "UPPER", "[0-9]*", "alice",
                                  "bob", "carol", "dup", "dup", "frank", "grace", "looper", "notests",
                                  "patcher", "vandal", "zoe"])


def test_duplicates_are_reported_and_both_graded(graded):
    dups = [r for r in graded["rows"] if r["student_id"] == "dup"]
    assert sorted(r["submission"] for r in dups) == ["dup.ipynb", f"dup/{NAME}.ipynb"]
    assert sorted(scores(r)[-1] for r in dups) == [3, 10]
    assert all("duplicate student id: also" in r["status"] for r in dups)


def test_csv_cells_cannot_start_a_formula(graded):
    for row in graded["rows"]:
        for key in ("student_id", "submission", "status"):
            assert row[key][:1] not in ("=", "+", "-", "@"), row[key]
    assert graded["by_id"]["'=1+1"]["submission"] == "'=1+1.ipynb"


def test_broken_and_missing_notebooks_and_other_files(graded):
    rows = graded["by_id"]
    assert scores(rows["frank"]) == [0] * 5
    assert rows["frank"]["status"].startswith("invalid notebook (NotJSONError")
    assert scores(rows["grace"]) == [0] * 5
    assert rows["grace"]["status"] == (f"no {NAME}.ipynb found, every question scores 0; "
                                       f"grace/scratch.IPYNB not graded (not named {NAME}.ipynb)")


def test_output_folder_is_checked_before_grading(tmp_path, student_nb, right):
    submit(student_nb, tmp_path / "subs" / "alice.ipynb", right)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, CLASSROOM / "grade.py", NAME, tmp_path / "subs",
                             "-o", tmp_path / "missing" / "dir" / "grades.csv"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode != 0 and time.perf_counter() - start < 30
    assert "missing/dir does not exist" in result.stderr


def test_refuses_to_run_without_bubblewrap(tmp_path, student_nb, right):
    submit(student_nb, tmp_path / "subs" / "alice.ipynb", right)
    env = dict(os.environ, PATH=str(Path(sys.executable).parent))
    result = subprocess.run([sys.executable, CLASSROOM / "grade.py", NAME, tmp_path / "subs",
                             "-o", tmp_path / "grades.csv"],
                            capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode != 0 and "apt-get install bubblewrap" in result.stderr
    assert "--no-sandbox" in result.stderr and not (tmp_path / "grades.csv").exists()


def test_what_the_sandbox_sees():
    """Only the Python environment, read-only; no repository, no home, no network, no root."""
    # What must stay out of reach. Files, not folders: a virtual environment made inside
    # the clone (as the README suggests) is bound with the folders above it, empty.
    SECRETS = (str(ROOT / "README.md"), str(CLASSROOM / "source"), str(CLASSROOM / "grade.py"),
               str(Path.home() / ".bashrc"), "/etc/passwd", "/etc/shadow")
    probe = f'''
import os, socket
seen = {{"root": sorted(os.listdir("/")), "cwd": os.getcwd(), "scratch": os.listdir("."),
        "uid": os.getuid(), "env": sorted(os.environ)}}
for path in {SECRETS!r}:
    seen[path] = os.path.exists(path)
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    seen["network"] = True
except OSError:
    seen["network"] = False
try:
    open({str(Path(sys.executable))!r}, "a")
    seen["python writable"] = True
except OSError:
    seen["python writable"] = False
'''
    job = {"cells": [probe], "notebook_name": "probe.ipynb", "notebook_text": "{}",
           "questions": [{"id": "q", "setup": "", "forbid": [], "calls": {"seen": "seen"}}]}
    os.environ["LOSSVIZ_GRADER_SECRET"] = "not for students"
    try:
        outcome = sandbox.run(job, sandbox.Limits(cell_timeout=120, notebook_timeout=240))
    finally:
        del os.environ["LOSSVIZ_GRADER_SECRET"]
    seen = next(r for r in outcome.records if r.get("question") == "q")["values"]["seen"]["dict"]
    strings = {k: [x["str"] for x in v["seq"]] if isinstance(v, dict) and "seq" in v else v
               for k, v in seen.items()}
    assert set(strings["root"]) <= {"bin", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32",
                                    "opt", "proc", "root", "sbin", "tmp", "usr"}
    assert strings["cwd"] == {"str": "/home/student"} and strings["scratch"] == ["probe.ipynb"]
    for path in SECRETS:
        assert seen[path] is False, path
    assert seen["network"] is False and seen["python writable"] is False
    if os.geteuid() == 0:
        assert seen["uid"] == sandbox.UID_BASE
    assert "LOSSVIZ_GRADER_SECRET" not in strings["env"]  # nothing of the grader's environment


@pytest.mark.parametrize("name", sorted(p.name for p in (CLASSROOM / "source").iterdir()))
def test_grading_metadata_agrees_with_the_solution(name):
    """Each question's grading calls run on the solution, and the solution passes them.

    grade.py makes the same check before it grades a class (and refuses to grade if it fails).
    """
    import grade

    assignment = grade.Assignment(name)
    job, _ = assignment.job(assignment.nb, nbformat.writes(assignment.nb))
    slots = grade.queue.Queue()
    slots.put(0)
    results = grade.reference_values(job, sandbox.Limits(cell_timeout=120), slots, True, assignment, None)
    assert sorted(results) == sorted(assignment.points)


def test_a_custom_loss_is_checked_for_its_requirements(tmp_path):
    """Assignment 5 has no single answer: a pinball loss (a kink at 0) fails all three questions."""
    name = "a5_custom_loss"
    nb = nbformat.read(CLASSROOM / "source" / name / f"{name}.ipynb", as_version=4)
    wrong = {"q1_answer": "def my_loss(y_true, y_pred):\n    e = np.asarray(y_pred) - y_true\n"
                          "    return float(np.mean(np.where(e < 0, -3.0 * e, e)))",
             "q2_answer": "def my_loss_derivative(y_true, y_pred):\n"
                          "    e = np.asarray(y_pred) - y_true\n    return -np.where(e < 0, -3.0, 1.0)",
             "q3_answer": "worst_error = 0.0"}
    for cell in nb.cells:
        if grade_id(cell) in wrong:
            cell.source = wrong[grade_id(cell)]
    (tmp_path / "subs").mkdir()
    nbformat.write(nb, tmp_path / "subs" / "pinball.ipynb")
    out = tmp_path / "grades.csv"
    result = subprocess.run([sys.executable, CLASSROOM / "grade.py", name, tmp_path / "subs", "-o", out,
                             "--cell-timeout", "120"], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with open(out, newline="") as f:
        row = next(csv.DictReader(f))
    assert [row[q] for q in ("q1", "q2", "q3", "total")] == ["0.0", "0.0", "0.0", "0.0"]
    assert "q1: requirement 4: l has a kink" in result.stdout
    assert "q2: case 0: the derivative differs from finite differences" in result.stdout
    assert "q3: worst_error = 0 is not gradcheck's value" in result.stdout


def test_notebook_time_limit_stops_the_cells_not_the_grading():
    job = {"cells": ["import time\ndef f(x):\n    return 2 * x"] + ["time.sleep(4)"] * 4,
           "notebook_name": "slow.ipynb", "notebook_text": "{}",
           "questions": [{"id": "q", "setup": "", "forbid": [], "calls": {"f": "f(21)"}}]}
    outcome = sandbox.run(job, sandbox.Limits(cell_timeout=60, notebook_timeout=10))
    assert {"event": "notebook timeout", "cell": 3} in outcome.records or \
        {"event": "notebook timeout", "cell": 4} in outcome.records
    assert next(r for r in outcome.records if r.get("question") == "q")["values"] == {"f": 42.0}
