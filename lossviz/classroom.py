"""Self-checks for the classroom assignments: a wrong answer gets a diagnosis, not a bare assert.

A student's function is compared with a reference on a few inputs ("cases"). When the
two disagree, the check names the mistake that fits the numbers: the input that gave a
wrong value (expected against got), a gradient with the wrong sign, a missing 1/n, a
constant factor, a wrong shape, NaN or inf at extreme inputs, a missing ``return``, or
the exception the function raised.

There are two layers:

- ``diagnose_loss``, ``diagnose_gradient`` and ``diagnose_function`` return a
  :class:`Diagnosis`;
- ``check_loss``, ``check_gradient`` and ``check_function`` are for notebook cells: they
  print one line when all is well and otherwise raise :class:`CheckFailed`, an
  ``AssertionError``, so that an autograder (nbgrader) or pytest counts the cell as a
  failed test and shows the diagnosis as the error message.

Notation as in the book: e = y_pred - y_true, a loss is the mean over samples, and its
gradient is taken with respect to ``y_pred``, so it carries the 1/n.
"""

from dataclasses import dataclass

import numpy as np

from .base import Loss
from .gradcheck import numerical_gradient

#: What a diagnosis can report, in the order the checks look for it.
PROBLEMS = ("ok", "not_implemented", "raised", "wrong_type", "wrong_shape", "not_finite",
            "flipped_sign", "missing_1_over_n", "scale_factor", "wrong_value")

# An input at least this large is extreme: exp() of it overflows or saturates a sigmoid.
_EXTREME = 30.0


@dataclass(frozen=True)
class Diagnosis:
    """The verdict of a check: ``problem`` (one of :data:`PROBLEMS`) and a message for the student.

    ``case`` is the index of the case that showed the problem, or None. A diagnosis is
    truthy exactly when it is "ok".
    """

    problem: str
    message: str
    case: int | None = None

    @property
    def ok(self):
        return self.problem == "ok"

    def __bool__(self):
        return self.ok

    def __str__(self):
        return self.message


class CheckFailed(AssertionError):
    """Raised by the ``check_*`` functions; ``diagnosis`` holds the :class:`Diagnosis`."""

    def __init__(self, diagnosis):
        super().__init__(diagnosis.message)
        self.diagnosis = diagnosis


# ---------------------------------------------------------------- notebook-facing checks

def check_loss(student_compute, reference, cases, **options):
    """Check a student's mean loss; print one line if right, else raise :class:`CheckFailed`.

    Takes the arguments of :func:`diagnose_loss`.
    """
    __tracebackhide__ = True  # pytest leaves this frame out of its failure reports
    _report(diagnose_loss(student_compute, reference, cases, **options))


def check_gradient(student_derivative, reference, cases, **options):
    """Check a student's gradient; print one line if right, else raise :class:`CheckFailed`.

    Takes the arguments of :func:`diagnose_gradient`.
    """
    __tracebackhide__ = True
    _report(diagnose_gradient(student_derivative, reference, cases, **options))


def check_function(student_function, reference, inputs, **options):
    """Check an elementwise function; print one line if right, else raise :class:`CheckFailed`.

    Takes the arguments of :func:`diagnose_function`.
    """
    __tracebackhide__ = True
    _report(diagnose_function(student_function, reference, inputs, **options))


def _report(diagnosis):
    """Print the one-line success message, or raise :class:`CheckFailed` with the diagnosis."""
    __tracebackhide__ = True
    if not diagnosis.ok:
        raise CheckFailed(diagnosis)
    print(diagnosis.message)


def call(function, *args, name=None):
    """Call a student's ``function(*args)`` and return its result.

    For test cells that then check the result themselves: an exception in the
    student's code becomes a :class:`CheckFailed` that says so in plain words.
    """
    __tracebackhide__ = True
    outcome = _call(function, name or _name(function), None, args, _arg_names(len(args)))
    if isinstance(outcome, Diagnosis):
        raise CheckFailed(outcome)
    return outcome


def as_loss(compute, derivative=None, name=None):
    """Wrap plain functions ``f(y_true, y_pred)`` as a :class:`~lossviz.base.Loss`.

    The result has ``compute`` and ``derivative``, which is what ``lossviz.gradcheck``
    and ``lossviz.fit_linear`` need. ``derivative`` may be left out for a loss that is
    only evaluated.
    """
    if not callable(compute):
        raise ValueError(f"compute must be a function f(y_true, y_pred), got {compute!r}")
    if derivative is not None and not callable(derivative):
        raise ValueError(f"derivative must be a function f(y_true, y_pred) or None, got {derivative!r}")
    return _FunctionLoss(compute, derivative, name or _name(compute))


class _FunctionLoss(Loss):
    def __init__(self, compute, derivative, name):
        self._compute, self._derivative, self.name = compute, derivative, name

    def compute(self, y_true, y_pred):
        return float(self._compute(y_true, y_pred))

    def derivative(self, y_true, y_pred):
        if self._derivative is None:
            raise NotImplementedError(f"{self.name} was wrapped without a derivative")
        return np.asarray(self._derivative(y_true, y_pred), dtype=np.float64)

    def __repr__(self):
        return self.name


# ---------------------------------------------------------------- diagnoses

@dataclass
class _Case:
    args: tuple        # the arrays the student's function is called with
    names: tuple       # their names in messages
    expected: np.ndarray
    n: int = 1         # samples averaged over, for the missing-1/n diagnosis
    scale: float = 1.0  # atol is multiplied by this


def diagnose_loss(student_compute, reference, cases, rtol=1e-6, atol=1e-9, name=None):
    """Compare ``student_compute(y_true, y_pred)`` (one number, the mean loss) with ``reference``.

    Args:
        student_compute: the student's function of ``(y_true, y_pred)``.
        reference: a lossviz loss (its ``compute`` gives the expected value) or any
            function of ``(y_true, y_pred)`` that returns the expected mean loss.
        cases: a list of ``(y_true, y_pred)`` pairs.
        rtol, atol: tolerance of the comparison, as in ``numpy.isclose``.
        name: what messages call the student's function (default: its ``__name__``).

    Returns:
        A :class:`Diagnosis`.
    """
    checked = []
    for k, (t, p) in enumerate(_as_pairs(cases)):
        want = _expected(_reference_value, reference, k, t, p)
        if isinstance(want, Diagnosis):
            return want
        checked.append(_Case((t, p), ("y_true", "y_pred"), np.asarray(float(want)),
                             n=_n_samples(reference, p)))

    def shape_message(case, value):
        want = float(case.expected)
        text = "it must return one number, the mean loss over the samples."
        if value.size > 1 and np.isclose(np.mean(value), want, rtol=1e-6, atol=1e-9):
            text += " Those look like the per-sample losses: return their mean (np.mean)."
        return text

    return _diagnose(student_compute, name, "loss", checked, shape_message, rtol, atol)


def diagnose_gradient(student_derivative, reference, cases, rtol=None, atol=None, name=None):
    """Compare ``student_derivative(y_true, y_pred)`` with the gradient of the mean loss.

    Args:
        student_derivative: the student's function of ``(y_true, y_pred)``; it returns
            an array shaped like ``y_pred``.
        reference: a lossviz loss (its ``derivative`` gives the expected gradient), or a
            function of ``(y_true, y_pred)`` returning the mean loss, whose gradient is
            then estimated by central finite differences (keep such cases off kinks).
        cases: a list of ``(y_true, y_pred)`` pairs.
        rtol, atol: tolerance of the comparison; ``atol`` is relative to the largest
            expected entry (or to 1 if that is smaller). Defaults: 1e-6 and 1e-9 against
            an exact derivative, 1e-4 and 1e-6 against finite differences.
        name: what messages call the student's function (default: its ``__name__``).

    Returns:
        A :class:`Diagnosis`.
    """
    exact = hasattr(reference, "derivative")
    rtol = rtol if rtol is not None else (1e-6 if exact else 1e-4)
    atol = atol if atol is not None else (1e-9 if exact else 1e-6)
    checked = []
    for k, (t, p) in enumerate(_as_pairs(cases)):
        want = _expected(_reference_gradient, reference, k, t, p)
        if isinstance(want, Diagnosis):
            return want
        checked.append(_Case((t, p), ("y_true", "y_pred"), want, n=_n_samples(reference, p),
                             scale=max(float(np.max(np.abs(want))), 1.0)))

    def shape_message(case, value):
        if value.size == 1 and case.expected.size > 1:
            return ("it must return one entry per prediction, shaped like y_pred; one number "
                    "is a sum or mean of the entries (do not reduce them).")
        if value.size == case.expected.size:
            return "it must return an array shaped like y_pred; the numbers may be right, reshape them."
        return "it must return an array shaped like y_pred."

    return _diagnose(student_derivative, name, "gradient", checked, shape_message, rtol, atol)


def diagnose_function(student_function, reference, inputs, rtol=1e-6, atol=1e-12, name=None):
    """Compare an elementwise ``student_function(x)`` with ``reference(x)`` on each input.

    Args:
        student_function: the student's function of one array.
        reference: a function of one array giving the expected values.
        inputs: a list of arrays (or numbers).
        rtol, atol: tolerance of the comparison, as in ``numpy.isclose``.
        name: what messages call the student's function (default: its ``__name__``).

    Returns:
        A :class:`Diagnosis`.
    """
    if not isinstance(inputs, (list, tuple)) or len(inputs) == 0:
        raise ValueError("inputs must be a non-empty list of arrays, one per case")
    checked = []
    for x in inputs:
        x = np.asarray(x, dtype=np.float64)
        with np.errstate(all="ignore"):
            want = np.asarray(reference(x), dtype=np.float64)
        checked.append(_Case((x,), ("z",), want))

    def shape_message(case, value):
        return f"it must return an array shaped like its input, {case.args[0].shape}."

    return _diagnose(student_function, name, "value", checked, shape_message, rtol, atol)


def _diagnose(student, name, what, cases, shape_message, rtol, atol):
    """Call the student's function on every case, then compare with what was expected."""
    name = name or _name(student)
    got = []
    for k, case in enumerate(cases):
        outcome = _call(student, name, k, case.args, case.names)
        if isinstance(outcome, Diagnosis):
            return outcome
        value = _as_float_array(outcome)
        where = f"case {k} ({_describe(case)})"
        if value is None:
            hint = (" It returned None: did you forget the `return` statement?" if outcome is None
                    else "")
            return Diagnosis("wrong_type", f"{name} returned {_short_repr(outcome)} for {where}; "
                             f"it must return numbers.{hint}", k)
        if value.shape != case.expected.shape and not (case.expected.ndim == 0 and value.size == 1):
            return Diagnosis("wrong_shape", f"{name} returned shape {value.shape} for {where}: "
                             + shape_message(case, value), k)
        value = value.reshape(case.expected.shape)
        bad = ~np.isfinite(value)
        if np.any(bad):
            i = _index(np.flatnonzero(bad)[0], value.shape)
            at = f" at index {_fmt_index(i)}" if value.ndim else ""
            return Diagnosis("not_finite", f"{name} returned {value[i]}{at} for case {k} "
                             f"({_describe(case, i)}), where the {what} is "
                             f"{_num(case.expected[i])}. " + _nonfinite_hint(case.args[-1]), k)
        got.append(value)
    return _compare(name, what, cases, got, rtol, atol)


def _compare(name, what, cases, got, rtol, atol):
    """Find the wrong cases, then the simplest mistake that explains all of them."""
    def close(value, want, case):
        return np.isclose(value, want, rtol=rtol, atol=atol * case.scale)

    wrong = [k for k, c in enumerate(cases) if not np.all(close(got[k], c.expected, c))]
    how_many = f"{len(cases)} case{'s' if len(cases) != 1 else ''}"
    if not wrong:
        return Diagnosis("ok", f"\u2713 {name} is right on {how_many}.")

    def explained_by(factors):
        """True if got = factor * expected in every case."""
        return all(np.all(close(g, f * c.expected, c)) for g, f, c in zip(got, factors, cases, strict=True))

    k = wrong[0]
    example = _example(what, k, cases[k], got[k], close(got[k], cases[k].expected, cases[k]))
    if explained_by([-1.0] * len(cases)):
        hint = {"gradient": "Check the order in e = y_pred - y_true, and that you differentiate "
                            "with respect to y_pred.",
                "loss": "Check the sign in front of each term (-log p is positive)."}.get(what, "")
        return Diagnosis("flipped_sign", f"{name} has the wrong sign: every {what} is minus the "
                         f"expected one. {example} {hint}".rstrip(), k)
    pairs = list(zip(got, cases, strict=True))
    flipped = [~close(g, c.expected, c) & close(g, -c.expected, c) for g, c in pairs]
    if all(np.all(f | close(g, c.expected, c)) for f, (g, c) in zip(flipped, pairs, strict=True)):
        count, total = sum(int(f.sum()) for f in flipped), sum(f.size for f in flipped)
        return Diagnosis("flipped_sign", f"{name} has the wrong sign in {count} of {total} "
                         f"entries and is right in the others. {example} Look for a sign that "
                         f"depends on the input, such as dp_t/dp = -1 for y = 0 or the sign of e.", k)
    sizes = [c.n for c in cases]
    if any(n > 1 for n in sizes) and explained_by([float(n) for n in sizes]):
        fix = ("a loss is the mean over the samples: divide the sum by n (np.mean does it)"
               if what == "loss" else
               "the gradient of the MEAN loss carries 1/n: divide by n = y_pred.size "
               "(the number of rows, for a loss over rows)")
        return Diagnosis("missing_1_over_n", f"{name} is missing the 1/n: every {what} is n times "
                         f"the expected one (n = {cases[k].n} in case {k}). {example} Fix: {fix}.", k)
    factor = _common_factor(cases, got)
    if factor is not None and explained_by([factor] * len(cases)):
        return Diagnosis("scale_factor", f"{name} is off by a constant factor: every {what} is "
                         f"{_num(factor)} times the expected one. {example} Look for a missing or "
                         f"extra constant (the 1/2 in e\u00b2/2, the 2 from differentiating a "
                         f"square, a 1/n applied twice).", k)
    return Diagnosis("wrong_value", f"{name} gives a wrong {what} in {len(wrong)} of {how_many}. "
                     f"{example}", k)


def _example(what, k, case, value, ok):
    """Name the first wrong entry of case k: its input, what was expected and what came out."""
    if case.expected.ndim == 0:
        return (f"For case {k} ({_describe(case)}) the {what} should be "
                f"{_num(case.expected)}, got {_num(value)}.")
    flat = np.flatnonzero(~ok)
    i = _index(flat[0], value.shape)
    many = f" ({flat.size} of {ok.size} entries are wrong)" if ok.size > 1 else ""
    return (f"For case {k}, at index {_fmt_index(i)} ({_describe(case, i)}), the {what} "
            f"should be {_num(case.expected[i])}, got {_num(value[i])}{many}.")


def _common_factor(cases, got):
    want = np.concatenate([c.expected.ravel() for c in cases])
    value = np.concatenate([g.ravel() for g in got])
    nonzero = np.abs(want) > 1e-12 * float(np.max(np.abs(want)))
    if not np.any(nonzero):
        return None
    factor = float(np.median(value[nonzero] / want[nonzero]))
    return factor if np.isfinite(factor) and factor != 0.0 else None


def _call(function, name, k, args, names):
    """Call the student's function on copies of the inputs; turn an exception into a Diagnosis."""
    where = "" if k is None else f" on case {k} ({_describe(_Case(args, names, np.zeros(())))})"
    args = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    try:
        if k is None:  # call(): the test cell decides which floating-point errors to raise
            return function(*args)
        with np.errstate(all="ignore"):  # the diagnosis reports NaN and inf; warnings add only noise
            return function(*args)
    except NotImplementedError:
        return Diagnosis("not_implemented", f"{name} is not written yet (it raised "
                         f"NotImplementedError). Replace `raise NotImplementedError()` with your "
                         f"code, run that cell, then run this check again.", k)
    except Exception as exc:  # a bug of any kind in the student's code is reported, not propagated
        hint = ""
        numbers = _as_float_array(args[-1]) if args else None
        if isinstance(exc, (FloatingPointError, OverflowError)) and numbers is not None:
            hint = " " + _nonfinite_hint(numbers)
        return Diagnosis("raised", f"{name} raised {type(exc).__name__}: {exc}{where}.{hint}", k)


def _as_pairs(cases):
    if not isinstance(cases, (list, tuple)) or len(cases) == 0:
        raise ValueError("cases must be a non-empty list of (y_true, y_pred) pairs")
    pairs = []
    for k, case in enumerate(cases):
        if not isinstance(case, (list, tuple)) or len(case) != 2:
            raise ValueError(f"case {k} must be a pair (y_true, y_pred); for one pair write "
                             f"[(y_true, y_pred)]")
        pairs.append((np.asarray(case[0], dtype=np.float64), np.asarray(case[1], dtype=np.float64)))
    return pairs


def _expected(evaluate, reference, k, t, p):
    """Evaluate the reference; it may be the student's own function (a loss checked
    against its derivative), so its failures are diagnosed like the student's."""
    try:
        with np.errstate(all="ignore"):
            return evaluate(reference, t, p)
    except NotImplementedError:
        return Diagnosis("not_implemented", f"{_ref_name(reference)} is not written yet (it "
                         f"raised NotImplementedError), and this check needs it. Write it first, "
                         f"run its cell, then run this check again.", k)
    except Exception as exc:
        return Diagnosis("raised", f"{_ref_name(reference)}, which this check compares with, "
                         f"raised {type(exc).__name__}: {exc} -- on case {k} "
                         f"(y_true = {_fmt_array(t)}, y_pred = {_fmt_array(p)}).", k)


def _ref_name(reference):
    return repr(reference) if isinstance(reference, Loss) else _name(reference)


def _reference_value(reference, t, p):
    if hasattr(reference, "compute"):
        return reference.compute(t, p)
    return reference(t, p)


def _reference_gradient(reference, t, p):
    if hasattr(reference, "derivative"):
        return np.asarray(reference.derivative(t, p), dtype=np.float64)
    return numerical_gradient(as_loss(reference), t, p)


def _n_samples(reference, p):
    if getattr(reference, "rowwise", False) and p.ndim == 2:
        return p.shape[0]
    return p.size


def _as_float_array(value):
    if value is None:
        return None
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _nonfinite_hint(x):
    biggest = float(np.max(np.abs(x))) if x.size else 0.0
    if biggest >= _EXTREME:
        return (f"The inputs are extreme (the largest has size {_num(biggest)}): exp() overflows "
                f"to inf above about 709, 1 - sigmoid(z) rounds to 0 for z above about 37, "
                f"and then log(0) = -inf and inf - inf = nan. Rewrite the formula so that no "
                f"exp() gets a large positive argument and no log() gets 0: for logits, "
                f"log(1 + e^z) = max(z, 0) + log1p(e^-|z|) (that is np.logaddexp(0, z)), and "
                f"log(sigmoid(z)) = lossviz.log_sigmoid(z).")
    if np.any((x == 0.0) | (x == 1.0)):
        return ("The input holds 0 or 1 there: look for log(0), or a division by p or by 1 - p; "
                "clip probabilities into (0, 1) first.")
    return "Look for a log of 0, a division by 0 or 0/0, or an overflow."


def _describe(case, index=None):
    """The inputs of a case, or at one index the entries that produced that output."""
    parts = []
    for name, a in zip(case.names, case.args, strict=True):
        a = np.asarray(a, dtype=np.float64)
        if index is not None and a.ndim and len(index) == a.ndim and a.size > 1:
            parts.append(f"{name}{_fmt_index(index)} = {_num(a[index])}")
        else:
            parts.append(f"{name} = {_fmt_array(a)}")
    return ", ".join(parts)


def _fmt_array(a):
    if a.size > 8:
        return f"an array of shape {a.shape}"
    if a.ndim == 0:
        return _num(a)
    return np.array2string(a, separator=", ", formatter={"float_kind": _num})


def _num(x):
    return f"{float(x):.10g}"


def _index(flat, shape):
    return tuple(int(j) for j in np.unravel_index(flat, shape)) if shape else ()


def _fmt_index(i):
    return "[" + ", ".join(str(j) for j in i) + "]"


def _arg_names(count):
    return tuple(f"argument {j + 1}" for j in range(count))


def _short_repr(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _name(function):
    name = getattr(function, "__name__", None)
    return name if name and name != "<lambda>" else "your function"
