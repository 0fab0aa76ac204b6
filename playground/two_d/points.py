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

#: fewest training points a drawing of values (a regression drawing) trains on.
MIN_VALUE_POINTS = 2


class DrawnPoints:
    """A ``PointSet`` plus a boolean test mask (N,) kept in step with it. ``values``: the
    points carry real target values (a regression drawing), not classes."""

    def __init__(self, test_ratio: float = 0.3, seed: int = 0, values: bool = False) -> None:
        self.values = bool(values)
        self.points = PointSet(values=self.values)
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
        points = PointSet.from_arrays(X, y, self.values)
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
        keeping at least one point of the class in training. Values: a plain random split
        that keeps ``MIN_VALUE_POINTS`` in training."""
        self.test_ratio = float(test_ratio)
        self._rng = np.random.default_rng(seed)
        y = self.points.y
        test = np.zeros(len(y), dtype=bool)
        if self.values:
            idx = self._rng.permutation(len(y))
            k = min(int(round(len(y) * self.test_ratio)), max(len(y) - MIN_VALUE_POINTS, 0))
            test[idx[:k]] = True
            self._test = test
            return
        for label in np.unique(y):
            idx = self._rng.permutation(np.flatnonzero(y == label))
            k = min(int(round(len(idx) * self.test_ratio)), len(idx) - 1)
            test[idx[:k]] = True
        self._test = test

    def add(self, xs: np.ndarray, ys: np.ndarray, label: int) -> None:
        """Add points of class ``label`` (values: of value ``label``); each goes to the test
        set with probability ``test_ratio`` once its class (values: the drawing) has a
        training point."""
        xs = np.atleast_1d(np.asarray(xs, dtype=np.float64))
        ys = np.atleast_1d(np.asarray(ys, dtype=np.float64))
        self.points.add_many(xs, ys, label)
        y = self.points.y
        n_new = len(xs)
        old = y[: len(y) - n_new]
        same = np.ones(len(old), bool) if self.values else old == label
        short = (MIN_VALUE_POINTS if self.values else 1) - int(np.count_nonzero(
            same & ~self._test))
        flags = self._rng.random(n_new) < self.test_ratio
        if short > 0:
            flags[:short] = False  # the first points train, so the drawing can
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
        if self.values:
            n_train = int(np.count_nonzero(~test))
            if n_train < MIN_VALUE_POINTS:
                have = "no points" if len(y) == 0 else (
                    f"{n_train} training point{'s' if n_train != 1 else ''}")
                raise DataError(f"The drawing has {have}: draw at least {MIN_VALUE_POINTS} "
                                f"points with values to train.")
            return Dataset(X[~test], y[~test], X[test], y[test], 1, "drawn", "regression")
        train_classes = np.unique(y[~test])
        if len(train_classes) < 2:
            have = "no points" if len(y) == 0 else (
                f"{len(y)} point{'s' if len(y) != 1 else ''} of one class")
            raise DataError(f"The drawing has {have}: draw points of at least two classes "
                            f"to train.")
        n_classes = max(int(y.max()) + 1, 2)
        return Dataset(X[~test], y[~test], X[test], y[test], n_classes, "drawn")


#: most data rows read from a CSV file: a drawing of more points is not interactive, and
#: a huge file is refused after reading this many rows instead of freezing the window.
MAX_CSV_ROWS = 100_000

#: the view before any data has bounds of its own.
DEFAULT_BOUNDS = (-1.5, 1.5, -1.5, 1.5)


class PageData:
    """The 2-D page's data: the drawings (one of classes, one of values for regression),
    the data set trained on (the current drawing's or a generator's; None when there is
    nothing to train on) and, then, the reason why. ``task`` says which drawing is
    current. Knows no signals: the controller decides what a change means and
    announces it."""

    def __init__(self, test_ratio: float = 0.3, seed: int = 0,
                 task: str = "classification") -> None:
        self.drawings = {"classification": DrawnPoints(test_ratio, seed),
                         "regression": DrawnPoints(test_ratio, seed, values=True)}
        self.task = task
        self.dataset: Dataset | None = None
        self.problem = ""

    @property
    def drawn(self) -> DrawnPoints:
        """The drawing of the current task."""
        return self.drawings[self.task]

    @drawn.setter
    def drawn(self, drawing: DrawnPoints) -> None:
        self.drawings["regression" if drawing.values else "classification"] = drawing

    def restore_drawing(self, points: tuple, seed: int, task: str = "classification"
                        ) -> None:
        """Put back a remembered drawing (X, y, test mask) of ``task``; unusable arrays:
        none."""
        X, y, test = points
        drawing = self.drawings[task]
        try:
            drawing.replace(np.asarray(X, np.float64).reshape(-1, 2),
                            np.asarray(y, np.float64 if drawing.values else np.int64),
                            np.asarray(test, bool), seed=seed)
        except (ValueError, TypeError):
            drawing.clear()

    def load(self, config) -> str:
        """Make the data set of ``config`` (its generator, or the drawing); the problem
        that stops training ("" if none)."""
        from engine.datasets.loader import load_dataset

        if config.data.name == "drawn":
            return self.from_drawing()
        self.problem = ""
        try:
            self.dataset = load_dataset(config)
        except (ValueError, MemoryError) as e:
            self.dataset = None
            self.problem = str(e)
        return self.problem

    def from_drawing(self) -> str:
        """Train on the drawing (None and the reason when it cannot be trained on)."""
        try:
            self.dataset = self.drawn.dataset()
            self.problem = ""
        except DataError as e:
            self.dataset = None
            self.problem = str(e)
        return self.problem

    def copy_into_drawing(self, config) -> None:
        """Start the drawing from the points on screen, keeping their split."""
        ds = self.dataset
        if ds is None:
            return
        X = np.concatenate([ds.x_train, ds.x_test])
        y = np.concatenate([ds.y_train, ds.y_test])
        mask = np.r_[np.zeros(len(ds.y_train), bool), np.ones(len(ds.y_test), bool)]
        # drawn labels are 0..4, like the class buttons; values are any finite number
        keep = np.ones(len(y), bool) if self.drawn.values else y <= 4
        self.drawn.replace(X[keep], y[keep], mask[keep], test_ratio=config.data.test_ratio,
                           seed=config.seed)

    def point_count(self, config, current) -> int:
        """How many points ``config`` would train on when ``current`` is in force
        (drawn: the drawing, or what it would be copied from; else generated)."""
        if config.data.name == "drawn":
            return len(self.drawn) if current.data.name == "drawn" else \
                len(self.all_points(current)[1])
        return config.data.samples

    def all_points(self, config) -> tuple[np.ndarray, np.ndarray]:
        """All points on screen: ``X`` float64 (N, 2), ``y`` int64 (N,) (regression:
        float64 values)."""
        if config.data.name == "drawn":
            return self.drawn.X, self.drawn.y
        ds = self.dataset
        if ds is None:
            return np.zeros((0, 2)), np.zeros(0, np.float64 if self.drawn.values
                                              else np.int64)
        return np.concatenate([ds.x_train, ds.x_test]), np.concatenate([ds.y_train, ds.y_test])

    def test_mask(self, config) -> np.ndarray:
        """Which of ``all_points`` are test points, bool (N,)."""
        if config.data.name == "drawn":
            return self.drawn.test_mask
        ds = self.dataset
        if ds is None:
            return np.zeros(0, bool)
        return np.r_[np.zeros(len(ds.y_train), bool), np.ones(len(ds.y_test), bool)]

    def view(self, config, reset_view: bool) -> dict:
        """What the plots show: {"x_train", "y_train", "x_test", "y_test", "n_classes",
        "bounds", "reset_view", "task"} (regression: ``y_*`` are the targets)."""
        from engine.datasets import toy2d

        if config.data.name == "drawn":
            X, y, test = self.drawn.X, self.drawn.y, self.drawn.test_mask
            parts = (X[~test], y[~test], X[test], y[test])
        elif self.dataset is not None:
            ds = self.dataset
            parts = (ds.x_train, ds.y_train, ds.x_test, ds.y_test)
        else:
            parts = (np.zeros((0, 2)), np.zeros(0, self.drawn.y.dtype)) * 2
        all_x = np.concatenate([parts[0], parts[2]])
        bounds = toy2d.data_bounds(all_x) if len(all_x) else DEFAULT_BOUNDS
        n_classes = self.dataset.n_classes if self.dataset is not None else 2
        return {"x_train": parts[0], "y_train": parts[1], "x_test": parts[2],
                "y_test": parts[3], "n_classes": n_classes, "bounds": bounds,
                "reset_view": reset_view, "task": config.data.task}

    def read_csv(self, path: str, config) -> tuple[int, int, str]:
        """Replace a drawing by a CSV file's points: (points, classes, task). The file's
        header says the task (a ``y`` column: values; ``label``: classes). ``DataError``
        leaves everything as it was."""
        from engine.datasets.csvio import csv_task, load_csv
        from engine.datasets.points import MAX_LABEL

        task = csv_task(path)
        if task == "regression":
            X, y = load_csv(path, max_rows=MAX_CSV_ROWS, task="regression")
            self.drawings[task].replace(X, y, test_ratio=config.data.test_ratio,
                                        seed=config.seed)
            self.task = task
            return len(y), 1, task
        X, y = load_csv(path, max_rows=MAX_CSV_ROWS, min_classes=1)
        if y.max() > MAX_LABEL:
            raise DataError(f"CSV file {path!r} has the label {int(y.max())}; the playground "
                            f"draws classes 0 to {MAX_LABEL}.")
        self.drawings[task].replace(X, y, test_ratio=config.data.test_ratio, seed=config.seed)
        self.task = task
        return len(y), max(int(y.max()) + 1, 2), task

    def write_csv(self, path: str, config) -> int:
        """Write every point (train and test) to ``path`` (``x1,x2,label``, or
        ``x1,x2,y`` for values); ``DataError`` on failure."""
        from engine.datasets.csvio import save_csv, save_values_csv

        X, y = self.all_points(config)
        (save_values_csv if config.data.task == "regression" else save_csv)(path, X, y)
        return len(y)
