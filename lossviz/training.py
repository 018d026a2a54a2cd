"""Train a linear model with any loss's ``derivative``: the experiments' workhorse.

The model is :math:`\\hat y = X w + b` (a score or logit for classifiers). By the chain
rule the gradient of the mean loss is :math:`X^\\top g` for w and :math:`\\sum_i g_i`
for b, where :math:`g = \\partial L / \\partial \\hat y` is what ``loss.derivative``
returns (it already carries the 1/n).
"""

import numpy as np

from .validation import as_float_array, check_param


def fit_linear(loss, X, y, lr=0.1, steps=500, record_every=10):
    """Fit ``w, b`` by full-batch gradient descent on ``loss``.

    Args:
        loss: any lossviz loss whose ``y_pred`` is a real score (regression losses,
            hinge, or a classifier with ``from_logits=True``).
        X: (n, d) features. y: (n,) targets in the loss's own convention.
        lr: step size (> 0). steps: number of updates.
        record_every: keep the loss every this many steps.

    Returns:
        ``(w, b, history)``, history a list of ``(step, loss)`` pairs.
    """
    X = as_float_array(X, "X")
    if X.ndim == 1:
        X = X[:, None]
    lr = check_param(lr, "lr", low=0, low_open=True)
    w, b = np.zeros(X.shape[1]), 0.0
    history = []
    for step in range(steps + 1):
        scores = X @ w + b
        if step % record_every == 0 or step == steps:
            history.append((step, loss.compute(y, scores)))
        if step == steps:
            break
        g = loss.derivative(y, scores)
        w = w - lr * (X.T @ g)
        b = b - lr * float(np.sum(g))
    return w, b, history
