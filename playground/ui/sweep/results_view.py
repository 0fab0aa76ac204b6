"""The Sweep tab's results views as a mixin of the page: the sortable results table
and the metric scatter (building them, adding rows, naming columns and axes, colouring
and redrawing the points, finding the best trial)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

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


class ResultsViewMixin:
    """Plain methods of ``SweepPage`` (no signals or slots here): they read the page's
    ``keys``, ``kinds``, ``metric`` and ``controller.lines`` and call its ``open_row``."""

    def _make_views(self) -> None:
        self.scatter_plot = curve_plot("sweepScatter", "metric", menu=False)
        self.scatter = pg.ScatterPlotItem(size=9, pen=pg.mkPen("#333", width=0.5))
        self.scatter_plot.getPlotItem().addItem(self.scatter)
        self.scatter_plot.setMinimumHeight(180)
        self.results = t = QTableWidget(0, len(RESULT_HEADERS))
        t.setHorizontalHeaderLabels(list(RESULT_HEADERS))  # a run adds a column per key
        t.setObjectName("sweepResultsTable")
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.verticalHeader().setVisible(False)
        t.setSortingEnabled(True)
        t.cellDoubleClicked.connect(lambda row, _col: self.open_row(row))
        t.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.open_button = QPushButton("Open in playground")
        self.open_button.setObjectName("sweepOpenButton")
        self.open_button.setToolTip("Open the selected trial (or double-click it) on the 2-D "
                                    "page with its trained weights")
        self.open_button.clicked.connect(lambda: self.open_row(max(t.currentRow(), 0)))
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(t, 1)
        v.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignRight)
        self._split = QSplitter(Qt.Orientation.Horizontal)
        self._split.addWidget(self.scatter_plot)
        self._split.addWidget(box)
        self._split.setSizes([500, 500])

    def _label_views(self) -> None:
        """A column per key in the table, and the scatter's axes and title, for the
        page's current ``keys``, ``kinds`` and ``metric``."""
        self.results.setColumnCount(len(RESULT_HEADERS) + len(self.keys))
        self.results.setHorizontalHeaderLabels(
            [RESULT_HEADERS[0], *self.keys, self.metric, *RESULT_HEADERS[2:]])
        item = self.scatter_plot.getPlotItem()
        # log-uniform keys are drawn as log10 on a plain axis: pyqtgraph's log axis
        # crowds its minor labels together
        def label(i: int) -> str:
            return f"log10 {self.keys[i]}" if self.kinds[i] == "log-uniform" else self.keys[i]

        item.setLabel("bottom", label(0))
        item.setLabel("left", label(1) if len(self.keys) > 1 else self.metric)
        item.setTitle(f"colour: {self.metric} (dark: worst, yellow: best)", size="9pt",
                      color="#444")

    def _clear(self) -> None:
        self.results.setRowCount(0)
        self.scatter.clear()
        self.progress.setValue(0)

    def _best(self) -> dict | None:
        sign = 1.0 if self.metric.endswith(("loss", "rmse")) else -1.0
        ok = [x for x in self.controller.lines if math.isfinite(metric_value(x, self.metric))]
        return min(ok, key=lambda x: sign * metric_value(x, self.metric)) if ok else None

    def _add_row(self, line: dict) -> None:
        t = self.results
        t.setSortingEnabled(False)
        r = t.rowCount()
        t.insertRow(r)
        values = [float(line["trial"])]
        values += [_as_float(line["changes"].get(k)) for k in self.keys]
        values += [metric_value(line, self.metric), _as_float(line.get("epoch")),
                   _as_float(line.get("train_loss")), _as_float(line.get("test_loss")),
                   _as_float(line.get("seconds"))]
        texts = [str(line["trial"])] + [_text(line["changes"].get(k)) for k in self.keys]
        texts += ["diverged" if line.get("diverged") else _num(values[len(self.keys) + 1]),
                  _text(line.get("epoch")), _num(values[-3]), _num(values[-2]),
                  f"{values[-1]:.2f}"]
        for c, (v, text) in enumerate(zip(values, texts)):
            item = _NumberItem(v, text)
            item.setData(Qt.ItemDataRole.UserRole, int(line["trial"]))
            t.setItem(r, c, item)
        t.setSortingEnabled(True)

    def _redraw_scatter(self) -> None:
        lines = self.controller.lines
        if not lines or not self.keys:
            return
        m = np.array([metric_value(x, self.metric) for x in lines])
        x = self._axis_values(lines, 0, "bottom")
        y = self._axis_values(lines, 1, "left") if len(self.keys) > 1 else m
        lo, hi = (np.nanmin(m), np.nanmax(m)) if np.isfinite(m).any() else (0.0, 1.0)
        cmap = pg.colormap.get("viridis")
        share = np.where(np.isfinite(m), (m - lo) / max(hi - lo, 1e-12), 0.0)
        if self.metric.endswith(("loss", "rmse")):
            share = 1.0 - share  # bright is good
        brushes = [pg.mkBrush(cmap.map(float(s), mode="qcolor")) if np.isfinite(v)
                   else pg.mkBrush("#bbbbbb") for s, v in zip(share, m)]
        ok = np.isfinite(x) & np.isfinite(y)
        self.scatter.setData(x=x[ok], y=y[ok], brush=[b for b, k in zip(brushes, ok) if k],
                             data=[int(x["trial"]) for x, k in zip(lines, ok) if k])

    def _axis_values(self, lines: list[dict], i: int, axis: str) -> np.ndarray:
        """Key ``i`` of every trial as plot coordinates: log10 for log-uniform keys (a
        plain axis: pyqtgraph's log axis crowds its minor labels), the value for numbers,
        the position among the values (named on the axis) for text."""
        raw = [x["changes"].get(self.keys[i]) for x in lines]
        numbers = np.array([_as_float(v) for v in raw])
        ax = self.scatter_plot.getPlotItem().getAxis(axis)
        if np.isfinite(numbers).all() or not any(isinstance(v, str) for v in raw):
            ax.setTicks(None)
            if self.kinds[i] == "log-uniform":
                return np.log10(np.clip(numbers, 1e-300, None))
            return numbers
        names = sorted({str(v) for v in raw})
        ax.setTicks([[(k, name) for k, name in enumerate(names)]])
        return np.array([float(names.index(str(v))) for v in raw])


def _as_float(v) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else math.nan


def _text(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return "–" if v is None else str(v)


def _num(v: float) -> str:
    return "–" if not math.isfinite(v) else f"{v:.4f}"
