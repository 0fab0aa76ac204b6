"""What the 2-D page's plots show for the problem at hand: classes (the decision region)
or, for regression, the predicted value as a heat map on the targets' colour scale, and
for a set that varies along x1 only (sine) a curve view y(x1) under it.

The page hands every data, grid and baseline message to a ``ProblemView``; it sets the
plots' task and scale and feeds the curve view, so the page itself stays task-blind.
"""

from __future__ import annotations

import numpy as np

from playground.ui.plots.curve_view import CurveView
from playground.ui.plots.unit_colors import MIN_SCALE, target_scale  # noqa: F401

#: the page's symmetric colour scale for regression targets (Qt-free, shared with the
#: animation renderer)
value_scale = target_scale


class ProblemView:
    """Routes the page's data, grids and baselines to the decision plot (and the curve
    view, for the sets in ``curve_datasets``) according to the data's task."""

    def __init__(self, plot, curves, curve_datasets) -> None:
        self.plot = plot
        self.curves = curves
        self.curve_view = CurveView()
        self.curve_view.hide()
        self._curve_sets = set(curve_datasets)
        self.task = "classification"
        self.scale = (-1.0, 1.0)
        self._curve_on = False

    @property
    def regression(self) -> bool:
        return self.task == "regression"

    def set_config(self, config: dict) -> None:
        """The curve view shows only for a regression set that varies along x1 only."""
        d = config["data"]
        self._curve_on = d.get("task") == "regression" and d["name"] in self._curve_sets
        self.curve_view.setVisible(self._curve_on)
        if not self._curve_on:
            self.curve_view.set_curve(None, None)
            self.curve_view.set_baseline_curve(None, None)

    def set_data(self, d: dict) -> None:
        """New points (``PageData.view``): the task, the colour scale and the points."""
        task = d.get("task", "classification")
        if task != self.task:
            self.task = task
            self.plot.set_task(task)
            self.curves.set_task(task)
        if self.regression:
            scale = value_scale(np.asarray(d["y_train"], float), np.asarray(d["y_test"],
                                                                           float))
            if scale != self.scale:
                self.scale = scale
                self.plot.set_value_scale(*scale)
        self.plot.set_points(d["x_train"], d["y_train"], d["x_test"], d["y_test"])
        if self.regression:
            self.curve_view.set_points(d["x_train"], d["y_train"], d["x_test"], d["y_test"])

    def show_grid(self, payload: dict) -> None:
        """The newest grid: class probabilities, or the predicted values and curve."""
        if self.regression:
            self.plot.set_values(payload.get("values"), payload["bounds"])
            if self._curve_on:
                curve = payload.get("curve")
                self.curve_view.set_curve(*(curve if curve is not None else (None, None)))
        else:
            self.plot.set_probabilities(payload.get("probs"), payload["bounds"])

    def show_baseline(self, payload: dict | None, on: bool) -> str:
        """Overlay the linear baseline (or remove it, None); the text that explains it."""
        if payload is None:
            self.plot.set_baseline(None)
            self.plot.set_baseline_values(None, None)
            self.curve_view.set_baseline_curve(None, None)
            if not on:
                return ""
            return "Needs two training points." if self.regression else \
                "Needs points of two classes."
        if "values" in payload:
            self.plot.set_baseline_values(payload["values"], payload["bounds"])
            if self._curve_on:
                self.curve_view.set_baseline_curve(*payload["curve"])
            text = f"Grey dashes: a linear regression gets train R² {payload['train_r2']:.3f}"
            if payload["test_r2"] is not None:
                text += f", test {payload['test_r2']:.3f}"
            return text + "."
        self.plot.set_baseline(payload["probs"], payload["bounds"])
        text = f"Grey line: a linear model gets {payload['train_acc']:.0%} train accuracy"
        if payload["test_acc"] is not None:
            text += f", {payload['test_acc']:.0%} test"
        return text + "."
