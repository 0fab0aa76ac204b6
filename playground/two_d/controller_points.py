"""The 2-D controller's commands on the points: drawing, erasing and clearing them (each
an undoable edit), putting a drawing back for undo, CSV files in and out, and what an
edit of the drawing means for the run (same classes: the run goes on with its weights;
other classes or no data: a fresh run).

A mixin of ``PlaygroundController``, which holds the config, the data, the run and the
signals used here.
"""

from __future__ import annotations

import numpy as np

from playground.two_d.undo import PageState


class PointCommands:
    """``PlaygroundController``'s points and CSV commands; see the module docstring."""

    def add_points(self, xs, ys, label: float) -> None:
        """Add points of class ``label`` at data coordinates (regression: of value
        ``label``); switches to the drawing."""
        with self.undo.record("Draw points"):
            self._add_points(xs, ys, label)

    def _add_points(self, xs, ys, label: float) -> None:
        self._ensure_drawing()
        values = self.drawn.values
        if not values and 0 <= label <= 4 and label >= self._config.data.classes:
            self.edit({"data": {"classes": int(label) + 1}})
        try:
            self.drawn.add(xs, ys, float(label) if values else int(label))
        except ValueError as e:
            self.problem.emit(str(e))
            return
        self._data_edited()

    def erase_points(self, x: float, y: float, radius: float) -> int:
        with self.undo.record("Erase points"):
            self._ensure_drawing()
            return self._erase(x, y, radius)

    def _erase(self, x: float, y: float, radius: float) -> int:
        removed = self.drawn.erase(float(x), float(y), float(radius))
        if removed:
            self._data_edited()
        return removed

    def clear_points(self) -> None:
        with self.undo.record("Clear points"):
            self._ensure_drawing()
            self.drawn.clear()
            self._data_edited()

    def state(self) -> PageState:
        """The config and copies of the drawing, for undo."""
        d = self.drawn
        return PageState(self._config, d.X.copy(), d.y.copy(), d.test_mask)

    def replace_drawing(self, X, y, test) -> None:
        """Put a drawing back (undo/redo): the run keeps its weights if the classes do."""
        if len(X):
            self.drawn.replace(X, y, test, seed=self._config.seed)
        else:
            self.drawn.clear()
        if self._config.data.name == "drawn":
            self._data_edited()

    def open_csv(self, path: str) -> int:
        """Load points from a CSV file into the drawing; ``DataError`` leaves all as it was."""
        with self.undo.record("Open data"):
            return self._open_csv(path)

    def _open_csv(self, path: str) -> int:
        n, classes, task = self.data.read_csv(path, self._config)
        changes = {"name": "drawn", "task": task}
        if task == "classification":
            changes["classes"] = classes
        self._config = self._config.with_changes(data=changes)
        self.configChanged.emit(self._config.to_dict())
        self._reload_data(reset_view=True)
        return n

    def save_csv(self, path: str) -> int:
        """Write every point (train and test) to ``path``; ``DataError`` on failure."""
        return self.data.write_csv(path, self._config)

    def all_points(self) -> tuple[np.ndarray, np.ndarray]:
        """All points on screen: ``X`` float64 (N, 2), ``y`` int64 (N,)."""
        return self.data.all_points(self._config)

    def _ensure_drawing(self) -> None:
        if self._config.data.name != "drawn":
            self.edit({"data": {"name": "drawn"}})

    def _data_edited(self) -> None:
        had_problem = bool(self.data.problem)
        self.data.from_drawing()
        if had_problem and not self.data.problem:  # the old sentence must not stay up
            self.message.emit(f"The drawing has points of {self.dataset.n_classes} classes "
                              f"now: training can go on.")
        self._announce_data(reset_view=False)
        ds = self.dataset
        if ds is None:
            self.pause()
            self._new_run()
        elif ds.n_classes == self.run.classes:
            self.run.update_data(self._config, ds)
        else:
            self._new_run()
