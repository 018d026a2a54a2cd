"""Property tests at every magnitude (1e-300 to 1e300) and over every parameter's range.

For every loss and random inputs and parameters: no NaN, no floating-point warning
unless the loss or its gradient passes the largest float (1.8e308), a non-negative loss,
``value_and_grad`` equal to ``compute`` and ``derivative``, and, where the loss is finite
and smooth there and a step's effect stands above rounding, derivatives equal to finite
differences.
"""

import warnings
from collections import Counter

import numpy as np
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

import lossviz as lv

TOL = 1e-4

exponents = st.integers(-300, 300)
mantissas = st.floats(1.0, 9.99)
signs = st.sampled_from([-1.0, 1.0])


@st.composite
def magnitude(draw, low=-300, high=300, signed=True):
    """A float sign * m * 10**k with k anywhere in [low, high]."""
    k = draw(st.integers(low, high))
    value = draw(mantissas) * 10.0**k
    return draw(signs) * value if signed else value


@st.composite
def real_vector(draw, low=-300, high=300):
    """A short vector whose entries share one random scale and vary within it."""
    n = draw(st.integers(1, 4))
    scale = 10.0 ** draw(st.integers(low, high))
    return np.array([draw(signs) * draw(mantissas) * scale for _ in range(n)])


positive_params = magnitude(signed=False)
unit = st.floats(0.0, 1.0)
open_unit = st.floats(1e-6, 1 - 1e-6)

REGRESSION = {
    "mse": st.just(lv.MeanSquaredError()),
    "mae": st.just(lv.MeanAbsoluteError()),
    "huber": positive_params.map(lambda d: lv.HuberLoss(delta=d)),
    "logcosh": st.just(lv.LogCoshLoss()),
    "quantile": open_unit.map(lambda q: lv.QuantileLoss(tau=q)),
    "robust": st.tuples(st.one_of(st.floats(-1e3, 1e3), st.sampled_from([0.0, 2.0, 1e-9, 2 - 1e-9])),
                        positive_params).map(lambda a: lv.GeneralRobustLoss(alpha=a[0], scale=a[1])),
    "custom": unit.map(lambda a: lv.CustomRegressionLoss(alpha=a)),
}


def _no_nan(value, grads):
    grads = grads if isinstance(grads, tuple) else (grads,)
    assert not np.isnan(value)
    for g in grads:
        assert not np.any(np.isnan(g))


def _value_and_grad(loss, *args):
    """value_and_grad, asserting that it warns only when the loss or its gradient
    overflows (the true value is then beyond the largest float too): an intermediate
    result must not overflow where the results do not."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(invalid="raise", divide="raise"):
            value, grads = loss.value_and_grad(*args)
    if caught:
        overflowed = np.isinf(value) or any(np.any(np.isinf(g)) for g in
                                            (grads if isinstance(grads, tuple) else (grads,)))
        assert overflowed, [str(w.message) for w in caught]
    return value, grads


def _consistent(loss, args, value, grads):
    # equal up to rounding; subnormal results (below 2.2e-308) carry fewer digits
    expected = loss.compute(*args)
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-300) or value == expected
    expected = loss.derivative(*args)
    for g, d in zip(grads if isinstance(grads, tuple) else (grads,),
                    expected if isinstance(expected, tuple) else (expected,)):
        np.testing.assert_allclose(g, d, rtol=1e-12, atol=1e-300)


# Finite differences of the regression losses, entry by entry. The step is STEP * |e|:
# the loss bends on the scale of e (or of delta, kept a step away below), and a step
# much smaller than e keeps the truncation error of the central difference near
# STEP**2. The rounding error of the two loss values then decides what can be checked.
STEP = 1e-6
ROUNDING = 8  # rounding errors in computing one loss value, in units of its last digit
EPS = np.finfo(np.float64).eps
TINY = np.finfo(np.float64).tiny  # 2.2e-308, the smallest normal float
SUBNORMAL = np.finfo(np.float64).smallest_subnormal  # a value's last digit below TINY


def _regression_fd(loss, t, p, value, grads, kinks):
    """For each entry of p: ``(analytic, numeric, None)``, or ``(None, None, reason)``
    when finite differences cannot check it. They can where moving the entry by the
    step changes the loss by far more than the loss's own rounding: the rounding of the
    value (ROUNDING * eps * |value|) and of e = p - t (eps * |p| times the slope),
    divided by the step, must be below TOL / 10 of the slope."""
    out = []
    for i in range(p.size):
        e = p[i] - t[i]
        if e == 0:
            out.append((None, None, "e = 0 (a kink, or a zero slope)"))
            continue
        step = STEP * abs(e)
        if any(abs(e - k) <= 2 * step for k in kinks):
            out.append((None, None, "a kink within a step"))
            continue
        up, down = p.copy(), p.copy()
        up[i] += step
        down[i] -= step
        step = (up[i] - down[i]) / 2  # the step the floats really took
        with np.errstate(over="ignore"):
            values = loss.compute(t, up), loss.compute(t, down)
        if not np.all(np.isfinite(values)):
            out.append((None, None, "the loss overflows next to p"))
            continue
        numeric = (values[0] - values[1]) / (2 * step)
        slope = max(abs(grads[i]), abs(numeric))
        noise = ROUNDING * (EPS * (abs(value) + slope * max(abs(p[i]), abs(t[i]))) + SUBNORMAL)
        if noise / step > 0.1 * TOL * slope:
            out.append((None, None, "the step's effect is below the loss's rounding"))
            continue
        out.append((grads[i], numeric, None))
    return out


@pytest.mark.parametrize("name", sorted(REGRESSION))
def test_regression_losses_at_every_magnitude(name):
    counts = Counter()

    @given(data=st.data())
    def check(data):
        loss = data.draw(REGRESSION[name])
        # targets at the predictions' scale (or 0): finite differences of a loss far
        # larger than the effect of the step (1e7 against 1e-6) measure only rounding
        p = data.draw(real_vector())
        scale = np.max(np.abs(p))
        t = np.array([data.draw(st.sampled_from([0.0, 1.0])) * data.draw(signs)
                      * data.draw(mantissas) * scale for _ in p])
        value, grads = _value_and_grad(loss, t, p)
        _no_nan(value, grads)
        assert value >= 0
        _consistent(loss, (t, p), value, grads)
        if not (TINY <= value < np.inf and np.all(np.isfinite(grads))):
            # a loss that overflows, or underflows into the subnormals (or to 0), where
            # it carries too few digits: out of finite differences' reach
            counts["examples out of the normal float range"] += 1
            return
        kinks = [loss.delta, -loss.delta] if name == "huber" else []
        checked = 0
        for analytic, numeric, reason in _regression_fd(loss, t, p, value, grads, kinks):
            if reason is not None:
                event(f"entry skipped: {reason}")
                counts[f"entries skipped: {reason}"] += 1
                continue
            assert abs(analytic - numeric) <= TOL * max(abs(analytic), abs(numeric)), \
                (analytic, numeric)
            checked += 1
        counts["entries checked"] += checked
        counts["examples checked" if checked else "examples with no entry checked"] += 1

    check()
    # the skips must stay exceptions: most examples in range get their derivative checked
    in_range = counts["examples checked"] + counts["examples with no entry checked"]
    assert counts["examples checked"] >= 0.75 * in_range, dict(counts)
    print(name, dict(counts))


@given(data=st.data(), from_logits=st.booleans())
def test_binary_losses_at_every_magnitude(data, from_logits):
    n = data.draw(st.integers(1, 4))
    t = np.array([data.draw(st.sampled_from([0.0, 1.0])) for _ in range(n)])
    if from_logits:
        p = data.draw(real_vector())[:1].repeat(n)
    else:
        p = np.array([data.draw(magnitude(-300, 0, signed=False)) for _ in range(n)])
        p = np.where(data.draw(st.booleans()), 1.0 - np.minimum(p, 1.0), np.minimum(p, 1.0))
    losses = [
        lv.BinaryCrossEntropy(from_logits=from_logits),
        lv.WeightedCrossEntropy((data.draw(positive_params), data.draw(positive_params)),
                                from_logits=from_logits),
        lv.FocalLoss(gamma=data.draw(st.one_of(st.floats(0, 10), st.sampled_from([0.0, 0.5, 2.0]))),
                     alpha=data.draw(st.one_of(st.none(), unit)), from_logits=from_logits),
    ]
    if from_logits:
        losses.append(lv.HingeLoss())
        t_hinge = 2 * t - 1
    for loss in losses:
        args = (t_hinge if isinstance(loss, lv.HingeLoss) else t, p)
        value, grads = _value_and_grad(loss, *args)
        _no_nan(value, grads)
        assert value >= 0
        _consistent(loss, args, value, grads)


@given(data=st.data(), from_logits=st.booleans())
def test_multiclass_losses_at_every_magnitude(data, from_logits):
    rows, c = data.draw(st.integers(1, 3)), data.draw(st.integers(2, 4))
    labels = np.array([data.draw(st.integers(0, c - 1)) for _ in range(rows)])
    if from_logits:
        scale = 10.0 ** data.draw(st.integers(-300, 300))
        p = np.array([[data.draw(signs) * data.draw(mantissas) * scale for _ in range(c)]
                      for _ in range(rows)])
    else:
        raw = np.array([[data.draw(magnitude(-300, 0, signed=False)) for _ in range(c)]
                        for _ in range(rows)])
        p = raw / raw.sum(axis=1, keepdims=True)
    onehot = np.eye(c)[labels]
    for loss, t in ((lv.CategoricalCrossEntropy(from_logits=from_logits), onehot),
                    (lv.SparseCategoricalCrossEntropy(from_logits=from_logits), labels)):
        value, grads = _value_and_grad(loss, t, p)
        _no_nan(value, grads)
        assert value >= 0
        _consistent(loss, (t, p), value, grads)
    if not from_logits:
        value, grads = lv.KLDivergence().value_and_grad(onehot * 0.9 + 0.1 / c, p)
        _no_nan(value, grads)
        assert value >= -1e-12


@given(data=st.data(), smooth=st.one_of(st.just(0.0), positive_params),
       squared=st.booleans())
def test_overlap_losses_at_every_magnitude(data, smooth, squared):
    n = data.draw(st.integers(1, 6))
    t = np.array([data.draw(st.sampled_from([0.0, 1.0])) for _ in range(n)])
    p = np.array([data.draw(magnitude(-300, 0, signed=False)) for _ in range(n)])
    p = np.minimum(p, 1.0)
    for loss in (lv.DiceLoss(smooth=smooth, squared_denominator=squared), lv.IoULoss(smooth=smooth)):
        value, grads = _value_and_grad(loss, t, p)
        _no_nan(value, grads)
        assert -1e-12 <= value <= 1 + 1e-12
        _consistent(loss, (t, p), value, grads)


@given(data=st.data(), margin=positive_params, squared=st.booleans())
def test_similarity_losses_at_every_magnitude(data, margin, squared):
    rows, k = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    scale = 10.0 ** data.draw(st.integers(-300, 300))
    a, p, n = (np.array([[data.draw(signs) * data.draw(mantissas) * scale for _ in range(k)]
                         for _ in range(rows)]) for _ in range(3))
    loss = lv.TripletLoss(margin=margin, squared=squared)
    value, grads = _value_and_grad(loss, a, p, n)
    _no_nan(value, grads)
    assert value >= 0
    _consistent(loss, (a, p, n), value, grads)
    if not squared:
        # each gradient row is a difference of unit vectors (over the rows): bounded by 2
        assert all(np.all(np.abs(g) <= 2.0 / rows + 1e-12) for g in grads)
    d = np.abs(a[:, 0])
    labels = np.array([data.draw(st.sampled_from([0.0, 1.0])) for _ in range(rows)])
    contrastive = lv.ContrastiveLoss(margin=margin)
    value, grads = _value_and_grad(contrastive, labels, d)
    _no_nan(value, grads)
    assert value >= 0
