"""The two shapes a loss takes: a mean of per-sample terms, or one ratio over a whole array."""

import numpy as np

from .validation import as_same_float, check_same_shape

# A subclass that rewrites one of these (the book's exercises do: a wrong-sign
# derivative, a copied formula) must see its own version used by value_and_grad too.
_PUBLIC = ("compute", "derivative", "per_sample", "per_sample_derivative")
_POINTWISE = ("_terms", "_term_grads")


class Loss:
    """A loss with ``compute`` (a float) and ``derivative`` (the gradient of ``compute``).

    ``value_and_grad`` returns both at once, checking the inputs once and sharing the
    intermediate results: what a training loop wants. Calling the loss object is the
    same as calling ``compute``.

    Precision: float32 inputs are computed in float32 and give a float32 gradient;
    everything else (float64, integers, lists) is computed in float64.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = vars(cls)
        if "value_and_grad" not in own and any(name in own for name in _PUBLIC):
            # the subclass changed compute or derivative: the fast path would not see it
            cls.value_and_grad = Loss.value_and_grad

    def compute(self, y_true, y_pred):
        raise NotImplementedError

    def derivative(self, y_true, y_pred):
        raise NotImplementedError

    def value_and_grad(self, *inputs):
        """``(compute(...), derivative(...))`` in one call. Losses override it with a
        version that validates once and shares intermediates; this one just calls both."""
        return self.compute(*inputs), self.derivative(*inputs)

    def __call__(self, *args, **kwargs):
        return self.compute(*args, **kwargs)

    def _check(self, y_true, y_pred, finite=True):
        """Return both inputs as float arrays of one shape; subclasses add their own checks.

        ``finite=False`` skips the pass that rejects NaN and inf: for a subclass whose
        own range or label checks reject them anyway (one pass over the data, not two).
        """
        t, p = as_same_float((y_true, y_pred), ("y_true", "y_pred"), finite=finite)
        check_same_shape(t, p)
        return t, p

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"


def mean(values):
    """The mean of ``values`` as a float, finite whenever every value is.

    ``np.mean`` sums first, so two values of 1e308 give inf; dividing first cannot
    overflow. The slower way is taken only when the fast one overflowed.
    """
    values = np.asarray(values)  # a subclass's _terms may return a list
    with np.errstate(over="ignore"):
        m = values.sum() / values.size  # np.mean, without its Python-level overhead
    if np.isinf(m):
        m = np.sum(values / values.size)
    return float(m)


def mean_of_products(a, b):
    """The mean of ``a * b`` as a float, from one dot product: no array of products.

    Finite whenever the mean is: if the sum overflows, the slower :func:`mean` of the
    products is taken instead.
    """
    with np.errstate(over="ignore"):
        total = np.vdot(a, b)  # vdot flattens N-D arrays
    if np.isinf(total):
        with np.errstate(over="ignore"):
            return mean(a * b)
    return float(total / a.size)


class MeanLoss(Loss):
    """A loss that averages one term per sample.

    Subclasses write the pointwise math in ``_terms`` (the loss of each sample) and
    ``_term_grads`` (the derivative of each sample's term with respect to its own
    prediction). A sample is one element, or one row for losses over class
    distributions (``rowwise = True``).

    For speed, a subclass may also write ``_terms_and_grads``, which computes both at
    once from shared intermediates; ``value_and_grad`` uses it. A subclass of that
    subclass which rewrites ``_terms`` or ``_term_grads`` gets the plain versions of
    ``_terms_and_grads``, ``derivative`` and ``value_and_grad`` back.
    """

    rowwise = False

    def __init_subclass__(cls, **kwargs):
        own = vars(cls)
        if any(name in own for name in _POINTWISE):
            # a parent's fused versions (GeneralRobustLoss writes its own derivative and
            # value_and_grad too) would not see the rewritten pointwise math
            for name in ("_terms_and_grads", "derivative", "value_and_grad"):
                if name not in own and getattr(cls, name) is not getattr(MeanLoss, name):
                    setattr(cls, name, getattr(MeanLoss, name))
        # last, so that a rewritten compute or derivative still gets Loss.value_and_grad
        super().__init_subclass__(**kwargs)

    def per_sample(self, y_true, y_pred):
        """The loss of each sample, before averaging (one value per element or per row)."""
        return self._on_arrays(self._terms, *self._check(y_true, y_pred))

    def per_sample_derivative(self, y_true, y_pred):
        """The derivative of each sample's own loss term, shaped like ``y_pred``, without the 1/n."""
        return self._on_arrays(self._term_grads, *self._check(y_true, y_pred))

    def compute(self, y_true, y_pred):
        """The mean loss over samples, as a float."""
        return mean(self.per_sample(y_true, y_pred))

    def derivative(self, y_true, y_pred):
        """The gradient of ``compute`` with respect to ``y_pred`` (carries the 1/n)."""
        t, p = self._check(y_true, y_pred)
        return self._on_arrays(self._term_grads, t, p) / self._n_samples(p)

    def value_and_grad(self, y_true, y_pred):
        """``(compute(y_true, y_pred), derivative(y_true, y_pred))``, checking the inputs
        once and sharing the work between the two."""
        t, p = self._check(y_true, y_pred)
        terms, grads = self._on_arrays(self._terms_and_grads, t, p)
        if np.may_share_memory(grads, p) or np.may_share_memory(grads, t):
            grads = grads.copy()  # divided in place below: never write into the caller's data
        grads /= self._n_samples(p)
        return mean(terms), grads

    @staticmethod
    def _on_arrays(method, t, p):
        """``method(t, p)``, given one-element arrays for a single number (the
        pointwise math writes in place, which a NumPy scalar cannot take); the
        results are single numbers again."""
        if p.ndim > 0:
            return method(t, p)
        out = method(t.reshape(1), p.reshape(1))
        return tuple(o[0] for o in out) if isinstance(out, tuple) else out[0]

    def _n_samples(self, p):
        if self.rowwise:
            return p.shape[0] if p.ndim == 2 else 1
        return p.size

    def _terms(self, t, p):
        raise NotImplementedError

    def _term_grads(self, t, p):
        raise NotImplementedError

    def _terms_and_grads(self, t, p):
        """Per-sample terms and derivatives; the derivatives must be a new array."""
        return self._terms(t, p), np.array(self._term_grads(t, p), dtype=p.dtype)
