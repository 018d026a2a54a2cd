"""Curve data for figures: a loss and its derivative along one input axis."""

import numpy as np


def curve(loss, x, target=0.0):
    """Per-sample loss and derivative of ``loss`` at predictions ``x`` for a fixed target.

    With ``target=0`` a regression loss is traced against the error e = x; a binary
    loss with ``from_logits=True`` and ``target=1`` is traced against the logit.
    Returns ``(values, derivatives)``, each shaped like ``x``. Only losses with one
    term per sample (``per_sample``) have such a curve.
    """
    if not (hasattr(loss, "per_sample") and hasattr(loss, "per_sample_derivative")):
        raise ValueError(
            f"loss must have one term per sample (per_sample and per_sample_derivative); "
            f"{type(loss).__name__} has none: Dice and IoU are one ratio over the whole array, "
            f"so trace them with compute over a family of predictions instead"
        )
    x = np.asarray(x)
    y = np.full(x.shape, target, dtype=np.float32 if x.dtype == np.float32 else np.float64)
    return loss.per_sample(y, x), loss.per_sample_derivative(y, x)
