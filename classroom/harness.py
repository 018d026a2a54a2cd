"""Code the grader runs inside the student's kernel, after the student's notebook.

runner.py sends this file's text as one cell, then one cell per question:
``__lossviz_grader__.run(question, setup, calls, forbid)``. Each call is a Python expression
(from the source notebook's ``grading`` metadata) evaluated in the student's namespace,
such as ``huber_loss([0.0, 1.0], [0.5, 3.0], delta=0.5)``. Its value is turned into plain
JSON data (numbers, shapes, exception text) and printed after a marker line.

Nothing here decides a grade. The student's code ran first in this interpreter and may
have replaced anything (numpy, print, this module), so whatever comes out is treated as
untrusted data: the grader compares it, outside the sandbox, with the values of the
reference solution. Tampering can only make the data wrong, which scores 0.
"""

import json as _json
import sys as _sys
import types as _types

MARKER = "@@lossviz-grader-result@@ "
_MAX_ENTRIES = 1_000_000


def _encode(value, depth=0):
    """Plain JSON data for ``value``: numbers, arrays with their shape, lists, dicts, text."""
    import numpy

    if depth > 4:
        return {"type": "too deeply nested"}
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float, numpy.integer, numpy.floating)):
        return float(value)
    if isinstance(value, str):
        return {"str": value[:500]}
    if isinstance(value, numpy.ndarray):
        if value.size > _MAX_ENTRIES:
            return {"type": f"an array of {value.size} entries (too large)"}
        if value.dtype.kind not in "biuf":
            return {"type": f"an array of dtype {value.dtype}"}
        return {"shape": list(value.shape), "array": value.astype(float).ravel().tolist()}
    if isinstance(value, (list, tuple)):
        return {"seq": [_encode(v, depth + 1) for v in value[:10_000]], "kind": type(value).__name__}
    if isinstance(value, dict):
        return {"dict": {str(k): _encode(v, depth + 1) for k, v in list(value.items())[:100]}}
    return {"type": type(value).__name__}


def _axes_data(draw):
    """Call ``draw(ax)`` on fresh axes and describe what it drew, for figure questions."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        draw(ax)
        lines = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
        return {
            "labels": [str(line.get_label()) for line in lines],
            "x": [list(map(float, line.get_xdata())) for line in lines],
            "y": [list(map(float, line.get_ydata())) for line in lines],
            "xlim": list(map(float, ax.get_xlim())),
            "ylim": list(map(float, ax.get_ylim())),
            "axis_labels": bool(ax.get_xlabel()) and bool(ax.get_ylabel()),
            "legend": ax.get_legend() is not None,
        }
    finally:
        plt.close(fig)


def _perturbed(x, h):
    """Copies of ``x`` with one entry moved by +h and by -h, as lossviz.numerical_gradient does."""
    import numpy

    x = numpy.array(x, dtype=numpy.float64)
    points = []
    for i in numpy.ndindex(x.shape):
        for step in (h, -h):
            y = x.copy()
            y[i] = x[i] + step
            points.append(y)
    return points


def _strict(function, *args):
    """Call ``function`` with numpy's overflow and invalid-value warnings turned into errors."""
    import numpy

    with numpy.errstate(over="raise", invalid="raise"):
        return function(*args)


def _forbidden_codes(forbid):
    """Code objects of the forbidden lossviz names, e.g. every method of ``HuberLoss``."""
    lossviz = _sys.modules.get("lossviz")
    codes = {}
    for name in forbid:
        target = getattr(lossviz, name, None)
        functions = vars(target).values() if isinstance(target, type) else [target]
        for f in functions:
            code = getattr(f, "__code__", None)
            if code is not None:
                codes[code] = f"lv.{name}"
    return codes


def run(question, setup, calls, forbid):
    """Evaluate each call for ``question``; print the values (or errors) as JSON.

    ``setup`` (code that builds the inputs, such as a mask) runs in a copy of the
    student's namespace, so it cannot change the student's own variables.
    """
    namespace = dict(get_ipython().user_ns)  # noqa: F821 (IPython defines it in the kernel)
    try:
        exec("import numpy as np\nimport lossviz as lv\n" + setup, namespace)
    except BaseException as exc:
        values = {name: {"error": f"setup failed: {type(exc).__name__}: {exc}"[:300]} for name in calls}
        print(MARKER + _json.dumps({"question": question, "values": values, "forbidden_called": []}))
        return
    codes = _forbidden_codes(forbid)
    called = []

    def watch(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            called.append(codes[frame.f_code])
            raise RuntimeError(f"{codes[frame.f_code]} may not be called in this answer")

    values = {}
    for name, expression in calls.items():
        previous = _sys.getprofile()
        _sys.setprofile(watch if codes else previous)
        try:
            values[name] = _encode(eval(expression, namespace))
        except BaseException as exc:  # the student's code may raise anything, even SystemExit
            values[name] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        finally:
            _sys.setprofile(previous)
    result = {"question": question, "values": values, "forbidden_called": sorted(set(called))}
    print(MARKER + _json.dumps(result))


__lossviz_grader__ = _types.SimpleNamespace(run=run, axes_data=_axes_data, perturbed=_perturbed,
                                            strict=_strict)
