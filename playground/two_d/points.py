"""Hand-drawn points with a stable train/test split.

Each point is assigned to train or test once, when it is drawn (or when the whole set is
re-split after a change of test ratio or seed), so drawing one more point never moves the
others between the sets: the display does not flicker while you draw.
"""

from __future__ import annotations

import numpy as np

from engine.datasets.loader import Dataset
from engine.datasets.points import PointSet
from engine.errors import DataError


class DrawnPoints:
    """A ``PointSet`` plus a boolean test mask (N,) kept in step with it."""

    def __init__(self, test_ratio: float = 0.3, seed: int = 0) -> None:
        self.points = PointSet()
        self._test = np.zeros(0, dtype=bool)
        self.test_ratio = float(test_ratio)
        self._rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return len(self.points)

    @property
    def X(self) -> np.ndarray:
        return self.points.X

    @property
    def y(self) -> np.ndarray:
        return self.points.y

    @property
    def test_mask(self) -> np.ndarray:
        return self._test.copy()

    def replace(self, X: np.ndarray, y: np.ndarray, test_mask: np.ndarray | None = None,
                *, test_ratio: float | None = None, seed: int = 0) -> None:
        """Hold copies of ``X`` (N, 2), ``y`` (N,) labels 0..4; split them with
        ``test_mask`` if given, else afresh. Raises ``DataError`` and keeps the old points
        when the arrays are unusable."""
        points = PointSet.from_arrays(X, y)
        self.points = points
        if test_ratio is not None:
            self.test_ratio = float(test_ratio)
        if test_mask is not None and len(test_mask) == len(points):
            self._test = np.asarray(test_mask, dtype=bool).copy()
            self._rng = np.random.default_rng(seed)
        else:
            self.resplit(self.test_ratio, seed)

    def resplit(self, test_ratio: float, seed: int) -> None:
        """Stratified split: about ``test_ratio`` of each class goes to the test set, always
        keeping at least one point of the class in training."""
        self.test_ratio = float(test_ratio)
        self._rng = np.random.default_rng(seed)
        y = self.points.y
        test = np.zeros(len(y), dtype=bool)
        for label in np.unique(y):
            idx = self._rng.permutation(np.flatnonzero(y == label))
            k = min(int(round(len(idx) * self.test_ratio)), len(idx) - 1)
            test[idx[:k]] = True
        self._test = test

    def add(self, xs: np.ndarray, ys: np.ndarray, label: int) -> None:
        """Add points of class ``label``; each goes to the test set with probability
        ``test_ratio`` once its class has a training point."""
        xs = np.atleast_1d(np.asarray(xs, dtype=np.float64))
        ys = np.atleast_1d(np.asarray(ys, dtype=np.float64))
        self.points.add_many(xs, ys, label)
        y = self.points.y
        n_new = len(xs)
        has_train = bool(np.any((y[: len(y) - n_new] == label) & ~self._test))
        flags = self._rng.random(n_new) < self.test_ratio
        if not has_train and n_new:
            flags[0] = False
        self._test = np.concatenate([self._test, flags])

    def erase(self, x: float, y: float, radius: float) -> int:
        """Remove the points within ``radius`` of (x, y); returns how many went."""
        X = self.points.X
        keep = (X[:, 0] - x) ** 2 + (X[:, 1] - y) ** 2 > float(radius) ** 2
        removed = self.points.erase(x, y, radius)
        if removed:
            self._test = self._test[keep]
        return removed

    def clear(self) -> None:
        self.points.clear()
        self._test = np.zeros(0, dtype=bool)

    def dataset(self) -> Dataset:
        """The points as a train/test ``Dataset``; ``DataError`` when training would be
        impossible (fewer than two classes among the training points)."""
        X, y, test = self.points.X, self.points.y, self._test
        train_classes = np.unique(y[~test])
        if len(train_classes) < 2:
            have = "no points" if len(y) == 0 else (
                f"{len(y)} point{'s' if len(y) != 1 else ''} of one class")
            raise DataError(f"The drawing has {have}: draw points of at least two classes "
                            f"to train.")
        n_classes = max(int(y.max()) + 1, 2)
        return Dataset(X[~test], y[~test], X[test], y[test], n_classes, "drawn")
