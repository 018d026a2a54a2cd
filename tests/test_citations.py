"""Every loss the book attributes to a paper, checked against that paper's own formula.

Each reference function below writes the paper's equation again, in the paper's
notation and sign conventions, with plain Python/NumPy and without calling lossviz.
The tests then compare lossviz with it on random inputs, for the default form and for
every variant the book offers (V-Net's Dice, FaceNet's squared triplet loss,
Hadsell's flipped label, Lin's alpha_t, Barron's limits). If a docstring or chapter
credits a paper with a formula lossviz does not compute, one of these fails.

Where the equation number could be checked it is given; otherwise the section or the
quantity is named.
"""

import math

import numpy as np
import pytest

import lossviz as lv

SEEDS = range(10)


def rng_for(seed):
    return np.random.default_rng(1000 + seed)


def numerical_derivative(f, x, h=1e-6):
    """Central differences of a scalar function f of an array x, entry by entry."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        grad[idx] = (f(up) - f(down)) / (2 * h)
    return grad


# --- Regression --------------------------------------------------------------------


def huber_rho(t, k):
    """Huber (1964): rho(t) = t^2 / 2 for |t| <= k and k |t| - k^2 / 2 for |t| > k,
    the rho of his minimax M-estimator of location."""
    return 0.5 * t * t if abs(t) <= k else k * abs(t) - 0.5 * k * k


@pytest.mark.parametrize("seed", SEEDS)
def test_huber_is_huber_1964(seed):
    rng = rng_for(seed)
    k = rng.uniform(0.2, 3.0)
    y, y_hat = rng.normal(0, 3, 40), rng.normal(0, 3, 40)
    expected = [huber_rho(yh - yt, k) for yt, yh in zip(y, y_hat)]
    np.testing.assert_allclose(lv.HuberLoss(delta=k).per_sample(y, y_hat), expected,
                               rtol=1e-13, atol=1e-14)


def koenker_bassett_rho(u, theta):
    """Koenker and Bassett (1978), the check function of regression quantiles:
    rho_theta(u) = theta u for u >= 0 and (theta - 1) u for u < 0, applied to the
    residual u = y - x'b (target minus fit: the sign is opposite to the book's e)."""
    return theta * u if u >= 0 else (theta - 1.0) * u


@pytest.mark.parametrize("seed", SEEDS)
def test_quantile_loss_is_koenker_bassett_1978(seed):
    rng = rng_for(seed)
    tau = rng.uniform(0.05, 0.95)
    y, y_hat = rng.normal(0, 2, 40), rng.normal(0, 2, 40)
    expected = [koenker_bassett_rho(yt - yh, tau) for yt, yh in zip(y, y_hat)]
    np.testing.assert_allclose(lv.QuantileLoss(tau=tau).per_sample(y, y_hat), expected,
                               rtol=1e-13, atol=1e-15)


def barron_rho(x, alpha, c):
    """Barron (2019), eq. (1), for alpha not 0 or 2:
    rho(x, alpha, c) = |alpha - 2| / alpha * (((x / c)^2 / |alpha - 2| + 1)^(alpha / 2) - 1)."""
    b = abs(alpha - 2.0)
    return b / alpha * (((x / c) ** 2 / b + 1.0) ** (alpha / 2.0) - 1.0)


# The limits and special cases the paper lists, written from their closed forms.
BARRON_LIMITS = {
    2.0: lambda x, c: 0.5 * (x / c) ** 2,                                  # L2
    0.0: lambda x, c: math.log(0.5 * (x / c) ** 2 + 1.0),                  # Cauchy / Lorentzian
    1.0: lambda x, c: math.sqrt((x / c) ** 2 + 1.0) - 1.0,                 # Charbonnier / pseudo-Huber
    -2.0: lambda x, c: 2.0 * (x / c) ** 2 / ((x / c) ** 2 + 4.0),          # Geman-McClure
    -math.inf: lambda x, c: 1.0 - math.exp(-0.5 * (x / c) ** 2),           # Welsch / Leclerc
}


@pytest.mark.parametrize("seed", SEEDS)
def test_general_loss_is_barron_eq1(seed):
    rng = rng_for(seed)
    alpha = rng.choice([rng.uniform(-10, -0.1), rng.uniform(0.1, 1.9), rng.uniform(2.1, 6)])
    c = rng.uniform(0.3, 3.0)
    y, y_hat = rng.normal(0, 2, 30), rng.normal(0, 2, 30)
    loss = lv.GeneralRobustLoss(alpha=alpha, scale=c)
    expected = [barron_rho(yh - yt, alpha, c) for yt, yh in zip(y, y_hat)]
    np.testing.assert_allclose(loss.per_sample(y, y_hat), expected, rtol=1e-10, atol=1e-13)
    # the derivative of the paper's rho, by finite differences, against lossviz's
    e = y_hat - y
    numeric = numerical_derivative(lambda v: sum(barron_rho(x, alpha, c) for x in v), e)
    np.testing.assert_allclose(loss.per_sample_derivative(y, y_hat), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("alpha", [2.0, 0.0, 1.0, -2.0])
def test_barron_named_members(alpha):
    rng = rng_for(int(alpha) + 50)
    c = 0.7
    y, y_hat = rng.normal(0, 3, 30), rng.normal(0, 3, 30)
    expected = [BARRON_LIMITS[alpha](yh - yt, c) for yt, yh in zip(y, y_hat)]
    np.testing.assert_allclose(lv.GeneralRobustLoss(alpha=alpha, scale=c).per_sample(y, y_hat),
                               expected, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("limit, near", [(0.0, 1e-7), (0.0, -1e-7), (2.0, 2 + 1e-7), (2.0, 2 - 1e-7),
                                         (-math.inf, -1e7)])
def test_barron_limits_are_continuous(limit, near):
    """alpha -> 0, alpha -> 2 and alpha -> -inf: lossviz just beside the limit agrees
    with the paper's limiting form."""
    rng = rng_for(99)
    c = 1.3
    y, y_hat = rng.normal(0, 3, 30), rng.normal(0, 3, 30)
    expected = [BARRON_LIMITS[limit](yh - yt, c) for yt, yh in zip(y, y_hat)]
    np.testing.assert_allclose(lv.GeneralRobustLoss(alpha=near, scale=c).per_sample(y, y_hat),
                               expected, rtol=1e-5, atol=1e-7)


# --- Classification ----------------------------------------------------------------


def lin_focal(y, p, gamma, alpha):
    """Lin et al. (2017): p_t by eq. (2), alpha_t defined "analogously to p_t", and
    FL(p_t) = -alpha_t (1 - p_t)^gamma log(p_t), eq. (5); eq. (4) is alpha_t = 1."""
    p_t = p if y == 1 else 1.0 - p
    alpha_t = 1.0 if alpha is None else (alpha if y == 1 else 1.0 - alpha)
    return -alpha_t * (1.0 - p_t) ** gamma * math.log(p_t)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("alpha", [None, 0.25, 0.75])
def test_focal_loss_is_lin_eq5(seed, alpha):
    rng = rng_for(seed)
    gamma = rng.choice([0.0, 0.5, 2.0, rng.uniform(0, 5)])
    y = rng.integers(0, 2, 30).astype(float)
    z = rng.normal(0, 3, 30)
    p = 1.0 / (1.0 + np.exp(-z))
    expected = [lin_focal(t, q, gamma, alpha) for t, q in zip(y, p)]
    np.testing.assert_allclose(lv.FocalLoss(gamma=gamma, alpha=alpha).per_sample(y, p),
                               expected, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(
        lv.FocalLoss(gamma=gamma, alpha=alpha, from_logits=True).per_sample(y, z),
        expected, rtol=1e-9, atol=1e-15)


def test_focal_with_gamma_zero_is_lin_alpha_balanced_ce_eq3():
    """Lin et al. (2017), eq. (3): CE(p_t) = -alpha_t log(p_t)."""
    rng = rng_for(7)
    y = rng.integers(0, 2, 30).astype(float)
    p = rng.uniform(0.05, 0.95, 30)
    expected = [-(0.25 if t == 1 else 0.75) * math.log(q if t == 1 else 1 - q) for t, q in zip(y, p)]
    np.testing.assert_allclose(lv.FocalLoss(gamma=0.0, alpha=0.25).per_sample(y, p), expected,
                               rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_hinge_is_the_slack_of_cortes_vapnik_1995(seed):
    """Cortes and Vapnik (1995), soft margin: y_i (w.x_i + b) >= 1 - xi_i with xi_i >= 0;
    the hinge loss is the smallest slack xi_i that satisfies both."""
    rng = rng_for(seed)
    y = rng.choice([-1.0, 1.0], 30)
    z = rng.normal(0, 2, 30)
    smallest_slack = [max(0.0, 1.0 - t * s) for t, s in zip(y, z)]
    np.testing.assert_allclose(lv.HingeLoss().per_sample(y, z), smallest_slack, rtol=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
def test_label_smoothing_splits_as_in_szegedy_2016(seed):
    """Szegedy et al. (2016), Section 7: with q'(k) = (1 - eps) delta_{k,y} + eps u(k),
    H(q', p) = (1 - eps) H(q, p) + eps H(u, p), u uniform over the K classes."""
    rng = rng_for(seed)
    k, eps = 5, rng.uniform(0.01, 0.4)
    logits = rng.normal(0, 2, (8, k))
    labels = rng.integers(0, k, 8)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    h_q = [-math.log(p[i, labels[i]]) for i in range(8)]
    h_u = [-sum(math.log(p[i, j]) for j in range(k)) / k for i in range(8)]
    expected = [(1 - eps) * a + eps * b for a, b in zip(h_q, h_u)]
    smoothed = (1 - eps) * np.eye(k)[labels] + eps / k
    cce = lv.CategoricalCrossEntropy(from_logits=True)
    np.testing.assert_allclose(cce.per_sample(smoothed, logits), expected, rtol=1e-10)


# --- Overlap ------------------------------------------------------------------------


def vnet_dice(p, g):
    """Milletari et al. (2016), eq. (1): D = 2 sum p_i g_i / (sum p_i^2 + sum g_i^2)."""
    p, g = list(np.ravel(p)), list(np.ravel(g))
    return 2 * sum(a * b for a, b in zip(p, g)) / (sum(a * a for a in p) + sum(b * b for b in g))


def vnet_dice_gradient(p, g):
    """Milletari et al. (2016), eq. (2): dD/dp_j =
    2 [g_j (sum p^2 + sum g^2) - 2 p_j sum p g] / (sum p^2 + sum g^2)^2."""
    p, g = np.ravel(p), np.ravel(g)
    den = sum(a * a for a in p) + sum(b * b for b in g)
    inter = sum(a * b for a, b in zip(p, g))
    return np.array([2 * (gj * den - 2 * pj * inter) / den**2 for pj, gj in zip(p, g)])


def sudre_gdl(r, p):
    """Sudre et al. (2017), generalised Dice loss:
    GDL = 1 - 2 sum_l w_l sum_n r_ln p_ln / sum_l w_l sum_n (r_ln + p_ln),
    w_l = 1 / (sum_n r_ln)^2; r and p have one row per class l."""
    num = den = 0.0
    for r_l, p_l in zip(r, p):
        w = 1.0 / sum(r_l) ** 2
        num += w * sum(a * b for a, b in zip(r_l, p_l))
        den += w * sum(a + b for a, b in zip(r_l, p_l))
    return 1.0 - 2.0 * num / den


def random_mask_and_prediction(rng):
    shape = (int(rng.integers(2, 7)), int(rng.integers(2, 7)))
    g = (rng.random(shape) < 0.3).astype(float)
    g.flat[0] = 1.0                                   # at least one object pixel
    return g, rng.uniform(0.01, 0.99, shape)


@pytest.mark.parametrize("seed", SEEDS)
def test_squared_dice_is_vnet_eq1_and_eq2(seed):
    g, p = random_mask_and_prediction(rng_for(seed))
    loss = lv.DiceLoss(smooth=0, squared_denominator=True)
    # the mask, an empty mask (no object: D = 0) and a mask of one row
    for mask, pred in ((g, p), (np.zeros_like(g), p), (g[:1], p[:1])):
        assert loss(mask, pred) == pytest.approx(1 - vnet_dice(pred, mask), rel=1e-12)
        np.testing.assert_allclose(loss.derivative(mask, pred).ravel(),
                                   -vnet_dice_gradient(pred, mask), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
def test_default_dice_is_one_class_of_sudre_gdl_not_vnet(seed):
    g, p = random_mask_and_prediction(rng_for(seed))
    soft = lv.DiceLoss(smooth=0)
    assert soft(g, p) == pytest.approx(sudre_gdl([g.ravel()], [p.ravel()]), rel=1e-12)
    # with probabilities strictly inside (0, 1) the two forms are different losses
    assert abs(soft(g, p) - (1 - vnet_dice(p, g))) > 1e-3


def test_vnet_dice_gradient_depends_on_the_prediction():
    """The book's knock-on of the V-Net form: soft Dice pushes every background pixel
    down equally, V-Net's Dice pushes the more confident false positive harder."""
    g = np.array([1.0, 0.0, 0.0])
    p = np.array([0.8, 0.2, 0.6])
    soft = lv.DiceLoss(smooth=0).derivative(g, p)
    vnet = lv.DiceLoss(smooth=0, squared_denominator=True).derivative(g, p)
    assert soft[1] == pytest.approx(soft[2])
    assert vnet[2] > vnet[1] > 0


def rahman_wang_iou(x, y):
    """Rahman and Wang (2016): IoU = I / U with I = sum X Y and U = sum (X + Y - X Y)."""
    x, y = np.ravel(x), np.ravel(y)
    inter = sum(a * b for a, b in zip(x, y))
    return inter / sum(a + b - a * b for a, b in zip(x, y))


@pytest.mark.parametrize("seed", SEEDS)
def test_iou_loss_is_rahman_wang_2016(seed):
    g, p = random_mask_and_prediction(rng_for(seed))
    assert lv.IoULoss(smooth=0)(g, p) == pytest.approx(1 - rahman_wang_iou(p, g), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_unitbox_minus_log_iou_has_gradient_of_iou_loss_over_iou(seed):
    """Yu et al. (2016), UnitBox: L = -ln(IoU). The book says its gradient is that of
    1 - IoU divided by IoU; check it on the paper's loss by finite differences."""
    g, p = random_mask_and_prediction(rng_for(seed))
    unitbox = numerical_derivative(lambda q: -math.log(rahman_wang_iou(q, g)), p)
    iou_loss = lv.IoULoss(smooth=0)
    np.testing.assert_allclose(unitbox, iou_loss.derivative(g, p) / rahman_wang_iou(p, g),
                               rtol=1e-5, atol=1e-8)


# --- Distributions and similarity --------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_kl_is_kullback_leibler_1951(seed):
    """Kullback and Leibler (1951): I(1:2) = sum f1 log(f1 / f2), the mean information
    for discrimination in favour of f1 against f2; here f1 = P (target), f2 = Q."""
    rng = rng_for(seed)
    P = rng.dirichlet(np.ones(6), 5)
    Q = rng.dirichlet(np.ones(6), 5)
    expected = [sum(a * math.log(a / b) for a, b in zip(pr, qr)) for pr, qr in zip(P, Q)]
    np.testing.assert_allclose(lv.KLDivergence().per_sample(P, Q), expected, rtol=1e-12)


def hadsell_contrastive(Y, D, m):
    """Hadsell, Chopra and LeCun (2006), eq. (4):
    L = (1 - Y) 1/2 D^2 + Y 1/2 max(0, m - D)^2, with Y = 0 for a similar pair and
    Y = 1 for a dissimilar one (the book's y is 1 - Y)."""
    return (1 - Y) * 0.5 * D**2 + Y * 0.5 * max(0.0, m - D) ** 2


@pytest.mark.parametrize("seed", SEEDS)
def test_contrastive_is_hadsell_eq4_with_flipped_label(seed):
    rng = rng_for(seed)
    m = rng.uniform(0.3, 2.0)
    Y = rng.integers(0, 2, 40).astype(float)          # the paper's label: 0 = similar
    D = rng.uniform(0.0, 2.5, 40)
    expected = [hadsell_contrastive(a, b, m) for a, b in zip(Y, D)]
    loss = lv.ContrastiveLoss(margin=m)
    np.testing.assert_allclose(loss.per_sample(1 - Y, D), expected, rtol=1e-13, atol=1e-15)
    assert loss(1 - Y, D) == pytest.approx(np.mean(expected), rel=1e-13)  # mean over pairs
    # passing the paper's Y unchanged gives a different loss: the flip matters
    assert not np.allclose(loss.per_sample(Y, D), expected)


def facenet_triplet(a, p, n, alpha):
    """Schroff et al. (2015), Section 3.1: the mean over triplets of
    [||f(x_a) - f(x_p)||_2^2 - ||f(x_a) - f(x_n)||_2^2 + alpha]_+ (the paper sums;
    the book takes the mean), on embeddings with ||f(x)||_2 = 1."""
    terms = []
    for ai, pi, ni in zip(a, p, n):
        d_pos = sum((x - y) ** 2 for x, y in zip(ai, pi))
        d_neg = sum((x - y) ** 2 for x, y in zip(ai, ni))
        terms.append(max(0.0, d_pos - d_neg + alpha))
    return sum(terms) / len(terms)


def unit_rows(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize("seed", SEEDS)
def test_squared_triplet_is_facenet(seed):
    rng = rng_for(seed)
    rows, k = int(rng.integers(1, 13)), int(rng.integers(1, 6))  # one triplet, 1-D too
    a, p, n = (unit_rows(rng.normal(size=(rows, k))) for _ in range(3))
    loss = lv.TripletLoss(margin=0.2, squared=True)
    assert loss(a, p, n) == pytest.approx(facenet_triplet(a, p, n, 0.2), rel=1e-12, abs=1e-15)
    # gradients of the paper's loss by finite differences (random triplets are not at
    # the hinge's kink, where the difference quotient would straddle two slopes)
    for which, analytic in enumerate(loss.derivative(a, p, n)):
        def paper(v, which=which):
            args = [a, p, n]
            args[which] = v
            return facenet_triplet(*args, 0.2)
        np.testing.assert_allclose(analytic, numerical_derivative(paper, [a, p, n][which]),
                                   rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("seed", SEEDS)
def test_default_triplet_uses_unsquared_distances(seed):
    """The default is the unsquared form (PyTorch's TripletMarginLoss), not FaceNet's."""
    rng = rng_for(seed)
    a, p, n = (rng.normal(size=(12, 3)) for _ in range(3))
    expected = np.mean([max(0.0, np.linalg.norm(x - y) - np.linalg.norm(x - w) + 1.0)
                        for x, y, w in zip(a, p, n)])
    assert lv.TripletLoss(margin=1.0)(a, p, n) == pytest.approx(expected, rel=1e-12)


def test_triplet_forms_on_a_triangle_worked_by_hand():
    """|a - p| = 5 and |a - n| = 6: the unsquared form (PyTorch's TripletMarginLoss,
    p=2) gives 5 - 6 + m, FaceNet's squared form 25 - 36 + m, 0 once m <= 11."""
    a, p, n = np.zeros((1, 2)), np.array([[3.0, 4.0]]), np.array([[0.0, 6.0]])
    assert lv.TripletLoss(margin=2.0)(a, p, n) == pytest.approx(5 - 6 + 2)
    assert lv.TripletLoss(margin=2.0, squared=True)(a, p, n) == pytest.approx(0.0)
    assert lv.TripletLoss(margin=20.0, squared=True)(a, p, n) == pytest.approx(25 - 36 + 20)
