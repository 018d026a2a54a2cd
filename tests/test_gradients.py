"""Every derivative against central finite differences, over random inputs and parameters."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import lossviz as lv

TOL = 1e-4  # see gradcheck: finite differences are only this precise

sizes = st.integers(min_value=1, max_value=6)
reals = st.floats(min_value=-5, max_value=5, allow_nan=False)
probs = st.floats(min_value=0.02, max_value=0.98, allow_nan=False)


def vec(n, elements):
    return arrays(np.float64, n, elements=elements)


def away_from(x, kinks, gap=1e-3):
    """True when no entry of x is within gap of any kink (finite differences straddle kinks)."""
    x = np.asarray(x)
    return all(np.all(np.abs(x - k) > gap) for k in kinks)


@st.composite
def regression_data(draw):
    n = draw(sizes)
    return draw(vec(n, reals)), draw(vec(n, reals))


REGRESSION = [
    ("mse", st.just(lv.MeanSquaredError()), []),
    ("mae", st.just(lv.MeanAbsoluteError()), None),
    ("huber", st.floats(0.1, 3).map(lambda d: lv.HuberLoss(delta=d)), "delta"),
    ("logcosh", st.just(lv.LogCoshLoss()), []),
    ("quantile", st.floats(0.05, 0.95).map(lambda q: lv.QuantileLoss(tau=q)), None),
    ("robust", st.tuples(st.floats(-10, 10), st.floats(0.2, 3)).map(
        lambda a: lv.GeneralRobustLoss(alpha=a[0], scale=a[1])), []),
    ("custom", st.floats(0, 1).map(lambda a: lv.CustomRegressionLoss(alpha=a)), None),
]


@pytest.mark.parametrize("name,loss_strategy,kinks", REGRESSION, ids=[r[0] for r in REGRESSION])
@given(data=st.data())
def test_regression_gradients(name, loss_strategy, kinks, data):
    loss = data.draw(loss_strategy)
    t, p = data.draw(regression_data())
    e = p - t
    if kinks is None:  # kink at e = 0
        assume(away_from(e, [0.0]))
    elif kinks == "delta":
        assume(away_from(e, [loss.delta, -loss.delta]))
    assert lv.gradcheck(loss, t, p) < TOL


@pytest.mark.parametrize("alpha", [2.0, 0.0, 2.0 + 1e-9, 1e-9, -1e6])
def test_robust_loss_gradient_at_special_alphas(alpha):
    t, p = np.zeros(5), np.array([-3.0, -0.5, 0.2, 1.0, 4.0])
    assert lv.gradcheck(lv.GeneralRobustLoss(alpha=alpha, scale=0.7), t, p) < TOL


@given(data=st.data(), from_logits=st.booleans())
def test_bce_gradient(data, from_logits):
    n = data.draw(sizes)
    t = data.draw(vec(n, st.floats(0, 1)))
    p = data.draw(vec(n, reals if from_logits else probs))
    assert lv.gradcheck(lv.BinaryCrossEntropy(from_logits=from_logits), t, p) < TOL


@given(data=st.data(), from_logits=st.booleans(),
       w=st.tuples(st.floats(0.1, 10), st.floats(0.1, 10)))
def test_weighted_ce_gradient(data, from_logits, w):
    n = data.draw(sizes)
    t = data.draw(vec(n, st.sampled_from([0.0, 1.0])))
    p = data.draw(vec(n, reals if from_logits else probs))
    loss = lv.WeightedCrossEntropy(class_weights=w, from_logits=from_logits)
    assert lv.gradcheck(loss, t, p) < TOL


@st.composite
def class_batch(draw, from_logits):
    n, c = draw(sizes), draw(st.integers(2, 5))
    if from_logits:
        p = draw(arrays(np.float64, (n, c), elements=reals))
    else:
        raw = draw(arrays(np.float64, (n, c), elements=st.floats(0.1, 1)))
        p = raw / raw.sum(axis=1, keepdims=True)
    raw_t = draw(arrays(np.float64, (n, c), elements=st.floats(0, 1)))
    assume(np.all(raw_t.sum(axis=1) > 0.1))
    soft = raw_t / raw_t.sum(axis=1, keepdims=True)
    labels = draw(arrays(np.int64, n, elements=st.integers(0, c - 1)))
    return soft, labels, p


@given(data=st.data(), from_logits=st.booleans(), one_hot=st.booleans())
def test_categorical_gradient(data, from_logits, one_hot):
    soft, labels, p = data.draw(class_batch(from_logits))
    t = np.eye(p.shape[1])[labels] if one_hot else soft
    assert lv.gradcheck(lv.CategoricalCrossEntropy(from_logits=from_logits), t, p) < TOL


@given(data=st.data(), from_logits=st.booleans())
def test_sparse_categorical_gradient(data, from_logits):
    _, labels, p = data.draw(class_batch(from_logits))
    loss = lv.SparseCategoricalCrossEntropy(from_logits=from_logits)
    assert lv.gradcheck(loss, labels, p) < TOL


@given(data=st.data())
def test_hinge_gradient(data):
    n = data.draw(sizes)
    t = data.draw(vec(n, st.sampled_from([-1.0, 1.0])))
    s = data.draw(vec(n, reals))
    assume(away_from(t * s, [1.0]))
    assert lv.gradcheck(lv.HingeLoss(), t, s) < TOL


@given(data=st.data(), from_logits=st.booleans(), gamma=st.floats(0, 5),
       alpha=st.one_of(st.none(), st.floats(0, 1)))
def test_focal_gradient(data, from_logits, gamma, alpha):
    n = data.draw(sizes)
    t = data.draw(vec(n, st.sampled_from([0.0, 1.0])))
    p = data.draw(vec(n, reals if from_logits else probs))
    loss = lv.FocalLoss(gamma=gamma, alpha=alpha, from_logits=from_logits)
    assert lv.gradcheck(loss, t, p) < TOL


@pytest.mark.parametrize("cls", [lv.DiceLoss, lv.IoULoss])
@given(data=st.data(), smooth=st.floats(0, 2))
def test_overlap_gradients(cls, data, smooth):
    shape = data.draw(st.tuples(st.integers(1, 4), st.integers(1, 4)))
    t = data.draw(arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))
    p = data.draw(arrays(np.float64, shape, elements=probs))
    assert lv.gradcheck(cls(smooth=smooth), t, p) < TOL


@given(data=st.data(), batch=st.booleans())
def test_kl_gradient(data, batch):
    soft, _, q = data.draw(class_batch(from_logits=False))
    if not batch:
        soft, q = soft[0], q[0]
    assert lv.gradcheck(lv.KLDivergence(), soft, q) < TOL


@given(data=st.data(), margin=st.floats(0.2, 3))
def test_contrastive_gradient(data, margin):
    n = data.draw(sizes)
    t = data.draw(vec(n, st.sampled_from([0.0, 1.0])))
    d = data.draw(vec(n, st.floats(0.01, 5)))
    assume(away_from(d, [margin]))
    assert lv.gradcheck(lv.ContrastiveLoss(margin=margin), t, d) < TOL


@given(data=st.data(), margin=st.floats(0.2, 3))
def test_triplet_gradient(data, margin):
    n, k = data.draw(sizes), data.draw(st.integers(1, 4))
    a, p, m = (data.draw(arrays(np.float64, (n, k), elements=reals)) for _ in range(3))
    loss = lv.TripletLoss(margin=margin)
    d_ap = np.linalg.norm(a - p, axis=1)
    d_an = np.linalg.norm(a - m, axis=1)
    assume(np.all(d_ap > 1e-2) and np.all(d_an > 1e-2))
    assume(away_from(d_ap - d_an + margin, [0.0]))
    assert lv.gradcheck(loss, a, p, m) < TOL


@given(data=st.data(), smooth=st.floats(0, 2))
def test_vnet_dice_gradient(data, smooth):
    shape = data.draw(st.tuples(st.integers(1, 4), st.integers(1, 4)))
    t = data.draw(arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))
    p = data.draw(arrays(np.float64, shape, elements=probs))
    assert lv.gradcheck(lv.DiceLoss(smooth=smooth, squared_denominator=True), t, p) < TOL


@given(data=st.data(), margin=st.floats(0.05, 3))
def test_squared_triplet_gradient(data, margin):
    n, k = data.draw(sizes), data.draw(st.integers(1, 4))
    a, p, m = (data.draw(arrays(np.float64, (n, k), elements=reals)) for _ in range(3))
    loss = lv.TripletLoss(margin=margin, squared=True)
    d_ap = np.sum((a - p) ** 2, axis=1)
    d_an = np.sum((a - m) ** 2, axis=1)
    assume(away_from(d_ap - d_an + margin, [0.0], gap=1e-2))
    assert lv.gradcheck(loss, a, p, m) < TOL
