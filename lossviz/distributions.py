"""Losses between probability distributions: Kullback-Leibler divergence."""

import numpy as np

from .base import MeanLoss
from .numerics import prob_limits
from .validation import check_in_unit_interval


class KLDivergence(MeanLoss):
    r"""Kullback-Leibler divergence :math:`D(P \| Q) = \sum_c p_c \log(p_c / q_c)`.

    ``y_true`` is P and ``y_pred`` is Q. The sum runs over the classes of one
    distribution: a 1-D input is one distribution, a 2-D input a batch of rows, and
    the loss is the mean over rows. Terms with :math:`p_c = 0` contribute 0
    (:math:`0 \log 0 = 0`). Gradient: :math:`\partial D / \partial q_c = -p_c / q_c`
    (divided by the number of rows). Q is clipped at ``PROB_MIN`` where P > 0, so a
    zero in Q costs about 708 per unit of P instead of inf.

    Rows are not checked to sum to 1, so that finite-difference checks can perturb one
    entry; pass normalised distributions, or D can be negative.
    """

    rowwise = True

    def _check(self, y_true, y_pred):
        t, p = super()._check(y_true, y_pred, finite=False)  # the range checks reject NaN and inf
        if t.ndim not in (1, 2):
            raise ValueError(f"y_true must be 1-D or 2-D (rows are distributions), got {t.shape}")
        check_in_unit_interval(t, "y_true", what="a distribution's probabilities")
        check_in_unit_interval(p, "y_pred", what="a distribution's probabilities")
        return t, p

    def _terms(self, t, p):
        return self._kl(t, p)[0]

    def _term_grads(self, t, p):
        return -t / np.maximum(p, prob_limits(p.dtype)[0])

    def _terms_and_grads(self, t, p):
        return self._kl(t, p)

    def _kl(self, t, p):
        """The divergence of each row and its gradient, sharing the clipped q."""
        tiny = prob_limits(p.dtype)[0]
        q = np.maximum(p, tiny)
        grads = np.divide(t, q)
        np.negative(grads, out=grads)
        # t log t with 0 log 0 = 0: where t = 0 the factor t makes the (finite) log vanish
        log_ratio = np.maximum(t, tiny)
        np.log(log_ratio, out=log_ratio)
        log_ratio -= np.log(q, out=q)
        log_ratio *= t
        if log_ratio.ndim == 2:  # einsum sums many short rows faster than np.sum(axis=1)
            return np.einsum("ij->i", log_ratio), grads
        return np.atleast_1d(log_ratio.sum()), grads
