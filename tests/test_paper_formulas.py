"""Each loss variant that cites a paper against that paper's equation, written here
independently of lossviz (from the paper, not from the package's code)."""

import numpy as np
import pytest

import lossviz as lv

RNG = np.random.default_rng(20261128)


def vnet_dice(p, g):
    """Milletari, Navab and Ahmadi 2016 (V-Net), eq. 1: D = 2 sum p g / (sum p^2 + sum g^2)."""
    p, g = p.ravel(), g.ravel()
    return 2 * sum(pi * gi for pi, gi in zip(p, g)) / (sum(pi**2 for pi in p) + sum(gi**2 for gi in g))


def soft_dice(p, g):
    """The common soft Dice (one class of Sudre et al. 2017): 2 sum p g / (sum p + sum g)."""
    p, g = p.ravel(), g.ravel()
    return 2 * sum(pi * gi for pi, gi in zip(p, g)) / (sum(p) + sum(g))


def facenet_triplet(a, p, n, alpha):
    """Schroff, Kalenichenko and Philbin 2015 (FaceNet), eq. 1: the mean over triplets of
    [||f(a) - f(p)||_2^2 - ||f(a) - f(n)||_2^2 + alpha]_+ ."""
    terms = []
    for ai, pi, ni in zip(a, p, n):
        d_pos = sum((x - y) ** 2 for x, y in zip(ai, pi))
        d_neg = sum((x - y) ** 2 for x, y in zip(ai, ni))
        terms.append(max(0.0, d_pos - d_neg + alpha))
    return sum(terms) / len(terms)


def hadsell_contrastive(Y, D, m):
    """Hadsell, Chopra and LeCun 2006: (1 - Y) 1/2 D^2 + Y 1/2 max(0, m - D)^2, with
    Y = 0 for a similar pair and Y = 1 for a dissimilar one; mean over pairs."""
    return np.mean([(1 - y) * 0.5 * d**2 + y * 0.5 * max(0.0, m - d) ** 2 for y, d in zip(Y, D)])


def unit_rows(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize("trial", range(20))
def test_dice_squared_denominator_is_vnet_eq1(trial):
    shape = (RNG.integers(1, 6), RNG.integers(1, 6))
    g = (RNG.random(shape) < 0.4).astype(float)
    p = RNG.random(shape)
    loss = lv.DiceLoss(smooth=0, squared_denominator=True)
    assert loss(g, p) == pytest.approx(1 - vnet_dice(p, g), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("trial", range(20))
def test_default_dice_is_soft_dice_not_vnet(trial):
    shape = (RNG.integers(2, 6), RNG.integers(2, 6))
    g = (RNG.random(shape) < 0.4).astype(float)
    g.flat[0] = 1.0
    p = RNG.uniform(0.05, 0.95, shape)
    assert lv.DiceLoss(smooth=0)(g, p) == pytest.approx(1 - soft_dice(p, g), rel=1e-12)
    # soft probabilities: sum p^2 < sum p, so the two forms differ
    assert lv.DiceLoss(smooth=0)(g, p) != pytest.approx(1 - vnet_dice(p, g), rel=1e-6)


def test_vnet_dice_gradient_depends_on_the_prediction():
    # two background pixels with different predictions: the soft Dice pushes both down
    # equally, V-Net's Dice pushes the more confident false positive harder
    g = np.array([1.0, 0.0, 0.0])
    p = np.array([0.8, 0.2, 0.6])
    soft = lv.DiceLoss(smooth=0).derivative(g, p)
    vnet = lv.DiceLoss(smooth=0, squared_denominator=True).derivative(g, p)
    assert soft[1] == pytest.approx(soft[2])
    assert vnet[2] > vnet[1] > 0


@pytest.mark.parametrize("trial", range(20))
def test_triplet_squared_is_facenet_eq1(trial):
    rows, k = RNG.integers(1, 8), RNG.integers(1, 6)
    a, p, n = (unit_rows(RNG.normal(size=(rows, k))) for _ in range(3))
    loss = lv.TripletLoss(margin=0.2, squared=True)
    assert loss(a, p, n) == pytest.approx(facenet_triplet(a, p, n, 0.2), rel=1e-12, abs=1e-15)


def test_triplet_default_is_unsquared_like_pytorch():
    # PyTorch's TripletMarginLoss (p=2, eps=0 aside): max(0, ||a-p|| - ||a-n|| + m)
    a, p, n = np.zeros((1, 2)), np.array([[3.0, 4.0]]), np.array([[0.0, 6.0]])
    assert lv.TripletLoss(margin=2.0)(a, p, n) == pytest.approx(5 - 6 + 2)
    assert lv.TripletLoss(margin=2.0, squared=True)(a, p, n) == pytest.approx(0.0)
    assert lv.TripletLoss(margin=20.0, squared=True)(a, p, n) == pytest.approx(25 - 36 + 20)


@pytest.mark.parametrize("trial", range(10))
def test_contrastive_is_hadsell_with_the_label_flipped(trial):
    y = RNG.integers(0, 2, size=8).astype(float)  # lossviz: 1 similar
    d = RNG.uniform(0, 3, size=8)
    m = RNG.uniform(0.5, 2)
    assert lv.ContrastiveLoss(margin=m)(y, d) == pytest.approx(hadsell_contrastive(1 - y, d, m))
