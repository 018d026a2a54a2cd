"""Finite-difference gradient checking for any loss with ``compute`` and ``derivative``."""

import numbers

import numpy as np


def numerical_gradient(loss, *inputs, index=-1, h=1e-6):
    """Central-difference estimate of the gradient of ``loss.compute`` wrt ``inputs[index]``.

    The step is ``h``, and ``h * |x| / 1000`` for an entry x beyond 1000: a fixed step
    vanishes next to a large x (1e300 + 1e-6 == 1e300), so there it grows with the
    entry (1e-9 |x| with the default h, still far above rounding). Each entry costs two
    calls of ``compute``, so keep the inputs small.
    """
    if not inputs:
        raise ValueError("numerical_gradient needs the inputs of loss.compute, e.g. (y_true, y_pred)")
    if isinstance(index, bool) or not isinstance(index, numbers.Integral) \
            or not -len(inputs) <= index < len(inputs):
        raise ValueError(
            f"index must be an integer from {-len(inputs)} to {len(inputs) - 1} (which of the "
            f"{len(inputs)} inputs to differentiate), got {index!r}"
        )
    inputs = [np.array(x, dtype=np.float64) for x in inputs]
    x = inputs[index]
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        step = h * max(1.0, abs(old) / 1e3)
        x[i] = old + step
        up = loss.compute(*inputs)
        x[i] = old - step
        down = loss.compute(*inputs)
        x[i] = old
        grad[i] = (up - down) / (2.0 * step)
    return grad


def gradcheck(loss, *inputs, h=1e-6, atol=1e-5):
    """Compare ``loss.derivative`` with central finite differences; return the worst error.

    ``inputs`` are what ``compute`` takes, usually ``(y_true, y_pred)``. If
    ``derivative`` returns one array it is checked against ``inputs[-1]``; if it returns
    a tuple (as ``TripletLoss`` does), entry k is checked against ``inputs[k]``.

    The error is ``max|analytic - numeric| / max(max|analytic|, max|numeric|, atol)``:
    relative to the largest gradient entry (over all the inputs checked), so rounding
    noise in entries that are nearly zero does not dominate. Finite differences
    themselves carry rounding noise of about 1e-10 times the loss, hence the floor
    ``atol``. Below about 1e-4 the derivative is right (bugs give 1e-2 and more); a
    value near 2 usually means a flipped sign, and one near 1 - 1/n a missing 1/n. Keep
    inputs away from kinks (e = 0 for MAE, the margin for hinge), where finite
    differences straddle two slopes. If the loss is not finite next to the inputs (it
    overflows), there is nothing to compare and a ValueError says so.
    """
    analytic = loss.derivative(*inputs)
    if isinstance(analytic, tuple):
        pairs = [(g, k) for k, g in enumerate(analytic)]
    else:
        pairs = [(analytic, len(inputs) - 1)]
    compared = []
    for g, k in pairs:
        g = np.asarray(g, dtype=np.float64)
        numeric = numerical_gradient(loss, *inputs, index=k, h=h)
        if g.shape != numeric.shape:
            raise ValueError(
                f"derivative has shape {g.shape} but input {k} has shape {numeric.shape}; "
                f"a gradient must have the shape of what it differentiates"
            )
        if not np.all(np.isfinite(numeric)):
            raise ValueError(
                f"the loss is not finite next to input {k} (it overflows), so finite "
                f"differences cannot check the derivative there; use smaller inputs"
            )
        compared.append((g, numeric))
    # one scale for all the inputs: an input whose gradient is nearly zero next to the
    # others' (the anchor of a triplet whose negative sits on the positive) holds only
    # rounding noise, like a nearly zero entry
    scale = max(max(np.max(np.abs(g)), np.max(np.abs(n))) for g, n in compared)
    scale = float(max(scale, atol))
    return max(float(np.max(np.abs(g - n))) / scale for g, n in compared)
