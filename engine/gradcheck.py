"""Central-difference gradient checks (used by the tests, in float64)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


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


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max(|a| + |b|, tiny), elementwise then maximised."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    denom = np.maximum(np.abs(a) + np.abs(b), 1e-8)
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
