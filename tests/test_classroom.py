"""The classroom part: self-check diagnoses and the nbgrader assignments.

The slow tests drive make_student_versions.py exactly as an instructor types it; the
grader, grade.py, is tested in test_grade.py.
"""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import lossviz as lv
from lossviz import classroom as cl

ROOT = Path(__file__).resolve().parent.parent
CLASSROOM = ROOT / "classroom"
SOURCES = sorted(CLASSROOM.glob("source/*/*.ipynb"))
NAMES = [p.stem for p in SOURCES]
SOLUTION_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")

HUBER = lv.HuberLoss(delta=1.0)
BCE = lv.BinaryCrossEntropy(from_logits=True)
CASES = [([0.0, 1.0, 2.0, 3.0], [0.5, 1.2, 4.0, 0.0]), ([1.0], [3.0])]


def huber_loss(t, p):
    e = np.asarray(p) - np.asarray(t)
    a = np.abs(e)
    return float(np.mean(np.where(a <= 1.0, 0.5 * e**2, a - 0.5)))


def huber_derivative(t, p):
    e = np.asarray(p) - np.asarray(t)
    return np.clip(e, -1.0, 1.0) / e.size


def bce_naive(t, z):
    p = 1.0 / (1.0 + np.exp(-z))
    return np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)))


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def run(*args, timeout=300):
    result = subprocess.run([sys.executable, *map(str, args)], cwd=ROOT, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def execute(nb, cwd, allow_errors):
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


# ------------------------------------------------------------------ the diagnoses

def test_a_right_answer_is_confirmed(capsys):
    assert cl.diagnose_loss(huber_loss, HUBER, CASES).ok
    assert cl.diagnose_gradient(huber_derivative, HUBER, CASES).ok
    cl.check_loss(huber_loss, HUBER, CASES)
    assert capsys.readouterr().out == "\u2713 huber_loss is right on 2 cases.\n"


def test_wrong_value_names_the_input_and_expected_against_got():
    def off(t, p):
        return huber_loss(t, p) + (0.5 if np.size(p) == 1 else 0.0)

    d = cl.diagnose_loss(off, HUBER, CASES)
    assert d.problem == "wrong_value" and d.case == 1
    assert "case 1 (y_true = [1], y_pred = [3])" in d.message
    assert "should be 1.5, got 2" in d.message


def test_wrong_gradient_names_the_entry():
    def kinked(t, p):  # zero instead of delta in the linear part
        g = huber_derivative(t, p)
        return np.where(np.abs(np.asarray(p) - t) > 1.0, 0.0, g)

    d = cl.diagnose_gradient(kinked, HUBER, CASES)
    assert d.problem == "wrong_value"
    assert "at index [2] (y_true[2] = 2, y_pred[2] = 4), the gradient should be 0.25, got 0" in d.message
    assert "2 of 4 entries are wrong" in d.message


def test_flipped_sign_is_recognised_as_such():
    d = cl.diagnose_gradient(lambda t, p: -huber_derivative(t, p), HUBER, CASES)
    assert d.problem == "flipped_sign"
    assert "wrong sign" in d.message and "e = y_pred - y_true" in d.message
    assert cl.diagnose_loss(lambda t, p: -huber_loss(t, p), HUBER, CASES).problem == "flipped_sign"


def test_a_sign_flipped_on_some_entries_only():
    focal = lv.FocalLoss(gamma=2.0, alpha=0.25)
    cases = [([1.0, 0.0, 1.0, 0.0], [0.9, 0.2, 0.3, 0.6])]

    def forgot_dpt_dp(t, p):  # dp_t/dp is -1 for y = 0
        return focal.derivative(t, p) * np.where(np.asarray(t) == 1.0, 1.0, -1.0)

    d = cl.diagnose_gradient(forgot_dpt_dp, focal, cases)
    assert d.problem == "flipped_sign"
    assert "wrong sign in 2 of 4 entries" in d.message and "(y_true[1] = 0, y_pred[1] = 0.2)" in d.message


def test_missing_one_over_n_in_a_loss_and_in_a_gradient():
    d = cl.diagnose_loss(lambda t, p: huber_loss(t, p) * np.size(p), HUBER, CASES)
    assert d.problem == "missing_1_over_n"
    assert "n = 4" in d.message and "np.mean" in d.message
    d = cl.diagnose_gradient(lambda t, p: huber_derivative(t, p) * np.size(p), HUBER, CASES)
    assert d.problem == "missing_1_over_n"
    assert "gradient of the MEAN loss carries 1/n" in d.message


def test_a_constant_factor_is_named():
    d = cl.diagnose_loss(lambda t, p: 2 * huber_loss(t, p), HUBER, CASES)
    assert d.problem == "scale_factor"
    assert "2 times the expected one" in d.message and "1/2 in e\u00b2/2" in d.message


def test_nan_at_extreme_logits_explains_the_overflow():
    cases = [([1.0, 0.0], [2.0, -1.0]), ([1.0, 0.0, 1.0], [1e4, -1e4, -1e4])]
    d = cl.diagnose_loss(bce_naive, BCE, cases)
    assert d.problem == "not_finite" and d.case == 1
    assert "returned nan for case 1 (y_true = [1, 0, 1], y_pred = [10000, -10000, -10000])" in d.message
    assert "where the loss is 3333.333333" in d.message
    assert "exp() overflows" in d.message and "np.logaddexp" in d.message


def test_wrong_shape_of_a_loss_and_of_a_gradient():
    def per_sample(t, p):
        e = np.asarray(p) - t
        return np.where(np.abs(e) <= 1, 0.5 * e**2, np.abs(e) - 0.5)

    d = cl.diagnose_loss(per_sample, HUBER, CASES)
    assert d.problem == "wrong_shape"
    assert "returned shape (4,)" in d.message and "per-sample losses" in d.message
    d = cl.diagnose_gradient(lambda t, p: float(np.sum(huber_derivative(t, p))), HUBER, CASES)
    assert d.problem == "wrong_shape"
    assert "one entry per prediction, shaped like y_pred" in d.message


def test_unwritten_raising_and_silent_functions():
    def stub(t, p):
        raise NotImplementedError()

    def no_return(t, p):
        huber_loss(t, p)

    d = cl.diagnose_loss(stub, HUBER, CASES)
    assert d.problem == "not_implemented" and "raise NotImplementedError()" in d.message
    d = cl.diagnose_loss(lambda t, p: t.reshape(3, 7), HUBER, CASES)
    assert d.problem == "raised" and "ValueError" in d.message and "case 0" in d.message
    d = cl.diagnose_loss(no_return, HUBER, CASES)
    assert d.problem == "wrong_type" and "forget the `return`" in d.message


def test_check_raises_an_assertion_with_the_diagnosis():
    with pytest.raises(cl.CheckFailed, match="missing the 1/n") as info:
        cl.check_gradient(lambda t, p: huber_derivative(t, p) * np.size(p), HUBER, CASES)
    assert isinstance(info.value, AssertionError)
    assert info.value.diagnosis.problem == "missing_1_over_n"


def test_gradient_against_finite_differences_of_a_plain_function():
    assert cl.diagnose_gradient(huber_derivative, huber_loss, [([0.0, 1.0], [0.3, 3.0])]).ok
    d = cl.diagnose_gradient(lambda t, p: -huber_derivative(t, p), huber_loss, [([0.0, 1.0], [0.3, 3.0])])
    assert d.problem == "flipped_sign"


def test_elementwise_function_and_floating_point_errors():
    inputs = [np.array([0.0, 2.0, -2.0]), np.array([-30.0, 30.0])]
    assert cl.diagnose_function(lv.sigmoid, lv.sigmoid, inputs).ok
    d = cl.diagnose_function(lambda z: 1.0 - lv.sigmoid(z), lv.sigmoid, inputs)
    assert d.problem == "wrong_value" and "at index [1] (z[1] = 2)" in d.message

    def overflowing(z):
        return 1.0 / (1.0 + np.exp(-z))

    with np.errstate(over="raise"):
        with pytest.raises(cl.CheckFailed, match=r"FloatingPointError.*exp\(\) overflows"):
            cl.call(overflowing, np.array([1e4, -1e4]))


def test_as_loss_works_with_gradcheck_and_fit_linear():
    loss = cl.as_loss(huber_loss, huber_derivative)
    assert lv.gradcheck(loss, [0.0, 1.0, 2.0], [0.3, 3.0, -1.0]) < 1e-6
    x, y, _ = lv.datasets.line_with_outliers()
    w, b, _ = lv.fit_linear(loss, x, y, lr=0.1, steps=200)
    w_ref, b_ref, _ = lv.fit_linear(HUBER, x, y, lr=0.1, steps=200)
    assert np.allclose([w[0], b], [w_ref[0], b_ref])


def test_bad_cases_are_rejected_with_a_fix():
    with pytest.raises(ValueError, match=r"\[\(y_true, y_pred\)\]"):
        cl.diagnose_loss(huber_loss, HUBER, [([0.0], [1.0], [2.0])])
    with pytest.raises(ValueError, match="non-empty"):
        cl.diagnose_loss(huber_loss, HUBER, [])


# ------------------------------------------------------------------ the assignments

@pytest.mark.parametrize("path", SOURCES, ids=NAMES)
def test_assignment_states_goals_and_points_that_match_the_grader(path):
    nb = nbformat.read(path, as_version=4)
    intro = nb.cells[0].source
    assert "What you will learn" in intro and "What you need first" in intro
    tests = {grade_id(c): c.metadata["nbgrader"]["points"] for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade")}
    total = re.search(r"\*\*total\*\* \| \*\*(\d+)\*\*", intro)
    assert total and int(total.group(1)) == sum(tests.values())
    for question, points in tests.items():
        number = question.lstrip("q")
        assert re.search(rf"^\| {number} \| .* \| {points:g} \|$", intro, re.M), f"{question} in the table"
        heading = f"## Question {number} ({points:g} point{'s' if points != 1 else ''})"
        assert any(re.search(rf"^{re.escape(heading)}:", c.source, re.M) for c in nb.cells), heading


@pytest.mark.parametrize("path", SOURCES, ids=NAMES)
def test_solution_notebook_passes_all_its_tests(path):
    """Every check, the hidden tests included, passes on the instructor's solution."""
    nb = execute(nbformat.read(path, as_version=4), path.parent, allow_errors=False)
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert graded and all("\u2713" in "".join(o.get("text", "") for o in c.outputs) for c in graded)


@pytest.fixture(scope="module")
def student_versions(tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    run(CLASSROOM / "make_student_versions.py", "--out", out)
    return out


def solution_lines(source_nb):
    """Distinctive lines of the solutions and hidden tests: those found nowhere else."""
    inside, outside = set(), set()
    for cell in source_nb.cells:
        hidden = False
        for line in cell.source.splitlines():
            if "### BEGIN SOLUTION" in line or "### BEGIN HIDDEN TESTS" in line:
                hidden = True
            elif "### END SOLUTION" in line or "### END HIDDEN TESTS" in line:
                hidden = False
            else:
                (inside if hidden else outside).add(line.strip())
    return sorted(line for line in inside - outside if len(line) > 20)


@pytest.mark.parametrize("name", NAMES)
def test_student_version_contains_no_solution(student_versions, name):
    source = nbformat.read(CLASSROOM / "source" / name / f"{name}.ipynb", as_version=4)
    student = nbformat.read(student_versions / name / f"{name}.ipynb", as_version=4)
    text = "\n".join(c.source for c in student.cells)
    assert not [m for m in SOLUTION_MARKERS if m in text]
    secrets = solution_lines(source)
    assert len(secrets) >= 5
    assert not set(secrets) & {line.strip() for line in text.splitlines()}
    assert text.count("raise NotImplementedError()") >= 3
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
    assert "grading" in source.metadata and "grading" not in student.metadata  # the hidden inputs


@pytest.mark.parametrize("name", NAMES)
def test_student_version_runs_and_its_checks_fail_readably(student_versions, name, tmp_path):
    nb = nbformat.read(student_versions / name / f"{name}.ipynb", as_version=4)
    nb = execute(nb, tmp_path, allow_errors=True)
    for cell in nb.cells:
        if not cell.metadata.get("nbgrader", {}).get("grade"):
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert len(errors) == 1, f"check cell {grade_id(cell)} should fail once: {cell.outputs}"
        error = errors[0]
        assert error.ename in ("CheckFailed", "AssertionError"), (grade_id(cell), error.ename, error.evalue)
        assert len(error.evalue) > 40, error.evalue
        assert re.search(r"not written yet|still None", error.evalue), error.evalue


# ------------------------------------------------------------------ the instructor page

def test_instructor_page_quotes_real_messages():
    page = (ROOT / "chapters" / "instructors.md").read_text()
    block = page.split("```text\n", 1)[1].split("```", 1)[0]
    quoted = [" ".join(part.split()).rstrip(" .") for part in block.split("\n\n")]

    def bce_from_logits(t, z):
        return bce_naive(t, z)

    produced = [
        cl.diagnose_gradient(lambda t, p: huber_derivative(t, p) * np.size(p), HUBER, CASES,
                             name="huber_derivative").message,
        cl.diagnose_loss(bce_from_logits, BCE, [([1.0, 0.0], [2.0, -1.0]),
                                                ([1.0, 0.0, 1.0], [1e4, -1e4, -1e4])]).message,
    ]
    for text, message in zip(quoted, produced, strict=True):
        assert text.startswith("CheckFailed: ")
        assert message.startswith(text[len("CheckFailed: "):].rstrip(" ."))
