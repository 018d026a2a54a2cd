"""Inputs that used to give a silently wrong number or an unhelpful error (issue 13).

Each test names the case; every one failed before the fix."""

import numpy as np
import pytest

import lossviz as lv

ALL_LOSSES = [
    (lv.MeanSquaredError(), [0.0], [1.0]),
    (lv.MeanAbsoluteError(), [0.0], [1.0]),
    (lv.HuberLoss(), [0.0], [1.0]),
    (lv.LogCoshLoss(), [0.0], [1.0]),
    (lv.QuantileLoss(0.3), [0.0], [1.0]),
    (lv.GeneralRobustLoss(0.5), [0.0], [1.0]),
    (lv.CustomRegressionLoss(), [0.0], [1.0]),
    (lv.BinaryCrossEntropy(), [1.0], [0.5]),
    (lv.BinaryCrossEntropy(from_logits=True), [1.0], [0.5]),
    (lv.WeightedCrossEntropy((1, 3)), [1.0], [0.5]),
    (lv.CategoricalCrossEntropy(), [[1.0, 0.0]], [[0.5, 0.5]]),
    (lv.CategoricalCrossEntropy(from_logits=True), [[1.0, 0.0]], [[0.5, 0.5]]),
    (lv.HingeLoss(), [1.0], [0.5]),
    (lv.FocalLoss(), [1.0], [0.5]),
    (lv.DiceLoss(), [1.0], [0.5]),
    (lv.IoULoss(), [1.0], [0.5]),
    (lv.KLDivergence(), [0.5, 0.5], [0.5, 0.5]),
    (lv.ContrastiveLoss(), [1.0], [0.5]),
]
IDS = [repr(case[0]) for case in ALL_LOSSES]


# 1. complex input
@pytest.mark.parametrize("loss,t,p", ALL_LOSSES, ids=IDS)
def test_complex_input_is_rejected_not_truncated(loss, t, p):
    complex_p = np.asarray(p) + 0j
    complex_p.flat[0] += 4j
    with pytest.raises(ValueError, match="y_pred must be real, got complex"):
        loss.compute(t, complex_p)
    with pytest.raises(ValueError, match="y_true must be real, got complex"):
        loss.derivative(np.asarray(t) + 1j, p)


@pytest.mark.parametrize("fn", [lv.sigmoid, lv.log_sigmoid, lv.log_sum_exp, lv.log_softmax,
                                lv.stable_softmax, lv.global_norm])
def test_numerics_reject_complex(fn):
    with pytest.raises(ValueError, match="must be real"):
        fn(np.array([3 + 4j]))


def test_triplet_and_sparse_reject_complex():
    a = np.zeros((1, 2))
    with pytest.raises(ValueError, match="negative must be real"):
        lv.TripletLoss()(a, a, a + 1j)
    with pytest.raises(ValueError, match="y_pred must be real"):
        lv.SparseCategoricalCrossEntropy()([0], np.array([[0.5, 0.5]]) + 0j)


# 2. weighted cross-entropy at a probability of exactly 0
def test_weighted_ce_gradient_is_finite_at_probability_zero():
    with np.errstate(all="raise"):
        g = lv.WeightedCrossEntropy((1, 10)).derivative([1.0], [0.0])
    assert np.isfinite(g[0]) and g[0] < -1e307


# 3. Barron's loss beyond |e/c| = 1.34e154
def test_general_robust_loss_at_huge_errors():
    v, g = lv.GeneralRobustLoss(alpha=1.0).value_and_grad([0.0], [1e200])
    assert v == pytest.approx(1e200, rel=1e-12)  # sqrt(x^2 + 1) - 1
    assert g[0] == pytest.approx(1.0, rel=1e-12)
    g = lv.GeneralRobustLoss(alpha=2.0 - 1e-9).derivative([0.0], [1e200])
    # (x / c)(1 + x^2 / b)^(alpha/2 - 1) with b = 1e-9
    expected = 1e200 * np.exp(-5e-10 * (2 * np.log(1e200) - np.log(1e-9)))
    assert g[0] == pytest.approx(expected, rel=1e-9)
    v = lv.GeneralRobustLoss(alpha=0.0, scale=1e-150).compute([0.0], [1e5])
    assert v == pytest.approx(np.log(0.5) + 2 * np.log(1e155), rel=1e-12)  # about 713.1


def test_general_robust_loss_near_alpha_2_is_finite_where_its_value_is():
    # near alpha = 2 the loss is about x^2/2 = 5e303, finite, though the power
    # (1 + x^2/b)^(alpha/2) with b = |alpha - 2| = 1e-9 is about 1e313
    for alpha in (2.0 - 1e-9, 2.0 + 1e-9):
        with np.errstate(all="raise"):
            v, g = lv.GeneralRobustLoss(alpha=alpha).value_and_grad([0.0], [1e152])
        assert v == pytest.approx(5e303, rel=1e-6)
        assert g[0] == pytest.approx(1e152, rel=1e-6)


def test_general_robust_loss_at_a_subnormal_alpha_is_cauchy():
    # b / alpha overflows for alpha = 2.2e-313; the loss is the alpha = 0 limit there
    # (found by the property test with --hypothesis-seed=2: it gave NaN)
    cauchy = lv.GeneralRobustLoss(alpha=0.0).value_and_grad([-1.0, 0.0], [-1.0, 3.0])
    with np.errstate(all="raise"):
        v, g = lv.GeneralRobustLoss(alpha=2.2250738585e-313).value_and_grad([-1.0, 0.0], [-1.0, 3.0])
    assert v == pytest.approx(cauchy[0], rel=1e-15)
    np.testing.assert_allclose(g, cauchy[1], rtol=1e-15)


def test_general_robust_gradient_of_the_mean_is_finite_where_a_slope_is_not():
    # alpha = 2: rho'(e) = e / c^2 = -2e308 passes the largest float, but the gradient of
    # the mean of two samples, rho'(e) / 2 = -1e308, does not
    for alpha in (2.0, 2.0 - 1e-12):
        loss = lv.GeneralRobustLoss(alpha=alpha, scale=1e-155)
        with np.errstate(all="raise"):
            v, g = loss.value_and_grad([0.0, 0.0], [-0.02, 0.0])
            d = loss.derivative([0.0, 0.0], [-0.02, 0.0])
        assert v == pytest.approx(1e306, rel=1e-6)  # (x^2 / 2) / 2 with x = -2e153
        np.testing.assert_allclose(g, [-1e308, 0.0], rtol=1e-6)
        np.testing.assert_array_equal(d, g)


# 4. triplet at huge and tiny scales
def test_triplet_at_huge_and_tiny_scales():
    a, p, n = np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]]), np.array([[0.0, 1.0]])
    loss = lv.TripletLoss(margin=1.0)
    # 5 - 1 + m, with m negligible at this scale
    assert loss(a * 1e200, p * 1e200, n * 1e200) == pytest.approx(4e200, rel=1e-12)
    ga, gp, gn = loss.derivative(a * 1e-200, p * 1e-200, n * 1e-200)
    np.testing.assert_allclose(gp, [[0.6, 0.8]])  # the unit vector from a to p
    np.testing.assert_allclose(gn, [[0.0, -1.0]])
    np.testing.assert_allclose(ga, -(gp + gn))


def test_squared_triplet_gap_survives_an_overflowing_square():
    a, p, n = np.array([[0.0]]), np.array([[2e154]]), np.array([[2e154 + 1e140]])
    # ||a-p||^2 - ||a-n||^2 = (d_p - d_n)(d_p + d_n) = -1e140 * 4e154, finite though
    # both squares overflow; the loss is 0 and the gradient 0
    loss = lv.TripletLoss(margin=1.0, squared=True)
    assert loss(a, p, n) == 0.0
    assert all(np.all(g == 0) for g in loss.derivative(a, p, n))


# 5. categorical cross-entropy rows that are not distributions
@pytest.mark.parametrize("call,match", [
    (lambda: lv.CategoricalCrossEntropy()(np.eye(3)[:2], np.ones((2, 3))),
     "each row of y_pred must be probabilities over the classes summing to 1; row 0 sums to 3.0"),
    (lambda: lv.CategoricalCrossEntropy()([[0.0, 0.0, 0.0]], [[0.2, 0.3, 0.5]]),
     "each row of y_true must be .* summing to 1; row 0 sums to 0.0"),
    (lambda: lv.CategoricalCrossEntropy(from_logits=True)([[0.0, 0.0]], [[2.0, 1.0]]),
     "row 0 sums to 0.0"),
    (lambda: lv.CategoricalCrossEntropy()([[0.0], [1.0]], [[1.0], [1.0]]),
     "one column: for class indices use SparseCategoricalCrossEntropy"),
    (lambda: lv.SparseCategoricalCrossEntropy()([0, 1], np.ones((2, 3))),
     "each row of y_pred must be probabilities .* row 0 sums to 3.0"),
])
def test_categorical_rows_must_be_distributions(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# 6. clip_gradients and global_norm
def test_clip_gradients_never_returns_the_callers_arrays():
    g = np.array([0.3, -0.4])
    out = lv.clip_gradients([g], max_norm=1.0)
    out[0] *= 100
    np.testing.assert_array_equal(g, [0.3, -0.4])


def test_clip_gradients_and_global_norm_take_one_array():
    g = np.array([3.0, 4.0])
    out = lv.clip_gradients(g, max_norm=1.0)
    assert isinstance(out, np.ndarray) and out.shape == (2,)
    np.testing.assert_allclose(out, [0.6, 0.8], rtol=1e-5)
    assert lv.global_norm(3.0) == 3.0
    assert lv.global_norm(g) == 5.0


# 7. numerics validate their inputs
@pytest.mark.parametrize("fn,limits", [(lv.sigmoid, [0.0, 1.0]), (lv.log_sigmoid, [-np.inf, 0.0])])
def test_sigmoids_reject_nan_none_and_text(fn, limits):
    with pytest.raises(ValueError, match="z contains NaN at flat index 1"):
        fn([0.0, np.nan])
    with pytest.raises(ValueError, match="z is None"):
        fn(None)
    with pytest.raises(ValueError, match="z must be numeric"):
        fn("abc")
    np.testing.assert_array_equal(fn(np.array([-np.inf, np.inf])), limits)  # the limits are fine


# 8. overflow where the true result is finite
def test_huber_at_huge_error_gives_no_warning():
    with np.errstate(all="raise"):
        assert lv.HuberLoss(delta=1.0).compute([0.0], [1e300]) == pytest.approx(1e300 - 0.5)
        assert lv.HuberLoss(delta=1.0).value_and_grad([0.0], [1e300])[0] == pytest.approx(1e300)


def test_mean_of_huge_terms_does_not_overflow():
    assert lv.MeanAbsoluteError().compute([0.0, 0.0], [1e308, 1e308]) == 1e308
    assert lv.MeanAbsoluteError().value_and_grad([0.0, 0.0], [1e308, 1e308])[0] == 1e308


def test_bce_from_logits_keeps_tiny_losses():
    loss = lv.BinaryCrossEntropy(from_logits=True)
    assert loss.compute([1.0], [40.0]) == pytest.approx(np.exp(-40), rel=1e-12, abs=0)
    assert loss.compute([0.0], [-40.0]) == pytest.approx(np.exp(-40), rel=1e-12, abs=0)
    assert loss.derivative([1.0], [40.0])[0] == pytest.approx(-np.exp(-40), rel=1e-12, abs=0)
    assert loss.derivative([0.0], [-40.0])[0] == pytest.approx(np.exp(-40), rel=1e-12, abs=0)


# 9. unhelpful errors
def test_huge_integer_parameter_is_a_value_error():
    with pytest.raises(ValueError, match="delta must be a finite real number, got 1000"):
        lv.HuberLoss(delta=10**400)


def test_loss_call_accepts_keywords():
    assert lv.MeanSquaredError()(y_true=[0.0], y_pred=[2.0]) == 4.0


def test_curve_of_a_whole_array_loss_says_why():
    with pytest.raises(ValueError, match="DiceLoss has none"):
        lv.curve(lv.DiceLoss(), np.linspace(0, 1, 5))


@pytest.mark.parametrize("kwargs,match", [
    ({"record_every": 0}, "record_every must be an integer >= 1, got 0"),
    ({"steps": -1}, "steps must be an integer >= 0, got -1"),
    ({"steps": 2.5}, "steps must be an integer"),
])
def test_fit_linear_rejects_bad_counts(kwargs, match):
    x, y = np.array([0.0, 1.0]), np.array([0.0, 1.0])
    with pytest.raises(ValueError, match=match):
        lv.fit_linear(lv.MeanSquaredError(), x, y, **kwargs)


def test_numerical_gradient_index_out_of_range():
    with pytest.raises(ValueError, match="index must be an integer from -2 to 1 .* got 5"):
        lv.numerical_gradient(lv.MeanSquaredError(), [0.0], [1.0], index=5)


def test_none_is_reported_as_none():
    with pytest.raises(ValueError, match="y_pred is None"):
        lv.MeanSquaredError()([1.0], None)
    with pytest.raises(ValueError, match="y_true contains None at flat index 1"):
        lv.MeanSquaredError()([1.0, None], [1.0, 2.0])


def test_gradcheck_at_huge_inputs():
    t, p = np.zeros(3), np.array([1e300, -2e300, 3e300])
    assert lv.gradcheck(lv.MeanAbsoluteError(), t, p) < 1e-6
    assert lv.gradcheck(lv.HuberLoss(), t, p) < 1e-6
    with pytest.raises(ValueError, match="not finite next to input 1"):
        lv.gradcheck(lv.MeanSquaredError(), t, p)
