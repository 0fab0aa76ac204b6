"""Decision grids: class probabilities over a rectangle of the input plane."""

from __future__ import annotations

import numpy as np


def grid_points(bounds: tuple[float, float, float, float], resolution: int | tuple[int, int],
                dtype=np.float32) -> np.ndarray:
    """Points (ny*nx, 2) of a regular grid over ``bounds = (xmin, xmax, ymin, ymax)``,
    row-major with y varying slowest (row 0 is ymin), cell centres."""
    nx, ny = (resolution, resolution) if np.isscalar(resolution) else resolution
    xmin, xmax, ymin, ymax = bounds
    dx, dy = (xmax - xmin) / nx, (ymax - ymin) / ny
    xs = np.linspace(xmin + dx / 2, xmax - dx / 2, nx, dtype=dtype)
    ys = np.linspace(ymin + dy / 2, ymax - dy / 2, ny, dtype=dtype)
    pts = np.empty((ny, nx, 2), dtype=dtype)
    pts[..., 0] = xs[None, :]
    pts[..., 1] = ys[:, None]
    return pts.reshape(-1, 2)


def decision_grid(model, bounds: tuple[float, float, float, float],
                  resolution: int | tuple[int, int] = 100) -> np.ndarray:
    """Class probabilities (ny, nx, K) float32 of ``model`` over ``bounds``, computed in
    one batched forward pass. Row i is y = ymin + (i + 0.5) * cell height."""
    nx, ny = (resolution, resolution) if np.isscalar(resolution) else resolution
    pts = grid_points(bounds, (nx, ny), model.dtype)
    probs = model.predict_proba(pts)
    return probs.reshape(ny, nx, -1).astype(np.float32, copy=False)
