"""Input checks shared by every loss.

Each loss calls these helpers instead of writing its own checks, so every bad input
raises a ValueError that names the argument, says what is wrong and, where there is
one, says how to fix it.
"""

import numbers

import numpy as np


def as_float_array(x, name):
    """Return ``x`` as a float64 array; reject empty arrays, NaN and inf."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric (a number, list or array): {exc}") from None
    if arr.size == 0:
        raise ValueError(f"{name} is empty: a loss needs at least one value")
    if not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(arr))
        kind = "NaN" if np.isnan(arr.flat[bad[0]]) else "inf"
        raise ValueError(
            f"{name} contains {kind} at flat index {bad[0]} ({bad.size} non-finite "
            f"value(s) in all); check the model output or the data"
        )
    return arr


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
    """Raise if any value lies outside [0, 1]; ``hint`` is appended to the message."""
    outside = (arr < 0) | (arr > 1)
    if np.any(outside):
        i = np.flatnonzero(outside)[0]
        raise ValueError(
            f"{name} must hold {what} in [0, 1]; found {float(arr.flat[i])!r} at flat index {i}"
            f"{hint}"
        )


def check_labels(arr, allowed, name, hint=""):
    """Raise if ``arr`` holds a value not in the tuple ``allowed``."""
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
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "(" if low_open or low is None else "["
        right = ")" if high_open or high is None else "]"
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ValueError(f"{name} must be in {left}{lo}, {hi}{right}, got {value!r}")
    return value


def check_from_logits(value):
    """Return ``value`` if it is a bool; the flag is too easy to pass by position."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"from_logits must be True or False, got {value!r}")
    return bool(value)
