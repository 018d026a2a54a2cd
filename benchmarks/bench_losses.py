"""Loss plus gradient for every loss: lossviz against the plain NumPy formula and PyTorch.

Run: python benchmarks/bench_losses.py [n ...]      (default: 100000 1000000)

For each loss and each n (elements per input array), three implementations compute
the mean loss and its gradient with respect to the prediction, in float64 on one
thread:

- lossviz: ``loss.value_and_grad(y_true, y_pred)`` (on a version of lossviz without it,
  ``compute`` then ``derivative``, so the same script measures before and after);
- numpy: the loss's formula and its gradient written directly in NumPy, as one would
  by hand: no input checks, no care for overflow;
- torch: ``torch.nn.functional`` (or the formula in torch where it has no such
  function) plus autograd ``backward()``, if PyTorch is installed; otherwise the
  column is skipped. PyTorch is never a dependency of the book.

The runs are interleaved (one run of each implementation in turn, repeated) so that
the load of a shared machine hits all three alike; the table shows medians and the
ratios lossviz / numpy and lossviz / torch.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before NumPy is imported: one thread for everyone

import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import lossviz as lv  # noqa: E402

try:
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
except ImportError:
    torch = None

REPEAT = 9
C = 10  # classes
K = 16  # embedding dimensions for the triplet loss
LN2 = np.log(2.0)


# --- plain NumPy: loss and gradient of the mean, by hand ------------------------------

def np_mse(t, p):
    e = p - t
    return np.mean(e**2), 2 * e / e.size


def np_mae(t, p):
    e = p - t
    return np.mean(np.abs(e)), np.sign(e) / e.size


def np_huber(t, p, d=1.0):
    e = p - t
    a = np.abs(e)
    return np.mean(np.where(a <= d, 0.5 * e**2, d * (a - 0.5 * d))), np.clip(e, -d, d) / e.size


def np_logcosh(t, p):
    e = p - t
    return np.mean(np.logaddexp(e, -e) - LN2), np.tanh(e) / e.size


def np_quantile(t, p, tau=0.9):
    e = p - t
    return np.mean(np.maximum(-tau * e, (1 - tau) * e)), np.where(e > 0, 1 - tau, -tau) / e.size


def np_robust(t, p, a=0.5, c=1.0):
    b = abs(a - 2)
    x = (p - t) / c
    base = x**2 / b + 1
    return np.mean(b / a * (base ** (a / 2) - 1)), x / c * base ** (a / 2 - 1) / x.size


def np_custom(t, p, al=0.5):
    e = p - t
    return np.mean(al * e**2 + (1 - al) * np.abs(e)), (2 * al * e + (1 - al) * np.sign(e)) / e.size


def np_bce(t, p):
    q = np.clip(p, 1e-12, 1 - 1e-12)
    loss = -np.mean(t * np.log(q) + (1 - t) * np.log(1 - q))
    return loss, (q - t) / (q * (1 - q)) / q.size


def np_bce_logits(t, z):
    return np.mean(np.logaddexp(0, z) - t * z), (1 / (1 + np.exp(-z)) - t) / z.size


def np_wce(t, p, w=(1.0, 20.0)):
    weight = np.where(t == 1, w[1], w[0])
    q = np.clip(p, 1e-12, 1 - 1e-12)
    loss = -np.mean(weight * (t * np.log(q) + (1 - t) * np.log(1 - q)))
    return loss, weight * (q - t) / (q * (1 - q)) / q.size


def np_cce(t, p):
    q = np.clip(p, 1e-12, 1)
    return -np.mean(np.sum(t * np.log(q), axis=1)), -t / q / len(q)


def _softmax(z):
    m = z.max(axis=1, keepdims=True)
    ez = np.exp(z - m)
    s = ez.sum(axis=1, keepdims=True)
    return m + np.log(s), ez / s


def np_cce_logits(t, z):
    lse, sm = _softmax(z)
    return np.mean(lse[:, 0] - np.sum(t * z, axis=1)), (sm - t) / len(z)


def np_sparse(cls, p):
    rows = np.arange(len(p))
    picked = np.clip(p[rows, cls], 1e-12, 1)
    g = np.zeros_like(p)
    g[rows, cls] = -1 / picked / len(p)
    return -np.mean(np.log(picked)), g


def np_sparse_logits(cls, z):
    rows = np.arange(len(z))
    lse, g = _softmax(z)
    g[rows, cls] -= 1
    return np.mean(lse[:, 0] - z[rows, cls]), g / len(z)


def np_hinge(t, s):
    m = t * s
    return np.mean(np.maximum(0, 1 - m)), np.where(m < 1, -t, 0) / s.size


def _focal_parts(t, pt, log_pt, gamma, alpha):
    at = np.where(t == 1, alpha, 1 - alpha)
    w = at * (1 - pt) ** gamma
    return at, w, np.mean(-w * log_pt)


def np_focal(t, p, gamma=2.0, alpha=0.25):
    q = np.clip(p, 1e-12, 1 - 1e-12)
    pt = np.where(t == 1, q, 1 - q)
    log_pt = np.log(pt)
    _, w, loss = _focal_parts(t, pt, log_pt, gamma, alpha)
    s = 2 * t - 1
    return loss, s * w * (gamma * log_pt / (1 - pt) - 1 / pt) / p.size


def np_focal_logits(t, z, gamma=2.0, alpha=0.25):
    s = 2 * t - 1
    pt = 1 / (1 + np.exp(-s * z))
    log_pt = -np.logaddexp(0, -s * z)
    _, w, loss = _focal_parts(t, pt, log_pt, gamma, alpha)
    return loss, s * w * (gamma * pt * log_pt - (1 - pt)) / z.size


def np_dice(t, p, s=1e-6):
    num, den = 2 * np.sum(t * p) + s, np.sum(t) + np.sum(p) + s
    return 1 - num / den, -(2 * t * den - num) / den**2


def np_vnet_dice(t, p, s=1e-6):
    num, den = 2 * np.sum(t * p) + s, np.sum(p**2) + np.sum(t**2) + s
    return 1 - num / den, -(2 * t * den - 2 * p * num) / den**2


def np_iou(t, p, s=1e-6):
    inter = np.sum(t * p)
    num, den = inter + s, np.sum(t) + np.sum(p) - inter + s
    return 1 - num / den, -(t * den - num * (1 - t)) / den**2


def np_kl(t, q):
    return np.mean(np.sum(t * (np.log(t) - np.log(q)), axis=1)), -t / q / len(q)


def np_contrastive(t, d, m=1.0):
    h = np.maximum(0, m - d)
    return np.mean(0.5 * (t * d**2 + (1 - t) * h**2)), (t * d - (1 - t) * h) / d.size


def np_triplet(a, p, n, m=1.0):
    dp, dn = a - p, a - n
    d1, d2 = np.sqrt(np.sum(dp**2, axis=1)), np.sqrt(np.sum(dn**2, axis=1))
    gap = d1 - d2 + m
    act = (gap > 0) / len(a)
    gp, gn = -dp * (act / d1)[:, None], dn * (act / d2)[:, None]
    return np.mean(np.maximum(gap, 0)), (-(gp + gn), gp, gn)


def np_triplet_squared(a, p, n, m=1.0):
    dp, dn = a - p, a - n
    gap = np.sum(dp**2, axis=1) - np.sum(dn**2, axis=1) + m
    act = ((gap > 0) / len(a))[:, None]
    gp, gn = -2 * dp * act, 2 * dn * act
    return np.mean(np.maximum(gap, 0)), (-(gp + gn), gp, gn)


# --- PyTorch: the same losses through torch.nn.functional and autograd ----------------

def torch_impl(fn, args):
    """A function running fn (which returns the loss tensor) with backward on ``args``:
    the prediction(s) become autograd leaves, class indices int64 tensors."""
    triplet = fn in (th_triplet, th_triplet_squared)
    fixed = torch.from_numpy(np.asarray(args[0], dtype=np.int64)) \
        if fn in (th_sparse, th_sparse_logits) else torch.from_numpy(args[0])

    def run(*_):
        if triplet:
            leaves = [torch.from_numpy(x).requires_grad_() for x in args]
            loss = fn(*leaves)
            loss.backward()
            return loss.item(), tuple(x.grad for x in leaves)
        leaf = torch.from_numpy(args[-1]).requires_grad_()
        loss = fn(fixed, leaf)
        loss.backward()
        return loss.item(), leaf.grad
    return run


def th_mse(t, p):
    return F.mse_loss(p, t)


def th_mae(t, p):
    return F.l1_loss(p, t)


def th_huber(t, p):
    return F.huber_loss(p, t, delta=1.0)


def th_logcosh(t, p):
    e = p - t
    return torch.mean(torch.logaddexp(e, -e) - LN2)


def th_quantile(t, p, tau=0.9):
    e = p - t
    return torch.mean(torch.maximum(-tau * e, (1 - tau) * e))


def th_robust(t, p, a=0.5):
    b = abs(a - 2)
    return torch.mean(b / a * (((p - t) ** 2 / b + 1) ** (a / 2) - 1))


def th_custom(t, p, al=0.5):
    e = p - t
    return torch.mean(al * e**2 + (1 - al) * e.abs())


def th_bce(t, p):
    return F.binary_cross_entropy(p, t)


def th_bce_logits(t, z):
    return F.binary_cross_entropy_with_logits(z, t)


def th_wce(t, p):
    return F.binary_cross_entropy(p, t, weight=torch.where(t == 1, 20.0, 1.0).double())


def th_cce(t, p):
    return -(t * torch.log(p)).sum(dim=1).mean()


def th_cce_logits(t, z):
    return F.cross_entropy(z, t)


def th_sparse(cls, p):
    return F.nll_loss(torch.log(p), cls)


def th_sparse_logits(cls, z):
    return F.cross_entropy(z, cls)


def th_hinge(t, s):
    return torch.clamp(1 - t * s, min=0).mean()


def th_focal(t, p, gamma=2.0, alpha=0.25):
    ce = F.binary_cross_entropy(p, t, reduction="none")
    pt = p * t + (1 - p) * (1 - t)
    return ((alpha * t + (1 - alpha) * (1 - t)) * (1 - pt) ** gamma * ce).mean()


def th_focal_logits(t, z, gamma=2.0, alpha=0.25):  # torchvision.ops.sigmoid_focal_loss
    p = torch.sigmoid(z)
    ce = F.binary_cross_entropy_with_logits(z, t, reduction="none")
    pt = p * t + (1 - p) * (1 - t)
    return ((alpha * t + (1 - alpha) * (1 - t)) * (1 - pt) ** gamma * ce).mean()


def th_dice(t, p, s=1e-6):
    return 1 - (2 * (t * p).sum() + s) / (t.sum() + p.sum() + s)


def th_vnet_dice(t, p, s=1e-6):
    return 1 - (2 * (t * p).sum() + s) / ((p * p).sum() + (t * t).sum() + s)


def th_iou(t, p, s=1e-6):
    inter = (t * p).sum()
    return 1 - (inter + s) / (t.sum() + p.sum() - inter + s)


def th_kl(t, q):
    return F.kl_div(torch.log(q), t, reduction="batchmean")


def th_contrastive(t, d, m=1.0):
    return (0.5 * (t * d**2 + (1 - t) * torch.clamp(m - d, min=0) ** 2)).mean()


def th_triplet(a, p, n):
    return F.triplet_margin_loss(a, p, n, margin=1.0)


def th_triplet_squared(a, p, n, m=1.0):
    gap = ((a - p) ** 2).sum(dim=1) - ((a - n) ** 2).sum(dim=1) + m
    return torch.clamp(gap, min=0).mean()


# --- the cases ------------------------------------------------------------------------

def cases(n):
    """(name, lossviz loss, numpy function, torch function, inputs); n elements each."""
    rng = np.random.default_rng(0)
    real_t, real_p = rng.normal(size=n), rng.normal(size=n)
    labels = rng.integers(0, 2, size=n).astype(float)
    probs = rng.uniform(0.01, 0.99, size=n)
    logits = rng.normal(scale=3, size=n)
    signs = 2 * labels - 1
    rows = n // C
    z = rng.normal(size=(rows, C))
    soft = lv.stable_softmax(rng.normal(size=(rows, C)))
    cls = rng.integers(0, C, size=rows)
    onehot = np.eye(C)[cls]
    side = int(np.sqrt(n))
    mask = np.zeros((side, side))
    mask[side // 4: side // 2, side // 4: side // 2] = 1.0
    mask_p = rng.uniform(0.01, 0.99, size=mask.shape)
    a, pos, neg = (rng.normal(size=(n // K, K)) for _ in range(3))
    regression = (real_t, real_p)
    yield "MSE", lv.MeanSquaredError(), np_mse, th_mse, regression
    yield "MAE", lv.MeanAbsoluteError(), np_mae, th_mae, regression
    yield "Huber", lv.HuberLoss(), np_huber, th_huber, regression
    yield "LogCosh", lv.LogCoshLoss(), np_logcosh, th_logcosh, regression
    yield "Quantile", lv.QuantileLoss(0.9), np_quantile, th_quantile, regression
    yield "GeneralRobust", lv.GeneralRobustLoss(alpha=0.5), np_robust, th_robust, regression
    yield "CustomRegression", lv.CustomRegressionLoss(), np_custom, th_custom, regression
    yield "BCE", lv.BinaryCrossEntropy(), np_bce, th_bce, (labels, probs)
    yield "BCE from logits", lv.BinaryCrossEntropy(from_logits=True), np_bce_logits, \
        th_bce_logits, (labels, logits)
    yield "WeightedCE", lv.WeightedCrossEntropy((1.0, 20.0)), np_wce, th_wce, (labels, probs)
    yield "CCE", lv.CategoricalCrossEntropy(), np_cce, th_cce, (onehot, soft)
    yield "CCE from logits", lv.CategoricalCrossEntropy(from_logits=True), np_cce_logits, \
        th_cce_logits, (onehot, z)
    yield "SparseCCE", lv.SparseCategoricalCrossEntropy(), np_sparse, th_sparse, (cls, soft)
    yield "SparseCCE from logits", lv.SparseCategoricalCrossEntropy(from_logits=True), \
        np_sparse_logits, th_sparse_logits, (cls, z)
    yield "Hinge", lv.HingeLoss(), np_hinge, th_hinge, (signs, logits)
    yield "Focal", lv.FocalLoss(gamma=2.0, alpha=0.25), np_focal, th_focal, (labels, probs)
    yield "Focal from logits", lv.FocalLoss(gamma=2.0, alpha=0.25, from_logits=True), \
        np_focal_logits, th_focal_logits, (labels, logits)
    yield "Dice", lv.DiceLoss(), np_dice, th_dice, (labels, probs)
    try:
        yield "Dice (V-Net)", lv.DiceLoss(squared_denominator=True), np_vnet_dice, \
            th_vnet_dice, (labels, probs)
    except TypeError:  # a lossviz without the V-Net form
        pass
    yield "IoU", lv.IoULoss(), np_iou, th_iou, (labels, probs)
    yield "KL", lv.KLDivergence(), np_kl, th_kl, (soft, lv.stable_softmax(z))
    yield "Contrastive", lv.ContrastiveLoss(), np_contrastive, th_contrastive, \
        (labels, np.abs(real_p))
    yield f"Triplet (dim {K})", lv.TripletLoss(), np_triplet, th_triplet, (a, pos, neg)
    try:
        yield f"Triplet squared (dim {K})", lv.TripletLoss(squared=True), np_triplet_squared, \
            th_triplet_squared, (a, pos, neg)
    except TypeError:
        pass
    del mask, mask_p  # BoundaryWeightedLoss has no single textbook formula to compare with


def lossviz_call(loss):
    if hasattr(loss, "value_and_grad"):
        return loss.value_and_grad
    return lambda *args: (loss.compute(*args), loss.derivative(*args))


def run_case(name, loss, np_fn, th_fn, args):
    impls = {"lossviz": lossviz_call(loss), "numpy": np_fn}
    if torch is not None:
        impls["torch"] = torch_impl(th_fn, args)
    # the three must agree before their speed means anything
    ref_value, _ = np_fn(*args)
    for label, fn in impls.items():
        value = fn(*args)[0]
        if not np.isclose(value, ref_value, rtol=1e-6):
            raise AssertionError(f"{name}: {label} gives {value}, numpy {ref_value}")
    times = {label: [] for label in impls}
    for _ in range(REPEAT):
        for label, fn in impls.items():
            start = time.perf_counter()
            fn(*args)
            times[label].append(time.perf_counter() - start)
    return {label: 1e3 * float(np.median(ts)) for label, ts in times.items()}


def main(sizes):
    print(f"lossviz {lv.__version__} ({os.path.dirname(lv.__file__)}), numpy {np.__version__}, "
          f"torch {torch.__version__ if torch is not None else 'not installed'}; one thread, "
          f"float64, median of {REPEAT} interleaved runs, loss + gradient")
    for n in sizes:
        header = f"\nn = {n:,}\n{'loss':28s} {'lossviz ms':>10s} {'numpy ms':>9s}"
        header += f" {'torch ms':>9s}" if torch is not None else ""
        header += f" {'lv/numpy':>9s}" + (f" {'lv/torch':>9s}" if torch is not None else "")
        print(header)
        for name, loss, np_fn, th_fn, args in cases(n):
            ms = run_case(name, loss, np_fn, th_fn, args)
            row = f"{name:28s} {ms['lossviz']:10.2f} {ms['numpy']:9.2f}"
            if torch is not None:
                row += f" {ms['torch']:9.2f}"
            row += f" {ms['lossviz'] / ms['numpy']:9.2f}"
            if torch is not None:
                row += f" {ms['lossviz'] / ms['torch']:9.2f}"
            print(row, flush=True)


if __name__ == "__main__":
    main([int(float(a)) for a in sys.argv[1:]] or [10**5, 10**6])
