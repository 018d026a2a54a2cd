"""Regression losses: functions of the error e = y_pred - y_true.

Each per-sample term and its derivative is written in terms of ``e``; the mean loss
and its gradient (which carries 1/n) come from :class:`~lossviz.base.MeanLoss`.
MSE, MAE, Huber and the MSE/MAE mixture write their own ``value_and_grad``, which
takes the mean from dot products instead of an array of per-sample terms.
"""

from functools import partial

import numpy as np

from .base import MeanLoss, mean, mean_of_products
from .validation import check_param

_LOG2 = float(np.log(2.0))  # a Python float keeps float32 arrays float32


class MeanSquaredError(MeanLoss):
    r"""Mean squared error.

    :math:`L = \frac1n \sum_i e_i^2`, gradient :math:`\partial L/\partial \hat y_i = 2 e_i / n`.
    """

    def _terms(self, t, p):
        return (p - t) ** 2

    def _term_grads(self, t, p):
        return 2.0 * (p - t)

    def value_and_grad(self, y_true, y_pred):
        t, p = self._check(y_true, y_pred)
        e = p - t
        value = mean_of_products(e, e)
        e *= 2.0 / e.size
        return value, e


class MeanAbsoluteError(MeanLoss):
    r"""Mean absolute error.

    :math:`L = \frac1n \sum_i |e_i|`, gradient :math:`\operatorname{sign}(e_i)/n`.
    At :math:`e_i = 0` the loss has a kink; we return the subgradient 0 there.
    """

    def _terms(self, t, p):
        return np.abs(p - t)

    def _term_grads(self, t, p):
        return np.sign(p - t)

    def value_and_grad(self, y_true, y_pred):
        t, p = self._check(y_true, y_pred)
        e = p - t
        grads = np.sign(e)  # the subgradient 0 at the kink e = 0
        value = mean_of_products(e, grads)  # the sum of e sign(e) is the sum of |e|
        grads *= 1.0 / e.size
        return value, grads


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
        e = p - t
        # With c = clip(e, -delta, delta), both branches are c (e - c/2): e^2/2 inside
        # the band, delta (|e| - delta/2) outside. One formula, so nothing is computed
        # for a branch that is not taken (np.where would square a huge e and overflow).
        c = np.clip(e, -self.delta, self.delta)
        return c * (e - 0.5 * c)

    def _term_grads(self, t, p):
        return np.clip(p - t, -self.delta, self.delta)

    def value_and_grad(self, y_true, y_pred):
        t, p = self._check(y_true, y_pred)
        e = p - t
        c = np.clip(e, -self.delta, self.delta)
        # the mean of c (e - c/2) from two dot products, with no array of terms; each
        # c e is at least c^2, so the difference does not cancel
        with np.errstate(over="ignore", invalid="ignore"):  # inf - inf: see below
            total = np.vdot(c, e) - 0.5 * np.vdot(c, c)
        value = float(total / e.size) if np.isfinite(total) else mean(self._terms(t, p))
        c *= 1.0 / e.size
        return value, c


class LogCoshLoss(MeanLoss):
    r"""Log-cosh loss: :math:`\ell(e) = \log\cosh e`, gradient :math:`\tanh e`.

    ``np.log(np.cosh(e))`` overflows for :math:`|e| > 710`; we use the identity
    :math:`\log\cosh e = |e| + \log(1 + e^{-2|e|}) - \log 2`, which is exact and finite
    for every finite e. Below :math:`|e| = 1` that form cancels (it subtracts numbers
    near log 2), so there we use :math:`\log(1 + 2\sinh^2(e/2))` instead.
    """

    def _terms(self, t, p):
        return _log_cosh(p - t)

    def _term_grads(self, t, p):
        return np.tanh(p - t)

    def _terms_and_grads(self, t, p):
        return _log_cosh_and_tanh(p - t)


def _log_cosh(e):
    return _log_cosh_and_tanh(e)[0]


def _log_cosh_and_tanh(e):
    """log cosh e and tanh e from one ``expm1``, both exact to a few rounding errors.

    With a = |e| and m = expm1(-a) (so 1 + m = e^-a):
    cosh a - 1 = m^2 / (2 (1 + m)), so log cosh a = log1p(m^2 / (2 (1 + m))), which
    has no cancellation for small a; for a >= 1, log cosh a = a + log1p(e^-2a) - log 2
    cannot overflow. And tanh a = -m (2 + m) / (1 + e^-2a).
    """
    a = np.abs(e)
    m = np.expm1(-a)
    u = m + 1.0  # e^-a
    u2 = u * u  # e^-2a, 0 once a > 372: harmless
    small = a < 1.0
    # one log1p for both branches: pick its argument first (for a >= 1, u > 0)
    with np.errstate(divide="ignore", over="ignore"):
        arg = np.where(small, m * m / (2.0 * u), u2)
    log_term = np.log1p(arg)
    values = np.where(small, log_term, a + log_term - _LOG2)
    slopes = np.negative(m)
    slopes *= m + 2.0
    slopes /= u2 + 1.0
    np.copysign(slopes, e, out=slopes)  # tanh is odd; slopes >= 0 so far
    return values, slopes


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
        slopes = np.where(e > 0, 1.0 - self.tau, np.where(e < 0, -self.tau, 0.0))
        return slopes.astype(e.dtype, copy=False)  # float32 in, float32 out

    def _terms_and_grads(self, t, p):
        e = p - t
        # -tau where e != 0, plus 1 where e > 0: 1 - tau, -tau, and 0 at the kink
        g = np.multiply(e != 0, -self.tau, dtype=e.dtype)
        g += e > 0
        return np.maximum(-self.tau * e, (1.0 - self.tau) * e, out=e), g


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
    0 or 2 keep full precision instead of cancelling, and
    :math:`\log(1 + (e/c)^2/|\alpha - 2|)` through logarithms where :math:`(e/c)^2`
    would overflow, so the loss and its gradient are finite wherever their true
    values are (:math:`|e/c|` beyond about 1e154 is not rare with a small scale).

    Args:
        alpha: shape; any finite real. Smaller alpha means heavier tails are ignored.
        scale: c, the width of the quadratic bowl near zero (> 0).
    """

    def __init__(self, alpha=1.0, scale=1.0):
        self.alpha = check_param(alpha, "alpha")
        self.scale = check_param(scale, "scale", low=0, low_open=True)

    def _terms(self, t, p):
        return self._rho_and_slope(t, p)[0]

    def _term_grads(self, t, p):
        return self._rho_and_slope(t, p)[1]

    def _terms_and_grads(self, t, p):
        return self._rho_and_slope(t, p)

    # The mean's 1/n goes into the slope before its last multiplication: with a small
    # scale a sample's slope can pass 1e308 while the gradient of the mean does not.
    def derivative(self, y_true, y_pred):
        return self.value_and_grad(y_true, y_pred)[1]

    def value_and_grad(self, y_true, y_pred):
        t, p = self._check(y_true, y_pred)
        terms, grads = self._on_arrays(partial(self._rho_and_slope, weight=1.0 / p.size), t, p)
        return mean(terms), grads

    def _rho_and_slope(self, t, p, weight=1.0):
        """rho and ``weight`` * rho' together: they share L = log(1 + x^2/b), the
        expensive part. Each is first computed directly; an entry that overflows, or
        whose power underflows, is computed again through logarithms, so no entry is
        inf, or loses digits, where its true value is a normal float."""
        a, c = self.alpha, self.scale
        with np.errstate(over="ignore"):  # an overflowing x is handled below
            x = (p - t) / c
        if a == 2.0:
            return 0.5 * x * x, (weight * x) / c
        b = abs(a - 2.0)
        log_max = np.log(np.finfo(p.dtype).max)
        # L = log(1 + x^2/b); where x^2 overflows, 1 is negligible: L = 2 log|x| - log b
        with np.errstate(over="ignore", invalid="ignore"):
            log_base = np.log1p(x * x / b)
        huge = np.isinf(log_base)
        if huge.any():
            log_base[huge] = 2.0 * _log_abs_ratio(t[huge], p[huge], c) - np.log(b)
        if abs(a) < 1e-20:
            # (b/a)(e^y - 1) = (b/2) L (1 + y/2 + ...) with |y| = |alpha| L/2 < 1e-17
            # (L < 1500): (b/2) L to the last digit, while b/a can overflow (alpha = 1e-320)
            terms = (0.5 * b) * log_base
        else:
            # (b/a)(e^y - 1) with y = (alpha/2) L; where e^y overflows, the -1 is
            # negligible and log(b/a) goes into the exponent (near alpha = 2, b/a is
            # tiny and rho = x^2/2 is finite though e^y is not)
            y = (0.5 * a) * log_base
            with np.errstate(over="ignore"):  # alpha > 2: rho itself can pass 1e308
                terms = np.expm1(y)
                terms *= b / a
                if a > 0.0 and y.max() > log_max:
                    big = y > log_max
                    terms[big] = np.exp(y[big] + np.log(b / a))
        # rho'(e) = (x / c) (1 + x^2/b)^(alpha/2 - 1)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            power = np.exp((0.5 * a - 1.0) * log_base)
            # a power below the normal floats has lost digits (or is 0) though the
            # slope, times a huge x, need not be small
            redo = power < np.finfo(p.dtype).tiny
            grads = np.multiply(power, x, out=power)
            grads *= weight
            grads /= c
        redo |= ~np.isfinite(grads)
        if redo.any():
            # log|slope| = log|x| - log c + (alpha/2 - 1) L + log(weight): no intermediate
            # leaves the float range
            log_slope = _log_abs_ratio(t[redo], p[redo], c) - np.log(c) \
                + (0.5 * a - 1.0) * log_base[redo] + np.log(weight)
            grads[redo] = np.sign(x[redo]) * np.exp(log_slope)
        return terms, grads


def _log_abs_ratio(t, p, c):
    """log|(p - t) / c|, also where p - t passes the largest float (then both are huge,
    and halving them first is exact)."""
    with np.errstate(over="ignore"):
        d = np.abs(p - t)
    with np.errstate(divide="ignore"):  # the branch np.where drops may take log(0)
        log_d = np.where(np.isinf(d), np.log(np.abs(0.5 * p - 0.5 * t)) + np.log(2.0), np.log(d))
    return log_d - np.log(c)


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
        # |e| (alpha |e| + 1 - alpha): alpha e**2 would be 0 * inf = NaN at alpha = 0
        # once e**2 overflows
        a = np.abs(p - t)
        return a * (self.alpha * a + (1.0 - self.alpha))

    def _term_grads(self, t, p):
        e = p - t
        return 2.0 * self.alpha * e + (1.0 - self.alpha) * np.sign(e)

    def value_and_grad(self, y_true, y_pred):
        t, p = self._check(y_true, y_pred)
        e = p - t
        g = np.sign(e)
        # the mean of alpha e^2 + (1 - alpha) |e| from two dot products (|e| = e sign e),
        # with no array of terms; the per-sample route if a sum overflows (or is 0 * inf)
        with np.errstate(over="ignore", invalid="ignore"):
            total = self.alpha * np.vdot(e, e) + (1.0 - self.alpha) * np.vdot(e, g)
        value = float(total / e.size) if np.isfinite(total) else mean(self._terms(t, p))
        g *= (1.0 - self.alpha) / e.size
        e *= 2.0 * self.alpha / e.size
        g += e
        return value, g
