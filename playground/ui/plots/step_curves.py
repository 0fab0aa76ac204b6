"""``StepCurves``: loss and accuracy against (fractional) epochs: the training values per
mini-batch, smoothed, as a line; the test values once per epoch, as markers."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from playground.ui.plots.curves import curve_plot

TRAIN_COLOR = "#1d3557"
TEST_COLOR = "#e76f51"


class _Column:
    """A growable float64 array."""

    def __init__(self) -> None:
        self.data = np.zeros(256)
        self.n = 0

    def extend(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64).ravel()
        need = self.n + len(values)
        if need > len(self.data):
            grown = np.zeros(max(need, 2 * len(self.data)))
            grown[:self.n] = self.data[:self.n]
            self.data = grown
        self.data[self.n:need] = values
        self.n = need

    def view(self) -> np.ndarray:
        return self.data[:self.n]


class StepCurves(QWidget):
    """``mnistLossPlot`` above ``mnistAccuracyPlot``, sharing the epoch axis."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loss_plot = curve_plot("mnistLossPlot", "loss", "mean", menu=False)
        self.acc_plot = curve_plot("mnistAccuracyPlot", "accuracy", "mean", menu=False)
        self.acc_plot.setLabel("bottom", "epoch")
        self.acc_plot.setXLink(self.loss_plot)
        self.acc_plot.setYRange(0, 1.0, padding=0.02)
        self.acc_plot.getPlotItem().enableAutoRange(axis="y", enable=False)
        self.loss_plot.addLegend(offset=(-6, 6), labelTextColor="#333")
        self.acc_plot.addLegend(offset=(-6, -6), labelTextColor="#333")
        line = pg.mkPen(TRAIN_COLOR, width=1.5)
        test = pg.mkPen(TEST_COLOR, width=2)
        sym = {"symbol": "o", "symbolSize": 7, "symbolBrush": TEST_COLOR,
               "symbolPen": pg.mkPen("w", width=1)}
        self.train_loss = self.loss_plot.plot(pen=line, name="train (smoothed)")
        self.test_loss = self.loss_plot.plot(pen=test, name="test", **sym)
        self.train_acc = self.acc_plot.plot(pen=line, name="train (smoothed)")
        self.test_acc = self.acc_plot.plot(pen=test, name="test", **sym)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.loss_plot, 1)
        layout.addWidget(self.acc_plot, 1)
        self.clear()

    def clear(self) -> None:
        self._steps = {k: _Column() for k in ("x", "loss", "acc")}
        self._epochs = {k: _Column() for k in ("x", "loss", "acc")}
        for curve in (self.train_loss, self.test_loss, self.train_acc, self.test_acc):
            curve.setData([], [])

    def append_steps(self, x: np.ndarray, loss: np.ndarray, acc: np.ndarray) -> None:
        for key, values in (("x", x), ("loss", loss), ("acc", acc)):
            self._steps[key].extend(values)
        sx = self._steps["x"].view()
        self.train_loss.setData(sx, self._steps["loss"].view())
        self.train_acc.setData(sx, self._steps["acc"].view())

    def append_epoch(self, epoch: float, test_loss: float | None,
                     test_acc: float | None) -> None:
        if test_loss is None or test_acc is None:
            return
        for key, value in (("x", epoch), ("loss", test_loss), ("acc", test_acc)):
            self._epochs[key].extend([value])
        ex = self._epochs["x"].view()
        self.test_loss.setData(ex, self._epochs["loss"].view())
        self.test_acc.setData(ex, self._epochs["acc"].view())

    def column(self, which: str, key: str) -> np.ndarray:
        """A copy of a recorded column: ``which`` "steps"/"epochs", ``key`` x/loss/acc."""
        source = self._steps if which == "steps" else self._epochs
        return source[key].view().copy()
