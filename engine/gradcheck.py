"""Central-difference gradient checks in float64: of one layer (the tests) and of a whole
network (``check_network``, behind ``python -m engine gradcheck``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import SpecError


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f / d x by central differences, perturbing ``x`` in place (restored afterwards)."""
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        fp = f()
        x[i] = old - eps
        fm = f()
        x[i] = old
        grad[i] = (fp - fm) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-8) -> float:
    """max |a - b| / max(|a| + |b|, floor), elementwise then maximised: entries smaller
    than ``floor`` are compared in absolute terms, against ``floor``."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    denom = np.maximum(np.abs(a) + np.abs(b), floor)
    return float(np.max(np.abs(a - b) / denom)) if a.size else 0.0


def check_layer(layer, x: np.ndarray, seed: int = 0, eps: float = 1e-6,
                train: bool = False) -> dict[str, float]:
    """Relative errors of ``layer``'s analytic gradients (input and every parameter)
    against central differences of ``sum(forward(x) * r)`` for a fixed random ``r``.
    ``train=True`` checks training mode (batch statistics); the layer must then be
    deterministic given its input (dropout needs rate 0 or a reseeded generator)."""
    rng = np.random.default_rng(seed)
    r = rng.standard_normal(layer.forward(x, train=train).shape)

    def f() -> float:
        return float(np.sum(layer.forward(x, train=train) * r))

    layer.forward(x, train=train)
    dx = layer.backward(r.copy())
    errors = {"x": relative_error(dx, numerical_gradient(f, x, eps))}
    analytic = {k: g.copy() for k, g in layer.grads.items()}
    for key, p in layer.params.items():
        errors[key] = relative_error(analytic[key], numerical_gradient(f, p, eps))
    return errors


#: a network's gradients pass the check when every relative error is at most this.
NETWORK_TOLERANCE = 1e-5
#: rounding error of one loss evaluation through a network, relative to the loss.
LOSS_ROUNDING = 1e-15
#: exactly-zero parameters of the checked copy (fresh biases) are moved by about this.
ZERO_NUDGE = 1e-3
#: layers with a kink at 0 in their input (ReLU family, step).
_KINKED_AT_ZERO = ("relu", "leaky-relu", "elu", "step")


@dataclass(frozen=True)
class GradientRow:
    """One parameter array's check: ``name`` ("layer 0 Dense W"), its ``shape``, the
    largest elementwise relative error over the ``checked`` entries compared, and how
    many drawn entries were left out because a step of ``eps`` crossed a kink."""

    name: str
    shape: tuple[int, ...]
    max_rel_err: float
    checked: int
    at_kinks: int = 0

    @property
    def passed(self) -> bool:
        return self.max_rel_err <= NETWORK_TOLERANCE

    def to_dict(self) -> dict:
        return {"name": self.name, "shape": list(self.shape),
                "max_rel_err": self.max_rel_err, "checked": self.checked,
                "at_kinks": self.at_kinks}


def float64_copy(model):
    """A new ``Sequential`` with ``model``'s architecture, weights and buffers in float64
    (the original is only read). Its dropout layers get their own generators."""
    from .build import build_from_description
    from .serialize import describe

    copy = build_from_description({**describe(model), "dtype": "float64", "config": None})
    for (_, mine, _), (_, theirs, _) in zip(copy.parameters(), model.parameters()):
        mine[...] = theirs
    for (_, mine), (_, theirs) in zip(copy.buffers(), model.buffers()):
        mine[...] = theirs
    return copy


def check_network(model, x: np.ndarray, targets: np.ndarray, *, entries: int = 30,
                  eps: float = 1e-5, seed: int = 0, train: bool = True) -> list[GradientRow]:
    """Back-propagated gradients of the data loss on the batch ``x`` with ``targets``
    against central differences, one row per parameter array in ``parameters()`` order.

    Runs on ``float64_copy(model)``, so ``model`` is never touched. In that copy,
    parameters that are exactly zero (fresh biases) are moved by ~``ZERO_NUDGE``: zero
    biases over zero inputs (an image's blank border) put ReLU inputs exactly on their
    kink, where the loss has no derivative to compare. Up to ``entries`` entries per
    array, drawn with ``seed``, are compared; an entry whose ±``eps`` step changes which
    side of a kink any unit is on (a ReLU-family input's sign, a max-pool window's
    winner) is left out and counted in ``at_kinks``, and the next drawn one taken.
    ``train=True`` (the default) checks training mode: BatchNorm on batch statistics and
    dropout at its rate with one fixed mask (its generator reseeded before every pass).
    ``eps`` is larger than a single layer's check takes: through a whole network the
    rounding error of the difference quotient dominates, and 1e-5 measured ~10x smaller
    errors than 1e-6 on the book's DeepConvNet.

    The rounding error of the loss, ~``LOSS_ROUNDING * |loss|``, makes the difference
    quotient uncertain by that over ``eps``; gradients smaller than ten times that over the
    tolerance (``gradient_floor``; 1e-4 x |loss| at eps 1e-5) cannot be resolved to
    1e-5 relative and are compared against the floor instead (a gradient that is zero
    in exact arithmetic, a bias in front of batch norm, is all rounding noise)."""
    from .layer_stats import layer_name
    from .layers import Dropout

    if entries < 1:
        raise SpecError(f"entries to check per array must be at least 1, got {entries}")
    net = float64_copy(model)
    rng = np.random.default_rng(seed)
    for _, p, _ in net.parameters():
        zero = p == 0
        p[zero] = ZERO_NUDGE * rng.standard_normal(int(zero.sum()))
    x = np.asarray(x, np.float64)
    t = np.asarray(targets)
    t = t.astype(np.float64) if t.dtype.kind == "f" else t
    dropouts = [(i, l) for i, l in enumerate(net.layers) if isinstance(l, Dropout)]
    kinks = _KinkRecorder(net)

    def loss() -> tuple[float, list[np.ndarray]]:
        for i, layer in dropouts:
            layer.rng = np.random.default_rng([seed, i])
        kinks.patterns = []
        return net.loss(x, t, train=train), kinks.patterns

    value, base = loss()
    net.backward()
    floor = gradient_floor(value, eps)
    rows = []
    for i, layer in enumerate(net.layers):
        for key, p in layer.params.items():
            analytic, numeric, at_kinks = [], [], 0
            for flat in rng.permutation(p.size):
                if len(numeric) == entries:
                    break
                at = np.unravel_index(flat, p.shape)
                old = p[at]
                p[at] = old + eps
                fp, plus = loss()
                p[at] = old - eps
                fm, minus = loss()
                p[at] = old
                if not (_same(plus, base) and _same(minus, base)):
                    at_kinks += 1
                    continue
                analytic.append(layer.grads[key][at])
                numeric.append((fp - fm) / (2 * eps))
            err = relative_error(np.array(analytic), np.array(numeric), floor) if numeric else 0.0
            rows.append(GradientRow(f"{layer_name(i, layer)} {key}", tuple(p.shape), err,
                                    len(numeric), at_kinks))
    return rows


def gradient_floor(loss: float, eps: float) -> float:
    """The smallest gradient central differences at ``eps`` resolve to a tenth of the
    tolerance, given the loss's rounding error (see ``check_network``)."""
    noise = LOSS_ROUNDING * max(1.0, abs(loss)) / eps
    return noise / (NETWORK_TOLERANCE / 10)


class _KinkRecorder:
    """Wraps the forward of every kinked layer of a network this module owns (the
    float64 copy) so each pass records which side of its kinks every unit is on."""

    def __init__(self, net):
        from .layers import MaxPool2D

        self.patterns: list[np.ndarray] = []
        for layer in net.layers:
            if layer.kind in _KINKED_AT_ZERO:
                self._wrap(layer, lambda layer, x: x > 0)
            elif isinstance(layer, MaxPool2D):
                self._wrap(layer, _window_winners)

    def _wrap(self, layer, pattern) -> None:
        forward = layer.forward

        def recording(x, train=False):
            self.patterns.append(pattern(layer, x))
            return forward(x, train=train)

        layer.forward = recording


def _window_winners(pool, x: np.ndarray) -> np.ndarray:
    """For each max-pool window, which of its entries equal the window's maximum."""
    from .im2col import im2col

    n, c, h, w = x.shape
    cols = im2col(x.reshape(n * c, 1, h, w), pool.size, pool.size, pool.stride, 0)
    return cols == cols.max(axis=1, keepdims=True)


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(np.array_equal(u, v) for u, v in zip(a, b))
