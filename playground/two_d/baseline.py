"""The linear baselines' overlays: where a straight line would put the class boundary
(logistic regression), or the plane a linear regression fits to values."""

from __future__ import annotations

import numpy as np

from engine.baseline import LinearBaseline, LogisticBaseline
from engine.datasets.loader import Dataset

#: the overlay is a line, so a coarser grid than the decision image is plenty.
BASELINE_GRID = 120
#: points along the 1-D curve view's x1 axis.
CURVE_POINTS = 400


def baseline_overlay(dataset: Dataset | None, bounds: tuple[float, float, float, float]
                     ) -> dict | None:
    """``{"probs" (ny, nx, K) float32, "bounds", "train_acc", "test_acc"}`` of a logistic
    regression fitted to the training points, or None when there is nothing to fit. For
    a regression set: ``{"values" (ny, nx) float32, "bounds", "train_r2", "test_r2",
    "curve" (xs, ys): the plane along x1 at x2 = 0}`` of a linear regression."""
    if dataset is not None and dataset.task == "regression":
        return _linear_overlay(dataset, bounds)
    if dataset is None or len(np.unique(dataset.y_train)) < 2:
        return None
    base = LogisticBaseline(dataset.x_train, dataset.y_train)
    probs = base.decision_grid(bounds, _resolution(bounds))
    test_acc = (base.accuracy(dataset.x_test, dataset.y_test)
                if len(dataset.y_test) else None)
    return {"probs": probs, "bounds": tuple(bounds),
            "train_acc": base.accuracy(dataset.x_train, dataset.y_train), "test_acc": test_acc}


def _resolution(bounds) -> tuple[int, int]:
    w, h = bounds[1] - bounds[0], bounds[3] - bounds[2]
    nx = BASELINE_GRID if w >= h else max(40, round(BASELINE_GRID * w / h))
    ny = BASELINE_GRID if h >= w else max(40, round(BASELINE_GRID * h / w))
    return nx, ny


def _linear_overlay(dataset: Dataset, bounds) -> dict | None:
    if len(dataset.y_train) < 2:
        return None
    base = LinearBaseline(dataset.x_train, dataset.y_train)
    test_r2 = base.scores(dataset.x_test, dataset.y_test)[1] if len(dataset.y_test) else None
    xs = np.linspace(bounds[0], bounds[1], CURVE_POINTS)
    ys = base.predict(np.column_stack([xs, np.zeros_like(xs)]))
    return {"values": base.value_grid(bounds, _resolution(bounds)), "bounds": tuple(bounds),
            "train_r2": base.scores(dataset.x_train, dataset.y_train)[1],
            "test_r2": test_r2, "curve": (xs, ys)}
