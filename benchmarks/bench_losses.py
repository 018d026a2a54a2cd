"""Time loss plus gradient on 10**6 elements for every loss in lossviz.

Run: python benchmarks/bench_losses.py
Prints a table of the median of several runs, beside the bare NumPy expression
((p - t) ** 2).mean() as a floor: no validation, no gradient.
"""

import timeit

import numpy as np

import lossviz as lv

N = 10**6
REPEAT = 7


def median_ms(fn):
    return 1e3 * float(np.median(timeit.repeat(fn, number=1, repeat=REPEAT)))


def cases():
    rng = np.random.default_rng(0)
    real_t, real_p = rng.normal(size=N), rng.normal(size=N)
    labels = rng.integers(0, 2, size=N).astype(float)
    probs = rng.uniform(0.01, 0.99, size=N)
    logits = rng.normal(scale=3, size=N)
    signs = 2 * labels - 1
    c = 10
    rows = N // c
    z = rng.normal(size=(rows, c))
    soft = lv.stable_softmax(rng.normal(size=(rows, c)))
    cls = rng.integers(0, c, size=rows)
    onehot = np.eye(c)[cls]
    k = 8
    a, pos, neg = (rng.normal(size=(N // k, k)) for _ in range(3))
    yield "MeanSquaredError", lv.MeanSquaredError(), (real_t, real_p)
    yield "MeanAbsoluteError", lv.MeanAbsoluteError(), (real_t, real_p)
    yield "HuberLoss", lv.HuberLoss(), (real_t, real_p)
    yield "LogCoshLoss", lv.LogCoshLoss(), (real_t, real_p)
    yield "QuantileLoss", lv.QuantileLoss(0.9), (real_t, real_p)
    yield "GeneralRobustLoss", lv.GeneralRobustLoss(alpha=0.5), (real_t, real_p)
    yield "CustomRegressionLoss", lv.CustomRegressionLoss(), (real_t, real_p)
    yield "BinaryCrossEntropy", lv.BinaryCrossEntropy(), (labels, probs)
    yield "BinaryCrossEntropy (logits)", lv.BinaryCrossEntropy(from_logits=True), (labels, logits)
    yield "WeightedCrossEntropy", lv.WeightedCrossEntropy((1.0, 20.0)), (labels, probs)
    yield "CategoricalCrossEntropy", lv.CategoricalCrossEntropy(), (onehot, soft)
    yield "CategoricalCrossEntropy (logits)", lv.CategoricalCrossEntropy(from_logits=True), (onehot, z)
    yield "SparseCategoricalCE", lv.SparseCategoricalCrossEntropy(), (cls, soft)
    yield "SparseCategoricalCE (logits)", lv.SparseCategoricalCrossEntropy(from_logits=True), (cls, z)
    yield "HingeLoss", lv.HingeLoss(), (signs, logits)
    yield "FocalLoss", lv.FocalLoss(gamma=2.0, alpha=0.25), (labels, probs)
    yield "FocalLoss (logits)", lv.FocalLoss(gamma=2.0, alpha=0.25, from_logits=True), (labels, logits)
    yield "DiceLoss", lv.DiceLoss(), (labels, probs)
    yield "IoULoss", lv.IoULoss(), (labels, probs)
    yield "KLDivergence", lv.KLDivergence(), (soft, lv.stable_softmax(z))
    yield "ContrastiveLoss", lv.ContrastiveLoss(), (labels, np.abs(real_p))
    yield "TripletLoss", lv.TripletLoss(), (a, pos, neg)


def main():
    rng = np.random.default_rng(0)
    t, p = rng.normal(size=N), rng.normal(size=N)
    floor = median_ms(lambda: ((p - t) ** 2).mean())
    print(f"loss + gradient on {N:,} elements, median of {REPEAT} runs\n")
    print(f"{'loss':34s} {'ms':>8s} {'x floor':>8s}")
    print(f"{'floor: ((p - t) ** 2).mean()':34s} {floor:8.1f} {1.0:8.1f}")
    for name, loss, args in cases():
        ms = median_ms(lambda: (loss.compute(*args), loss.derivative(*args)))
        print(f"{name:34s} {ms:8.1f} {ms / floor:8.1f}")


if __name__ == "__main__":
    main()
