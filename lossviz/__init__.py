"""lossviz: the loss functions of deep learning, with exact gradients and stable numerics.

Every loss has ``compute(y_true, y_pred)`` (the mean loss, a float) and
``derivative(y_true, y_pred)`` (its gradient with respect to ``y_pred``, carrying
the 1/n), and ``value_and_grad(y_true, y_pred)``, both at once with one input check
and shared intermediates (what a training loop should call). Losses that average
per-sample terms also have ``per_sample`` and ``per_sample_derivative`` for plots.
float32 inputs are computed in float32 and give float32 gradients; everything else
in float64. Notation: e = y_pred - y_true, natural log.
"""

import sys

# Checked before anything else is imported: on an older Python the pinned numpy does not
# install or import, and its error would not say why.
if sys.version_info < (3, 11):
    raise ImportError(
        f"lossviz needs Python 3.11 or newer (3.11, 3.12 and 3.13 are tested); "
        f"this is Python {sys.version.split()[0]}. Install a newer Python and make a new environment."
    )

from .base import Loss, MeanLoss
from .classification import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    FocalLoss,
    HingeLoss,
    SparseCategoricalCrossEntropy,
    WeightedCrossEntropy,
)
from .curves import curve
from .distributions import KLDivergence
from . import datasets
from .gradcheck import gradcheck, numerical_gradient
from .numerics import (
    PROB_MAX,
    PROB_MIN,
    clip_gradients,
    global_norm,
    log_sigmoid,
    log_softmax,
    log_sum_exp,
    sigmoid,
    stable_softmax,
)
from .overlap import BoundaryWeightedLoss, DiceLoss, IoULoss
from .regression import (
    CustomRegressionLoss,
    GeneralRobustLoss,
    HuberLoss,
    LogCoshLoss,
    MeanAbsoluteError,
    MeanSquaredError,
    QuantileLoss,
)
from .similarity import ContrastiveLoss, TripletLoss
from .training import fit_linear

__version__ = "0.1.0"

__all__ = [
    "Loss", "MeanLoss",
    "MeanSquaredError", "MeanAbsoluteError", "HuberLoss", "LogCoshLoss", "QuantileLoss",
    "GeneralRobustLoss", "CustomRegressionLoss",
    "BinaryCrossEntropy", "WeightedCrossEntropy", "CategoricalCrossEntropy",
    "SparseCategoricalCrossEntropy", "HingeLoss", "FocalLoss",
    "DiceLoss", "IoULoss", "BoundaryWeightedLoss", "KLDivergence", "ContrastiveLoss", "TripletLoss",
    "log_sum_exp", "log_softmax", "stable_softmax", "log_sigmoid", "sigmoid",
    "clip_gradients", "global_norm", "PROB_MIN", "PROB_MAX",
    "gradcheck", "numerical_gradient", "curve", "fit_linear", "datasets",
]
