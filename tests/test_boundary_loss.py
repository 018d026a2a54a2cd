"""BoundaryWeightedLoss: exact gradient, minimised by the right mask, edges weigh more, clear errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import lossviz as lv

TOL = 1e-4  # as in test_gradients.py: finite differences are only this precise

probs = st.floats(min_value=0.02, max_value=0.98, allow_nan=False)
unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
shapes = st.tuples(st.integers(1, 6), st.integers(1, 6))
losses = st.builds(
    lv.BoundaryWeightedLoss,
    boundary_weight=st.floats(0, 10),
    dice_weight=st.floats(0, 3),
    smooth=st.floats(1e-6, 2),
)


@st.composite
def masks(draw, elements=probs):
    """A random binary mask and a prediction of the same shape."""
    shape = draw(shapes)
    t = draw(arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))
    p = draw(arrays(np.float64, shape, elements=elements))
    return t, p


def broken_boundary_loss(y, p, boundary_weight=0.3):
    """The syllabus's design: only the y log p half of cross-entropy, plus a signed edge term."""
    ce = -np.mean(y * np.log(p + 1e-15))
    edges = np.mean(np.abs(np.stack(np.gradient(p)))) - np.mean(np.abs(np.stack(np.gradient(y))))
    return ce + boundary_weight * edges


def boundary_by_loops(y):
    """Reference for the vectorised boundary map: visit each pixel and its 4 neighbours."""
    h, w = y.shape
    out = np.zeros_like(y)
    for i in range(h):
        for j in range(w):
            for di, dj in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                a, b = i + di, j + dj
                if 0 <= a < h and 0 <= b < w and y[a, b] != y[i, j]:
                    out[i, j] = 1.0
    return out


# --- gradient ---------------------------------------------------------------------

@given(loss=losses, data=masks())
def test_gradient_matches_finite_differences(loss, data):
    t, p = data
    assert lv.gradcheck(loss, t, p) < TOL


def test_gradient_on_the_disk():
    y = lv.datasets.disk_mask(size=10, centre=(5.0, 4.0), radius=3.0)
    p = np.clip(0.8 * y + 0.1 + 0.05 * np.random.default_rng(0).standard_normal(y.shape), 0.02, 0.98)
    assert lv.gradcheck(lv.BoundaryWeightedLoss(), y, p) < TOL


def test_without_boundary_and_dice_it_is_bce():
    t, p = np.array([[0.0, 1.0, 1.0], [0.0, 0.0, 1.0]]), np.array([[0.2, 0.7, 0.4], [0.1, 0.6, 0.9]])
    loss, bce = lv.BoundaryWeightedLoss(boundary_weight=0, dice_weight=0), lv.BinaryCrossEntropy()
    assert loss(t, p) == pytest.approx(bce(t, p), rel=1e-12)
    np.testing.assert_allclose(loss.derivative(t, p), bce.derivative(t, p), rtol=1e-12)


def test_dice_term_adds_dice_loss():
    t, p = np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([[0.3, 0.8], [0.5, 0.9]])
    with_dice = lv.BoundaryWeightedLoss(boundary_weight=2.0, dice_weight=0.5, smooth=0.1)
    without = lv.BoundaryWeightedLoss(boundary_weight=2.0, dice_weight=0.0)
    assert with_dice(t, p) == pytest.approx(without(t, p) + 0.5 * lv.DiceLoss(smooth=0.1)(t, p))


# --- the boundary map ---------------------------------------------------------------

def test_boundary_map_by_hand():
    y = np.array([[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]], dtype=float)
    expected = np.array([[0, 1, 1, 0], [1, 1, 1, 1], [1, 1, 1, 1], [0, 1, 1, 0]], dtype=float)
    loss = lv.BoundaryWeightedLoss(boundary_weight=3.0)
    np.testing.assert_array_equal(loss.boundary(y), expected)
    np.testing.assert_array_equal(loss.weight_map(y), 1.0 + 3.0 * expected)


@given(data=masks())
def test_boundary_map_matches_a_loop(data):
    t, _ = data
    np.testing.assert_array_equal(lv.BoundaryWeightedLoss().boundary(t), boundary_by_loops(t))


def test_image_border_is_not_a_boundary():
    assert not lv.BoundaryWeightedLoss().boundary(np.ones((3, 4))).any()
    assert not lv.BoundaryWeightedLoss().boundary(np.zeros((1, 1))).any()


# --- it behaves like a loss -----------------------------------------------------------

@given(loss=losses, data=masks(elements=unit))
def test_non_negative(loss, data):
    t, p = data
    assert loss(t, p) >= 0.0


@given(loss=losses, data=masks(elements=unit))
def test_perfect_prediction_is_the_minimum(loss, data):
    t, p = data
    perfect = loss(t, t)
    assert perfect < 1e-12  # 0 up to the clipping of p = 1 to PROB_MAX
    assert perfect <= loss(t, p)


@pytest.mark.parametrize("c", [0.0, 0.01, 0.25, 0.5, 0.75, 0.99, 1.0])
def test_perfect_beats_every_constant_prediction(c):
    y = lv.datasets.disk_mask()
    loss = lv.BoundaryWeightedLoss()
    assert loss(y, y) < 1e-12
    assert loss(y, np.full_like(y, c)) > 0.1


def test_perfect_beats_near_misses():
    y = lv.datasets.disk_mask()
    loss = lv.BoundaryWeightedLoss()
    shifted = lv.datasets.disk_mask(centre=(17.0, 16.0))
    too_big = lv.datasets.disk_mask(radius=7.0)
    soft = np.clip(y, 0.05, 0.95)
    for p in (shifted, too_big, soft):
        assert loss(y, p) > loss(y, y) + 0.01


def test_all_ones_is_penalised_unlike_the_broken_loss():
    y = lv.datasets.disk_mask()
    ones = np.ones_like(y)
    assert abs(broken_boundary_loss(y, ones)) < 0.05  # the broken design calls this nearly perfect
    assert broken_boundary_loss(y, ones) < broken_boundary_loss(y, y)  # and better than the truth
    loss = lv.BoundaryWeightedLoss()
    assert loss(y, ones) > 1.0
    assert lv.BoundaryWeightedLoss(dice_weight=0)(y, ones) > 1.0  # the cross-entropy alone sees it


@pytest.mark.parametrize("dice_weight", [0.0, 1.0])
def test_an_error_on_the_boundary_costs_more(dice_weight):
    y = lv.datasets.disk_mask()
    loss = lv.BoundaryWeightedLoss(boundary_weight=4.0, dice_weight=dice_weight)
    b = loss.boundary(y)
    p = np.where(y == 1, 0.9, 0.1)
    edge = tuple(np.argwhere((b == 1) & (y == 1))[0])  # an object pixel on the edge
    inside = (16, 16)  # the centre of the disk
    assert b[inside] == 0 and y[inside] == 1
    costs = []
    for pixel in (edge, inside):
        q = p.copy()
        q[pixel] = 0.2
        costs.append(loss(y, q) - loss(y, p))
    assert costs[0] > costs[1] > 0
    # without the boundary weight the two errors cost the same
    flat = lv.BoundaryWeightedLoss(boundary_weight=0.0, dice_weight=dice_weight)
    q_edge, q_inside = p.copy(), p.copy()
    q_edge[edge], q_inside[inside] = 0.2, 0.2
    assert flat(y, q_edge) == pytest.approx(flat(y, q_inside), rel=1e-12)


def test_boundary_gradient_is_one_plus_beta_times_larger():
    y = lv.datasets.disk_mask()
    loss = lv.BoundaryWeightedLoss(boundary_weight=4.0, dice_weight=0.0)
    g = loss.derivative(y, np.where(y == 1, 0.7, 0.3))
    b = loss.boundary(y)
    inside = g[(y == 1) & (b == 0)]
    edge = g[(y == 1) & (b == 1)]
    np.testing.assert_allclose(edge / inside[0], 5.0)
    assert np.all(g[y == 1] < 0) and np.all(g[y == 0] > 0)  # descent raises p on the object


@pytest.mark.parametrize("boundary_weight", [0.0, 4.0, 1e3])
def test_finite_at_the_extremes(boundary_weight):
    # p = 0 where y = 1 is clipped to PROB_MIN: the gradient is about -1/PROB_MIN there,
    # which must not overflow when multiplied by a large weight
    y = lv.datasets.disk_mask()
    loss = lv.BoundaryWeightedLoss(boundary_weight=boundary_weight)
    for p in (1.0 - y, y, np.zeros_like(y), np.ones_like(y)):
        with np.errstate(all="raise"):
            assert np.isfinite(loss(y, p))
            assert np.all(np.isfinite(loss.derivative(y, p)))


# --- errors ---------------------------------------------------------------------------

@pytest.mark.parametrize("call,match", [
    (lambda: lv.BoundaryWeightedLoss()(np.zeros((2, 2)), np.zeros((2, 3))),
     r"y_true has shape \(2, 2\) but y_pred has shape \(2, 3\)"),
    (lambda: lv.BoundaryWeightedLoss()([0.0, 1.0], [0.5, 0.5]), r"y_true must be 2-D, got shape \(2,\)"),
    (lambda: lv.BoundaryWeightedLoss()(np.zeros((1, 2, 2)), np.zeros((1, 2, 2))), "y_true must be 2-D"),
    (lambda: lv.BoundaryWeightedLoss()([[0.0, 0.5]], [[0.5, 0.5]]), "y_true must hold labels 0 or 1"),
    (lambda: lv.BoundaryWeightedLoss()([[0.0, 1.0]], [[0.5, 1.5]]), r"y_pred must hold probabilities in \[0, 1\]"),
    (lambda: lv.BoundaryWeightedLoss()([[0.0, 1.0]], [[0.5, np.nan]]), "y_pred contains NaN"),
    (lambda: lv.BoundaryWeightedLoss(smooth=0)([[0.0, 0.0]], [[0.0, 0.0]]), "0/0; pass smooth > 0"),
    (lambda: lv.BoundaryWeightedLoss().derivative([[0.0, 2.0]], [[0.5, 0.5]]), "y_true must hold labels 0 or 1"),
    (lambda: lv.BoundaryWeightedLoss().boundary([0.0, 1.0]), "y_true must be 2-D"),
])
def test_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("kwargs,match", [
    ({"boundary_weight": -1.0}, r"boundary_weight must be in \[0, inf\)"),
    ({"dice_weight": -0.5}, r"dice_weight must be in \[0, inf\)"),
    ({"smooth": -1e-3}, r"smooth must be in \[0, inf\)"),
    ({"boundary_weight": float("nan")}, "boundary_weight must be a finite real number"),
    ({"dice_weight": True}, "dice_weight must be a finite real number"),
])
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lv.BoundaryWeightedLoss(**kwargs)


def test_no_dice_term_means_no_dice_error():
    # dice_weight=0 drops the Dice term, so an empty mask and prediction are fine even with smooth=0
    loss = lv.BoundaryWeightedLoss(dice_weight=0.0, smooth=0.0)
    assert loss([[0.0, 0.0]], [[0.0, 0.0]]) < 1e-12
