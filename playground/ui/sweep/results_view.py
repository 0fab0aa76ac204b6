"""The Sweep tab's results: a scatter of the metric over the first one or two keys and a
sortable table with a row per finished trial, side by side; a row chosen (double-click
or "Open in playground") is announced by ``rowChosen(row)``."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.formatting import format_metric
from playground.sweep.run import metric_value
from playground.ui.plots.style import curve_plot

RESULT_HEADERS = ("Trial", "Metric", "Epoch", "Train loss", "Test loss", "Seconds")


class _NumberItem(QTableWidgetItem):
    """A cell that sorts by its number, not its text."""

    def __init__(self, value: float, text: str) -> None:
        super().__init__(text)
        self.value = value

    def __lt__(self, other) -> bool:
        a, b = self.value, getattr(other, "value", math.nan)
        if math.isnan(a):
            return False
        return math.isnan(b) or a < b


def best_trial(lines: list[dict], metric: str) -> dict | None:
    """The trial line with the best finite ``metric`` (lowest for losses and errors,
    highest otherwise), or None when no trial has one."""
    sign = 1.0 if _lower_is_better(metric) else -1.0
    ok = [x for x in lines if math.isfinite(metric_value(x, metric))]
    return min(ok, key=lambda x: sign * metric_value(x, metric)) if ok else None


class SweepResults(QSplitter):
    """The scatter (``scatter_plot`` holding ``scatter``) and the results ``table`` with
    its ``open_button``; these widgets live as long as this splitter. ``set_sweep`` names
    the columns and axes for a sweep's keys and metric, ``add_trial`` adds a finished
    trial's row, ``draw_scatter`` redraws the points from all trial lines so far."""

    rowChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._keys: list[str] = []
        self._kinds: list[str] = []
        self._metric = "test_acc"
        self.scatter_plot = curve_plot("sweepScatter", "metric", menu=False)
        self.scatter = pg.ScatterPlotItem(size=9, pen=pg.mkPen("#333", width=0.5))
        self.scatter_plot.getPlotItem().addItem(self.scatter)
        self.scatter_plot.setMinimumHeight(180)
        self.table = t = QTableWidget(0, len(RESULT_HEADERS))
        t.setHorizontalHeaderLabels(list(RESULT_HEADERS))  # a sweep adds a column per key
        t.setObjectName("sweepResultsTable")
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.verticalHeader().setVisible(False)
        t.setSortingEnabled(True)
        t.cellDoubleClicked.connect(lambda row, _col: self.rowChosen.emit(row))
        t.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.open_button = QPushButton("Open in playground")
        self.open_button.setObjectName("sweepOpenButton")
        self.open_button.setToolTip("Open the selected trial (or double-click it) on the 2-D "
                                    "page with its trained weights")
        self.open_button.clicked.connect(
            lambda: self.rowChosen.emit(max(t.currentRow(), 0)))
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(t, 1)
        v.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignRight)
        self.addWidget(self.scatter_plot)
        self.addWidget(box)
        self.setSizes([500, 500])

    def set_sweep(self, keys: list[str], kinds: list[str], metric: str) -> None:
        """Name the table's columns and the scatter's axes and title for a sweep of
        ``keys`` (of these ``kinds``: "log-uniform", "uniform", "choice", ...) scored by
        ``metric``. Rows already in the table are left as they are."""
        self._keys, self._kinds, self._metric = list(keys), list(kinds), metric
        self.table.setColumnCount(len(RESULT_HEADERS) + len(keys))
        self.table.setHorizontalHeaderLabels(
            [RESULT_HEADERS[0], *keys, metric, *RESULT_HEADERS[2:]])
        item = self.scatter_plot.getPlotItem()
        item.setLabel("bottom", self._axis_name(0))
        item.setLabel("left", self._axis_name(1) if len(keys) > 1 else metric)
        item.setTitle(f"colour: {metric} (dark: worst, yellow: best)", size="9pt",
                      color="#444")

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.scatter.clear()

    def trial_at(self, row: int) -> int | None:
        """The trial number shown in ``row`` (rows are as sorted on screen), or None."""
        item = self.table.item(row, 0)
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def add_trial(self, line: dict) -> None:
        """Add a row for a finished trial's line (its "trial", "changes", metric, ...)."""
        t = self.table
        keys, metric = self._keys, self._metric
        # sorting while inserting would move the row between its cells
        t.setSortingEnabled(False)
        r = t.rowCount()
        t.insertRow(r)
        values = [float(line["trial"])]
        values += [_as_float(line["changes"].get(k)) for k in keys]
        values += [metric_value(line, metric), _as_float(line.get("epoch")),
                   _as_float(line.get("train_loss")), _as_float(line.get("test_loss")),
                   _as_float(line.get("seconds"))]
        texts = [str(line["trial"])] + [_text(line["changes"].get(k)) for k in keys]
        texts += ["diverged" if line.get("diverged") else format_metric(values[len(keys) + 1]),
                  _text(line.get("epoch")), format_metric(values[-3]), format_metric(values[-2]),
                  f"{values[-1]:.2f}"]
        for c, (v, text) in enumerate(zip(values, texts)):
            item = _NumberItem(v, text)
            item.setData(Qt.ItemDataRole.UserRole, int(line["trial"]))
            t.setItem(r, c, item)
        t.setSortingEnabled(True)

    def draw_scatter(self, lines: list[dict]) -> None:
        """Redraw the points for all of ``lines``, coloured by the metric; with one key
        the metric is also the height."""
        if not lines or not self._keys:
            return
        metric = self._metric
        m = np.array([metric_value(x, metric) for x in lines])
        x = self._axis_values(lines, 0, "bottom")
        y = self._axis_values(lines, 1, "left") if len(self._keys) > 1 else m
        lo, hi = (np.nanmin(m), np.nanmax(m)) if np.isfinite(m).any() else (0.0, 1.0)
        cmap = pg.colormap.get("viridis")
        share = np.where(np.isfinite(m), (m - lo) / max(hi - lo, 1e-12), 0.0)
        if _lower_is_better(metric):
            share = 1.0 - share  # bright is good
        brushes = [pg.mkBrush(cmap.map(float(s), mode="qcolor")) if np.isfinite(v)
                   else pg.mkBrush("#bbbbbb") for s, v in zip(share, m)]
        ok = np.isfinite(x) & np.isfinite(y)
        self.scatter.setData(x=x[ok], y=y[ok], brush=[b for b, k in zip(brushes, ok) if k],
                             data=[int(x["trial"]) for x, k in zip(lines, ok) if k])

    def _axis_name(self, i: int) -> str:
        # log-uniform keys are drawn as log10 on a plain axis: pyqtgraph's log axis
        # crowds its minor labels together
        key = self._keys[i]
        return f"log10 {key}" if self._kinds[i] == "log-uniform" else key

    def _axis_values(self, lines: list[dict], i: int, axis: str) -> np.ndarray:
        """Key ``i`` of every trial as plot coordinates: log10 for log-uniform keys, the
        value for numbers, the position among the values (named on the axis) for text."""
        raw = [x["changes"].get(self._keys[i]) for x in lines]
        numbers = np.array([_as_float(v) for v in raw])
        ax = self.scatter_plot.getPlotItem().getAxis(axis)
        if np.isfinite(numbers).all() or not any(isinstance(v, str) for v in raw):
            ax.setTicks(None)
            if self._kinds[i] == "log-uniform":
                return np.log10(np.clip(numbers, 1e-300, None))
            return numbers
        names = sorted({str(v) for v in raw})
        ax.setTicks([[(k, name) for k, name in enumerate(names)]])
        return np.array([float(names.index(str(v))) for v in raw])


def _lower_is_better(metric: str) -> bool:
    return metric.endswith(("loss", "rmse"))


def _as_float(v) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else math.nan


def _text(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return "–" if v is None else str(v)

