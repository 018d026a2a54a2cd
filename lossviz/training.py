"""Train a linear model with any loss's gradient: the experiments' workhorse.

The model is :math:`\\hat y = X w + b` (a score or logit for classifiers). By the chain
rule the gradient of the mean loss is :math:`X^\\top g` for w and :math:`\\sum_i g_i`
for b, where :math:`g = \\partial L / \\partial \\hat y` is what ``loss.derivative``
returns (it already carries the 1/n).
"""

import numbers

import numpy as np

from .validation import as_float_array, check_param


def _check_count(value, name, low):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def fit_linear(loss, X, y, lr=0.1, steps=500, record_every=10):
    """Fit ``w, b`` by full-batch gradient descent on ``loss``.

    Each step calls ``loss.value_and_grad`` once (the inputs are checked once and the
    loss and gradient share their work); a loss without it is called through
    ``compute`` and ``derivative``.

    Args:
        loss: any lossviz loss whose ``y_pred`` is a real score (regression losses,
            hinge, or a classifier with ``from_logits=True``).
        X: (n, d) features. y: (n,) targets in the loss's own convention.
        lr: step size (> 0). steps: number of updates (an integer >= 0).
        record_every: keep the loss every this many steps (an integer >= 1).

    Returns:
        ``(w, b, history)``, history a list of ``(step, loss)`` pairs.
    """
    if not hasattr(loss, "compute") or not hasattr(loss, "derivative"):
        raise ValueError(f"loss must be a loss object with compute and derivative (for plain "
                         f"functions use lossviz.classroom.as_loss), got {loss!r}")
    X = as_float_array(X, "X")
    if X.ndim == 1:
        X = X[:, None]
    lr = check_param(lr, "lr", low=0, low_open=True)
    steps = _check_count(steps, "steps", 0)
    record_every = _check_count(record_every, "record_every", 1)
    value_and_grad = getattr(loss, "value_and_grad",
                             lambda t, p: (loss.compute(t, p), loss.derivative(t, p)))
    w, b = np.zeros(X.shape[1]), 0.0
    history = []
    for step in range(steps + 1):
        scores = X @ w + b
        if step == steps:
            history.append((step, loss.compute(y, scores)))
            break
        value, g = value_and_grad(y, scores)
        if step % record_every == 0:
            history.append((step, value))
        w = w - lr * (X.T @ g)
        b = b - lr * float(np.sum(g))
    return w, b, history
