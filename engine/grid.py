"""Decision grids: class probabilities (or a regression model's values) over a rectangle of
the input plane."""

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


def value_grid(model, bounds: tuple[float, float, float, float],
               resolution: int | tuple[int, int] = 100) -> np.ndarray:
    """A regression model's predicted values (ny, nx) float32 over ``bounds``, in one
    batched forward pass, laid out as ``decision_grid``'s rows. ``SpecError`` for a
    classification model (its grid is ``decision_grid``)."""
    from .errors import SpecError

    if model.task != "regression":
        raise SpecError("value_grid needs a regression model (one output fitted by mse or "
                        "huber); a classifier's grid is decision_grid")
    nx, ny = (resolution, resolution) if np.isscalar(resolution) else resolution
    values = model.predict(grid_points(bounds, (nx, ny), model.dtype))
    return values.reshape(ny, nx).astype(np.float32, copy=False)


def prediction_grid(model, bounds: tuple[float, float, float, float],
                    resolution: int | tuple[int, int] = 100) -> np.ndarray:
    """What ``model`` predicts over ``bounds``: a classifier's ``decision_grid`` (ny, nx,
    K), a regression model's ``value_grid`` (ny, nx)."""
    if model.task == "regression":
        return value_grid(model, bounds, resolution)
    return decision_grid(model, bounds, resolution)
