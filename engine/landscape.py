"""Loss landscapes: the loss on a 2-D slice theta + a * d1 + b * d2 through weight space,
row by row, so a worker can stream it and stop between rows.

Two kinds of directions (Li et al., "Visualizing the Loss Landscape of Neural Nets",
2018): filter-normalised random directions, and the top two principal components of a
weight trajectory, with the trajectory's projection onto them to draw the path the
training took. Weights are flat float64 vectors in ``model.parameters()`` order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .errors import DataError


def parameter_vector(model) -> np.ndarray:
    """Every parameter of ``model`` as one new float64 vector (P,), ``parameters()``
    order: a snapshot for a trajectory, or the centre of a landscape."""
    parts = [p.reshape(-1) for _, p, _ in model.parameters()]
    return np.concatenate(parts).astype(np.float64) if parts else np.zeros(0)


def set_parameter_vector(model, vector: np.ndarray) -> None:
    """Write ``vector`` (P,) into ``model``'s parameters in place (in their own number
    type), never rebinding an array."""
    vector = np.asarray(vector)
    params = [p for _, p, _ in model.parameters()]
    total = sum(p.size for p in params)
    if vector.shape != (total,):
        raise DataError(f"a weight vector of {vector.size:,} values does not fit a model "
                        f"of {total:,} parameters")
    offset = 0
    for p in params:
        end = offset + p.size
        p[...] = vector[offset:end].reshape(p.shape)
        offset = end


def filter_normalized_direction(model, rng: np.random.Generator) -> np.ndarray:
    """A random direction (P,) float64 scaled per filter as Li et al. do: each Dense
    neuron (a column of W, its incoming weights) and each Conv2D filter (W[o]) gets a
    Gaussian direction rescaled to that neuron's or filter's weight norm, so the slice
    shows the loss at each unit's own scale; biases and BatchNorm's gamma and beta (every
    one-dimensional parameter) get 0, as in the paper, so they stay at their values."""
    from .layers import Dense

    parts = []
    for layer in model.layers:
        for _, p in layer.params.items():
            if p.ndim < 2:
                parts.append(np.zeros(p.size))
                continue
            w = np.asarray(p, np.float64)
            if isinstance(layer, Dense):
                w = w.T  # (out, in): one row per neuron
            units = w.reshape(len(w), -1)
            d = rng.standard_normal(units.shape)
            d *= (np.linalg.norm(units, axis=1, keepdims=True)
                  / (np.linalg.norm(d, axis=1, keepdims=True) + 1e-10))
            d = d.reshape(w.shape)
            parts.append((d.T if isinstance(layer, Dense) else d).reshape(-1))
    return np.concatenate(parts) if parts else np.zeros(0)


def random_directions(model, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two independent filter-normalised random directions (P,) each."""
    return filter_normalized_direction(model, rng), filter_normalized_direction(model, rng)


@dataclass(frozen=True)
class TrajectoryPlane:
    """The plane of a trajectory's two main directions: ``d1``, ``d2`` (P,) orthonormal,
    ``explained`` (2,) their shares of the trajectory's variance around ``center``, and
    ``path`` (T, 2) the snapshots' coordinates (a, b) in that plane."""

    d1: np.ndarray
    d2: np.ndarray
    explained: np.ndarray
    path: np.ndarray
    center: np.ndarray


def pca_directions(trajectory: Sequence[np.ndarray] | np.ndarray,
                   center: np.ndarray | None = None) -> TrajectoryPlane:
    """The top two principal components of ``trajectory`` (T snapshots of P weights,
    oldest first) around ``center`` (default: the last snapshot, the final weights, as
    Li et al. do, so the path ends at (0, 0)). Signs are chosen so the first snapshot
    lies at a >= 0, b >= 0."""
    m = np.asarray(trajectory, np.float64)
    if m.ndim != 2 or len(m) < 3:
        raise DataError(f"a trajectory needs at least three weight snapshots of equal "
                        f"length, got an array of shape {m.shape}")
    center = m[-1] if center is None else np.asarray(center, np.float64)
    if center.shape != m.shape[1:]:
        raise DataError(f"the centre has {center.size:,} weights, the snapshots "
                        f"{m.shape[1]:,}")
    offsets = m - center
    _, s, vt = np.linalg.svd(offsets, full_matrices=False)
    if len(s) < 2 or s[1] <= 1e-12 * max(s[0], 1e-300):
        raise DataError("the trajectory's snapshots lie on one line (or one point), so "
                        "there is no plane of two directions through them")
    d = vt[:2].copy()
    path = offsets @ d.T
    signs = np.where(path[0] < 0, -1.0, 1.0)
    d *= signs[:, None]
    path *= signs
    variance = s * s
    return TrajectoryPlane(d[0], d[1], variance[:2] / variance.sum(), path, center)


def landscape_rows(model, x: np.ndarray, targets: np.ndarray, d1: np.ndarray,
                   d2: np.ndarray, alphas: np.ndarray, betas: np.ndarray,
                   center: np.ndarray | None = None) -> Iterator[np.ndarray]:
    """Yield the data loss on (x, targets) over theta + a * d1 + b * d2, one row
    (len(alphas),) float64 per b in ``betas``; theta is ``center`` or the model's
    weights when the generator starts.

    Inference mode (dropout off, BatchNorm's running statistics, which stay as they are).
    The model's weights are put back before every row is yielded and when the generator
    is closed or fails, so between rows, after the last one and after ``close()`` the
    model is as it was; only the layers' scratch caches change, as with ``predict``."""
    alphas, betas = np.asarray(alphas, np.float64), np.asarray(betas, np.float64)
    x = np.asarray(x, dtype=model.dtype)
    t = np.asarray(targets)
    t = t.astype(model.dtype) if t.dtype.kind == "f" else t
    saved = [p.copy() for _, p, _ in model.parameters()]
    theta = parameter_vector(model) if center is None else np.asarray(center, np.float64)
    d1, d2 = np.asarray(d1, np.float64), np.asarray(d2, np.float64)
    if not theta.shape == d1.shape == d2.shape:
        raise DataError(f"the directions have {d1.size:,} and {d2.size:,} values, the "
                        f"model {theta.size:,} parameters")
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for b in betas:
                row = np.empty(len(alphas))
                base = theta + b * d2
                for i, a in enumerate(alphas):
                    set_parameter_vector(model, base + a * d1)
                    row[i] = model.loss_fn.forward(model.forward(x, train=False), t)
                _restore(model, saved)
                yield row
    finally:
        _restore(model, saved)


def loss_landscape(model, x: np.ndarray, targets: np.ndarray, d1: np.ndarray,
                   d2: np.ndarray, alphas: np.ndarray, betas: np.ndarray,
                   center: np.ndarray | None = None) -> np.ndarray:
    """Every row of ``landscape_rows`` at once: (len(betas), len(alphas)) float64."""
    return np.array(list(landscape_rows(model, x, targets, d1, d2, alphas, betas, center)))


def _restore(model, saved: list[np.ndarray]) -> None:
    for (_, p, _), old in zip(model.parameters(), saved):
        p[...] = old
