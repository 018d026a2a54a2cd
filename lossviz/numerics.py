"""Stable building blocks: log-sum-exp, softmax, log-sigmoid and gradient clipping.

Conventions for a row of all ``-inf`` (every class masked out): it holds no
probability mass, so ``log_sum_exp`` returns ``-inf``, ``log_softmax`` returns
``-inf`` everywhere and ``stable_softmax`` returns zeros, never NaN.
"""

import numbers

import numpy as np

from .validation import check_param

# Probabilities are clipped to [PROB_MIN, PROB_MAX] before a log. PROB_MIN is the
# smallest positive *normal* float64 (2**-1022, about 2.2e-308), not the smallest
# positive float: subnormals go down to 5e-324 and have finite logs too (log 5e-324 =
# -744.4), but they carry fewer significant digits, so we stop at the normal range.
# So -log(p) is at most -log(PROB_MIN) = 708.40. PROB_MAX is the largest float below 1,
# so 1 - p is at least 2**-53 and -log(1 - p) at most about 36.7.
PROB_MIN = np.finfo(np.float64).tiny
PROB_MAX = np.nextafter(1.0, 0.0)


def prob_limits(dtype):
    """``(PROB_MIN, PROB_MAX)`` for ``dtype``: float32 has its own (1.2e-38 and
    1 - 2**-24, so -log p is at most 87.3 and -log(1 - p) at most 16.6)."""
    dtype = np.dtype(dtype)
    return np.finfo(dtype).tiny, np.nextafter(dtype.type(1.0), dtype.type(0.0))


def clip_probabilities(p):
    """``p`` clipped to ``prob_limits(p.dtype)``, as a new array."""
    low, high = prob_limits(p.dtype)
    return np.clip(p, low, high)


def _as_real(x, name):
    """``x`` as a float array (float32 stays float32), or a ValueError naming ``name``."""
    if x is None:
        raise ValueError(f"{name} is None; pass a number, a list or an array")
    arr = np.asarray(x)
    if arr.dtype.kind == "c":
        raise ValueError(f"{name} must be real, got complex values; pass {name}.real if the "
                         f"imaginary parts are known to be 0")
    try:
        return np.asarray(arr, dtype=np.float32 if arr.dtype == np.float32 else np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric (a number, list or array): {exc}") from None


def _as_scores(x, name="x"):
    """Scores for the log-sum-exp family: -inf (a masked entry) is allowed, NaN and +inf not."""
    x = _as_real(x, name)
    if x.size == 0:
        raise ValueError(f"{name} is empty")
    if np.any(np.isnan(x)) or np.any(x == np.inf):
        raise ValueError(f"{name} contains NaN or +inf; only -inf (a masked entry) is allowed")
    return x


def _as_logits(z, name="z"):
    """Logits for sigmoid and log-sigmoid: +-inf have limits (0 and 1), NaN has none."""
    z = _as_real(z, name)
    if np.any(np.isnan(z)):
        i = np.flatnonzero(np.isnan(z))[0]
        raise ValueError(f"{name} contains NaN at flat index {i}; check the model output")
    return z


def log_sum_exp(x, axis=-1, keepdims=False):
    r"""Compute :math:`\log \sum_j e^{x_j}` without overflow.

    Subtracting the maximum first keeps every exponent at or below 0, so nothing
    overflows, and the largest term is exactly 1, so the log never sees 0.
    """
    x = _as_scores(x)
    m = np.max(x, axis=axis, keepdims=True)
    shift = np.where(np.isfinite(m), m, 0.0).astype(x.dtype)
    with np.errstate(divide="ignore"):
        out = shift + np.log(np.sum(np.exp(x - shift), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(x, axis=-1):
    """Compute ``log(softmax(x))`` as ``x - log_sum_exp(x)``: finite wherever x is."""
    x = _as_scores(x)
    lse = log_sum_exp(x, axis=axis, keepdims=True)
    with np.errstate(invalid="ignore"):
        out = x - lse
    return np.where(np.isneginf(lse), -np.inf, out).astype(x.dtype)


def stable_softmax(x, axis=-1):
    """Softmax that cannot overflow: ``exp(log_softmax(x))``."""
    return np.exp(log_softmax(x, axis=axis))


def softmax_rows(z):
    """For finite, already checked (n, C) logits: ``log_sum_exp`` of each row (shape
    (n, 1)) and the softmax, in one pass over exp. The losses use it; it skips the
    checks and the masked-row handling of the public functions."""
    shift = _row_max(z)
    e = z - shift
    np.exp(e, out=e)
    total = np.einsum("ij->i", e)[:, None]  # einsum sums short rows faster than np.sum
    e /= total
    np.log(total, out=total)
    total += shift
    return total, e


def log_one_minus(q):
    """``log(1 - q)`` for q in [0, 1), to the last digit also for tiny q, as a new array.

    ``np.log1p(-q)`` does this too, but NumPy's log1p is about twice as slow as its
    log. With w = 1 - q rounded, (w - 1) + q is exactly the rounding error of w (both
    subtractions are exact), and log(1 - q) = log w - ((w - 1) + q) / w to within
    the square of that error (Goldberg 1991).
    """
    w = np.subtract(1.0, q)
    error = w - 1.0
    error += q
    error /= w
    result = np.log(w, out=w)
    result -= error
    return result


def _row_max(z):
    """Each row's maximum, shape (n, 1). NumPy reduces short rows slowly: for 10
    classes a maximum taken column by column is about 4x faster; long rows it does well."""
    if z.shape[1] > 32:
        return np.max(z, axis=1, keepdims=True)
    m = z[:, 0].copy()
    for j in range(1, z.shape[1]):
        np.maximum(m, z[:, j], out=m)
    return m[:, None]


def log_sigmoid(z):
    r"""Compute :math:`\log \sigma(z) = -\log(1 + e^{-z})` for any z, including +-inf.

    Written as :math:`\min(z, 0) - \log(1 + e^{-|z|})`, whose exponent is never positive.
    """
    return log_sigmoid_unchecked(_as_logits(z))


def log_sigmoid_unchecked(z):
    """``log_sigmoid`` for an already checked float array (the losses' inner loop)."""
    return np.minimum(z, 0.0) - np.log1p(np.exp(-np.abs(z)))


def sigmoid(z):
    """Logistic function, exact in both tails (no ``exp`` of a large positive number)."""
    z = _as_logits(z)
    ez = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + ez), ez / (1.0 + ez))


def _as_gradient_list(gradients):
    """A list of float arrays from one array (or number) or a sequence of arrays."""
    if gradients is None:
        raise ValueError("gradients is None; pass an array or a list of arrays")
    if isinstance(gradients, (np.ndarray, numbers.Number)):
        gradients = [gradients]
    try:
        items = list(gradients)
    except TypeError:
        raise ValueError(f"gradients must be an array or a list of arrays, got "
                         f"{type(gradients).__name__}") from None
    arrays = []
    for i, g in enumerate(items):
        if g is None:
            raise ValueError(f"gradient {i} is None; pass an array")
        arr = np.asarray(g)
        if arr.dtype.kind == "c":
            raise ValueError(f"gradient {i} must be real, got complex values")
        try:
            arr = np.asarray(arr, dtype=np.float32 if arr.dtype == np.float32 else np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"gradient {i} must be numeric: {exc}") from None
        if not np.all(np.isfinite(arr)):
            raise ValueError(
                f"gradient {i} contains NaN or inf; clipping cannot repair it, "
                f"find where it came from (often a log of 0 or an overflow)"
            )
        arrays.append(arr)
    return arrays


def global_norm(gradients):
    """The Euclidean norm of all arrays together, without overflow or underflow.

    ``gradients`` is one array or a list of arrays. ``sqrt(sum(g**2))`` overflows once
    any entry passes about 1e154; dividing by the largest magnitude first keeps every
    square at or below 1.
    """
    arrays = _as_gradient_list(gradients)
    scale = max((float(np.max(np.abs(g))) for g in arrays if g.size), default=0.0)
    if scale == 0.0:
        return 0.0
    return float(scale * np.sqrt(sum(np.sum((g / scale) ** 2, dtype=np.float64) for g in arrays)))


def clip_gradients(gradients, max_norm=1.0):
    """Scale gradient arrays so their global norm is at most ``max_norm``.

    Like PyTorch's ``clip_grad_norm_``: all arrays share one factor
    ``max_norm / (norm + 1e-6)``, applied only when it is below 1, so the direction of
    the update is kept. Always returns new arrays, never the caller's: a list for a
    list, one array for one array. Raises ValueError on NaN or inf.
    """
    single = isinstance(gradients, (np.ndarray, numbers.Number))
    max_norm = check_param(max_norm, "max_norm", low=0, low_open=True)
    arrays = _as_gradient_list(gradients)
    coef = max_norm / (global_norm(arrays) + 1e-6)
    out = [g * coef if coef < 1.0 else g.copy() for g in arrays]
    return out[0] if single else out
