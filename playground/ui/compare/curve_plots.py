"""The Compare tab's loss and accuracy (or R²) plots as a mixin of ``ComparePage``:
building the two plots and their keys, a pair of curves (solid: train, dashed: test) per
run, redrawing them from the runs' history, and their axis ranges, which move in steps."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout

from playground.ui.compare.region_view import RUN_COLORS
from playground.ui.plots.curves import accuracy_range, loss_range, r2_range, x_limit
from playground.ui.plots.style import curve_pen, curve_plot


class CurvePlotsMixin:
    """Plain methods of ``ComparePage`` (no signals or slots here): they read the page's
    ``task``, ``score``, ``labels`` and ``history``. The plots, keys and curves live on the
    page itself (``loss_plot``, ``acc_plot``, ``loss_legend``, ``acc_legend``,
    ``loss_curves``, ``acc_curves``: tests and the bench read them there)."""

    def _make_curve_plots(self) -> QHBoxLayout:
        """The two plots side by side, with their (hidden, empty) keys and no curves."""
        self._ranges: dict = {"x": 10.0, "loss": None, "score": None}
        self.loss_plot = curve_plot("compareLossPlot", "loss (dashed: test)")
        self.acc_plot = curve_plot("compareAccPlot", "accuracy")
        for p in (self.loss_plot, self.acc_plot):
            p.getPlotItem().setLabel("bottom", "epoch")
            p.setMinimumHeight(150)
        legend = {"brush": pg.mkBrush(255, 255, 255, 220), "pen": pg.mkPen("#cccccc"),
                  "labelTextColor": "#333333", "labelTextSize": "8pt", "verSpacing": -6}
        self.loss_legend = self.loss_plot.getPlotItem().addLegend(offset=(-10, 10), **legend)
        self.acc_legend = self.acc_plot.getPlotItem().addLegend(offset=(-10, -10), **legend)
        for key in (self.loss_legend, self.acc_legend):
            key.setVisible(False)  # an empty key is a blank box: shown once runs have names
        self.loss_curves: list[tuple] = []
        self.acc_curves: list[tuple] = []
        curves = QHBoxLayout()
        curves.setSpacing(6)
        curves.addWidget(self.loss_plot)
        curves.addWidget(self.acc_plot)
        return curves

    def _reset_curves(self, n: int) -> None:
        for plot, legend in ((self.loss_plot, self.loss_legend),
                             (self.acc_plot, self.acc_legend)):
            legend.clear()
            legend.setVisible(n > 0)
            for item in list(plot.getPlotItem().listDataItems()):
                plot.getPlotItem().removeItem(item)
        self.acc_plot.getPlotItem().setLabel(
            "left", "R²" if self.task == "regression" else "accuracy")
        self.loss_curves, self.acc_curves = [], []
        # Fixed ranges that move in steps (as on the 2-D page): an autoranging axis is
        # re-laid out on every redraw, which held the window up for ~100 ms a time.
        self._ranges = {"x": 10.0, "loss": None, "score": None}
        for plot in (self.loss_plot, self.acc_plot):
            plot.getPlotItem().enableAutoRange(enable=False)
            plot.setXRange(0, 10, padding=0)
        self.loss_plot.setYRange(0, 1, padding=0)
        self.acc_plot.setYRange(0, 1, padding=0.02)
        for i in range(n):
            color, name = RUN_COLORS[i], self.labels[i]
            solid, dash = curve_pen(color), curve_pen(color, dashed=True)
            self.loss_curves.append((self.loss_plot.plot(pen=solid, name=name),
                                     self.loss_plot.plot(pen=dash)))
            self.acc_curves.append((self.acc_plot.plot(pen=solid, name=name),
                                    self.acc_plot.plot(pen=dash)))

    def _draw_curves(self, part: str) -> None:
        """Redraw the "loss" plot's curves (after fitting both plots' axes) or the
        "score" plot's, from the history received."""
        if part == "loss":
            self._fit_axes()
        keys = ("train_loss", "test_loss") if part == "loss" else self.score[:2]
        curves = self.loss_curves if part == "loss" else self.acc_curves
        for pair, h in zip(curves, self.history):
            epochs = np.asarray(h["epoch"])
            for curve, key in zip(pair, keys):
                curve.setData(epochs, np.asarray(h[key]), connect="finite")

    def _fit_axes(self) -> None:
        """Widen the axes, in steps, to the epochs, losses and scores received."""
        if not self.history:
            return
        last = max((h["epoch"][-1] for h in self.history if h["epoch"]), default=0)
        if last > self._ranges["x"]:
            self._ranges["x"] = x = x_limit(last)
            for plot in (self.loss_plot, self.acc_plot):
                plot.setXRange(0, x, padding=0)
        losses = np.concatenate([np.asarray(h[k], float) for h in self.history
                                 for k in ("train_loss", "test_loss")])
        wanted = loss_range(losses, log=False)
        if wanted != self._ranges["loss"]:
            self._ranges["loss"] = wanted
            self.loss_plot.setYRange(*wanted, padding=0)
        scores = np.concatenate([np.asarray(h[k], float) for h in self.history
                                 for k in self.score[:2]])
        wanted = (r2_range if self.task == "regression" else accuracy_range)(scores)
        if wanted != self._ranges["score"]:
            self._ranges["score"] = wanted
            self.acc_plot.setYRange(*wanted, padding=0.02)
