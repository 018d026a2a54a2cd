"""Classification losses: cross-entropies, hinge and focal.

Losses that take probabilities can also take logits (``from_logits=True``). Prefer
logits whenever the model produces them: the log-sigmoid and log-softmax forms used
then are exact for any finite logit, while probabilities must be clipped to
[``PROB_MIN``, ``PROB_MAX``] before a log, which caps -log p at about 708.4 and
-log(1 - p) at about 36.7.
"""

import numpy as np

from .base import MeanLoss
from .numerics import PROB_MAX, PROB_MIN, log_sigmoid, log_sum_exp, sigmoid, stable_softmax
from .validation import (
    LOGITS_HINT,
    as_float_array,
    check_class_indices,
    check_from_logits,
    check_in_unit_interval,
    check_labels,
    check_ndim,
    check_param,
)


def _clip(p):
    return np.clip(p, PROB_MIN, PROB_MAX)


class BinaryCrossEntropy(MeanLoss):
    r"""Binary cross-entropy: :math:`\ell = -[y \log p + (1 - y) \log(1 - p)]`.

    Gradient with respect to the probability: :math:`(p - y) / (p (1 - p))`, divided
    by n. From a logit z, with :math:`p = \sigma(z)`, the loss is
    :math:`\log(1 + e^{z}) - y z` and the gradient is simply :math:`\sigma(z) - y`.

    Args:
        from_logits: ``y_pred`` holds logits instead of probabilities.
    """

    def __init__(self, from_logits=False):
        self.from_logits = check_from_logits(from_logits)

    def _check(self, y_true, y_pred):
        t, p = super()._check(y_true, y_pred)
        self._check_targets(t)
        if not self.from_logits:
            check_in_unit_interval(p, "y_pred", hint=LOGITS_HINT)
        return t, p

    def _check_targets(self, t):
        check_in_unit_interval(t, "y_true", what="targets")

    def _terms(self, t, p):
        if self.from_logits:
            # softplus(z) - y z, with softplus(z) = -log_sigmoid(-z)
            return -log_sigmoid(-p) - t * p
        q = _clip(p)
        return -(t * np.log(q) + (1.0 - t) * np.log1p(-q))

    def _term_grads(self, t, p):
        if self.from_logits:
            return sigmoid(p) - t
        q = _clip(p)
        return -t / q + (1.0 - t) / (1.0 - q)


class WeightedCrossEntropy(BinaryCrossEntropy):
    r"""Binary cross-entropy with one weight per class: :math:`\ell = w_y \cdot \text{BCE}`.

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
        return np.where(t == 1.0, self.class_weights[1], self.class_weights[0])

    def _terms(self, t, p):
        return self._weights(t) * super()._terms(t, p)

    def _term_grads(self, t, p):
        return self._weights(t) * super()._term_grads(t, p)


class CategoricalCrossEntropy(MeanLoss):
    r"""Categorical cross-entropy over rows: :math:`\ell_i = -\sum_c y_{ic} \log p_{ic}`.

    ``y_true`` is one-hot or soft (each row a distribution), ``y_pred`` has the same
    (n, C) shape. Gradient: :math:`-y_{ic} / (n p_{ic})` for probabilities; from
    logits, :math:`\ell_i = \operatorname{logsumexp}(z_i) \sum_c y_{ic} - \sum_c y_{ic} z_{ic}`
    and the gradient is :math:`(p_{ic} \sum_c y_{ic} - y_{ic}) / n`, that is
    :math:`(p_{ic} - y_{ic}) / n` for one-hot rows.

    Args:
        from_logits: ``y_pred`` holds logits instead of probabilities.
    """

    rowwise = True

    def __init__(self, from_logits=False):
        self.from_logits = check_from_logits(from_logits)

    def _check(self, y_true, y_pred):
        t, p = super()._check(y_true, y_pred)
        check_ndim(p, 2, "y_pred", " (n samples, C classes); for one sample use [row]")
        check_in_unit_interval(t, "y_true", what="class probabilities (one-hot or soft)")
        if not self.from_logits:
            check_in_unit_interval(p, "y_pred", hint=LOGITS_HINT)
        return t, p

    def _terms(self, t, p):
        if self.from_logits:
            return log_sum_exp(p) * t.sum(axis=1) - np.sum(t * p, axis=1)
        return -np.sum(t * np.log(_clip(p)), axis=1)

    def _term_grads(self, t, p):
        if self.from_logits:
            return stable_softmax(p) * t.sum(axis=1, keepdims=True) - t
        return -t / _clip(p)


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
        p = as_float_array(y_pred, "y_pred")
        check_ndim(t, 1, "y_true", " (one class index per sample)")
        check_ndim(p, 2, "y_pred", " (n samples, C classes)")
        if t.shape[0] != p.shape[0]:
            raise ValueError(
                f"y_true has {t.shape[0]} labels but y_pred has {p.shape[0]} rows; "
                f"they must match"
            )
        if not self.from_logits:
            check_in_unit_interval(p, "y_pred", hint=LOGITS_HINT)
        return check_class_indices(t, p.shape[1]), p

    def _terms(self, t, p):
        rows = np.arange(p.shape[0])
        if self.from_logits:
            return log_sum_exp(p) - p[rows, t]
        return -np.log(_clip(p[rows, t]))

    def _term_grads(self, t, p):
        rows = np.arange(p.shape[0])
        if self.from_logits:
            g = stable_softmax(p)
            g[rows, t] -= 1.0
            return g
        g = np.zeros_like(p)
        g[rows, t] = -1.0 / _clip(p[rows, t])
        return g


class HingeLoss(MeanLoss):
    r"""Hinge loss (Cortes and Vapnik 1995): :math:`\ell = \max(0, 1 - y s)`, y in {-1, +1}.

    Subgradient with respect to the score s: :math:`-y` where the margin
    :math:`y s < 1`, else 0 (we take 0 at the kink :math:`y s = 1`).
    """

    def _check(self, y_true, y_pred):
        t, p = super()._check(y_true, y_pred)
        check_labels(t, (-1.0, 1.0), "y_true", "; for 0/1 labels pass 2*y - 1")
        return t, p

    def _terms(self, t, p):
        return np.maximum(0.0, 1.0 - t * p)

    def _term_grads(self, t, p):
        return np.where(t * p < 1.0, -t, 0.0)


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
    which has no negative powers. We evaluate :math:`(1 - p_t)^\gamma` as
    :math:`\exp(\gamma \log\sigma(-u))`, so it stays finite for every
    :math:`\gamma \ge 0`, also below 1 at saturated logits, where the common form
    ``ce * (1 - p_t) ** gamma`` produces NaN gradients.

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
        t, p = super()._check(y_true, y_pred)
        check_labels(t, (0.0, 1.0), "y_true")
        if not self.from_logits:
            check_in_unit_interval(p, "y_pred", hint=LOGITS_HINT)
        return t, p

    def _alpha_t(self, t):
        if self.alpha is None:
            return 1.0
        return np.where(t == 1.0, self.alpha, 1.0 - self.alpha)

    def _log_pt(self, t, p):
        """Return log p_t and log(1 - p_t), each computed without subtracting from 1."""
        s = 2.0 * t - 1.0
        if self.from_logits:
            return log_sigmoid(s * p), log_sigmoid(-s * p)
        q = _clip(p)
        log_p, log_1mp = np.log(q), np.log1p(-q)
        return np.where(t == 1.0, log_p, log_1mp), np.where(t == 1.0, log_1mp, log_p)

    def _terms(self, t, p):
        log_pt, log_1mpt = self._log_pt(t, p)
        return -self._alpha_t(t) * np.exp(self.gamma * log_1mpt) * log_pt

    def _term_grads(self, t, p):
        s = 2.0 * t - 1.0
        log_pt, log_1mpt = self._log_pt(t, p)
        weight = self._alpha_t(t) * np.exp(self.gamma * log_1mpt)
        pt, one_minus_pt = np.exp(log_pt), np.exp(log_1mpt)
        if self.from_logits:
            return s * weight * (self.gamma * pt * log_pt - one_minus_pt)
        return s * weight * (self.gamma * log_pt / one_minus_pt - 1.0 / pt)
