"""Stability: extreme inputs stay finite and accurate; the numerics helpers behave at the edges."""

import warnings

import numpy as np
import pytest

import lossviz as lv

BIG = 1e4


def all_finite(*arrays):
    return all(np.all(np.isfinite(a)) for a in arrays)


@pytest.fixture(autouse=True)
def no_numpy_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("loss", [
    lv.BinaryCrossEntropy(from_logits=True),
    lv.WeightedCrossEntropy((1.0, 20.0), from_logits=True),
    *[lv.FocalLoss(gamma=g, alpha=a, from_logits=True) for g in (0.0, 0.3, 0.5, 1.0, 2.0, 5.0)
      for a in (None, 0.25)],
], ids=repr)
def test_binary_from_logits_at_extremes(loss):
    y = np.array([0.0, 0.0, 1.0, 1.0])
    z = np.array([-BIG, BIG, -BIG, BIG])
    values, grads = loss.per_sample(y, z), loss.derivative(y, z)
    assert all_finite(values, grads)
    # wrong and confident: loss about |z| (times the weights), gradient about +-1/n
    assert values[1] == pytest.approx(BIG * values[1] / BIG) and values[1] > 0.2 * BIG
    assert values[0] < 1e-300 and values[3] < 1e-300
    assert np.sign(grads[1]) == 1 and np.sign(grads[2]) == -1


def test_bce_from_logits_is_exact_where_clipping_is_not():
    # sigmoid(50) with y = 0: the true loss is 50 (+ log1p(e^-50)), the gradient 1.
    bce = lv.BinaryCrossEntropy(from_logits=True)
    assert bce([0.0], [50.0]) == pytest.approx(50.0, rel=1e-15)
    assert bce.derivative([0.0], [50.0])[0] == pytest.approx(1.0)
    # from probabilities the same input is capped at -log(2**-53), about 36.7
    clipped = lv.BinaryCrossEntropy()([0.0], [lv.sigmoid(50.0)])
    assert clipped == pytest.approx(-np.log(2.0**-53))


def test_bce_from_logits_small_loss_is_accurate():
    # log(1 + e^-40) = 4.25e-18: a log(1 + exp) form would round it to 0
    assert lv.BinaryCrossEntropy(from_logits=True)([1.0], [40.0]) == pytest.approx(np.exp(-40.0), rel=1e-12)


@pytest.mark.parametrize("gamma", [0.0, 0.25, 0.5, 0.99, 1.0, 2.0])
def test_focal_gradient_finite_where_the_common_form_gives_nan(gamma):
    focal = lv.FocalLoss(gamma=gamma, from_logits=True)
    z = np.array([-BIG, -50.0, -1.0, 0.0, 1.0, 50.0, BIG])
    for y in (0.0, 1.0):
        g = focal.derivative(np.full_like(z, y), z)
        assert all_finite(g)


def test_focal_from_logits_matches_probabilities():
    z = np.linspace(-6, 6, 13)
    y = (np.arange(13) % 2).astype(float)
    for gamma in (0.5, 2.0):
        a = lv.FocalLoss(gamma=gamma, alpha=0.25, from_logits=True)
        b = lv.FocalLoss(gamma=gamma, alpha=0.25)
        p = lv.sigmoid(z)
        np.testing.assert_allclose(a.per_sample(y, z), b.per_sample(y, p), rtol=1e-10)
        np.testing.assert_allclose(a.derivative(y, z), b.derivative(y, p) * p * (1 - p), rtol=1e-8)


@pytest.mark.parametrize("cls", [lv.CategoricalCrossEntropy, lv.SparseCategoricalCrossEntropy])
def test_multiclass_from_logits_at_extremes(cls):
    z = np.array([[BIG, -BIG, 0.0], [-BIG, -BIG, BIG], [BIG, BIG, BIG]])
    labels = np.array([1, 2, 0])
    y = labels if cls is lv.SparseCategoricalCrossEntropy else np.eye(3)[labels]
    loss = cls(from_logits=True)
    values, grads = loss.per_sample(y, z), loss.derivative(y, z)
    assert all_finite(values, grads)
    np.testing.assert_allclose(values, [2 * BIG, 0.0, np.log(3)], rtol=1e-12, atol=1e-300)


def test_probability_inputs_exactly_zero_and_one_stay_finite():
    y = np.array([0.0, 1.0, 0.0, 1.0])
    p = np.array([0.0, 0.0, 1.0, 1.0])
    for loss in (lv.BinaryCrossEntropy(), lv.WeightedCrossEntropy((1, 3)), lv.FocalLoss(gamma=0.5),
                 lv.FocalLoss(gamma=2.0, alpha=0.25), lv.DiceLoss(), lv.IoULoss()):
        assert all_finite(loss(y, p), loss.derivative(y, p)), loss
    onehot = np.array([[1.0, 0.0], [0.0, 1.0]])
    hard = np.array([[0.0, 1.0], [0.0, 1.0]])
    for loss, t in ((lv.CategoricalCrossEntropy(), onehot), (lv.SparseCategoricalCrossEntropy(), [0, 1]),
                    (lv.KLDivergence(), onehot)):
        assert all_finite(loss(t, hard), loss.derivative(t, hard)), loss


def test_huge_errors_stay_finite():
    e = np.array([-1e4, -800.0, 800.0, 1e4, 1e150])
    zero = np.zeros_like(e)
    for loss in (lv.MeanAbsoluteError(), lv.HuberLoss(), lv.LogCoshLoss(), lv.QuantileLoss(0.2),
                 lv.GeneralRobustLoss(alpha=1.0), lv.GeneralRobustLoss(alpha=0.0),
                 lv.GeneralRobustLoss(alpha=-5.0)):
        assert all_finite(loss(zero, e), loss.derivative(zero, e)), loss
    # log cosh: naive np.log(np.cosh(800)) is inf
    assert lv.LogCoshLoss()([0.0], [800.0]) == pytest.approx(800 - np.log(2))


def test_log_sum_exp_and_softmax_do_not_overflow():
    x = np.array([[1000.0, 1000.0], [-1000.0, -1000.0], [0.0, -np.inf]])
    np.testing.assert_allclose(lv.log_sum_exp(x), [1000 + np.log(2), -1000 + np.log(2), 0.0])
    np.testing.assert_allclose(lv.stable_softmax(x), [[0.5, 0.5], [0.5, 0.5], [1.0, 0.0]])
    assert lv.log_sum_exp(x, keepdims=True).shape == (3, 1)


def test_fully_masked_row_gives_no_mass_not_nan():
    x = np.array([[-np.inf, -np.inf], [0.0, 1.0]])
    assert lv.log_sum_exp(x)[0] == -np.inf
    np.testing.assert_array_equal(lv.stable_softmax(x)[0], [0.0, 0.0])
    np.testing.assert_array_equal(lv.log_softmax(x)[0], [-np.inf, -np.inf])
    assert not np.any(np.isnan(lv.log_softmax(x)))


def test_log_sigmoid_and_sigmoid_tails():
    z = np.array([-BIG, -40.0, 0.0, 40.0, BIG])
    np.testing.assert_allclose(lv.log_sigmoid(z), [-BIG, -40 - np.exp(-40), -np.log(2), -np.exp(-40), 0.0],
                               rtol=1e-12, atol=0)
    np.testing.assert_allclose(lv.sigmoid(z), [0.0, np.exp(-40) / (1 + np.exp(-40)), 0.5, 1 / (1 + np.exp(-40)), 1.0])


def test_clip_gradients_huge_norm_does_not_overflow():
    # the syllabus's version squares 1e200 to inf and returns zeros
    clipped = lv.clip_gradients([np.array([1e200, 0.0]), np.array([1e200])], max_norm=1.0)
    assert lv.global_norm(clipped) == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(clipped[0], [1 / np.sqrt(2), 0.0], rtol=1e-5)


def test_clip_gradients_leaves_small_gradients_alone_and_keeps_direction():
    g = [np.array([0.3, -0.4])]
    assert lv.clip_gradients(g, max_norm=1.0)[0] is not None
    np.testing.assert_array_equal(lv.clip_gradients(g, max_norm=1.0)[0], g[0])
    big = [np.array([3.0, -4.0]), np.array([[12.0]])]
    out = lv.clip_gradients(big, max_norm=2.6)
    np.testing.assert_allclose(out[0], np.array([3.0, -4.0]) * 2.6 / (13 + 1e-6))
    assert lv.global_norm(out) == pytest.approx(2.6, rel=1e-6)


def test_clip_gradients_rejects_nan():
    with pytest.raises(ValueError, match="gradient 1 contains NaN"):
        lv.clip_gradients([np.ones(2), np.array([np.nan])])


def test_global_norm_of_zeros_and_tiny_values():
    assert lv.global_norm([np.zeros(3)]) == 0.0
    assert lv.global_norm([np.array([3e-200, 4e-200])]) == pytest.approx(5e-200)
