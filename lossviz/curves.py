"""Curve data for figures: a loss and its derivative along one input axis."""

import numpy as np


def curve(loss, x, target=0.0):
    """Per-sample loss and derivative of ``loss`` at predictions ``x`` for a fixed target.

    With ``target=0`` a regression loss is traced against the error e = x; a binary
    loss with ``from_logits=True`` and ``target=1`` is traced against the logit.
    Returns ``(values, derivatives)``, each shaped like ``x``.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.full_like(x, target)
    return loss.per_sample(y, x), loss.per_sample_derivative(y, x)
