"""The logistic-regression overlay: where a straight line would put the boundary."""

from __future__ import annotations

import numpy as np

from engine.baseline import LogisticBaseline
from engine.datasets.loader import Dataset

#: the overlay is a line, so a coarser grid than the decision image is plenty.
BASELINE_GRID = 120


def baseline_overlay(dataset: Dataset | None, bounds: tuple[float, float, float, float]
                     ) -> dict | None:
    """``{"probs" (ny, nx, K) float32, "bounds", "train_acc", "test_acc"}`` of a logistic
    regression fitted to the training points, or None when there is nothing to fit."""
    if dataset is None or len(np.unique(dataset.y_train)) < 2:
        return None
    base = LogisticBaseline(dataset.x_train, dataset.y_train)
    w, h = bounds[1] - bounds[0], bounds[3] - bounds[2]
    nx = BASELINE_GRID if w >= h else max(40, round(BASELINE_GRID * w / h))
    ny = BASELINE_GRID if h >= w else max(40, round(BASELINE_GRID * h / w))
    probs = base.decision_grid(bounds, (nx, ny))
    test_acc = (base.accuracy(dataset.x_test, dataset.y_test)
                if len(dataset.y_test) else None)
    return {"probs": probs, "bounds": tuple(bounds),
            "train_acc": base.accuracy(dataset.x_train, dataset.y_train), "test_acc": test_acc}
