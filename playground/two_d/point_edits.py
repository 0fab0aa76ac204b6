"""Point editing and data files for the playground controller (a mixin).

Kept apart from ``controller.py`` so each file holds one idea: this one is the data the
user edits (drawn points, CSV files) and how the screen and the worker hear about it.
"""

from __future__ import annotations

import numpy as np

from engine.datasets import toy2d
from engine.errors import DataError
from playground.two_d.worker import RunPlan

#: most data rows read from a CSV file: a drawing of more points is not interactive, and
#: a huge file is refused after reading this many rows instead of freezing the window.
MAX_CSV_ROWS = 100_000


class PointsCommands:
    """Drawing and file commands of ``PlaygroundController`` (which provides ``edit``,
    ``pause``, ``_new_run``, ``_reload_data`` and the signals used here)."""

    # ------------------------------------------------------------------ drawing

    def add_points(self, xs, ys, label: int) -> None:
        """Add points of class ``label`` at data coordinates (switches to the drawing)."""
        self._ensure_drawing()
        if 0 <= label <= 4 and label >= self._config.data.classes:
            self.edit({"data": {"classes": label + 1}})
        try:
            self.drawn.add(xs, ys, int(label))
        except ValueError as e:
            self.problem.emit(str(e))
            return
        self._data_edited()

    def erase_points(self, x: float, y: float, radius: float) -> int:
        self._ensure_drawing()
        removed = self.drawn.erase(float(x), float(y), float(radius))
        if removed:
            self._data_edited()
        return removed

    def clear_points(self) -> None:
        self._ensure_drawing()
        self.drawn.clear()
        self._data_edited()

    def _ensure_drawing(self) -> None:
        if self._config.data.name != "drawn":
            self.edit({"data": {"name": "drawn"}})

    def _copy_into_drawing(self) -> None:
        """Start the drawing from the points on screen, keeping their split."""
        ds = self.dataset
        if ds is None:
            return
        X = np.concatenate([ds.x_train, ds.x_test])
        y = np.concatenate([ds.y_train, ds.y_test])
        mask = np.r_[np.zeros(len(ds.y_train), bool), np.ones(len(ds.y_test), bool)]
        keep = y <= 4  # drawn labels are 0..4, like the class buttons
        self.drawn.replace(X[keep], y[keep], mask[keep], test_ratio=self._config.data.test_ratio,
                           seed=self._config.seed)

    def _data_edited(self) -> None:
        self._set_dataset_from_drawing()
        self._announce_data(reset_view=False)
        ds = self.dataset
        if ds is None:
            self.pause()
            self._new_run()
        elif ds.n_classes == self._run_classes:
            self._updateData.emit(RunPlan(self._run_id, self._config, ds))
        else:
            self._new_run()

    # ------------------------------------------------------------------ files

    def open_csv(self, path: str) -> int:
        """Load points from a CSV file into the drawing; ``DataError`` leaves all as it was."""
        from engine.datasets.csvio import load_csv
        from engine.datasets.points import MAX_LABEL

        X, y = load_csv(path, max_rows=MAX_CSV_ROWS, min_classes=1)
        if y.max() > MAX_LABEL:
            raise DataError(f"CSV file {path!r} has the label {int(y.max())}; the playground "
                            f"draws classes 0 to {MAX_LABEL}.")
        self.drawn.replace(X, y, test_ratio=self._config.data.test_ratio,
                           seed=self._config.seed)
        classes = max(int(y.max()) + 1, 2)
        self._config = self._config.with_changes(data={"name": "drawn", "classes": classes})
        self.configChanged.emit(self._config.to_dict())
        self._reload_data(reset_view=True)
        return len(y)

    def save_csv(self, path: str) -> int:
        """Write every point (train and test) to ``path``; ``DataError`` on failure."""
        from engine.datasets.csvio import save_csv

        X, y = self.all_points()
        save_csv(path, X, y)
        return len(y)

    def all_points(self) -> tuple[np.ndarray, np.ndarray]:
        """All points on screen: ``X`` float64 (N, 2), ``y`` int64 (N,)."""
        if self._config.data.name == "drawn":
            return self.drawn.X, self.drawn.y
        ds = self.dataset
        if ds is None:
            return np.zeros((0, 2)), np.zeros(0, np.int64)
        return np.concatenate([ds.x_train, ds.x_test]), np.concatenate([ds.y_train, ds.y_test])

    def _set_dataset_from_drawing(self) -> None:
        try:
            self.dataset = self.drawn.dataset()
            self._data_problem = ""
        except DataError as e:
            self.dataset = None
            self._data_problem = str(e)

    def _announce_data(self, reset_view: bool) -> None:
        if self._config.data.name == "drawn":
            X, y, test = self.drawn.X, self.drawn.y, self.drawn.test_mask
            parts = (X[~test], y[~test], X[test], y[test])
        elif self.dataset is not None:
            ds = self.dataset
            parts = (ds.x_train, ds.y_train, ds.x_test, ds.y_test)
        else:
            parts = (np.zeros((0, 2)), np.zeros(0, np.int64)) * 2
        all_x = np.concatenate([parts[0], parts[2]])
        bounds = toy2d.data_bounds(all_x) if len(all_x) else (-1.5, 1.5, -1.5, 1.5)
        n_classes = self.dataset.n_classes if self.dataset is not None else 2
        self.dataChanged.emit({"x_train": parts[0], "y_train": parts[1], "x_test": parts[2],
                               "y_test": parts[3], "n_classes": n_classes, "bounds": bounds,
                               "reset_view": reset_view})
        if self._baseline_on:
            self._emit_baseline()
