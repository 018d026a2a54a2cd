"""Overlap losses for segmentation: Dice and IoU (Jaccard).

Both are one ratio over the whole array, not a mean of per-pixel terms, so the
gradient has no 1/n: each pixel's gradient depends on the sums over all pixels.
"""

import numpy as np

from .base import Loss
from .numerics import clip_probabilities
from .validation import (
    as_float_array,
    check_flag,
    check_in_unit_interval,
    check_labels,
    check_ndim,
    check_param,
)


class _OverlapLoss(Loss):
    def __init__(self, smooth=1e-6):
        self.smooth = check_param(smooth, "smooth", low=0)

    def _check(self, y_true, y_pred):
        t, p = super()._check(y_true, y_pred, finite=False)  # the range checks reject NaN and inf
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
    r"""Dice loss, over the whole array, in one of two forms.

    With :math:`I = \sum_j y_j p_j` and smoothing s, the loss is
    :math:`L = 1 - \frac{2I + s}{U + s}`, where the denominator U is:

    * ``squared_denominator=False`` (default), the common *soft Dice*:
      :math:`U = \sum_j y_j + \sum_j p_j`, the one-class case of the generalised
      Dice of Sudre et al. (2017). Its gradient
      :math:`\partial L / \partial p_j = -\frac{2 y_j (U + s) - (2I + s)}{(U + s)^2}`
      does not depend on :math:`p_j` itself: every background pixel
      (:math:`y_j = 0`) gets the same positive gradient, whatever its prediction.
    * ``squared_denominator=True``, V-Net's Dice (Milletari et al. 2016, eq. 1):
      :math:`U = \sum_j p_j^2 + \sum_j y_j^2`, with the gradient
      :math:`\partial L / \partial p_j = -\frac{2 y_j (U + s) - 2 p_j (2I + s)}{(U + s)^2}`,
      which grows with :math:`p_j`: a confident false positive is pushed down harder
      than a hesitant one.

    V-Net's formula has no smoothing constant; ``smooth`` applies to both forms here
    (so an empty prediction of an empty mask scores 0 instead of 0/0). Pass
    ``smooth=0`` for the paper's exact formula; the default 1e-6 changes the loss by
    at most about 1e-6 / (U + s).

    Args:
        smooth: s, added to numerator and denominator (>= 0).
        squared_denominator: use V-Net's :math:`\sum p^2 + \sum y^2` instead of
            :math:`\sum p + \sum y`.
    """

    def __init__(self, smooth=1e-6, squared_denominator=False):
        super().__init__(smooth=smooth)
        self.squared_denominator = check_flag(squared_denominator, "squared_denominator")

    def _sums(self, t, p):
        """Return the smoothed numerator 2I + s and denominator U + s, as floats."""
        s = self.smooth
        t1, p1 = t.ravel(), p.ravel()  # views: np.dot sums products without a temporary
        if self.squared_denominator:
            den = float(np.dot(p1, p1)) + float(np.dot(t1, t1)) + s
        else:
            den = float(np.sum(t1)) + float(np.sum(p1)) + s
        return 2.0 * float(np.dot(t1, p1)) + s, den

    def _unit(self, t, p):
        """1, or for V-Net's form with s = 0 and values so small that their squares
        vanish (all below about 1e-154), the largest value: dividing y and p by it
        leaves that Dice ratio unchanged and its squares representable."""
        if not self.squared_denominator or self.smooth > 0:
            return 1.0
        top = max(float(np.max(np.abs(t))), float(np.max(np.abs(p))))
        return top if top < 1e-150 else 1.0

    def _parts(self, t, p):
        """num, den and the unit they are measured in (see ``_unit``)."""
        unit = self._unit(t, p)
        if unit != 1.0:
            return (*self._sums(t / unit, p / unit), unit)
        return (*self._sums(t, p), 1.0)

    def _gradient(self, t, p, num, den, unit=1.0):
        # dL/dp_j = -(2 y_j den - num d(den)/dp_j) / den^2, where d(den)/dp_j is 1 for
        # the soft Dice and 2 p_j for V-Net's; with r = num / den (never den**2, which
        # underflows) that is (r d(den)/dp_j - 2 y_j) / den
        r = num / den
        if self.squared_denominator:
            if unit != 1.0:
                t, p = t / unit, p / unit
            g = p * (2.0 * r)
            g -= 2.0 * t
            g /= den * unit
        else:
            g = t * -2.0
            g += r
            g /= den
        return g

    def compute(self, y_true, y_pred):
        t, p = self._check(y_true, y_pred)
        num, den, _ = self._parts(t, p)
        return 1.0 - num / den

    def derivative(self, y_true, y_pred):
        t, p = self._check(y_true, y_pred)
        return self._gradient(t, p, *self._parts(t, p))

    def value_and_grad(self, y_true, y_pred):
        """``(compute(...), derivative(...))``, checking once and summing once."""
        t, p = self._check(y_true, y_pred)
        num, den, unit = self._parts(t, p)
        return 1.0 - num / den, self._gradient(t, p, num, den, unit)


class IoULoss(_OverlapLoss):
    r"""IoU (Jaccard) loss (Rahman and Wang 2016), over the whole array.

    With :math:`I = \sum_j y_j p_j` and the soft union
    :math:`V = \sum_j y_j + \sum_j p_j - I`:
    :math:`L = 1 - \frac{I + s}{V + s}`, and
    :math:`\partial L / \partial p_j = -\frac{y_j (V + s) - (I + s)(1 - y_j)}{(V + s)^2}`.

    Args:
        smooth: s, added to numerator and denominator (>= 0).
    """

    def _sums(self, t, p):
        """Return the smoothed numerator I + s and denominator V + s, as floats."""
        t1, p1 = t.ravel(), p.ravel()
        inter = float(np.dot(t1, p1))
        return inter + self.smooth, float(np.sum(t1)) + float(np.sum(p1)) - inter + self.smooth

    def _gradient(self, t, p, num, den):
        # dL/dp_j = -(y_j den - num (1 - y_j)) / den^2 = (r (1 - y_j) - y_j) / den with
        # r = num / den (never den**2, which underflows)
        r = num / den
        g = t * -(1.0 + r)
        g += r
        g /= den
        return g

    def compute(self, y_true, y_pred):
        t, p = self._check(y_true, y_pred)
        num, den = self._sums(t, p)
        return 1.0 - num / den

    def derivative(self, y_true, y_pred):
        t, p = self._check(y_true, y_pred)
        return self._gradient(t, p, *self._sums(t, p))

    def value_and_grad(self, y_true, y_pred):
        """``(compute(...), derivative(...))``, checking once and summing once."""
        t, p = self._check(y_true, y_pred)
        num, den = self._sums(t, p)
        return 1.0 - num / den, self._gradient(t, p, num, den)


class BoundaryWeightedLoss(Loss):
    r"""Boundary-weighted binary cross-entropy plus Dice, for one 2-D segmentation mask.

    The pixel weights follow the idea of U-Net's weight map (Ronneberger et al. 2015);
    the Dice term is the soft Dice of :class:`DiceLoss`. ``y_true`` is a binary (H, W) mask and
    ``y_pred`` probabilities of the same shape (not logits), clipped to
    [``PROB_MIN``, ``PROB_MAX``] before the logs as in ``BinaryCrossEntropy``.

    Each pixel j gets the weight :math:`w_j = 1 + \beta B_j`, where :math:`\beta` is
    ``boundary_weight`` and :math:`B_j = 1` if pixel j of ``y_true`` has a 4-neighbour
    (up, down, left, right) with the other label, else 0. So both sides of every object
    edge count :math:`1 + \beta` times, and the image border is not an edge. With the
    full cross-entropy :math:`\ell_j = -[y_j \log p_j + (1 - y_j) \log(1 - p_j)]`:

    .. math::
        L = \frac{\sum_j w_j \ell_j}{\sum_j w_j}
            + \lambda \, L_{\text{Dice}}(y, p)

    with :math:`\lambda` = ``dice_weight`` and :math:`L_{\text{Dice}}` the
    :class:`DiceLoss`. Every term is >= 0, and :math:`p = y` gives the minimum 0 (up to
    the clipping of p to [``PROB_MIN``, ``PROB_MAX``]). The weights depend only on
    ``y_true``, so the gradient is

    .. math::
        \frac{\partial L}{\partial p_j} = \frac{w_j}{\sum_k w_k}
            \left(\frac{1 - y_j}{1 - p_j} - \frac{y_j}{p_j}\right)
            + \lambda \frac{\partial L_{\text{Dice}}}{\partial p_j}.

    Dividing by :math:`\sum_k w_k` (a weighted mean) keeps the cross-entropy on the
    scale of plain BCE whatever :math:`\beta` is; :math:`\beta = \lambda = 0` is
    :class:`~lossviz.classification.BinaryCrossEntropy`.

    Args:
        boundary_weight: :math:`\beta` (>= 0), the extra weight of edge pixels.
        dice_weight: :math:`\lambda` (>= 0), the weight of the Dice term; 0 drops it.
        smooth: the Dice smoothing s (>= 0), as in :class:`DiceLoss`.
    """

    def __init__(self, boundary_weight=4.0, dice_weight=1.0, smooth=1e-6):
        self.boundary_weight = check_param(boundary_weight, "boundary_weight", low=0)
        self.dice_weight = check_param(dice_weight, "dice_weight", low=0)
        self.smooth = check_param(smooth, "smooth", low=0)

    def _check(self, y_true, y_pred):
        t, p = super()._check(y_true, y_pred)
        check_ndim(t, 2, "y_true", " (one mask of height x width)")
        check_labels(t, (0.0, 1.0), "y_true", " (a binary mask)")
        check_in_unit_interval(p, "y_pred")
        return t, p

    def boundary(self, y_true):
        """B: 1.0 where a pixel of the 2-D mask has a 4-neighbour with the other label, else 0.0."""
        t = as_float_array(y_true, "y_true")
        check_ndim(t, 2, "y_true", " (one mask of height x width)")
        # Edge padding copies each border pixel outward, so the image border is no edge.
        padded = np.pad(t, 1, mode="edge")
        centre = padded[1:-1, 1:-1]
        differs = ((padded[:-2, 1:-1] != centre) | (padded[2:, 1:-1] != centre)
                   | (padded[1:-1, :-2] != centre) | (padded[1:-1, 2:] != centre))
        return differs.astype(t.dtype)

    def weight_map(self, y_true):
        """The pixel weights w = 1 + boundary_weight * B(y_true)."""
        return 1.0 + self.boundary_weight * self.boundary(y_true)

    def _dice(self):
        return DiceLoss(smooth=self.smooth)

    def _weighted_bce(self, t, p):
        """The weighted-mean cross-entropy and its gradient, sharing w and the clipped p."""
        w = self.weight_map(t)
        total = np.sum(w)
        q = clip_probabilities(p)
        bce = -(t * np.log(q) + (1.0 - t) * np.log1p(-q))
        loss = float(np.sum(w * bce) / total)
        # normalise w first: w_j * (1 / PROB_MIN) alone overflows once w_j > 4
        return loss, (w / total) * (-t / q + (1.0 - t) / (1.0 - q))

    def compute(self, y_true, y_pred):
        """The loss L, as a float."""
        return self.value_and_grad(y_true, y_pred)[0]

    def derivative(self, y_true, y_pred):
        """The gradient of ``compute`` with respect to ``y_pred``, shaped like the mask."""
        return self.value_and_grad(y_true, y_pred)[1]

    def value_and_grad(self, y_true, y_pred):
        """``(compute(...), derivative(...))`` in one pass."""
        t, p = self._check(y_true, y_pred)
        loss, grad = self._weighted_bce(t, p)
        if self.dice_weight > 0:
            dice_loss, dice_grad = self._dice().value_and_grad(t, p)
            loss += self.dice_weight * dice_loss
            grad += self.dice_weight * dice_grad
        return loss, grad
