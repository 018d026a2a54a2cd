"""Stable building blocks: log-sum-exp, softmax, log-sigmoid and gradient clipping.

Conventions for a row of all ``-inf`` (every class masked out): it holds no
probability mass, so ``log_sum_exp`` returns ``-inf``, ``log_softmax`` returns
``-inf`` everywhere and ``stable_softmax`` returns zeros, never NaN.
"""

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


def _as_scores(x, name="x"):
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        raise ValueError(f"{name} is empty")
    if np.any(np.isnan(x)) or np.any(x == np.inf):
        raise ValueError(f"{name} contains NaN or +inf; only -inf (a masked entry) is allowed")
    return x


def log_sum_exp(x, axis=-1, keepdims=False):
    r"""Compute :math:`\log \sum_j e^{x_j}` without overflow.

    Subtracting the maximum first keeps every exponent at or below 0, so nothing
    overflows, and the largest term is exactly 1, so the log never sees 0.
    """
    x = _as_scores(x)
    m = np.max(x, axis=axis, keepdims=True)
    shift = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        out = shift + np.log(np.sum(np.exp(x - shift), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(x, axis=-1):
    """Compute ``log(softmax(x))`` as ``x - log_sum_exp(x)``: finite wherever x is."""
    x = _as_scores(x)
    lse = log_sum_exp(x, axis=axis, keepdims=True)
    with np.errstate(invalid="ignore"):
        out = x - lse
    return np.where(np.isneginf(lse), -np.inf, out)


def stable_softmax(x, axis=-1):
    """Softmax that cannot overflow: ``exp(log_softmax(x))``."""
    return np.exp(log_softmax(x, axis=axis))


def log_sigmoid(z):
    r"""Compute :math:`\log \sigma(z) = -\log(1 + e^{-z})` for any finite z.

    Written as :math:`\min(z, 0) - \log(1 + e^{-|z|})`, whose exponent is never positive.
    """
    z = np.asarray(z, dtype=np.float64)
    return np.minimum(z, 0.0) - np.log1p(np.exp(-np.abs(z)))


def sigmoid(z):
    """Logistic function, exact in both tails (no ``exp`` of a large positive number)."""
    z = np.asarray(z, dtype=np.float64)
    ez = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + ez), ez / (1.0 + ez))


def global_norm(gradients):
    """The Euclidean norm of all arrays together, without overflow or underflow.

    ``sqrt(sum(g**2))`` overflows once any entry passes about 1e154; dividing by the
    largest magnitude first keeps every square at or below 1.
    """
    arrays = [np.asarray(g, dtype=np.float64) for g in gradients]
    for i, g in enumerate(arrays):
        if not np.all(np.isfinite(g)):
            raise ValueError(
                f"gradient {i} contains NaN or inf; clipping cannot repair it, "
                f"find where it came from (often a log of 0 or an overflow)"
            )
    scale = max((np.max(np.abs(g)) for g in arrays if g.size), default=0.0)
    if scale == 0.0:
        return 0.0
    return float(scale * np.sqrt(sum(np.sum((g / scale) ** 2) for g in arrays)))


def clip_gradients(gradients, max_norm=1.0):
    """Scale a list of gradient arrays so their global norm is at most ``max_norm``.

    Like PyTorch's ``clip_grad_norm_``: all arrays share one factor
    ``max_norm / (norm + 1e-6)``, applied only when it is below 1, so the direction of
    the update is kept. Returns new arrays; raises ValueError on NaN or inf.
    """
    max_norm = check_param(max_norm, "max_norm", low=0, low_open=True)
    arrays = [np.asarray(g, dtype=np.float64) for g in gradients]
    coef = max_norm / (global_norm(arrays) + 1e-6)
    if coef < 1.0:
        return [g * coef for g in arrays]
    return arrays
