"""Metric-learning losses: contrastive (pairs of points) and triplet (anchor, positive, negative)."""

import numpy as np

from .base import Loss, MeanLoss, mean
from .validation import (
    as_same_float,
    check_finite,
    check_flag,
    check_labels,
    check_ndim,
    check_param,
    check_same_shape,
)


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
        t, d = super()._check(y_true, y_pred, finite=False)
        check_labels(t, (0.0, 1.0), "y_true", " (1 similar, 0 dissimilar)")
        check_finite(d, "y_pred")
        if d.min() < 0:
            raise ValueError(f"y_pred must hold distances >= 0; found {float(d[d < 0].flat[0])!r}")
        return t, d

    def _terms(self, t, d):
        # t * d * d, not t * d**2: for a dissimilar pair (t = 0) at a huge distance
        # d**2 overflows and 0 * inf would be NaN
        return 0.5 * (t * d * d + (1.0 - t) * np.maximum(0.0, self.margin - d) ** 2)

    def _term_grads(self, t, d):
        return t * d - (1.0 - t) * np.maximum(0.0, self.margin - d)

    def _terms_and_grads(self, t, d):
        pull = t * d  # similar pairs
        push = np.maximum(self.margin - d, 0.0)
        push *= 1.0 - t  # dissimilar pairs closer than the margin
        terms = pull * d
        terms += push * push
        terms *= 0.5
        pull -= push
        return terms, pull


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
        self.squared = check_flag(squared, "squared")

    def _check(self, anchor, positive, negative):
        a, p, n = as_same_float((anchor, positive, negative), ("anchor", "positive", "negative"))
        check_ndim(a, 2, "anchor", " (n triplets, k embedding dimensions)")
        check_same_shape(a, p, ("anchor", "positive"))
        check_same_shape(a, n, ("anchor", "negative"))
        return a, p, n

    def _parts(self, a, p, n):
        """The pieces loss and gradients share: a - p, a - n, their row norms (None when
        squared) and each row's gap, distance to the positive minus to the negative."""
        to_p, to_n = a - p, a - n
        if self.squared:
            with np.errstate(over="ignore", invalid="ignore"):  # repaired below
                sq_p = np.einsum("ij,ij->i", to_p, to_p)
                sq_n = np.einsum("ij,ij->i", to_n, to_n)
                gap = sq_p - sq_n
            if not np.all(np.isfinite(gap)):  # a squared norm overflowed: factor the difference
                bad = ~np.isfinite(gap)
                r_p, r_n = _row_norms(to_p[bad]), _row_norms(to_n[bad])
                # +-inf only where the true gap is beyond the float range too: the
                # loss is then inf or 0, as it truly is
                with np.errstate(over="ignore"):
                    gap[bad] = (r_p - r_n) * (r_p + r_n)
            return to_p, to_n, None, gap
        norms = (_row_norms(to_p), _row_norms(to_n))
        return to_p, to_n, norms, norms[0] - norms[1]

    def _gradients(self, to_p, to_n, norms, gap):
        """Gradients for anchor, positive and negative; overwrites to_p and to_n."""
        scale = (gap + self.margin > 0).astype(to_p.dtype)
        scale /= to_p.shape[0]
        if self.squared:
            w_p = w_n = 2.0 * scale
        else:  # unit vectors; the subgradient 0 at a zero distance
            w_p = np.divide(scale, norms[0], out=np.zeros_like(scale), where=norms[0] > 0)
            w_n = np.divide(scale, norms[1], out=np.zeros_like(scale), where=norms[1] > 0)
        to_p *= -w_p[:, None]
        to_n *= w_n[:, None]
        g_a = np.add(to_p, to_n)
        return np.negative(g_a, out=g_a), to_p, to_n

    def per_sample(self, anchor, positive, negative):
        """The loss of each triplet, before averaging."""
        gap = self._parts(*self._check(anchor, positive, negative))[3]
        return np.maximum(gap + self.margin, 0.0)

    def compute(self, anchor, positive, negative):
        """The mean loss over triplets, as a float."""
        return mean(self.per_sample(anchor, positive, negative))

    def derivative(self, anchor, positive, negative):
        """Gradients of ``compute`` with respect to anchor, positive and negative."""
        return self._gradients(*self._parts(*self._check(anchor, positive, negative)))

    def value_and_grad(self, anchor, positive, negative):
        """``(compute(...), derivative(...))``, checking once and sharing the distances."""
        to_p, to_n, norms, gap = self._parts(*self._check(anchor, positive, negative))
        loss = mean(np.maximum(gap + self.margin, 0.0))
        return loss, self._gradients(to_p, to_n, norms, gap)


def _row_norms(x):
    """The Euclidean norm of each row, without overflow or underflow.

    ``sqrt(sum(x**2))`` is inf once an entry passes about 1e154 and loses everything
    below about 1e-154 (the squares underflow to 0). Only such rows are recomputed,
    divided by their largest entry first.
    """
    with np.errstate(over="ignore"):  # such rows are recomputed below
        sq = np.einsum("ij,ij->i", x, x)
    info = np.finfo(x.dtype)
    risky = ~(sq < np.inf) | (sq < info.tiny / info.eps)
    if np.any(risky):
        rows = x[risky]
        top = np.max(np.abs(rows), axis=1, keepdims=True)
        top[top == 0] = 1.0
        scaled = rows / top
        sq[risky] = 0.0
        norms = np.sqrt(sq)
        norms[risky] = top[:, 0] * np.sqrt(np.einsum("ij,ij->i", scaled, scaled))
        return norms
    return np.sqrt(sq)
