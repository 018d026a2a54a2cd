"""Bad input raises ValueError with a message that names the argument and the problem."""

import numpy as np
import pytest

import lossviz as lv


@pytest.mark.parametrize("call,match", [
    (lambda: lv.MeanSquaredError()([1, 2, 3], [1, 2]), r"y_true has shape \(3,\) but y_pred has shape \(2,\)"),
    (lambda: lv.MeanSquaredError()([], []), "y_true is empty"),
    (lambda: lv.MeanSquaredError()([1.0, np.nan], [1, 2]), "y_true contains NaN at flat index 1"),
    (lambda: lv.HuberLoss()([1.0, 2.0], [np.inf, 2]), "y_pred contains inf"),
    (lambda: lv.MeanSquaredError()(["a"], [1]), "y_true must be numeric"),
    (lambda: lv.BinaryCrossEntropy()([1, 0], [1.2, 0.5]), r"y_pred must hold probabilities in \[0, 1\].*from_logits=True"),
    (lambda: lv.BinaryCrossEntropy(from_logits=True)([2, 0], [1.2, 0.5]), r"y_true must hold targets in \[0, 1\]"),
    (lambda: lv.FocalLoss()([0.5], [0.2]), "y_true must hold labels 0 or 1"),
    (lambda: lv.WeightedCrossEntropy((1, 2))([2], [0.2]), "y_true must hold labels 0 or 1"),
    (lambda: lv.HingeLoss()([0, 1], [0.3, 0.2]), r"labels -1 or 1.*pass 2\*y - 1"),
    (lambda: lv.SparseCategoricalCrossEntropy()([0, 3], [[0.5, 0.5], [0.2, 0.8]]), r"class index 3 .*\[0, 1\]"),
    (lambda: lv.SparseCategoricalCrossEntropy()([0.5], [[0.5, 0.5]]), "integer class indices"),
    (lambda: lv.SparseCategoricalCrossEntropy()([0, 1], [[0.5, 0.5]]), "2 labels but y_pred has 1 rows"),
    (lambda: lv.CategoricalCrossEntropy()([1, 0], [0.4, 0.6]), "y_pred must be 2-D"),
    (lambda: lv.KLDivergence()([0.5, 0.5], [1.5, -0.5]), "y_pred must hold"),
    (lambda: lv.DiceLoss()([1, 0], [0.5, 2.0]), r"y_pred must hold probabilities in \[0, 1\]"),
    (lambda: lv.DiceLoss(smooth=0)([0, 0], [0, 0]), "0/0; pass smooth > 0"),
    (lambda: lv.IoULoss(smooth=0)([0, 0], [0, 0]), "0/0"),
    (lambda: lv.ContrastiveLoss()([1, 0], [0.5, -1.0]), "distances >= 0"),
    (lambda: lv.ContrastiveLoss()([2, 0], [0.5, 1.0]), "labels 0 or 1"),
    (lambda: lv.TripletLoss()(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 2))),
     r"anchor has shape \(2, 3\) but negative has shape \(2, 2\)"),
    (lambda: lv.TripletLoss()(np.zeros(3), np.zeros(3), np.zeros(3)), "anchor must be 2-D"),
])
def test_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("make,match", [
    (lambda: lv.HuberLoss(delta=0), r"delta must be in \(0, inf\), got 0.0"),
    (lambda: lv.HuberLoss(delta=-1), "delta must be in"),
    (lambda: lv.HuberLoss(delta=float("nan")), "delta must be a finite real number"),
    (lambda: lv.HuberLoss(delta="1"), "delta must be a finite real number"),
    (lambda: lv.FocalLoss(gamma=-0.5), r"gamma must be in \[0, inf\)"),
    (lambda: lv.FocalLoss(alpha=1.5), r"alpha must be in \[0, 1\]"),
    (lambda: lv.FocalLoss(from_logits="yes"), "from_logits must be True or False"),
    (lambda: lv.DiceLoss(smooth=-1), "smooth must be in"),
    (lambda: lv.IoULoss(smooth=-1), "smooth must be in"),
    (lambda: lv.ContrastiveLoss(margin=0), r"margin must be in \(0, inf\)"),
    (lambda: lv.TripletLoss(margin=-1), "margin must be in"),
    (lambda: lv.QuantileLoss(tau=1.0), r"tau must be in \(0, 1\)"),
    (lambda: lv.QuantileLoss(tau=0.0), "tau must be in"),
    (lambda: lv.GeneralRobustLoss(scale=0), "scale must be in"),
    (lambda: lv.GeneralRobustLoss(alpha=float("inf")), "alpha must be a finite real"),
    (lambda: lv.CustomRegressionLoss(alpha=1.1), r"alpha must be in \[0, 1\]"),
    (lambda: lv.WeightedCrossEntropy((1.0,)), r"class_weights must be a pair"),
    (lambda: lv.WeightedCrossEntropy((1.0, -2.0)), r"class_weights\[1\] must be in"),
    (lambda: lv.clip_gradients([np.ones(2)], max_norm=0), "max_norm must be in"),
])
def test_bad_parameters(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_numerics_reject_nan_and_empty():
    with pytest.raises(ValueError, match="NaN or \\+inf"):
        lv.log_sum_exp([1.0, np.nan])
    with pytest.raises(ValueError, match="x is empty"):
        lv.stable_softmax([])


def test_gradcheck_reports_a_wrong_gradient():
    class SignFlippedMSE(lv.MeanSquaredError):
        def derivative(self, y_true, y_pred):
            return -super().derivative(y_true, y_pred)

    class NoOneOverN(lv.MeanSquaredError):
        def derivative(self, y_true, y_pred):
            return self.per_sample_derivative(y_true, y_pred)

    y, p = np.zeros(4), np.array([0.5, -1.0, 2.0, 0.3])
    assert lv.gradcheck(lv.MeanSquaredError(), y, p) < 1e-6
    assert lv.gradcheck(SignFlippedMSE(), y, p) == pytest.approx(2.0, rel=1e-6)
    assert lv.gradcheck(NoOneOverN(), y, p) == pytest.approx(0.75, rel=1e-6)
