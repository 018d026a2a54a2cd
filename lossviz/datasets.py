"""Small seeded data sets for the chapters' experiments: same seed, same data."""

import numpy as np


def line_with_outliers(n=60, slope=2.0, intercept=1.0, noise=0.5, n_outliers=6,
                       outlier_shift=25.0, seed=0):
    """Points near ``y = slope * x + intercept`` on x in [0, 5], a few shifted far up.

    Returns ``(x, y, is_outlier)``. The outliers sit at the largest x values, where
    they pull a squared-error fit hardest.
    """
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 5.0, n))
    y = slope * x + intercept + rng.normal(0.0, noise, n)
    is_outlier = np.zeros(n, dtype=bool)
    if n_outliers:
        is_outlier[-n_outliers:] = True
    y[is_outlier] += outlier_shift
    return x, y, is_outlier


def two_blobs(n_positive=50, n_negative=50, distance=2.5, spread=1.0, seed=0):
    """Two Gaussian blobs in 2-D, positives centred at +distance/2 on both axes.

    Returns ``(X, y)`` with y in {0, 1}. Unequal counts give an imbalanced problem.
    """
    rng = np.random.default_rng(seed)
    centre = np.full(2, distance / 2.0)
    pos = rng.normal(centre, spread, size=(n_positive, 2))
    neg = rng.normal(-centre, spread, size=(n_negative, 2))
    X = np.vstack([pos, neg])
    y = np.concatenate([np.ones(n_positive), np.zeros(n_negative)])
    return X, y


def disk_mask(size=32, centre=(16.0, 16.0), radius=6.0):
    """A (size, size) binary mask with a filled disk: a toy segmentation target."""
    rows, cols = np.mgrid[0:size, 0:size]
    return ((rows - centre[0]) ** 2 + (cols - centre[1]) ** 2 <= radius**2).astype(float)
