"""Regression losses: functions of the error e = y_pred - y_true.

Each per-sample term and its derivative is written in terms of ``e``; the mean loss
and its gradient (which carries 1/n) come from :class:`~lossviz.base.MeanLoss`.
"""

import numpy as np

from .base import MeanLoss
from .validation import check_param

_LOG2 = np.log(2.0)


class MeanSquaredError(MeanLoss):
    r"""Mean squared error.

    :math:`L = \frac1n \sum_i e_i^2`, gradient :math:`\partial L/\partial \hat y_i = 2 e_i / n`.
    """

    def _terms(self, t, p):
        return (p - t) ** 2

    def _term_grads(self, t, p):
        return 2.0 * (p - t)


class MeanAbsoluteError(MeanLoss):
    r"""Mean absolute error.

    :math:`L = \frac1n \sum_i |e_i|`, gradient :math:`\operatorname{sign}(e_i)/n`.
    At :math:`e_i = 0` the loss has a kink; we return the subgradient 0 there.
    """

    def _terms(self, t, p):
        return np.abs(p - t)

    def _term_grads(self, t, p):
        return np.sign(p - t)


class HuberLoss(MeanLoss):
    r"""Huber loss (Huber 1964): quadratic near zero, linear in the tails.

    .. math::
        \ell(e) = \begin{cases} e^2/2 & |e| \le \delta \\
                  \delta (|e| - \delta/2) & |e| > \delta \end{cases}

    Gradient: :math:`\ell'(e) = \operatorname{clip}(e, -\delta, \delta)`, divided by n
    for the mean. The first derivative is continuous; the second jumps at
    :math:`|e| = \delta`.

    Args:
        delta: where the quadratic part hands over to the linear part (> 0).
    """

    def __init__(self, delta=1.0):
        self.delta = check_param(delta, "delta", low=0, low_open=True)

    def _terms(self, t, p):
        a = np.abs(p - t)
        d = self.delta
        return np.where(a <= d, 0.5 * a**2, d * (a - 0.5 * d))

    def _term_grads(self, t, p):
        return np.clip(p - t, -self.delta, self.delta)


class LogCoshLoss(MeanLoss):
    r"""Log-cosh loss: :math:`\ell(e) = \log\cosh e`, gradient :math:`\tanh e`.

    ``np.log(np.cosh(e))`` overflows for :math:`|e| > 710`; we use the identity
    :math:`\log\cosh e = |e| + \log(1 + e^{-2|e|}) - \log 2`, which is exact and finite
    for every finite e. Below :math:`|e| = 1` that form cancels (it subtracts numbers
    near log 2), so there we use :math:`\log(1 + 2\sinh^2(e/2))` instead.
    """

    def _terms(self, t, p):
        a = np.abs(p - t)
        small = np.minimum(a, 1.0)
        return np.where(a < 1.0, np.log1p(2.0 * np.sinh(0.5 * small) ** 2),
                        a + np.log1p(np.exp(-2.0 * a)) - _LOG2)

    def _term_grads(self, t, p):
        return np.tanh(p - t)


class QuantileLoss(MeanLoss):
    r"""Quantile (pinball) loss (Koenker and Bassett 1978).

    With :math:`r = y - \hat y = -e`:
    :math:`\ell = \max(\tau r, (\tau - 1) r)`, so under-prediction costs :math:`\tau`
    per unit and over-prediction :math:`1 - \tau`. Gradient with respect to
    :math:`\hat y`: :math:`1 - \tau` if :math:`e > 0`, :math:`-\tau` if :math:`e < 0`,
    and the subgradient 0 at :math:`e = 0`. Minimising it estimates the
    :math:`\tau`-quantile; :math:`\tau = 0.5` is half the MAE.

    Args:
        tau: the quantile, in (0, 1).
    """

    def __init__(self, tau=0.5):
        self.tau = check_param(tau, "tau", low=0, high=1, low_open=True, high_open=True)

    def _terms(self, t, p):
        r = t - p
        return np.maximum(self.tau * r, (self.tau - 1.0) * r)

    def _term_grads(self, t, p):
        e = p - t
        return np.where(e > 0, 1.0 - self.tau, np.where(e < 0, -self.tau, 0.0))


class GeneralRobustLoss(MeanLoss):
    r"""Barron's general and adaptive robust loss (Barron 2019).

    .. math::
        \rho(e, \alpha, c) = \frac{|\alpha - 2|}{\alpha}
        \left( \left( \frac{(e/c)^2}{|\alpha - 2|} + 1 \right)^{\alpha/2} - 1 \right)

    with the limits :math:`\rho = \tfrac12 (e/c)^2` at :math:`\alpha = 2` (MSE/2) and
    :math:`\rho = \log(\tfrac12 (e/c)^2 + 1)` at :math:`\alpha = 0` (Cauchy).
    :math:`\alpha = 1` is a smooth L1 (pseudo-Huber), :math:`\alpha = -2` Geman-McClure.

    Gradient: :math:`\rho'(e) = \frac{e}{c^2} \left( \frac{(e/c)^2}{|\alpha - 2|} + 1
    \right)^{\alpha/2 - 1}`.

    We evaluate the power through ``expm1``/``log1p`` so that values of alpha close to
    0 or 2 keep full precision instead of cancelling.

    Args:
        alpha: shape; any finite real. Smaller alpha means heavier tails are ignored.
        scale: c, the width of the quadratic bowl near zero (> 0).
    """

    def __init__(self, alpha=1.0, scale=1.0):
        self.alpha = check_param(alpha, "alpha")
        self.scale = check_param(scale, "scale", low=0, low_open=True)

    def _terms(self, t, p):
        a, c = self.alpha, self.scale
        x2 = ((p - t) / c) ** 2
        if a == 2.0:
            return 0.5 * x2
        if a == 0.0:
            return np.log1p(0.5 * x2)
        b = abs(a - 2.0)
        return (b / a) * np.expm1(0.5 * a * np.log1p(x2 / b))

    def _term_grads(self, t, p):
        a, c = self.alpha, self.scale
        e = p - t
        if a == 2.0:
            return e / c**2
        b = abs(a - 2.0)
        return (e / c**2) * np.exp((0.5 * a - 1.0) * np.log1p((e / c) ** 2 / b))


class CustomRegressionLoss(MeanLoss):
    r"""A mixture of MSE and MAE: :math:`\ell = \alpha e^2 + (1 - \alpha) |e|`.

    Gradient: :math:`2 \alpha e + (1 - \alpha) \operatorname{sign}(e)` (divided by n).
    Near zero the MAE part dominates (constant pull); far away the MSE part does.

    Args:
        alpha: weight of the squared term, in [0, 1].
    """

    def __init__(self, alpha=0.5):
        self.alpha = check_param(alpha, "alpha", low=0, high=1)

    def _terms(self, t, p):
        e = p - t
        return self.alpha * e**2 + (1.0 - self.alpha) * np.abs(e)

    def _term_grads(self, t, p):
        e = p - t
        return 2.0 * self.alpha * e + (1.0 - self.alpha) * np.sign(e)
