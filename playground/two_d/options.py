"""What the playground's widgets may offer, and the decision grid's resolution."""

from __future__ import annotations

from engine.activations import TRAINABLE_ACTIVATIONS
from engine.datasets import toy2d
from engine.features import FEATURES
from engine.init import INITIALIZERS
from engine.losses import LOSSES
from engine.optimizers import OPTIMIZERS
from engine.schedules import SCHEDULES

#: grid cells along the longer side of the view (the shorter side keeps cells square).
GRID_SIZE = 160
MIN_GRID = 100


def choices() -> dict[str, object]:
    """What the widgets may offer, straight from the engine's registries."""
    return {
        "datasets": list(toy2d.DATASETS) + ["drawn"],
        "multiclass": list(toy2d.MULTICLASS_DATASETS) + ["drawn"],
        "activations": list(TRAINABLE_ACTIVATIONS),
        "initializers": ["auto", *INITIALIZERS],
        "losses": list(LOSSES),
        "optimizers": list(OPTIMIZERS),
        "schedules": list(SCHEDULES),
        "features": list(FEATURES),
    }


def grid_resolution(bounds: tuple[float, float, float, float],
                    size: int = GRID_SIZE) -> tuple[int, int]:
    """(nx, ny) with ``size`` cells on the longer side and near-square cells."""
    w, h = bounds[1] - bounds[0], bounds[3] - bounds[2]
    if not (w > 0 and h > 0):
        return size, size
    if w >= h:
        return size, max(MIN_GRID, min(size, round(size * h / w)))
    return max(MIN_GRID, min(size, round(size * w / h))), size
