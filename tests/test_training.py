"""The experiment helpers: seeded data and gradient-descent fitting with any loss."""

import numpy as np
import pytest

import lossviz as lv


def test_datasets_are_seeded():
    a = lv.datasets.line_with_outliers(seed=3)
    b = lv.datasets.line_with_outliers(seed=3)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    x, y, out = a
    assert out.sum() == 6 and np.all(y[out] > 10)


def test_fit_linear_with_mse_matches_least_squares():
    x, y, _ = lv.datasets.line_with_outliers(n_outliers=0)
    w, b, history = lv.fit_linear(lv.MeanSquaredError(), x, y, lr=0.05, steps=4000)
    slope, intercept = np.polyfit(x, y, 1)
    assert w[0] == pytest.approx(slope, rel=1e-4) and b == pytest.approx(intercept, rel=1e-3)
    assert history[-1][1] < history[0][1]


def test_robust_losses_resist_outliers():
    x, y, _ = lv.datasets.line_with_outliers()
    w_mse, _, _ = lv.fit_linear(lv.MeanSquaredError(), x, y, lr=0.02, steps=3000)
    w_mae, _, _ = lv.fit_linear(lv.MeanAbsoluteError(), x, y, lr=0.5, steps=3000)
    assert abs(w_mae[0] - 2.0) < abs(w_mse[0] - 2.0)


def test_fit_linear_classifier_from_logits():
    X, y = lv.datasets.two_blobs()
    w, b, _ = lv.fit_linear(lv.BinaryCrossEntropy(from_logits=True), X, y, lr=0.5, steps=300)
    accuracy = np.mean(((X @ w + b) > 0) == (y == 1))
    assert accuracy > 0.9


def test_disk_mask():
    m = lv.datasets.disk_mask(size=9, centre=(4, 4), radius=1)
    assert m.sum() == 5 and m[4, 4] == 1
