"""Losses: ``value = loss.forward(scores, targets)``, ``dscores = loss.backward()``.

Targets are integer labels (N,) or arrays shaped like the scores (N, K); the regression
losses (``mse`` on one output, ``huber``) also take real values (N,) for one output. Every
value is the mean over the batch; ``backward`` returns the gradient of that mean.
"""

from __future__ import annotations

import numpy as np

from .activations import sigmoid
from .errors import SpecError

#: up to this many classes, probabilities loop over columns instead of reducing rows.
_FEW_COLUMNS = 16


def _one_hot(labels: np.ndarray, k: int, dtype) -> np.ndarray:
    t = np.zeros((labels.shape[0], k), dtype=dtype)
    t[np.arange(labels.shape[0]), labels] = 1
    return t


class Loss:
    kind = "Loss"

    def forward(self, scores: np.ndarray, targets: np.ndarray) -> float:
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        raise NotImplementedError

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        """Class probabilities (N, K) for scores, K >= 2 (a single logit becomes two)."""
        raise NotImplementedError

    def output_size(self, n_classes: int) -> int:
        """Width of the score layer this loss needs for ``n_classes`` classes."""
        return n_classes

    def options(self) -> dict:
        """The loss's settings as saved with a model ({} for losses without any)."""
        return {}


class SoftmaxCrossEntropy(Loss):
    """Softmax followed by cross-entropy, via log-sum-exp so large scores cannot overflow."""

    kind = "softmax-ce"

    def forward(self, scores: np.ndarray, targets: np.ndarray) -> float:
        # Few whole-array operations: on a batch of 100 x 10 each costs microseconds of
        # call overhead, not arithmetic, so log p is taken only where the targets need it.
        shifted = scores - scores.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        sums = np.add.reduce(p, axis=1, keepdims=True)
        log_sums = np.log(sums)
        p /= sums
        self._p = p
        n = scores.shape[0]
        if targets.ndim == 1:
            self._labels, self._t = targets, None
            rows = self._rows(n)
            value = np.add.reduce(log_sums[:, 0] - shifted[rows, targets]) / n
        else:
            self._labels, self._t = None, targets
            value = np.add.reduce((targets * (log_sums - shifted)).ravel()) / n
        return float(value)

    def _rows(self, n: int) -> np.ndarray:
        rows = getattr(self, "_row_index", None)
        if rows is None or len(rows) != n:
            rows = self._row_index = np.arange(n)
        return rows

    def backward(self) -> np.ndarray:
        n = self._p.shape[0]
        d = self._p.copy()
        if self._labels is not None:
            d[self._rows(n), self._labels] -= 1
        else:
            d -= self._t
        d *= d.dtype.type(1.0 / n)
        return d

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        n, k = scores.shape
        if k > _FEW_COLUMNS:
            e = np.exp(scores - scores.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        # A few columns (the 2-D playground's decision grids: 40,000 x 2): loops over the
        # columns, since NumPy's axis-1 reductions over a handful of columns were ~1.5 ms
        # each on 40,000 rows, most of the grid's time.
        p = np.empty(scores.shape, np.result_type(scores.dtype, np.float32))
        scores = scores.astype(p.dtype, copy=False)
        if k == 2:
            # softmax of two scores is the logistic of their difference
            with np.errstate(over="ignore"):
                for j in (0, 1):
                    d = scores[:, 1 - j] - scores[:, j]
                    np.exp(d, out=d)
                    d += 1
                    np.divide(1, d, out=p[:, j])
            return p
        top = scores[:, 0].copy()
        for j in range(1, k):
            np.maximum(top, scores[:, j], out=top)
        np.subtract(scores, top[:, None], out=p)
        np.exp(p, out=p)
        total = p[:, 0].copy()
        for j in range(1, k):
            total += p[:, j]
        p /= total[:, None]
        return p


class SigmoidBinaryCrossEntropy(Loss):
    """Independent sigmoid per output with binary cross-entropy, summed over outputs and
    averaged over samples. For two classes the network has ONE output (the logit of class
    1); integer labels with K > 1 outputs are one-hot encoded (one-vs-rest)."""

    kind = "sigmoid-bce"

    def output_size(self, n_classes: int) -> int:
        return 1 if n_classes == 2 else n_classes

    def _targets(self, scores: np.ndarray, targets: np.ndarray) -> np.ndarray:
        if targets.ndim == 1:
            if scores.shape[1] == 1:
                return targets.astype(scores.dtype).reshape(-1, 1)
            return _one_hot(targets, scores.shape[1], scores.dtype)
        return targets.astype(scores.dtype, copy=False)

    def forward(self, scores: np.ndarray, targets: np.ndarray) -> float:
        t = self._targets(scores, targets)
        self._s, self._t = scores, t
        # log(1 + e^s) - t*s, written so that neither exp overflows.
        per = np.maximum(scores, 0) - scores * t + np.log1p(np.exp(-np.abs(scores)))
        return float(per.sum() / scores.shape[0])

    def backward(self) -> np.ndarray:
        d = sigmoid(self._s) - self._t
        d *= d.dtype.type(1.0 / self._s.shape[0])
        return d

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        p = sigmoid(scores)
        if p.shape[1] == 1:
            return np.concatenate([1 - p, p], axis=1)
        return p / p.sum(axis=1, keepdims=True)


def _value_targets(scores: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Targets shaped like ``scores``: integer labels (N,) become one-hot rows, real values
    (N,) the one column of a single-output (regression) network."""
    if targets.ndim != 1:
        return targets
    if scores.shape[1] == 1:
        return targets.astype(scores.dtype, copy=False).reshape(-1, 1)
    if not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(f"real-valued targets (N,) fit a network with one output, not "
                         f"{scores.shape[1]}")
    return _one_hot(targets, scores.shape[1], scores.dtype)


class MeanSquaredError(Loss):
    """Half the squared error summed over outputs, averaged over samples (the book's
    ``0.5 * sum((y - t)**2)``, and scikit-learn's squared loss for one output); integer
    labels become one-hot targets, real values (N,) fit a single output."""

    kind = "mse"

    def forward(self, scores: np.ndarray, targets: np.ndarray) -> float:
        t = _value_targets(scores, targets)
        self._diff = scores - t
        return float(0.5 * (self._diff * self._diff).sum() / scores.shape[0])

    def backward(self) -> np.ndarray:
        return self._diff * self._diff.dtype.type(1.0 / self._diff.shape[0])

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        # Scores regress one-hot targets; clip to [0, 1] and renormalise for display.
        p = np.clip(scores, 0, 1) + 1e-6
        return p / p.sum(axis=1, keepdims=True)


class Huber(Loss):
    """Huber loss: per output 0.5*d**2 where |d| <= delta and delta*(|d| - delta/2)
    beyond, summed over outputs and averaged over samples (d = score - target). Equal to
    ``mse`` for small errors, it grows only linearly for outliers, whose gradient is
    capped at +-delta. Real targets (N,) fit a single output."""

    kind = "huber"

    def __init__(self, delta: float = 1.0):
        if not (isinstance(delta, (int, float)) and np.isfinite(delta) and delta > 0):
            raise SpecError(f"huber delta must be a positive number, got {delta!r}")
        self.delta = float(delta)

    def options(self) -> dict:
        return {"delta": self.delta}

    def forward(self, scores: np.ndarray, targets: np.ndarray) -> float:
        d = scores - _value_targets(scores, targets)
        self._diff = d
        a = np.abs(d)
        delta = d.dtype.type(self.delta)
        # 0.5*min(a, delta)**2 + delta*max(a - delta, 0) is both branches in one formula
        small = np.minimum(a, delta)
        per = 0.5 * small * small + delta * (a - small)
        return float(per.sum() / scores.shape[0])

    def backward(self) -> np.ndarray:
        d = self._diff
        g = np.clip(d, -self.delta, self.delta)
        g *= d.dtype.type(1.0 / d.shape[0])
        return g

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        raise SpecError("a network trained with the huber loss predicts values, not class "
                        "probabilities")

    def output_size(self, n_classes: int) -> int:
        return 1


LOSSES: dict[str, type[Loss]] = {
    cls.kind: cls
    for cls in (SoftmaxCrossEntropy, SigmoidBinaryCrossEntropy, MeanSquaredError, Huber)
}
#: losses that fit real values (a regression network's single linear output).
REGRESSION_LOSSES = ("mse", "huber")


def make_loss(name: str, **options) -> Loss:
    """The loss registered as ``name``; ``options`` are its settings (huber: ``delta``),
    ignored by losses that have none."""
    try:
        cls = LOSSES[name]
    except KeyError:
        raise SpecError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None
    return cls(**options) if cls is Huber else cls()
