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


class LinearBaseline:
    """A least-squares plane y = w1*x1 + w2*x2 + b on the raw coordinates: the regression
    counterpart of ``LogisticBaseline`` (scikit-learn's ``LinearRegression``)."""

    def __init__(self, X: np.ndarray, y: np.ndarray):
        from sklearn.linear_model import LinearRegression  # lazy, as above

        self.reg = LinearRegression()
        self.reg.fit(np.asarray(X, np.float64), np.asarray(y, np.float64))

    def scores(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """(rmse, r2) on ``X``, ``y``, as the trainer reports them."""
        from .metrics import regression_scores

        return regression_scores(self.predict(X), np.asarray(y, np.float64))

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.reg.predict(np.asarray(X, np.float64))

    def value_grid(self, bounds, resolution: int | tuple[int, int] = 100) -> np.ndarray:
        """Predicted values (ny, nx) float32 over ``bounds``, like ``value_grid``."""
        nx, ny = (resolution, resolution) if np.isscalar(resolution) else resolution
        values = self.predict(grid_points(bounds, (nx, ny), np.float64))
        return values.reshape(ny, nx).astype(np.float32)
