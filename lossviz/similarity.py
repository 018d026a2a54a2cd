"""Metric-learning losses: contrastive (pairs of points) and triplet (anchor, positive, negative)."""

import numpy as np

from .base import Loss, MeanLoss
from .validation import as_float_array, check_labels, check_ndim, check_param, check_same_shape


class ContrastiveLoss(MeanLoss):
    r"""Contrastive loss (Hadsell, Chopra and LeCun 2006), one term per pair.

    ``y_true`` is 1 for a similar pair and 0 for a dissimilar one; ``y_pred`` is the
    distance d >= 0 between the pair's embeddings.
    :math:`\ell = \tfrac12 \left(y d^2 + (1 - y) \max(0, m - d)^2\right)`, and
    :math:`\partial \ell / \partial d = y d - (1 - y) \max(0, m - d)`.
    Similar pairs are pulled together; dissimilar pairs are pushed apart until
    they are at least the margin m away, and then left alone.

    The label is flipped with respect to the paper: Hadsell et al. write Y = 0 for a
    similar pair and Y = 1 for a dissimilar one, so their Y is our 1 - y.

    Args:
        margin: m (> 0).
    """

    def __init__(self, margin=1.0):
        self.margin = check_param(margin, "margin", low=0, low_open=True)

    def _check(self, y_true, y_pred):
        t, d = super()._check(y_true, y_pred)
        check_labels(t, (0.0, 1.0), "y_true", " (1 similar, 0 dissimilar)")
        if np.any(d < 0):
            raise ValueError(f"y_pred must hold distances >= 0; found {float(d[d < 0].flat[0])!r}")
        return t, d

    def _terms(self, t, d):
        return 0.5 * (t * d**2 + (1.0 - t) * np.maximum(0.0, self.margin - d) ** 2)

    def _term_grads(self, t, d):
        return t * d - (1.0 - t) * np.maximum(0.0, self.margin - d)


class TripletLoss(Loss):
    r"""Triplet loss on Euclidean distances, unsquared (default) or squared (FaceNet).

    For rows a (anchor), p (positive, same identity) and n (negative), averaged over
    the rows:

    * ``squared=False`` (default): :math:`\ell = \max(0, \|a - p\| - \|a - n\| + m)`,
      what PyTorch's ``TripletMarginLoss`` computes. Where the term is active, with unit
      vectors :math:`u = (a - p)/\|a - p\|` and :math:`v = (a - n)/\|a - n\|`, the
      gradients are :math:`u - v` for a, :math:`-u` for p and :math:`v` for n: the
      same strength whatever the distances. At a zero distance the norm has a kink; we
      use the subgradient 0 there.
    * ``squared=True``: FaceNet's loss (Schroff et al. 2015, eq. 1),
      :math:`\ell = \max(0, \|a - p\|^2 - \|a - n\|^2 + m)`, with squared distances.
      Where active, the gradients are :math:`2(n - p)` for a, :math:`-2(a - p)` for p
      and :math:`2(a - n)` for n: they grow with the distances. FaceNet applies it to
      embeddings normalised to unit length, with margin 0.2; this class does not
      normalise, so normalise the rows yourself and pass ``margin=0.2`` to reproduce it.

    Each gradient is divided by the number of rows. ``compute(anchor, positive,
    negative)`` takes three (n, k) arrays; ``derivative`` returns the three gradients
    as a tuple.

    Args:
        margin: m (> 0).
        squared: use squared distances (FaceNet) instead of distances.
    """

    def __init__(self, margin=1.0, squared=False):
        self.margin = check_param(margin, "margin", low=0, low_open=True)
        if not isinstance(squared, (bool, np.bool_)):
            raise ValueError(f"squared must be True or False, got {squared!r}")
        self.squared = bool(squared)

    def _check(self, anchor, positive, negative):
        a = as_float_array(anchor, "anchor")
        p = as_float_array(positive, "positive")
        n = as_float_array(negative, "negative")
        check_ndim(a, 2, "anchor", " (n triplets, k embedding dimensions)")
        check_same_shape(a, p, ("anchor", "positive"))
        check_same_shape(a, n, ("anchor", "negative"))
        return a, p, n

    def _distances(self, a, p, n):
        """Anchor-positive and anchor-negative distances (squared if ``squared``)."""
        d_ap = np.sum((a - p) ** 2, axis=1)
        d_an = np.sum((a - n) ** 2, axis=1)
        if self.squared:
            return d_ap, d_an
        return np.sqrt(d_ap), np.sqrt(d_an)

    def per_sample(self, anchor, positive, negative):
        """The loss of each triplet, before averaging."""
        a, p, n = self._check(anchor, positive, negative)
        d_ap, d_an = self._distances(a, p, n)
        return np.maximum(0.0, d_ap - d_an + self.margin)

    def compute(self, anchor, positive, negative):
        """The mean loss over triplets, as a float."""
        return float(np.mean(self.per_sample(anchor, positive, negative)))

    def derivative(self, anchor, positive, negative):
        """Gradients of ``compute`` with respect to anchor, positive and negative."""
        a, p, n = self._check(anchor, positive, negative)
        d_ap, d_an = self._distances(a, p, n)
        active = (d_ap - d_an + self.margin > 0)[:, None] / a.shape[0]
        if self.squared:
            g_p, g_n = -2.0 * (a - p), 2.0 * (a - n)
        else:
            g_p, g_n = -_unit_rows(a - p), _unit_rows(a - n)
        return -active * (g_p + g_n), active * g_p, active * g_n


def _unit_rows(x):
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)
