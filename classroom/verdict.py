"""Decide the points of each question, outside the sandbox, from the data it returned.

The sandbox returns, for every grading call of a question, plain JSON data (harness.py):
a number, ``{"shape": [...], "array": [...]}``, ``{"seq": [...]}``, ``{"dict": {...}}``,
``{"str": ...}``, or ``{"error": "TypeError: ..."}``. The reference solution's data come
from the same calls on the instructor's notebook, run in a separate process. A question
earns its points when every call matches (all or nothing, as an nbgrader test cell);
otherwise the first difference is the reason.

Most questions compare with the reference (``same``). Assignment 5 has no single right
answer, so its questions name a check here that tests the student's own loss for the
requirements, from the values it returned.
"""

import ast
import math

import numpy as np


def numeric(data):
    """The data as a float array, or None if it is not numbers."""
    if isinstance(data, bool) or data is None:
        return None
    if isinstance(data, (int, float)):
        return np.array(float(data))
    if isinstance(data, dict):
        if "array" in data and "shape" in data:
            try:
                return np.array(data["array"], dtype=float).reshape(data["shape"])
            except (TypeError, ValueError):
                return None
        if "seq" in data:
            items = [numeric(item) for item in data["seq"]]
            if items and all(item is not None and item.ndim == 0 for item in items):
                return np.array([float(item) for item in items])
            if not items:
                return np.zeros(0)
    return None


def describe(data):
    if isinstance(data, dict):
        if "error" in data:
            return f"raised {data['error']}"
        if "type" in data:
            return f"returned {data['type']}"
        if "str" in data:
            return f"returned the text {data['str'][:40]!r}"
    if data is None:
        return "returned None"
    value = numeric(data)
    if value is not None:
        if value.ndim == 0:
            return f"returned {float(value):.10g}"
        return f"returned an array of shape {value.shape}"
    return "returned something else"


def difference(expected, got, rtol, atol):
    """None if ``got`` matches ``expected``, else a short reason."""
    if isinstance(got, dict) and "error" in got:
        return describe(got)
    want, have = numeric(expected), numeric(got)
    if want is not None:
        if have is None:
            return f"{describe(got)}, expected {describe(expected)[len('returned '):]}"
        if want.shape != have.shape:
            return f"returned shape {have.shape}, expected shape {want.shape}"
        if not np.all(np.isfinite(have) | ~np.isfinite(want)):
            return "returned nan or inf"
        if not np.allclose(have, want, rtol=rtol, atol=atol, equal_nan=True):
            if want.ndim == 0:
                return f"returned {float(have):.10g}, expected {float(want):.10g}"
            k = int(np.argmax(np.abs(have - want).ravel()))
            return (f"differs at flat index {k}: {have.ravel()[k]:.10g}, "
                    f"expected {want.ravel()[k]:.10g}")
        return None
    if isinstance(expected, dict) and "seq" in expected:
        if not (isinstance(got, dict) and "seq" in got) or len(got["seq"]) != len(expected["seq"]):
            return f"{describe(got)}, expected a sequence of {len(expected['seq'])}"
        for k, (e, g) in enumerate(zip(expected["seq"], got["seq"])):
            reason = difference(e, g, rtol, atol)
            if reason:
                return f"item {k}: {reason}"
        return None
    if isinstance(expected, dict) and "dict" in expected:
        if not (isinstance(got, dict) and "dict" in got):
            return f"{describe(got)}, expected a dict"
        for key, e in expected["dict"].items():
            reason = difference(e, got["dict"].get(key), rtol, atol)
            if reason:
                return f"{key}: {reason}"
        return None
    return None if got == expected else f"{describe(got)}, expected {describe(expected)}"


def same(question, values, reference):
    """Every call's value matches the reference solution's."""
    rtol, atol = question.get("rtol", 1e-6), question.get("atol", 1e-9)
    for name in question["calls"]:
        reason = difference(reference.get(name), values.get(name, {"error": "no value returned"}),
                            rtol, atol)
        if reason:
            return f"{name}: {reason}"
    return None


# ------------------------------------------------------------------ checks without a reference

def _floats(data, what):
    """A list of scalars (numbers or one-entry arrays) as floats, or raise ValueError."""
    if isinstance(data, dict) and "error" in data:
        raise ValueError(f"{what} {describe(data)}")
    items = data.get("seq") if isinstance(data, dict) else None
    if items is None:
        raise ValueError(f"{what}: {describe(data)}")
    out = []
    for item in items:
        value = numeric(item)
        if value is None or value.size != 1:
            raise ValueError(f"{what}: the loss {describe(item)}, expected one number")
        out.append(float(value.ravel()[0]))
    return np.array(out)


def _scalar(data, what):
    value = numeric(data)
    if value is None or value.size != 1:
        raise ValueError(f"{what} {describe(data)}, expected one number")
    return float(value.ravel()[0])


def custom_requirements(question, values, reference):
    """Assignment 5, question 1: the five requirements and the mean, on the student's loss."""
    try:
        d = _floats(values["d"], "d")
        right, left = _floats(values["right"], "l(d)"), _floats(values["left"], "l(-d)")
        zero = _scalar(values["zero"], "l(0)")
        grid = [_floats(v, "l near the grid") for v in values["grid"]["seq"]]
    except (ValueError, KeyError, TypeError) as exc:
        return str(exc)
    if not (np.all(np.isfinite(right)) and np.all(np.isfinite(left))):
        return "l(e) is inf or nan"
    if zero != 0.0:
        return f"requirement 1: l(0) = {zero:.6g}, not 0"
    if not (np.all(right > 0) and np.all(left > 0)):
        return "requirement 1: l(e) <= 0 for some e != 0"
    order = np.argsort(d)
    if not (np.all(np.diff(right[order]) > 0) and np.all(np.diff(left[order]) > 0)):
        return "requirement 2: l does not grow with |e|"
    if not np.allclose(left / right, 3.0, rtol=1e-6):
        return "requirement 3: l(-d) / l(d) is not 3"
    h = 1e-5
    jumps = [abs((up - mid) - (mid - down)) / h for down, mid, up in grid]
    if max(jumps) >= 1e-3:
        return "requirement 4: l has a kink"
    if np.any(np.concatenate([right, left]) > 3.0 * np.concatenate([d, d]) * (1 + 1e-12)):
        return "requirement 5: l(e) > 3|e| somewhere"
    k = 0
    while f"mean {k}" in values:
        try:
            mean = _scalar(values[f"mean {k}"], f"my_loss on case {k}")
            terms = _floats(values[f"terms {k}"], f"l on case {k}")
        except ValueError as exc:
            return str(exc)
        if not math.isclose(mean, float(np.mean(terms)), rel_tol=1e-6, abs_tol=1e-12):
            return f"case {k}: my_loss is not the mean of l(e_i)"
        k += 1
    return None


def _gradient_error(gradient, shifted, h=1e-6):
    """lossviz.gradcheck's worst relative error, from the derivative and the shifted losses."""
    g = numeric(gradient)
    f = _floats(shifted, "the loss")
    if g is None:
        raise ValueError(f"the derivative {describe(gradient)}")
    if g.size * 2 != f.size:
        raise ValueError(f"the derivative has {g.size} entries, the input {f.size // 2}")
    numeric_gradient = ((f[0::2] - f[1::2]) / (2.0 * h)).reshape(g.shape)
    scale = max(np.max(np.abs(g)), np.max(np.abs(numeric_gradient)), 1e-5)
    return float(np.max(np.abs(g - numeric_gradient)) / scale)


def custom_gradient(question, values, reference):
    """Assignment 5, question 2: the derivative against finite differences of the student's loss."""
    k = 0
    while f"gradient {k}" in values:
        try:
            error = _gradient_error(values[f"gradient {k}"], values[f"shifted {k}"])
        except ValueError as exc:
            return f"case {k}: {exc}"
        if not error < 1e-4:
            return f"case {k}: the derivative differs from finite differences (relative error {error:.3g})"
        k += 1
    return None


def custom_gradcheck(question, values, reference):
    """Assignment 5, question 3: worst_error is what gradcheck gives, and it is small."""
    try:
        worst = _scalar(values["worst_error"], "worst_error")
        error = _gradient_error(values["gradient"], values["shifted"])
    except ValueError as exc:
        return str(exc)
    if not math.isclose(worst, error, rel_tol=1e-6, abs_tol=1e-12):
        return f"worst_error = {worst:.6g} is not gradcheck's value on the data ({error:.6g})"
    if not error < 1e-4:
        return f"gradcheck's worst relative error is {error:.3g}, not below 1e-4"
    return None


def focal_figure(question, values, reference):
    """Assignment 3, question 3: five labelled curves with the right values and axis ranges."""
    fig = values.get("figure")
    if not (isinstance(fig, dict) and "dict" in fig):
        return f"plot_gamma_figure(ax) {describe(fig)}"
    fig = fig["dict"]
    labels = [item.get("str") for item in fig["labels"]["seq"]]
    wanted = ["γ = 0", "γ = 0.5", "γ = 1", "γ = 2", "γ = 5"]
    if labels != wanted:
        return f"lines labelled {labels}, expected {wanted}"
    for gamma, xs, ys in zip((0, 0.5, 1, 2, 5), fig["x"]["seq"], fig["y"]["seq"]):
        x, y = numeric(xs), numeric(ys)
        if x is None or y is None or x.shape != y.shape or x.size < 50 or x.min() > 0.02 or x.max() < 0.99:
            return f"the γ = {gamma} line does not span p_t from 0.01 to 1 with 50 points"
        with np.errstate(all="ignore"):
            right = -(1.0 - x) ** gamma * np.log(x)
        if not np.allclose(y, right):
            return f"the γ = {gamma} line has wrong values"
    if not (np.allclose(numeric(fig["ylim"]), (0, 5)) and np.allclose(numeric(fig["xlim"]), (0, 1))):
        return "the axes do not run from 0 to 5 (y) and 0 to 1 (x)"
    if not (fig["axis_labels"] and fig["legend"]):
        return "axis labels or legend missing"
    return None


CHECKS = {"same": same, "custom_requirements": custom_requirements,
          "custom_gradient": custom_gradient, "custom_gradcheck": custom_gradcheck,
          "focal_figure": focal_figure}


def judge(question, result, reference):
    """None if the question earns its points, else why not."""
    if result is None:
        return "no result"
    values = result.get("values")
    if not isinstance(values, dict):
        return "no result"
    try:
        return CHECKS[question.get("check", "same")](question, values, reference or {})
    except Exception as exc:  # the data came from the student's interpreter: it may be anything
        return f"the values returned could not be read ({type(exc).__name__})"


# ------------------------------------------------------------------ static checks of the notebook

def forbidden_names(source, forbid):
    """The forbidden lossviz names that ``source`` mentions: ``lv.HuberLoss``, an import of it,
    or the name as a string (as in ``getattr(lv, "HuberLoss")``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in forbid:
            found.add(node.attr)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lossviz"):
            found.update(alias.name for alias in node.names if alias.name in forbid)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in forbid:
            found.add(node.value)
    return sorted(found)


def strip_hidden_tests(source):
    """A test cell as students get it: the hidden-tests block removed, as nbgrader does."""
    lines, hidden = [], False
    for line in source.splitlines():
        if "### BEGIN HIDDEN TESTS" in line:
            hidden = True
        elif "### END HIDDEN TESTS" in line:
            hidden = False
        elif not hidden:
            lines.append(line)
    return "\n".join(lines).strip()
