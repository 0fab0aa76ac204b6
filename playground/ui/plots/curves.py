"""Loss and accuracy (regression: R²) curves per epoch."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from playground.history import HistoryBuffer
from playground.ui.plots.style import TEST_COLOR, TRAIN_COLOR, curve_pen, curve_plot

#: log-y cannot show a loss of exactly 0; curves are clipped to this floor.
LOSS_FLOOR = 1e-9


#: the columns the curves record, per epoch.
FIELDS = ("epoch", "train_loss", "test_loss", "train_acc", "test_acc", "train_r2",
          "test_r2")
#: what the lower plot shows per task: (train column, test column, axis label, title).
SCORES = {"classification": ("train_acc", "test_acc", "accuracy", "Loss, accuracy"),
          "regression": ("train_r2", "test_r2", "R²", "Loss, R²")}
#: the R² axis goes no lower than this (a fresh network can be far worse than the mean).
R2_FLOOR = -1.0


def x_limit(epochs: float) -> float:
    """The next of 10, 20, 50, 100, 200, 500, ... above ``epochs`` (the x range)."""
    scale = 10.0
    while True:
        for m in (1, 2, 5):
            if m * scale >= epochs:
                return m * scale
        scale *= 10


#: the top of the linear loss axis is the first of these (times a power of ten) above the
#: largest loss, so the axis is re-laid out only when the loss passes one of them.
_NICE_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def loss_range(losses: np.ndarray, log: bool) -> tuple[float, float]:
    """The loss axis' range for ``losses`` (NaN ignored): linear from 0 to a "nice" value
    above the largest, or on a log axis whole decades (as log10) around them. It moves
    in steps, not with every epoch: re-laying out an axis cost ~14 ms a frame."""
    finite = losses[np.isfinite(losses)]
    if log:
        if not len(finite):
            return -3.0, 1.0
        lo = math.floor(math.log10(max(float(finite.min()), LOSS_FLOOR)))
        hi = math.ceil(math.log10(max(float(finite.max()), LOSS_FLOOR) * 1.05))
        return float(lo), float(max(hi, lo + 1))
    top = float(finite.max()) * 1.02 if len(finite) else 1.0
    if not top > 0:
        return 0.0, 1.0
    scale = 10.0 ** math.floor(math.log10(top))
    return 0.0, next(m * scale for m in _NICE_STEPS if m * scale >= top)


def accuracy_range(accs: np.ndarray) -> tuple[float, float]:
    """The accuracy axis' range: up to 1, down to the lowest accuracy rounded down to a
    tenth (NaN ignored), never narrower than 0.9-1: a run at 0.95-0.99 is not squashed
    into the top of a 0-1 axis. Moves in tenths, for the reason ``loss_range`` does."""
    finite = accs[np.isfinite(accs)]
    lo = math.floor(float(finite.min()) * 10) / 10 if len(finite) else 0.0
    return max(0.0, min(lo, 0.9)), 1.0


def r2_range(r2: np.ndarray) -> tuple[float, float]:
    """The R² axis: up to 1, down to the lowest R² rounded down to a tenth but not below
    ``R2_FLOOR`` (NaN ignored), never narrower than 0.9-1."""
    finite = r2[np.isfinite(r2)]
    lo = math.floor(float(finite.min()) * 10) / 10 if len(finite) else 0.0
    return max(R2_FLOOR, min(lo, 0.9)), 1.0


def legend_html() -> str:
    """The curves' key, as text beside the title (a legend inside the plot sat on the
    curves): a solid line for train, a dashed one for test."""
    return (f'<span style="color:{TRAIN_COLOR}">━━</span> train&nbsp;&nbsp;'
            f'<span style="color:{TEST_COLOR}">╍╍</span> test')


class TrainingCurves(QWidget):
    """``lossPlot`` (train/test loss, optional log-y) above ``accuracyPlot``.

    ``append`` only records; ``refresh`` (called at the display rate) redraws, so hundreds
    of epochs a second cost one ``setData`` per curve per frame.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loss_plot = curve_plot("lossPlot", "loss")
        self.acc_plot = curve_plot("accuracyPlot", "accuracy")
        self.acc_plot.setLabel("bottom", "epoch")
        self.loss_plot.setMinimumHeight(120)
        self.acc_plot.setMinimumHeight(100)
        self.acc_plot.setXLink(self.loss_plot)
        # The x range grows in steps (see ``x_limit``), so the axes are not re-laid out
        # on every frame.
        self.loss_plot.getPlotItem().enableAutoRange(axis="x", enable=False)
        self.loss_plot.setXRange(0, 10, padding=0)
        self._x_max = 10
        self._y_range: tuple[float, float] | None = None
        self.loss_plot.getPlotItem().enableAutoRange(axis="y", enable=False)
        self._acc_range = (0.0, 1.0)
        self.acc_plot.setYRange(*self._acc_range, padding=0.02)
        self.acc_plot.getPlotItem().enableAutoRange(axis="y", enable=False)
        solid = curve_pen(TRAIN_COLOR)
        dashed = curve_pen(TEST_COLOR, dashed=True)
        self.train_loss = self.loss_plot.plot(pen=solid, name="train")
        self.test_loss = self.loss_plot.plot(pen=dashed, name="test")
        self.train_acc = self.acc_plot.plot(pen=solid)
        self.test_acc = self.acc_plot.plot(pen=dashed)
        # the timeline's shown epoch, on both plots (hidden while the live run is shown)
        marker_pen = pg.mkPen((90, 90, 90), width=1, style=Qt.PenStyle.DotLine)
        self.markers = [pg.InfiniteLine(angle=90, movable=False, pen=marker_pen)
                        for _ in (self.loss_plot, self.acc_plot)]
        for plot, line in zip((self.loss_plot, self.acc_plot), self.markers):
            line.setZValue(5)
            line.setVisible(False)
            plot.addItem(line, ignoreBounds=True)
        self.log_check = QCheckBox("Log loss")
        self.log_check.setObjectName("logLossCheck")
        self.log_check.setToolTip("Show the loss on a logarithmic axis (useful once it is "
                                  "small); off: a linear axis.")
        self.log_check.toggled.connect(self.set_log_y)
        title = QLabel("<b>Loss, accuracy</b>")
        title.setObjectName("curvesTitle")
        title.setToolTip("Loss (top) and accuracy (bottom) of every epoch, on the training "
                         "and the test points.")
        self._title = title
        self.task = "classification"
        key = QLabel(legend_html())
        key.setObjectName("curvesLegend")
        head = QHBoxLayout()
        head.addWidget(title)
        head.addSpacing(8)
        head.addWidget(key)
        head.addStretch(1)
        head.addWidget(self.log_check)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addWidget(self.loss_plot, 3)
        layout.addWidget(self.acc_plot, 2)
        self._series = HistoryBuffer(FIELDS, capacity=1024)
        self._dirty = False

    @property
    def epochs(self) -> int:
        """How many epochs are recorded."""
        return len(self._series)

    @property
    def dirty(self) -> bool:
        """Epochs recorded since the last ``refresh``."""
        return self._dirty

    def column(self, key: str) -> np.ndarray:
        """A copy of a recorded column: epoch, train_loss, test_loss, train_acc, test_acc."""
        return self._series.column(key).copy()

    def append(self, metrics: dict) -> None:
        self._series.append(metrics)
        self._dirty = True

    def set_history(self, columns: dict[str, np.ndarray]) -> None:
        """Replace the recorded epochs with ``columns`` (``epoch``, ``train_loss``, ...:
        equal-length float arrays, NaN where missing), e.g. a restored run's history."""
        self._series = HistoryBuffer.from_columns(FIELDS, columns)
        self._dirty = True
        self.refresh()

    def set_marker(self, epoch: int | None) -> None:
        """Mark ``epoch`` on both plots with a dotted line (None: no mark)."""
        for line in self.markers:
            if epoch is not None:
                line.setValue(float(epoch))
            line.setVisible(epoch is not None)

    @property
    def marker(self) -> float | None:
        """The marked epoch (None: none)."""
        line = self.markers[0]
        return float(line.value()) if line.isVisible() else None

    def clear(self) -> None:
        self._series = HistoryBuffer(FIELDS, capacity=1024)
        self._dirty = True
        self._x_max = 10
        self.loss_plot.setXRange(0, 10, padding=0)
        self._y_range = None
        self._fit_accuracy_axis()
        self.refresh()

    def set_task(self, task: str) -> None:
        """Show accuracy (classification) or R² (regression) under the loss."""
        if task == self.task or task not in SCORES:
            return
        self.task = task
        _train, _test, label, title = SCORES[task]
        self.acc_plot.setLabel("left", label)
        self._title.setText(f"<b>{title}</b>")
        self._title.setToolTip(f"Loss (top) and {label} (bottom) of every epoch, on the "
                               f"training and the test points." + (
                                   " R² = 1 − squared error / variance of the targets: 1 "
                                   "is a perfect fit, 0 no better than their mean."
                                   if task == "regression" else ""))
        self._dirty = True
        self.refresh()

    def _fit_accuracy_axis(self) -> None:
        train, test, _label, _title = SCORES[self.task]
        scores = np.concatenate([self._series.column(train), self._series.column(test)])
        wanted = r2_range(scores) if self.task == "regression" else accuracy_range(scores)
        if wanted != self._acc_range:
            self._acc_range = wanted
            self.acc_plot.setYRange(*wanted, padding=0.02)

    def refresh(self) -> None:
        """Push the recorded epochs to the curves if anything changed."""
        if not self._dirty:
            return
        self._dirty = False
        s = self._series
        x = s.column("epoch")
        if len(x) and x[-1] > self._x_max:
            self._x_max = x_limit(x[-1])
            self.loss_plot.setXRange(0, self._x_max, padding=0)
        self._fit_loss_axis()
        self._fit_accuracy_axis()
        for curve, key in ((self.train_loss, "train_loss"), (self.test_loss, "test_loss")):
            y = s.column(key)
            if len(y) and np.isnan(y).all():
                curve.setData([], [])
            else:
                curve.setData(x, np.maximum(y, LOSS_FLOOR), connect="finite")
        train, test, _label, _title = SCORES[self.task]
        for curve, key in ((self.train_acc, train), (self.test_acc, test)):
            y = s.column(key)
            if len(y) and np.isnan(y).all():
                curve.setData([], [])
            else:
                curve.setData(x, y, connect="finite")

    def _fit_loss_axis(self) -> None:
        losses = np.concatenate([self._series.column("train_loss"),
                                 self._series.column("test_loss")])
        wanted = loss_range(losses, self.log_check.isChecked())
        if wanted != self._y_range:
            self._y_range = wanted
            self.loss_plot.setYRange(*wanted, padding=0)

    def set_log_y(self, on: bool) -> None:
        on = bool(on)
        self.loss_plot.setLogMode(y=on)
        if self.log_check.isChecked() != on:
            with QSignalBlocker(self.log_check):  # not a second round through here
                self.log_check.setChecked(on)
        self._y_range = None
        self._dirty = True
        self.refresh()
