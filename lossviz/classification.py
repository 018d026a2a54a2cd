"""Classification losses: cross-entropies, hinge and focal.

Losses that take probabilities can also take logits (``from_logits=True``). Prefer
logits whenever the model produces them: the log-sigmoid and log-softmax forms used
then are exact for any finite logit, while probabilities must be clipped to
[``PROB_MIN``, ``PROB_MAX``] before a log, which caps -log p at about 708.4 and
-log(1 - p) at about 36.7 (in float32: 87.3 and 16.6, see ``prob_limits``).
"""

import numpy as np

from .base import MeanLoss
from .numerics import (
    clip_probabilities,
    log_one_minus,
    log_sum_exp,
    softmax_rows,
)
from .validation import (
    LOGITS_HINT,
    as_float_array,
    check_class_indices,
    check_finite,
    check_from_logits,
    check_in_unit_interval,
    check_labels,
    check_ndim,
    check_param,
    check_rows_sum_to_one,
)

_clip = clip_probabilities


class BinaryCrossEntropy(MeanLoss):
    r"""Binary cross-entropy: :math:`\ell = -[y \log p + (1 - y) \log(1 - p)]`.

    Gradient with respect to the probability: :math:`(p - y) / (p (1 - p))`, divided
    by n. From a logit z, with :math:`p = \sigma(z)`, the loss is
    :math:`\log(1 + e^{z}) - y z` and the gradient is simply :math:`\sigma(z) - y`.
    We evaluate the loss as :math:`(\max(z, 0) - y z) + \log(1 + e^{-|z|})` and the
    gradient as :math:`1 - y - \sigma(-z)` for :math:`z \ge 0`: neither subtracts two
    nearly equal numbers, so both keep full relative precision at any logit (y = 1,
    z = 40 gives 4.25e-18, not 0).

    Args:
        from_logits: ``y_pred`` holds logits instead of probabilities.
    """

    def __init__(self, from_logits=False):
        self.from_logits = check_from_logits(from_logits)

    def _check(self, y_true, y_pred):
        # the target and range checks reject NaN and inf too
        t, p = super()._check(y_true, y_pred, finite=False)
        self._check_targets(t)
        if self.from_logits:
            check_finite(p, "y_pred")
        else:
            check_in_unit_interval(p, "y_pred", hint=LOGITS_HINT)
        return t, p

    def _check_targets(self, t):
        check_in_unit_interval(t, "y_true", what="targets")

    def _terms(self, t, p):
        return self._bce(t, p)[0]

    def _term_grads(self, t, p):
        return self._bce(t, p)[1]

    def _terms_and_grads(self, t, p):
        return self._bce(t, p)

    def _bce(self, t, p):
        if self.from_logits:
            return _bce_from_logits(t, p)
        q = _clip(p)
        # -(t log q + (1 - t) log(1 - q)) = -(log(1 - q) + t (log q - log(1 - q))), in
        # place: few arrays, each new one costs more than an add
        log_q = np.log(q)
        log_1mq = log_one_minus(q)
        log_q -= log_1mq
        log_q *= t
        log_q += log_1mq
        terms = np.negative(log_q, out=log_q)
        # -t/q + (1 - t)/(1 - q) = (q - t) / (q (1 - q)); 1 - q is exact for q >= 1/2
        denominator = np.subtract(1.0, q, out=log_1mq)
        denominator *= q
        grads = np.subtract(q, t, out=q)
        grads /= denominator
        return terms, grads


def _bce_from_logits(y, z):
    """Per-sample BCE from logits and its derivative, both exact in the tails."""
    ez = np.exp(-np.abs(z))
    terms = np.maximum(z, 0.0)
    terms -= y * z  # first, so that y = 1, z = 40 gives 0 + log1p(e^-40), not 40 - 40
    terms += np.log1p(ez)
    # sigma(-|z|) = e^-|z| / (1 + e^-|z|); sigma(z) - y = sigma(-|z|) - y for z < 0
    # and 1 - y - sigma(-|z|) for z >= 0
    small = ez / (1.0 + ez)
    grads = np.where(z >= 0, (1.0 - y) - small, small - y)
    return terms, grads


class WeightedCrossEntropy(BinaryCrossEntropy):
    r"""Binary cross-entropy with one weight per class: :math:`\ell = w_y \cdot \text{BCE}`.

    From probabilities, a weight above 4 times the gradient at a probability clipped
    to ``PROB_MIN`` (about -4.5e307) passes the largest float; such entries are capped
    at -1.8e308 (or +1.8e308), finite like the loss, which is capped at
    :math:`w_y \cdot 708.4`.

    Args:
        class_weights: ``(w0, w1)``, the weights of negatives and positives (>= 0).
            A common choice for rare positives is ``w1 / w0 = n_negative / n_positive``.
        from_logits: ``y_pred`` holds logits instead of probabilities.
    """

    def __init__(self, class_weights=(1.0, 1.0), from_logits=False):
        super().__init__(from_logits=from_logits)
        if np.ndim(class_weights) != 1 or len(class_weights) != 2:
            raise ValueError(f"class_weights must be a pair (w0, w1), got {class_weights!r}")
        w0 = check_param(class_weights[0], "class_weights[0]", low=0)
        w1 = check_param(class_weights[1], "class_weights[1]", low=0)
        self.class_weights = (w0, w1)

    def _check_targets(self, t):
        check_labels(t, (0.0, 1.0), "y_true")

    def _weights(self, t):
        # w0 + y (w1 - w0) for labels 0/1 (to a rounding): arithmetic, since a mask
        # over random labels (np.where) costs several times more
        w0, w1 = self.class_weights
        w = np.multiply(t, w1 - w0)
        w += w0
        return w

    def _terms(self, t, p):
        return self._weighted(t, p)[0]

    def _term_grads(self, t, p):
        return self._weighted(t, p)[1]

    def _terms_and_grads(self, t, p):
        return self._weighted(t, p)

    def _weighted(self, t, p):
        terms, grads = self._bce(t, p)
        w = self._weights(t)
        terms *= w
        with np.errstate(over="ignore"):
            grads *= w
        if not self.from_logits and not np.isfinite(np.sum(grads)):
            big = np.finfo(grads.dtype).max
            np.clip(grads, -big, big, out=grads)
        return terms, grads


class CategoricalCrossEntropy(MeanLoss):
    r"""Categorical cross-entropy over rows: :math:`\ell_i = -\sum_c y_{ic} \log p_{ic}`.

    ``y_true`` is one-hot or soft, ``y_pred`` has the same (n, C) shape, and each row
    of both must be a distribution (entries in [0, 1] summing to 1, within 1e-4;
    logits are not checked). Gradient: :math:`-y_{ic} / (n p_{ic})` for probabilities;
    from logits, :math:`\ell_i = \operatorname{logsumexp}(z_i) \sum_c y_{ic} - \sum_c y_{ic} z_{ic}`
    and the gradient is :math:`(p_{ic} \sum_c y_{ic} - y_{ic}) / n`, that is
    :math:`(p_{ic} - y_{ic}) / n` for one-hot rows (the sums of y are kept so that the
    gradient is exact for rows that sum to 1 only within the tolerance).

    Args:
        from_logits: ``y_pred`` holds logits instead of probabilities.
    """

    rowwise = True

    def __init__(self, from_logits=False):
        self.from_logits = check_from_logits(from_logits)

    def _check(self, y_true, y_pred):
        # the range checks reject NaN and inf too
        t, p = super()._check(y_true, y_pred, finite=False)
        check_ndim(p, 2, "y_pred", " (n samples, C classes); for one sample use [row]")
        check_in_unit_interval(t, "y_true", what="class probabilities (one-hot or soft)")
        hint = ("; y_pred has one column: for class indices use SparseCategoricalCrossEntropy, "
                "for two classes BinaryCrossEntropy" if p.shape[1] == 1 else
                "; for integer class labels use SparseCategoricalCrossEntropy")
        check_rows_sum_to_one(t, "y_true", "class probabilities (one-hot or soft)", hint)
        if self.from_logits:
            check_finite(p, "y_pred")
        else:
            check_in_unit_interval(p, "y_pred", hint=LOGITS_HINT)
            check_rows_sum_to_one(p, "y_pred", "probabilities over the classes", LOGITS_HINT)
        return t, p

    def _terms(self, t, p):
        if self.from_logits:
            return log_sum_exp(p) * t.sum(axis=1) - np.sum(t * p, axis=1)
        return -np.sum(t * np.log(_clip(p)), axis=1)

    def _term_grads(self, t, p):
        if self.from_logits:
            # softmax_rows, as in value_and_grad: exp(z - max) / sum keeps full
            # precision at large logits, where exp(z - logsumexp) loses some
            grads = softmax_rows(p)[1]
            grads *= np.einsum("ij->i", t)[:, None]
            grads -= t
            return grads
        return -t / _clip(p)

    def _terms_and_grads(self, t, p):
        if self.from_logits:
            lse, grads = softmax_rows(p)
            mass = np.einsum("ij->i", t)[:, None]  # each row's total target mass
            terms = (lse * mass)[:, 0] - np.einsum("ij,ij->i", t, p)
            grads *= mass
            grads -= t
            return terms, grads
        q = _clip(p)
        terms = -np.einsum("ij,ij->i", t, np.log(q))
        np.divide(t, q, out=q)
        np.negative(q, out=q)
        return terms, q


class SparseCategoricalCrossEntropy(MeanLoss):
    r"""Categorical cross-entropy with integer labels: :math:`\ell_i = -\log p_{i, y_i}`.

    ``y_true`` has shape (n,) with class indices in [0, C); ``y_pred`` has shape (n, C).
    Gradient: :math:`-1/(n p_{i,y_i})` at the true class and 0 elsewhere; from logits,
    :math:`(\operatorname{softmax}(z_i) - \text{onehot}(y_i)) / n`.

    Args:
        from_logits: ``y_pred`` holds logits instead of probabilities.
    """

    rowwise = True

    def __init__(self, from_logits=False):
        self.from_logits = check_from_logits(from_logits)

    def _check(self, y_true, y_pred):
        t = as_float_array(y_true, "y_true")
        # from probabilities, the range check rejects NaN and inf too
        p = as_float_array(y_pred, "y_pred", finite=self.from_logits)
        check_ndim(t, 1, "y_true", " (one class index per sample)")
        check_ndim(p, 2, "y_pred", " (n samples, C classes)")
        if t.shape[0] != p.shape[0]:
            raise ValueError(
                f"y_true has {t.shape[0]} labels but y_pred has {p.shape[0]} rows; "
                f"they must match"
            )
        if not self.from_logits:
            check_in_unit_interval(p, "y_pred", hint=LOGITS_HINT)
            check_rows_sum_to_one(p, "y_pred", "probabilities over the classes", LOGITS_HINT)
        return check_class_indices(t, p.shape[1]), p

    def _terms(self, t, p):
        rows = np.arange(p.shape[0])
        if self.from_logits:
            return log_sum_exp(p) - p[rows, t]
        return -np.log(_clip(p[rows, t]))

    def _term_grads(self, t, p):
        rows = np.arange(p.shape[0])
        if self.from_logits:
            g = softmax_rows(p)[1]  # as in value_and_grad, see CategoricalCrossEntropy
            g[rows, t] -= 1.0
            return g
        g = np.zeros_like(p)
        g[rows, t] = -1.0 / _clip(p[rows, t])
        return g

    def _terms_and_grads(self, t, p):
        rows = np.arange(p.shape[0])
        if self.from_logits:
            lse, g = softmax_rows(p)
            g[rows, t] -= 1.0
            return lse[:, 0] - p[rows, t], g
        q = _clip(p[rows, t])
        g = np.zeros_like(p)
        g[rows, t] = -1.0 / q
        return -np.log(q), g


class HingeLoss(MeanLoss):
    r"""Hinge loss (Cortes and Vapnik 1995): :math:`\ell = \max(0, 1 - y s)`, y in {-1, +1}.

    Subgradient with respect to the score s: :math:`-y` where the margin
    :math:`y s < 1`, else 0 (we take 0 at the kink :math:`y s = 1`).
    """

    def _check(self, y_true, y_pred):
        t, p = super()._check(y_true, y_pred, finite=False)
        check_labels(t, (-1.0, 1.0), "y_true", "; for 0/1 labels pass 2*y - 1")
        check_finite(p, "y_pred")
        return t, p

    def _terms(self, t, p):
        return np.maximum(0.0, 1.0 - t * p)

    def _term_grads(self, t, p):
        return np.where(t * p < 1.0, -t, 0.0)

    def _terms_and_grads(self, t, p):
        margin = t * p
        # -y where the margin is below 1: a product with the mask, not np.where, which
        # costs several times more over random labels
        grads = np.multiply(t, margin < 1.0, dtype=p.dtype)
        np.negative(grads, out=grads)
        np.subtract(1.0, margin, out=margin)
        return np.maximum(margin, 0.0, out=margin), grads


class FocalLoss(MeanLoss):
    r"""Focal loss (Lin et al. 2017): :math:`\ell = -\alpha_t (1 - p_t)^\gamma \log p_t`.

    :math:`p_t = p` for y = 1 and :math:`1 - p` for y = 0;
    :math:`\alpha_t = \alpha` for y = 1 and :math:`1 - \alpha` for y = 0, as in the
    paper and torchvision (``alpha=None`` means :math:`\alpha_t = 1`). With
    :math:`\gamma = 0` and ``alpha=None`` it is binary cross-entropy.

    Gradient with respect to :math:`p_t`:
    :math:`(1 - p_t)^\gamma \left(\gamma \frac{\log p_t}{1 - p_t} - \frac{1}{p_t}\right)`,
    times :math:`\alpha_t` and :math:`s = 2y - 1` (since :math:`dp_t/dp = s`). From a
    logit z, with :math:`u = s z` and :math:`p_t = \sigma(u)`, the chain rule gives
    :math:`\partial \ell / \partial z = s \alpha_t (1 - p_t)^\gamma (\gamma p_t \log p_t - (1 - p_t))`,
    which has no negative powers. We compute :math:`1 - p_t` directly (as
    :math:`\sigma(-u)` from logits), never as 1 minus a rounded :math:`p_t`, so
    :math:`(1 - p_t)^\gamma` and the gradient stay finite and accurate for every
    :math:`\gamma \ge 0`, also below 1 at saturated logits, where the common form
    ``ce * (1 - p_t) ** gamma`` with its autograd produces NaN gradients.

    Args:
        gamma: focusing parameter (>= 0).
        alpha: positive-class weight in [0, 1], or None for no class weighting.
        from_logits: ``y_pred`` holds logits instead of probabilities.
    """

    def __init__(self, gamma=2.0, alpha=None, from_logits=False):
        self.gamma = check_param(gamma, "gamma", low=0)
        self.alpha = None if alpha is None else check_param(alpha, "alpha", low=0, high=1)
        self.from_logits = check_from_logits(from_logits)

    def _check(self, y_true, y_pred):
        # the label and range checks reject NaN and inf too
        t, p = super()._check(y_true, y_pred, finite=False)
        check_labels(t, (0.0, 1.0), "y_true")
        if self.from_logits:
            check_finite(p, "y_pred")
        else:
            check_in_unit_interval(p, "y_pred", hint=LOGITS_HINT)
        return t, p

    def _alpha_t(self, t):
        if self.alpha is None:
            return 1.0
        return np.where(t == 1.0, self.alpha, 1.0 - self.alpha).astype(t.dtype, copy=False)

    def _pt(self, t, z):
        """Return p_t, 1 - p_t and log p_t from logits, none computed by subtracting
        from 1, where that would lose digits."""
        u = np.where(t == 1.0, z, -z)  # s z
        ez = np.exp(-np.abs(u))
        log_pt = np.minimum(u, 0.0) - np.log1p(ez)
        big = 1.0 / (1.0 + ez)  # sigma(|u|)
        small = ez * big  # sigma(-|u|)
        up = u >= 0
        return np.where(up, big, small), np.where(up, small, big), log_pt

    def _terms(self, t, p):
        return self._focal(t, p)[0]

    def _term_grads(self, t, p):
        return self._focal(t, p)[1]

    def _terms_and_grads(self, t, p):
        return self._focal(t, p)

    def _focal(self, t, p):
        if not self.from_logits:
            return self._focal_from_probabilities(t, p)
        s = 2.0 * t - 1.0
        pt, one_minus_pt, log_pt = self._pt(t, p)
        weight = one_minus_pt ** self.gamma
        weight *= self._alpha_t(t)
        terms = -weight * log_pt
        return terms, s * weight * (self.gamma * pt * log_pt - one_minus_pt)

    def _focal_from_probabilities(self, t, p):
        """The same as ``_focal`` from probabilities, with arithmetic instead of masks:
        with random labels, np.where and ``where=`` cost 5 to 10 times an add."""
        s = 2.0 * t - 1.0
        # with s = +-1 and labels 0/1, p_t = (1 - y) + s q and 1 - p_t = y - s q,
        # both exactly q or the rounded 1 - q, as a mask would give
        sq = _clip(p)
        sq *= s
        pt = np.subtract(1.0, t)
        pt += sq
        one_minus_pt = np.subtract(t, sq, out=sq)
        log_pt = np.log(pt)
        # where y = 0 and q < 1/2, log(1 - q) would lose the digits of a small q:
        # log1p(-q) there, and 1 - p_t = q
        fix = (t == 0.0) & (one_minus_pt < 0.5)
        log_pt[fix] = np.log1p(-one_minus_pt[fix])
        weight = np.power(one_minus_pt, self.gamma)
        if self.alpha is not None:
            alpha_t = np.multiply(t, 2.0 * self.alpha - 1.0)
            alpha_t += 1.0 - self.alpha  # alpha for y = 1, 1 - alpha for y = 0
            weight *= alpha_t
        terms = weight * log_pt
        np.negative(terms, out=terms)
        # d loss / d p_t = weight (gamma log p_t / (1 - p_t) - 1 / p_t), times s
        grads = np.multiply(log_pt, self.gamma, out=log_pt)
        grads /= one_minus_pt
        grads -= np.divide(1.0, pt, out=pt)
        grads *= weight
        grads *= s
        return terms, grads
