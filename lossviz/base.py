"""The two shapes a loss takes: a mean of per-sample terms, or one ratio over a whole array."""

import numpy as np

from .validation import as_float_array, check_same_shape


class Loss:
    """A loss with ``compute`` (a float) and ``derivative`` (the gradient of ``compute``).

    Calling the loss object is the same as calling ``compute``.
    """

    def compute(self, y_true, y_pred):
        raise NotImplementedError

    def derivative(self, y_true, y_pred):
        raise NotImplementedError

    def __call__(self, *args):
        return self.compute(*args)

    def _check(self, y_true, y_pred):
        """Return both inputs as float arrays of one shape; subclasses add their own checks."""
        t = as_float_array(y_true, "y_true")
        p = as_float_array(y_pred, "y_pred")
        check_same_shape(t, p)
        return t, p

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"


class MeanLoss(Loss):
    """A loss that averages one term per sample.

    Subclasses write the pointwise math in ``_terms`` (the loss of each sample) and
    ``_term_grads`` (the derivative of each sample's term with respect to its own
    prediction). A sample is one element, or one row for losses over class
    distributions (``rowwise = True``).
    """

    rowwise = False

    def per_sample(self, y_true, y_pred):
        """The loss of each sample, before averaging (one value per element or per row)."""
        return self._terms(*self._check(y_true, y_pred))

    def per_sample_derivative(self, y_true, y_pred):
        """The derivative of each sample's own loss term, shaped like ``y_pred``, without the 1/n."""
        return self._term_grads(*self._check(y_true, y_pred))

    def compute(self, y_true, y_pred):
        """The mean loss over samples, as a float."""
        return float(np.mean(self.per_sample(y_true, y_pred)))

    def derivative(self, y_true, y_pred):
        """The gradient of ``compute`` with respect to ``y_pred`` (carries the 1/n)."""
        t, p = self._check(y_true, y_pred)
        return self._term_grads(t, p) / self._n_samples(p)

    def _n_samples(self, p):
        if self.rowwise:
            return p.shape[0] if p.ndim == 2 else 1
        return p.size

    def _terms(self, t, p):
        raise NotImplementedError

    def _term_grads(self, t, p):
        raise NotImplementedError
