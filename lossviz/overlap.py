"""Overlap losses for segmentation: Dice and IoU (Jaccard).

Both are one ratio over the whole array, not a mean of per-pixel terms, so the
gradient has no 1/n: each pixel's gradient depends on the sums over all pixels.
"""

import numpy as np

from .base import Loss
from .validation import check_in_unit_interval, check_param


class _OverlapLoss(Loss):
    def __init__(self, smooth=1e-6):
        self.smooth = check_param(smooth, "smooth", low=0)

    def _check(self, y_true, y_pred):
        t, p = super()._check(y_true, y_pred)
        check_in_unit_interval(t, "y_true", what="mask values")
        check_in_unit_interval(p, "y_pred")
        if self.smooth == 0 and not (t.any() or p.any()):
            raise ValueError(
                "y_true and y_pred are both all zero and smooth=0, so the overlap is 0/0; "
                "pass smooth > 0 (the default 1e-6 scores an empty prediction of an "
                "empty mask as perfect)"
            )
        return t, p


class DiceLoss(_OverlapLoss):
    r"""Dice loss (Milletari et al. 2016), over the whole array.

    With :math:`I = \sum_j y_j p_j`, :math:`U = \sum_j y_j + \sum_j p_j` and smoothing s:
    :math:`L = 1 - \frac{2I + s}{U + s}`, and
    :math:`\partial L / \partial p_j = -\frac{2 y_j (U + s) - (2I + s)}{(U + s)^2}`.

    Args:
        smooth: s, added to numerator and denominator (>= 0). It makes an all-empty
            prediction of an empty mask score 0 instead of 0/0.
    """

    def compute(self, y_true, y_pred):
        t, p = self._check(y_true, y_pred)
        s = self.smooth
        return float(1.0 - (2.0 * np.sum(t * p) + s) / (t.sum() + p.sum() + s))

    def derivative(self, y_true, y_pred):
        t, p = self._check(y_true, y_pred)
        s = self.smooth
        num = 2.0 * np.sum(t * p) + s
        den = t.sum() + p.sum() + s
        return -(2.0 * t * den - num) / den**2


class IoULoss(_OverlapLoss):
    r"""IoU (Jaccard) loss (Rahman and Wang 2016), over the whole array.

    With :math:`I = \sum_j y_j p_j` and the soft union
    :math:`V = \sum_j y_j + \sum_j p_j - I`:
    :math:`L = 1 - \frac{I + s}{V + s}`, and
    :math:`\partial L / \partial p_j = -\frac{y_j (V + s) - (I + s)(1 - y_j)}{(V + s)^2}`.

    Args:
        smooth: s, added to numerator and denominator (>= 0).
    """

    def compute(self, y_true, y_pred):
        t, p = self._check(y_true, y_pred)
        s = self.smooth
        inter = np.sum(t * p)
        return float(1.0 - (inter + s) / (t.sum() + p.sum() - inter + s))

    def derivative(self, y_true, y_pred):
        t, p = self._check(y_true, y_pred)
        s = self.smooth
        inter = np.sum(t * p)
        num = inter + s
        den = t.sum() + p.sum() - inter + s
        return -(t * den - num * (1.0 - t)) / den**2
