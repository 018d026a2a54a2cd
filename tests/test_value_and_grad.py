"""value_and_grad agrees with compute and derivative; float32 stays float32; subclasses
that rewrite a piece of a loss see their own version used."""

import numpy as np
import pytest

import lossviz as lv

RNG = np.random.default_rng(7)
N, C = 12, 4


def _soft(shape):
    x = RNG.uniform(0.05, 1, shape)
    return x / x.sum(axis=-1, keepdims=True)


REAL = (RNG.normal(size=N), RNG.normal(size=N) * 3)
LABELS = (RNG.integers(0, 2, N).astype(float), RNG.uniform(0.02, 0.98, N))
LOGITS = (LABELS[0], RNG.normal(size=N) * 4)
ONEHOT = np.eye(C)[RNG.integers(0, C, N)]
CLS = RNG.integers(0, C, N)
TRIPLET = tuple(RNG.normal(size=(N, 3)) for _ in range(3))
MASK = (RNG.random((5, 6)) < 0.4).astype(float), RNG.uniform(0.02, 0.98, (5, 6))

CASES = [
    (lv.MeanSquaredError(), REAL),
    (lv.MeanAbsoluteError(), REAL),
    (lv.HuberLoss(0.7), REAL),
    (lv.LogCoshLoss(), REAL),
    (lv.QuantileLoss(0.2), REAL),
    (lv.GeneralRobustLoss(0.5, 1.3), REAL),
    (lv.GeneralRobustLoss(0.0), REAL),
    (lv.GeneralRobustLoss(2.0), REAL),
    (lv.GeneralRobustLoss(-4.0, 0.5), REAL),
    (lv.CustomRegressionLoss(0.3), REAL),
    (lv.BinaryCrossEntropy(), LABELS),
    (lv.BinaryCrossEntropy(from_logits=True), LOGITS),
    (lv.WeightedCrossEntropy((1, 5)), LABELS),
    (lv.WeightedCrossEntropy((2, 0.5), from_logits=True), LOGITS),
    (lv.CategoricalCrossEntropy(), (ONEHOT, _soft((N, C)))),
    (lv.CategoricalCrossEntropy(), (_soft((N, C)), _soft((N, C)))),
    (lv.CategoricalCrossEntropy(from_logits=True), (_soft((N, C)), RNG.normal(size=(N, C)))),
    (lv.SparseCategoricalCrossEntropy(), (CLS, _soft((N, C)))),
    (lv.SparseCategoricalCrossEntropy(from_logits=True), (CLS, RNG.normal(size=(N, C)))),
    (lv.HingeLoss(), (2 * LABELS[0] - 1, LOGITS[1])),
    (lv.FocalLoss(), LABELS),
    (lv.FocalLoss(gamma=0.5, alpha=0.25, from_logits=True), LOGITS),
    (lv.DiceLoss(), MASK),
    (lv.DiceLoss(smooth=0.5, squared_denominator=True), MASK),
    (lv.IoULoss(), MASK),
    (lv.BoundaryWeightedLoss(), MASK),
    (lv.BoundaryWeightedLoss(dice_weight=0), MASK),
    (lv.KLDivergence(), (_soft((N, C)), _soft((N, C)))),
    (lv.KLDivergence(), (_soft(C), _soft(C))),
    (lv.ContrastiveLoss(0.8), (LABELS[0], np.abs(REAL[1]))),
    (lv.TripletLoss(), TRIPLET),
    (lv.TripletLoss(margin=0.2, squared=True), TRIPLET),
]
IDS = [f"{i}-{type(c[0]).__name__}" for i, c in enumerate(CASES)]


def _grads(g):
    return g if isinstance(g, tuple) else (g,)


@pytest.mark.parametrize("loss,args", CASES, ids=IDS)
def test_value_and_grad_is_compute_and_derivative(loss, args):
    value, grad = loss.value_and_grad(*args)
    assert isinstance(value, float)
    assert value == pytest.approx(loss.compute(*args), rel=1e-13, abs=1e-15)
    for g, d in zip(_grads(grad), _grads(loss.derivative(*args))):
        np.testing.assert_allclose(g, d, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("loss,args", CASES, ids=IDS)
def test_value_and_grad_does_not_mutate_inputs(loss, args):
    copies = [np.copy(a) for a in args]
    loss.value_and_grad(*args)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("loss,args", CASES, ids=IDS)
def test_float32_in_float32_out(loss, args):
    args32 = tuple(a.astype(np.float32) if a.dtype == np.float64 else a for a in args)
    value, grad = loss.value_and_grad(*args32)
    for g, d in zip(_grads(grad), _grads(loss.derivative(*args))):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, d, rtol=2e-4, atol=1e-6 * np.max(np.abs(d)))
    for g in _grads(loss.derivative(*args32)):
        assert g.dtype == np.float32
    assert value == pytest.approx(loss.compute(*args), rel=1e-4, abs=1e-6)
    if isinstance(loss, lv.MeanLoss):
        assert loss.per_sample(*args32).dtype == np.float32
        assert loss.per_sample_derivative(*args32).dtype == np.float32


def test_float64_is_the_default_for_lists_and_integers():
    g = lv.MeanSquaredError().derivative([0, 1], [2, 2])
    assert g.dtype == np.float64
    # float32 predictions with integer labels stay float32
    g = lv.BinaryCrossEntropy().derivative(np.array([0, 1]), np.array([0.3, 0.6], dtype=np.float32))
    assert g.dtype == np.float32


def test_float32_probabilities_are_clipped_at_float32_limits():
    # PROB_MIN (2.2e-308) is 0 in float32: the float32 path clips at 1.2e-38 instead
    v, g = lv.BinaryCrossEntropy().value_and_grad(np.array([1.0, 0.0], np.float32),
                                                  np.array([0.0, 1.0], np.float32))
    assert np.isfinite(v) and np.all(np.isfinite(g))
    assert v == pytest.approx(0.5 * (-np.log(np.finfo(np.float32).tiny) - np.log(2.0**-24)),
                              rel=1e-5)


def test_float32_logits_stay_exact_in_the_tails():
    z = np.array([-80.0, -20.0, 0.0, 20.0, 80.0], dtype=np.float32)
    y = np.ones(5, dtype=np.float32)
    v32 = lv.BinaryCrossEntropy(from_logits=True).per_sample(y, z)
    v64 = lv.BinaryCrossEntropy(from_logits=True).per_sample(y, z.astype(np.float64))
    assert v32.dtype == np.float32
    np.testing.assert_allclose(v32, v64, rtol=1e-6)


class WrongSignHuber(lv.HuberLoss):
    def _term_grads(self, t, p):
        return np.clip(t - p, -self.delta, self.delta)


class WrongSignMSE(lv.MeanSquaredError):
    def derivative(self, y_true, y_pred):
        return -super().derivative(y_true, y_pred)


class CopiedDice(lv.DiceLoss):
    def compute(self, y_true, y_pred):
        return 2 * super().compute(y_true, y_pred)


class PseudoHuber(lv.MeanLoss):
    def _terms(self, t, p):
        return np.sqrt(1 + (p - t) ** 2) - 1

    def _term_grads(self, t, p):
        return (p - t) / np.sqrt(1 + (p - t) ** 2)


class DoubledRobust(lv.GeneralRobustLoss):
    # GeneralRobustLoss and MSE write their own value_and_grad and derivative: a
    # subclass that rewrites the pointwise terms must get the plain versions back
    def _terms(self, t, p):
        return 2 * super()._terms(t, p)

    def _term_grads(self, t, p):
        return 2 * super()._term_grads(t, p)


class CubedError(lv.MeanSquaredError):
    def _terms(self, t, p):
        return np.abs(p - t) ** 3

    def _term_grads(self, t, p):
        return 3 * (p - t) * np.abs(p - t)


@pytest.mark.parametrize("loss,args", [
    (WrongSignHuber(), REAL), (WrongSignMSE(), REAL), (CopiedDice(), MASK), (PseudoHuber(), REAL),
    (DoubledRobust(0.5), REAL), (CubedError(), REAL),
])
def test_subclasses_that_rewrite_a_piece_see_it_in_value_and_grad(loss, args):
    value, grad = loss.value_and_grad(*args)
    assert value == loss.compute(*args)
    np.testing.assert_array_equal(grad, loss.derivative(*args))


def test_fit_linear_uses_a_subclass_override():
    # a wrong-sign gradient walks uphill: the loss grows instead of shrinking
    x, y, _ = lv.datasets.line_with_outliers(n_outliers=0)
    _, _, history = lv.fit_linear(WrongSignHuber(), x, y, lr=0.05, steps=20, record_every=10)
    assert history[-1][1] > history[0][1]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_log_one_minus_is_log1p_to_the_last_digit(dtype):
    # BCE's log(1 - q), computed from np.log (faster than np.log1p) with a correction
    q = np.concatenate([np.linspace(0, 1, 1001)[:-1], 10.0 ** -np.arange(1, 30),
                        [np.nextafter(dtype(1), dtype(0))]]).astype(dtype)
    got = lv.numerics.log_one_minus(q)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, np.log1p(-q), rtol=2 * np.finfo(dtype).eps, atol=0)


@pytest.mark.parametrize("loss,t,p", [
    (lv.MeanAbsoluteError(), 0.0, 2.0), (lv.LogCoshLoss(), 0.0, 2.0), (lv.HingeLoss(), 1.0, 0.3),
    (lv.GeneralRobustLoss(0.5), 0.0, 2.0), (lv.BinaryCrossEntropy(), 1.0, 0.3),
    (lv.FocalLoss(alpha=0.25), 0.0, 0.3), (lv.MeanSquaredError(), 0.0, 2.0),
])
def test_single_numbers_give_single_numbers(loss, t, p):
    # the pointwise math writes in place; a pair of plain numbers must work all the same
    value, grad = loss.value_and_grad(t, p)
    assert value == loss.compute(t, p) == loss.per_sample(t, p)
    assert np.ndim(grad) == 0 and grad == loss.derivative(t, p)
    assert grad == pytest.approx(loss.derivative([t], [p])[0], rel=1e-12)
