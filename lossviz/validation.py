"""Input checks shared by every loss.

Each loss calls these helpers instead of writing its own checks, so every bad input
raises a ValueError that names the argument, says what is wrong and, where there is
one, says how to fix it.
"""

import numbers

import numpy as np


def float_dtype(*arrays):
    """The dtype a computation on ``arrays`` runs in: float32 if every one is float32,
    else float64. Integer, boolean and list inputs (labels, class indices) do not count,
    so float32 predictions with integer labels stay float32."""
    kinds = [a.dtype for a in arrays if a.dtype.kind == "f"]
    if kinds and all(k == np.float32 for k in kinds):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def as_float_array(x, name, dtype=None, finite=True):
    """Return ``x`` as a float array; reject None, complex and text, empty arrays, NaN and inf.

    A float32 array stays float32 (the losses then compute in float32); every other
    input becomes float64, unless ``dtype`` says otherwise. The array is not copied
    when it already has the right dtype, so callers must not write into it.

    ``finite=False`` leaves NaN and inf to a later check that rejects them anyway
    (:func:`check_in_unit_interval`, :func:`check_labels`): one pass over the data
    instead of two.
    """
    if x is None:
        raise ValueError(f"{name} is None; pass a number, a list or an array")
    arr = np.asarray(x)
    if arr.dtype.kind == "c":
        raise ValueError(
            f"{name} must be real, got complex values; if the imaginary parts are known to "
            f"be 0, pass {name}.real"
        )
    if arr.dtype == object and any(v is None for v in arr.flat):
        i = next(k for k, v in enumerate(arr.flat) if v is None)
        raise ValueError(f"{name} contains None at flat index {i}; a loss needs numbers")
    if dtype is None:
        dtype = np.float32 if arr.dtype == np.float32 else np.float64
    try:
        arr = np.asarray(arr, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric (a number, list or array): {exc}") from None
    if arr.size == 0:
        raise ValueError(f"{name} is empty: a loss needs at least one value")
    if finite:
        check_finite(arr, name)
    return arr


def check_finite(arr, name):
    """Raise if ``arr`` holds NaN or inf.

    The sum is one fast pass that comes out NaN or inf if any entry is; only then (or if
    the sum of finite values overflows) do we look for the culprit.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        total = arr.sum()
    if np.isfinite(total):
        return
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size == 0:
        return  # every entry is finite; only their sum overflowed
    kind = "NaN" if np.isnan(arr.flat[bad[0]]) else "inf"
    raise ValueError(
        f"{name} contains {kind} at flat index {bad[0]} ({bad.size} non-finite "
        f"value(s) in all); check the model output or the data"
    )


def as_same_float(arrays, names, finite=True):
    """Convert several inputs with :func:`as_float_array` to one common float dtype."""
    raw = [as_float_array(x, name, finite=finite) for x, name in zip(arrays, names)]
    dtype = float_dtype(*[np.asarray(x) for x in arrays if isinstance(x, np.ndarray)] or raw)
    return [r.astype(dtype, copy=False) for r in raw]


def check_same_shape(y_true, y_pred, names=("y_true", "y_pred")):
    """Raise if the two arrays do not have the same shape."""
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{names[0]} has shape {y_true.shape} but {names[1]} has shape "
            f"{y_pred.shape}; they must match element for element"
        )


def check_ndim(arr, ndim, name, hint=""):
    """Raise if ``arr`` does not have ``ndim`` dimensions."""
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}{hint}")


LOGITS_HINT = ". If these are raw model scores (logits), pass from_logits=True"


def check_in_unit_interval(arr, name, what="probabilities", hint=""):
    """Raise if any value is NaN, inf or outside [0, 1]; ``hint`` is appended to the message."""
    if arr.min() >= 0 and arr.max() <= 1:  # two fast reductions; NaN fails both
        return
    check_finite(arr, name)  # NaN and inf get their own message
    outside = ~((arr >= 0) & (arr <= 1))
    if np.any(outside):
        i = np.flatnonzero(outside)[0]
        raise ValueError(
            f"{name} must hold {what} in [0, 1]; found {float(arr.flat[i])!r} at flat index {i}"
            f"{hint}"
        )


def check_rows_sum_to_one(arr, name, what, hint="", tol=1e-4):
    """Raise if a row of the 2-D ``arr`` does not sum to 1 (within ``tol``).

    The tolerance is loose enough for float32 softmax outputs and for a
    finite-difference step of 1e-6 in one entry, tight enough to catch rows that are
    not distributions at all (all ones, all zeros, logits).
    """
    # einsum sums each short row about 5x faster than np.sum(axis=1)
    sums = np.einsum("ij->i", arr, dtype=np.float64)
    bad = np.abs(sums - 1.0) > tol
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"each row of {name} must be {what} summing to 1; row {i} sums to "
            f"{float(sums[i])!r}{hint}"
        )


def check_labels(arr, allowed, name, hint=""):
    """Raise if ``arr`` holds a value not in the tuple ``allowed`` (NaN and inf included)."""
    # counting the matches of each label is about 3x faster than np.isin
    if sum(np.count_nonzero(arr == a) for a in allowed) == arr.size:
        return
    check_finite(arr, name)  # NaN and inf get their own message
    bad = ~np.isin(arr, allowed)
    if np.any(bad):
        i = np.flatnonzero(bad)[0]
        allowed_text = " or ".join(repr(float(a)).rstrip("0").rstrip(".") for a in allowed)
        raise ValueError(
            f"{name} must hold labels {allowed_text}; found {float(arr.flat[i])!r} at flat "
            f"index {i}{hint}"
        )


def check_class_indices(labels, n_classes, name="y_true"):
    """Return integer class indices, raising if any is fractional or out of range."""
    if np.any(labels != np.round(labels)):
        i = np.flatnonzero(labels != np.round(labels))[0]
        raise ValueError(f"{name} must hold integer class indices; found {float(labels.flat[i])!r}")
    bad = (labels < 0) | (labels >= n_classes)
    if np.any(bad):
        i = np.flatnonzero(bad)[0]
        raise ValueError(
            f"{name} holds class index {int(labels.flat[i])} at position {i}, but y_pred "
            f"has {n_classes} classes, so indices must be in [0, {n_classes - 1}]"
        )
    return labels.astype(np.intp)


def check_param(value, name, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a float after checking it is real, finite and in range.

    ``low``/``high`` are bounds (None for unbounded); ``*_open`` excludes the bound.
    """
    bad = ValueError(f"{name} must be a finite real number, got {_short_repr(value)}")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise bad
    try:
        value = float(value)  # an int beyond the float range (10**400) raises OverflowError
    except OverflowError:
        raise bad from None
    if not np.isfinite(value):
        raise bad
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "(" if low_open or low is None else "["
        right = ")" if high_open or high is None else "]"
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ValueError(f"{name} must be in {left}{lo}, {hi}{right}, got {value!r}")
    return value


def _short_repr(value, limit=40):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def check_flag(value, name):
    """Return ``value`` if it is a bool; a flag is too easy to pass by position."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {_short_repr(value)}")
    return bool(value)


def check_from_logits(value):
    """Return ``value`` if it is a bool; the flag is too easy to pass by position."""
    return check_flag(value, "from_logits")
