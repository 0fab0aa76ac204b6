"""``StepCurves``: loss and accuracy against (fractional) epochs: the training values per
mini-batch, smoothed, as a line; the test values once per epoch, as markers."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from playground.history import HistoryBuffer
from playground.ui.plots.style import TEST_COLOR, TRAIN_COLOR, curve_pen, curve_plot

#: what the step curves record: the x position (in epochs), the loss and the accuracy.
COLUMNS = ("x", "loss", "acc")


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
        line = curve_pen(TRAIN_COLOR)
        test = curve_pen(TEST_COLOR)
        sym = {"symbol": "o", "symbolSize": 7, "symbolBrush": TEST_COLOR,
               "symbolPen": pg.mkPen("w", width=1)}
        self.train_loss = self.loss_plot.plot(pen=line, name="train (smoothed)")
        self.test_loss = self.loss_plot.plot(pen=test, name="test", **sym)
        self.train_acc = self.acc_plot.plot(pen=line, name="train (smoothed)")
        self.test_acc = self.acc_plot.plot(pen=test, name="test", **sym)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        # the key above the plots: a legend inside them sat on the curves
        key = QLabel(f'<span style="color:{TRAIN_COLOR}">━━</span> train (smoothed over '
                     f'steps)&nbsp;&nbsp;<span style="color:{TEST_COLOR}">━●━</span> test '
                     f'(each epoch)')
        key.setObjectName("mnistCurvesLegend")
        layout.addWidget(key)
        layout.addWidget(self.loss_plot, 1)
        layout.addWidget(self.acc_plot, 1)
        self.clear()

    def clear(self) -> None:
        self._steps = HistoryBuffer(COLUMNS, capacity=256)
        self._epochs = HistoryBuffer(COLUMNS)
        for curve in (self.train_loss, self.test_loss, self.train_acc, self.test_acc):
            curve.setData([], [])

    def append_steps(self, x: np.ndarray, loss: np.ndarray, acc: np.ndarray) -> None:
        self._steps.extend({"x": x, "loss": loss, "acc": acc})
        sx = self._steps.column("x")
        self.train_loss.setData(sx, self._steps.column("loss"))
        self.train_acc.setData(sx, self._steps.column("acc"))

    def append_epoch(self, epoch: float, test_loss: float | None,
                     test_acc: float | None) -> None:
        if test_loss is None or test_acc is None:
            return
        self._epochs.append({"x": epoch, "loss": test_loss, "acc": test_acc})
        ex = self._epochs.column("x")
        self.test_loss.setData(ex, self._epochs.column("loss"))
        self.test_acc.setData(ex, self._epochs.column("acc"))

    def column(self, which: str, key: str) -> np.ndarray:
        """A copy of a recorded column: ``which`` "steps"/"epochs", ``key`` x/loss/acc."""
        source = self._steps if which == "steps" else self._epochs
        return source.column(key).copy()
