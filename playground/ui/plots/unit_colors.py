"""How the network graph colours a unit's values, shared with the decision plot's unit view.

Orange (class 0) - white - blue (class 1), as the decision region, over a range that
depends on what made the values: tanh is -1..1; sigmoid and the output probabilities are
0..1 (white at 0.5); unbounded values (the input features, ReLU, ELU, linear) are scaled
per layer to +-(their largest magnitude over the visible plane).
"""

from __future__ import annotations

import math

import numpy as np

from playground.ui.plots.colors import palette

#: what made a column -> fixed levels; the others are scaled per layer.
FIXED_LEVELS = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "output": (0.0, 1.0),
                "step": (0.0, 1.0)}
SCALE_NOTE = "orange −, white 0, blue + (hover here for the scales)"
SCALE_TIP = ("Node colours: orange negative, white 0, blue positive. tanh units run from −1 "
             "to 1; sigmoid units from 0 to 1 (white at 0.5); the input features and ReLU, ELU "
             "and linear units are scaled per layer to ± their largest value over the "
             "visible plane. An output node runs from white (probability 0) to its "
             "class's colour (probability 1).")


def diverging_lut(steps: int = 256) -> np.ndarray:
    """(steps, 3) uint8: class 0's colour, white in the middle, class 1's colour."""
    orange, blue = palette(2)
    white = np.float32([255, 255, 255])
    t = np.linspace(-1.0, 1.0, steps, dtype=np.float32)[:, None]
    rgb = np.where(t < 0, white + (white - orange) * t, white + (blue - white) * t)
    return np.clip(rgb + 0.5, 0, 255).astype(np.uint8)


#: steps of the heat map's colour table.
HEAT_STEPS = 256
#: how far the heat map goes from white towards the scale's colours: below 1, so that a
#: point (in its full colour) stays visible on a region predicted at its own value.
HEAT_STRENGTH = 0.8
#: a regression colour scale never gets narrower than +-this (all targets near 0 would
#: otherwise show noise as full colour).
MIN_SCALE = 0.1


def heat_lut(strength: float = HEAT_STRENGTH, steps: int = HEAT_STEPS) -> np.ndarray:
    """(steps, 3) uint8: the diverging scale faded towards white by ``strength``."""
    lut = diverging_lut(steps).astype(np.float32)
    return np.clip(255 + (lut - 255) * strength + 0.5, 0, 255).astype(np.uint8)


def target_scale(*targets: np.ndarray) -> tuple[float, float]:
    """A symmetric colour scale (-m, m) for regression targets: their largest magnitude
    rounded up to a tenth (NaN ignored), at least ``MIN_SCALE``; (-1, 1) without any."""
    finite = [np.abs(t[np.isfinite(t)]) for t in targets if len(t)]
    finite = [f for f in finite if f.size]
    if not finite:
        return -1.0, 1.0
    top = max(float(f.max()) for f in finite)
    m = max(math.ceil(top * 10 - 1e-9) / 10, MIN_SCALE)
    return -m, m


def class_lut(k: int, steps: int = 256) -> np.ndarray:
    """(steps, 3) uint8 from white (probability 0) to class ``k``'s colour (1): an
    output node's map."""
    colour = palette()[k % len(palette())]
    t = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
    return np.clip(255 + (colour - 255) * t + 0.5, 0, 255).astype(np.uint8)


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


def unit_rgba(values: np.ndarray, levels: tuple[float, float],
              lut: np.ndarray | None = None) -> np.ndarray:
    """RGBA uint8 (..., 4) of ``values`` on ``lut`` (default: the diverging scale) over
    ``levels``; NaN (a diverged model) comes out in the middle colour. ``lut`` is one
    (steps, 3) table, or one per map when ``values`` is a stack of maps (n, ny, nx) and
    ``lut`` (n, steps, 3): the network graph colours a whole layer in one pass."""
    lo, hi = levels
    lut = diverging_lut() if lut is None else lut
    steps = lut.shape[-2]
    t = (np.nan_to_num(values, nan=(lo + hi) / 2) - lo) / ((hi - lo) or 1.0)
    index = np.clip((t * (steps - 1) + 0.5).astype(np.intp), 0, steps - 1)
    out = np.empty(values.shape + (4,), np.uint8)
    if lut.ndim == 3:
        which = np.arange(len(lut)).reshape((-1,) + (1,) * (values.ndim - 1))
        out[..., :3] = lut[which, index]
    else:
        out[..., :3] = lut[index]
    out[..., 3] = 255
    return out
