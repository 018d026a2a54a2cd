"""Loss values against hand computations and the syllabus's worked examples."""

import numpy as np
import pytest

import lossviz as lv

# The syllabus's examples (its printed values are right; see shared/ERRATA.md).
Y_REG, P_REG = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.1, 1.9, 3.2, 3.8])
Y_IMB = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 0], dtype=float)
P_IMB = np.array([0.9, 0.1, 0.8, 0.2, 0.3, 0.1, 0.2, 0.1, 0.1, 0.2])


@pytest.mark.parametrize("loss,y,p,expected", [
    (lv.MeanSquaredError(), Y_REG, P_REG, 0.0250),
    (lv.MeanAbsoluteError(), Y_REG, P_REG, 0.1500),
    (lv.HuberLoss(delta=1.0), Y_REG, P_REG, 0.0125),
    (lv.BinaryCrossEntropy(), [1, 0, 1, 0], [0.9, 0.1, 0.8, 0.2], 0.1643),
    (lv.FocalLoss(gamma=2.0), Y_IMB, P_IMB, 0.0073),
    (lv.DiceLoss(), Y_IMB, P_IMB, 0.3200),
    (lv.WeightedCrossEntropy(class_weights=(1.0, 5.0)), Y_IMB, P_IMB, 0.3090),
], ids=["mse", "mae", "huber", "bce", "focal", "dice", "weighted_ce"])
def test_syllabus_examples(loss, y, p, expected):
    assert loss.compute(y, p) == pytest.approx(expected, abs=5e-5)


def test_call_is_compute_and_returns_float():
    loss = lv.MeanSquaredError()
    assert loss(Y_REG, P_REG) == loss.compute(Y_REG, P_REG)
    assert isinstance(loss(Y_REG, P_REG), float)


def test_mse_gradient_carries_one_over_n():
    # 2 e_i / n with e = (0.1, -0.1, 0.2, -0.2), n = 4
    g = lv.MeanSquaredError().derivative(Y_REG, P_REG)
    np.testing.assert_allclose(g, [0.05, -0.05, 0.1, -0.1])


def test_huber_piecewise_by_hand():
    huber = lv.HuberLoss(delta=1.0)
    # e = 0.5 -> 0.125 (quadratic); e = -3 -> 1 * (3 - 0.5) = 2.5 (linear)
    np.testing.assert_allclose(huber.per_sample([0, 0], [0.5, -3.0]), [0.125, 2.5])
    np.testing.assert_allclose(huber.per_sample_derivative([0, 0], [0.5, -3.0]), [0.5, -1.0])


def test_huber_gradient_step_lowers_the_loss():
    # The syllabus's HuberLoss.derivative has the wrong sign and raises the loss.
    huber = lv.HuberLoss()
    step = P_REG - 0.5 * huber.derivative(Y_REG, P_REG)
    assert huber(Y_REG, step) < huber(Y_REG, P_REG)


def test_log_cosh_matches_definition_and_is_linear_far_out():
    e = np.array([-3.0, -0.1, 0.0, 1e-8, 0.5, 2.0])
    np.testing.assert_allclose(lv.LogCoshLoss().per_sample(np.zeros(6), e), np.log(np.cosh(e)),
                               rtol=1e-12, atol=1e-16)
    # log cosh e = e^2/2 - e^4/12 + ...: exact at tiny e, where log(cosh(e)) rounds to 0
    assert lv.LogCoshLoss()([0.0], [1e-8]) == pytest.approx(5e-17, rel=1e-12)
    far = lv.LogCoshLoss().per_sample([0.0], [1e4])
    assert far[0] == pytest.approx(1e4 - np.log(2))


def test_quantile_asymmetry():
    q = lv.QuantileLoss(tau=0.9)
    # under-prediction by 1 costs tau, over-prediction by 1 costs 1 - tau
    np.testing.assert_allclose(q.per_sample([0, 0], [-1.0, 1.0]), [0.9, 0.1])
    assert lv.QuantileLoss(tau=0.5)(Y_REG, P_REG) == pytest.approx(0.5 * 0.15)


def test_quantile_minimiser_is_the_quantile():
    rng = np.random.default_rng(0)
    y = rng.normal(size=2001)
    grid = np.linspace(-3, 3, 6001)
    losses = [lv.QuantileLoss(tau=0.8)(y, np.full_like(y, c)) for c in grid]
    assert grid[np.argmin(losses)] == pytest.approx(np.quantile(y, 0.8), abs=2e-3)


@pytest.mark.parametrize("alpha,expected", [
    (2.0, lambda x: 0.5 * x**2),
    (0.0, lambda x: np.log(0.5 * x**2 + 1)),
    (1.0, lambda x: np.sqrt(x**2 + 1) - 1),
    (-2.0, lambda x: 2 * x**2 / (x**2 + 4)),
])
def test_general_robust_loss_special_cases(alpha, expected):
    # Barron 2019: alpha = 2 is L2, 0 Cauchy, 1 pseudo-Huber, -2 Geman-McClure.
    x = np.linspace(-4, 4, 17)
    got = lv.GeneralRobustLoss(alpha=alpha).per_sample(np.zeros_like(x), x)
    np.testing.assert_allclose(got, expected(x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("near", [2.0, 0.0])
def test_general_robust_loss_is_continuous_at_its_limits(near):
    x = np.linspace(-4, 4, 9)
    at = lv.GeneralRobustLoss(alpha=near).per_sample(np.zeros_like(x), x)
    for gap in (1e-6, -1e-6):
        close = lv.GeneralRobustLoss(alpha=near + gap).per_sample(np.zeros_like(x), x)
        np.testing.assert_allclose(close, at, rtol=1e-5, atol=1e-12)


def test_custom_regression_loss_mixes_mse_and_mae():
    mix = lv.CustomRegressionLoss(alpha=0.3)
    expected = 0.3 * lv.MeanSquaredError()(Y_REG, P_REG) + 0.7 * lv.MeanAbsoluteError()(Y_REG, P_REG)
    assert mix(Y_REG, P_REG) == pytest.approx(expected)


def test_bce_from_logits_matches_probabilities():
    z = np.array([-3.0, -0.2, 0.0, 1.5, 4.0])
    y = np.array([1.0, 0.0, 1.0, 0.3, 0.0])
    p = 1 / (1 + np.exp(-z))
    assert lv.BinaryCrossEntropy(from_logits=True)(y, z) == pytest.approx(lv.BinaryCrossEntropy()(y, p))
    # chain rule: dL/dz = dL/dp * p (1 - p)
    np.testing.assert_allclose(lv.BinaryCrossEntropy(from_logits=True).derivative(y, z),
                               lv.BinaryCrossEntropy().derivative(y, p) * p * (1 - p))


def test_categorical_and_sparse_agree():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(6, 4))
    labels = rng.integers(0, 4, size=6)
    one_hot = np.eye(4)[labels]
    p = lv.stable_softmax(z)
    values = [
        lv.CategoricalCrossEntropy()(one_hot, p),
        lv.CategoricalCrossEntropy(from_logits=True)(one_hot, z),
        lv.SparseCategoricalCrossEntropy()(labels, p),
        lv.SparseCategoricalCrossEntropy(from_logits=True)(labels, z),
    ]
    np.testing.assert_allclose(values, values[0])
    expected = -np.mean(np.log(p[np.arange(6), labels]))
    assert values[0] == pytest.approx(expected)


def test_cce_from_logits_gradient_is_softmax_minus_onehot_over_n():
    z = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]])
    y = np.array([[1.0, 0, 0], [0, 0, 1.0]])
    g = lv.CategoricalCrossEntropy(from_logits=True).derivative(y, z)
    np.testing.assert_allclose(g, (lv.stable_softmax(z) - y) / 2)


def test_hinge_values():
    h = lv.HingeLoss()
    np.testing.assert_allclose(h.per_sample([1, -1, 1, -1], [2.0, -0.5, -1.0, 3.0]), [0, 0.5, 2, 4])


def test_focal_gamma_zero_is_cross_entropy():
    assert lv.FocalLoss(gamma=0.0)(Y_IMB, P_IMB) == pytest.approx(lv.BinaryCrossEntropy()(Y_IMB, P_IMB))


def test_focal_alpha_weights_positives_by_alpha_and_negatives_by_one_minus_alpha():
    plain = lv.FocalLoss(gamma=2.0).per_sample(Y_IMB, P_IMB)
    weighted = lv.FocalLoss(gamma=2.0, alpha=0.25).per_sample(Y_IMB, P_IMB)
    np.testing.assert_allclose(weighted, np.where(Y_IMB == 1, 0.25, 0.75) * plain)


def test_focal_by_hand():
    # y = 1, p = 0.9: p_t = 0.9, (0.1)^2 * -log(0.9)
    assert lv.FocalLoss(gamma=2)([1.0], [0.9]) == pytest.approx(0.01 * -np.log(0.9))
    # y = 0, p = 0.9: p_t = 0.1, (0.9)^2 * -log(0.1)
    assert lv.FocalLoss(gamma=2)([0.0], [0.9]) == pytest.approx(0.81 * -np.log(0.1))


def test_dice_and_iou_by_hand():
    y = np.array([[1, 1, 0], [0, 1, 0]], dtype=float)
    p = np.array([[1, 0, 0], [0, 1, 1]], dtype=float)
    # I = 2, sum y = 3, sum p = 3: Dice = 4/6, IoU = 2/4
    assert lv.DiceLoss(smooth=0)(y, p) == pytest.approx(1 - 4 / 6)
    assert lv.IoULoss(smooth=0)(y, p) == pytest.approx(1 - 2 / 4)
    assert lv.DiceLoss()(y, y) == pytest.approx(0, abs=1e-12)
    assert lv.IoULoss()(y, y) == pytest.approx(0, abs=1e-12)


def test_dice_empty_mask_with_smoothing_is_perfect():
    empty = np.zeros((3, 3))
    assert lv.DiceLoss()(empty, empty) == 0.0
    assert lv.IoULoss()(empty, empty) == 0.0


def test_kl_values_and_asymmetry():
    p = np.array([0.5, 0.5, 0.0])
    q = np.array([0.25, 0.25, 0.5])
    kl = lv.KLDivergence()
    assert kl(p, q) == pytest.approx(np.log(2))  # 0 log 0 contributes 0
    assert kl(q, p) > 100  # q has mass where p has none: huge (capped, not inf)
    assert np.isfinite(kl(q, p))
    assert kl(p, p) == 0.0
    batch = kl(np.stack([p, q[[2, 1, 0]]]), np.stack([q, q]))
    assert batch == pytest.approx(0.5 * (np.log(2) + kl(q[[2, 1, 0]], q)))


def test_contrastive_values():
    c = lv.ContrastiveLoss(margin=2.0)
    # similar at d = 1 -> 0.5; dissimilar at d = 0.5 -> 0.5 * 1.5^2; dissimilar beyond margin -> 0
    np.testing.assert_allclose(c.per_sample([1, 0, 0], [1.0, 0.5, 3.0]), [0.5, 1.125, 0.0])


def test_triplet_values():
    a = np.array([[0.0, 0.0], [0.0, 0.0]])
    p = np.array([[1.0, 0.0], [0.0, 1.0]])
    n = np.array([[0.0, 3.0], [0.0, 1.5]])
    t = lv.TripletLoss(margin=1.0)
    # row 1: 1 - 3 + 1 < 0 -> 0; row 2: 1 - 1.5 + 1 = 0.5
    np.testing.assert_allclose(t.per_sample(a, p, n), [0.0, 0.5])
    assert t(a, p, n) == pytest.approx(0.25)
    ga, gp, gn = t.derivative(a, p, n)
    np.testing.assert_allclose(gp, [[0, 0], [0, 0.5]])  # moving p away from a costs
    np.testing.assert_allclose(gn, [[0, 0], [0, -0.5]])  # moving n away helps
    np.testing.assert_allclose(ga, -(gp + gn))


def test_per_sample_derivative_is_derivative_times_n():
    loss = lv.HuberLoss(delta=0.15)
    np.testing.assert_allclose(loss.per_sample_derivative(Y_REG, P_REG),
                               4 * loss.derivative(Y_REG, P_REG))


def test_curve_traces_per_sample_values():
    e = np.linspace(-2, 2, 5)
    values, slopes = lv.curve(lv.MeanSquaredError(), e)
    np.testing.assert_allclose(values, e**2)
    np.testing.assert_allclose(slopes, 2 * e)


def test_lists_and_ints_are_accepted():
    assert lv.MeanSquaredError()([1, 2], [1, 4]) == 2.0


def test_vnet_dice_by_hand():
    y = np.array([1.0, 1.0, 0.0])
    p = np.array([0.5, 1.0, 0.5])
    # I = 1.5, sum p^2 = 1.5, sum y^2 = 2: Dice = 3 / 3.5
    assert lv.DiceLoss(smooth=0, squared_denominator=True)(y, p) == pytest.approx(1 - 3 / 3.5)
    # gradient: -(2 y_j U - 2 p_j 2I) / U^2 with U = 3.5, 2I = 3
    expected = -(2 * y * 3.5 - 2 * p * 3) / 3.5**2
    np.testing.assert_allclose(
        lv.DiceLoss(smooth=0, squared_denominator=True).derivative(y, p), expected)


def test_squared_triplet_by_hand():
    a = np.array([[0.0, 0.0], [0.0, 0.0]])
    p = np.array([[1.0, 0.0], [0.0, 1.0]])
    n = np.array([[0.0, 3.0], [0.0, 1.2]])
    t = lv.TripletLoss(margin=1.0, squared=True)
    # row 1: 1 - 9 + 1 < 0 -> 0; row 2: 1 - 1.44 + 1 = 0.56
    np.testing.assert_allclose(t.per_sample(a, p, n), [0.0, 0.56])
    ga, gp, gn = t.derivative(a, p, n)
    # row 2 active: d/dp = -2(a - p)/2 rows, d/dn = 2(a - n)/2 rows
    np.testing.assert_allclose(gp, [[0, 0], [0, 1.0]])
    np.testing.assert_allclose(gn, [[0, 0], [0, -1.2]])
    np.testing.assert_allclose(ga, -(gp + gn))
