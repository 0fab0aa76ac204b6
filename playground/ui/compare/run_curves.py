"""The Compare tab's two curve plots: every run's loss, and its accuracy (or R²), train
solid and test dashed, in the run's colour, keyed by the run's label, on axes that widen
in steps as the epochs come in."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QWidget

from playground.ui.plots.curves import accuracy_range, loss_range, r2_range, x_limit
from playground.ui.plots.style import curve_pen, curve_plot

LOSS_KEYS = ("train_loss", "test_loss")
LEGEND_STYLE = {"brush": pg.mkBrush(255, 255, 255, 220), "pen": pg.mkPen("#cccccc"),
                "labelTextColor": "#333333", "labelTextSize": "8pt", "verSpacing": -6}


class RunCurves(QWidget):
    """The loss plot and the score plot side by side. ``reset(labels, colors, task,
    score_keys)`` starts one (solid, dashed) curve pair per run on each; ``fit_axes``,
    ``draw_losses`` and ``draw_scores`` then take the runs' histories (one dict of
    lists per run, keyed "epoch", the loss keys and the score keys)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loss_plot = curve_plot("compareLossPlot", "loss (dashed: test)")
        self.acc_plot = curve_plot("compareAccPlot", "accuracy")
        for p in (self.loss_plot, self.acc_plot):
            p.getPlotItem().setLabel("bottom", "epoch")
            p.setMinimumHeight(150)
        self.loss_legend = self.loss_plot.getPlotItem().addLegend(offset=(-10, 10),
                                                                  **LEGEND_STYLE)
        self.acc_legend = self.acc_plot.getPlotItem().addLegend(offset=(-10, -10),
                                                                **LEGEND_STYLE)
        for key in (self.loss_legend, self.acc_legend):
            key.setVisible(False)  # an empty key is a blank box: shown once runs have names
        self.loss_curves: list[tuple] = []
        self.acc_curves: list[tuple] = []
        self._task = "classification"
        self._score_keys: tuple[str, str] = ("train_acc", "test_acc")
        self._ranges: dict = {"x": 10.0, "loss": None, "score": None}
        # Expanding, as the plots are, so the page shares its height out as it did
        # when the plots sat in its own layout.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.acc_plot)

    def reset(self, labels: Sequence[str], colors: Sequence[str], task: str,
              score_keys: Sequence[str]) -> None:
        """Empty both plots and start a curve pair per run (``labels[i]`` in
        ``colors[i]``); ``task`` is "classification" or "regression", ``score_keys``
        the histories' (train, test) score keys."""
        n = len(labels)
        self._task = task
        self._score_keys = (score_keys[0], score_keys[1])
        for plot, legend in ((self.loss_plot, self.loss_legend),
                             (self.acc_plot, self.acc_legend)):
            legend.clear()
            legend.setVisible(n > 0)
            for item in list(plot.getPlotItem().listDataItems()):
                plot.getPlotItem().removeItem(item)
        self.acc_plot.getPlotItem().setLabel(
            "left", "R²" if task == "regression" else "accuracy")
        self.loss_curves, self.acc_curves = [], []
        # Fixed ranges that move in steps (as on the 2-D page): an autoranging axis is
        # re-laid out on every redraw, which held the window up for ~100 ms a time.
        self._ranges = {"x": 10.0, "loss": None, "score": None}
        for plot in (self.loss_plot, self.acc_plot):
            plot.getPlotItem().enableAutoRange(enable=False)
            plot.setXRange(0, 10, padding=0)
        self.loss_plot.setYRange(0, 1, padding=0)
        self.acc_plot.setYRange(0, 1, padding=0.02)
        for color, name in zip(colors, labels):
            solid, dash = curve_pen(color), curve_pen(color, dashed=True)
            self.loss_curves.append((self.loss_plot.plot(pen=solid, name=name),
                                     self.loss_plot.plot(pen=dash)))
            self.acc_curves.append((self.acc_plot.plot(pen=solid, name=name),
                                    self.acc_plot.plot(pen=dash)))

    def draw_losses(self, histories: Sequence[dict]) -> None:
        """Redraw every run's train and test loss from its history."""
        _draw(self.loss_curves, histories, LOSS_KEYS)

    def draw_scores(self, histories: Sequence[dict]) -> None:
        """Redraw every run's train and test score from its history."""
        _draw(self.acc_curves, histories, self._score_keys)

    def fit_axes(self, histories: Sequence[dict]) -> None:
        """Widen the axes, in steps, to the epochs, losses and scores received."""
        if not histories:
            return
        last = max((h["epoch"][-1] for h in histories if h["epoch"]), default=0)
        if last > self._ranges["x"]:
            self._ranges["x"] = x = x_limit(last)
            for plot in (self.loss_plot, self.acc_plot):
                plot.setXRange(0, x, padding=0)
        losses = np.concatenate([np.asarray(h[k], float) for h in histories
                                 for k in LOSS_KEYS])
        wanted = loss_range(losses, log=False)
        if wanted != self._ranges["loss"]:
            self._ranges["loss"] = wanted
            self.loss_plot.setYRange(*wanted, padding=0)
        scores = np.concatenate([np.asarray(h[k], float) for h in histories
                                 for k in self._score_keys])
        wanted = (r2_range if self._task == "regression" else accuracy_range)(scores)
        if wanted != self._ranges["score"]:
            self._ranges["score"] = wanted
            self.acc_plot.setYRange(*wanted, padding=0.02)


def _draw(curves: list[tuple], histories: Sequence[dict], keys: Sequence[str]) -> None:
    for pair, h in zip(curves, histories):
        epochs = np.asarray(h["epoch"])
        for curve, key in zip(pair, keys):
            curve.setData(epochs, np.asarray(h[key]), connect="finite")
