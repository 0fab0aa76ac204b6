"""A logistic-regression baseline with the same grid output as the engine (scikit-learn,
imported when the first baseline is fitted)."""

from __future__ import annotations

import numpy as np

from .grid import grid_points


class LogisticBaseline:
    """A straight-line (per-class linear) classifier on the raw x1, x2 coordinates."""

    def __init__(self, X: np.ndarray, y: np.ndarray, C: float = 1.0):
        from sklearn.linear_model import LogisticRegression  # lazy: scipy is slow to import

        self.clf = LogisticRegression(C=C, max_iter=1000)
        self.clf.fit(np.asarray(X, np.float64), np.asarray(y))

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        return float(self.clf.score(np.asarray(X, np.float64), np.asarray(y)))

    def decision_grid(self, bounds, resolution: int | tuple[int, int] = 100) -> np.ndarray:
        """Class probabilities (ny, nx, K) float32 over ``bounds``, like ``decision_grid``."""
        nx, ny = (resolution, resolution) if np.isscalar(resolution) else resolution
        pts = grid_points(bounds, (nx, ny), np.float64)
        probs = np.zeros((len(pts), int(self.clf.classes_.max()) + 1), np.float32)
        probs[:, self.clf.classes_] = self.clf.predict_proba(pts)
        return probs.reshape(ny, nx, -1)
