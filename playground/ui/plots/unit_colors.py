"""How the network graph colours a unit's values, shared with the decision plot's unit view.

Orange (class 0) - white - blue (class 1), as the decision region, over a range that
depends on what made the values: tanh is -1..1; sigmoid and the output probabilities are
0..1 (white at 0.5); unbounded values (the input features, ReLU, ELU, linear) are scaled
per layer to +-(their largest magnitude over the visible plane).
"""

from __future__ import annotations

import numpy as np

from playground.ui.plots.colors import palette

#: what made a column -> fixed levels; the others are scaled per layer.
FIXED_LEVELS = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "output": (0.0, 1.0),
                "step": (0.0, 1.0)}
SCALE_NOTE = ("Node colours: orange −, white 0, blue + (tanh −1…1; sigmoid and outputs "
              "0…1, white at 0.5; features, ReLU, ELU and linear scaled per layer to ± "
              "their largest value).")


def diverging_lut(steps: int = 256) -> np.ndarray:
    """(steps, 3) uint8: class 0's colour, white in the middle, class 1's colour."""
    orange, blue = palette(2)
    white = np.float32([255, 255, 255])
    t = np.linspace(-1.0, 1.0, steps, dtype=np.float32)[:, None]
    rgb = np.where(t < 0, white + (white - orange) * t, white + (blue - white) * t)
    return np.clip(rgb + 0.5, 0, 255).astype(np.uint8)


def grey_lut(steps: int = 256) -> np.ndarray:
    """A flat light grey: a dead unit's thumbnail."""
    return np.full((steps, 3), 214, np.uint8)


def unit_levels(kind: str, values: np.ndarray) -> tuple[float, float]:
    """Colour levels for ``values`` made by ``kind`` (see the module docstring)."""
    if kind in FIXED_LEVELS:
        return FIXED_LEVELS[kind]
    finite = values[np.isfinite(values)]
    top = float(np.abs(finite).max()) if finite.size else 0.0
    top = top if top > 1e-12 else 1.0
    return -top, top


def dead_units(kind: str, column: np.ndarray) -> np.ndarray:
    """(units,) bool: ReLU units that output zero at every point of the plane."""
    if kind != "relu":
        return np.zeros(len(column), bool)
    return ~(column.reshape(len(column), -1) > 0).any(axis=1)
