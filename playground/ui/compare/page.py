"""The Compare tab (a ``playground.ui.page.Page``): the 2-D page's config and data trained
under 2 to 4 values of one setting, side by side: a small decision region per run, the
runs' loss and accuracy (or R²) curves overlaid, and a table of their last numbers."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.compare.options import MAX_VALUES, VARY_CHOICES
from playground.compare.run import CompareRun
from playground.ui.plots.colors import palette, region_rgba
from playground.ui.plots.style import curve_plot, read_only
from playground.ui.plots.value_view import heat_lut, value_scale

#: one colour per run: its region's frame and title, its curves and its table row.
RUN_COLORS = ("#1d3557", "#d62828", "#2a9d8f", "#8e44ad")
ERROR_STYLE = "color: #b03a2e;"
#: how often the curves and the table are redrawn while runs train (ms).
REFRESH_MS = 100
HEADERS = ("Run", "Epoch", "Train loss", "Test loss", "Train {s}", "Test {s}", "Seconds")


class RegionView(pg.PlotWidget):
    """One run's decision region (or predicted values) with the data's points on top."""

    def __init__(self, index: int) -> None:
        super().__init__(background="w")
        self.setObjectName(f"compareRegion{index}")
        self.color = RUN_COLORS[index]
        item = self.getPlotItem()
        read_only(item)
        item.hideAxis("left")
        item.hideAxis("bottom")
        item.getViewBox().setAspectLocked(True)
        self.image = pg.ImageItem()
        self.points = pg.ScatterPlotItem(size=5, pen=pg.mkPen("#333", width=0.5))
        item.addItem(self.image)
        item.addItem(self.points)
        self.setStyleSheet(f"border: 2px solid {self.color};")
        self.setMinimumSize(150, 150)
        self.levels = (-1.0, 1.0)
        self.set_title("")

    def set_title(self, text: str) -> None:
        self.title = text
        self.getPlotItem().setTitle(text, color=self.color, size="9pt", bold=True)

    def set_points(self, x: np.ndarray, y: np.ndarray, task: str, bounds) -> None:
        """The training points (classes in their colours, or values on the heat scale)."""
        if task == "regression":
            self.levels = value_scale(float(np.min(y)), float(np.max(y)))
            lut = heat_lut(strength=1.0)
            lo, hi = self.levels
            idx = np.clip(((y - lo) / (hi - lo) * (len(lut) - 1)).astype(int), 0, len(lut) - 1)
            colors = lut[idx]
        else:
            colors = palette()[np.asarray(y, int) % len(palette())].astype(np.uint8)
        brushes = [pg.mkBrush(*c) for c in colors]
        self.points.setData(x=x[:, 0], y=x[:, 1], brush=brushes)
        xmin, xmax, ymin, ymax = bounds
        self.getPlotItem().setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0)

    def set_grid(self, grid: np.ndarray, task: str, bounds) -> None:
        xmin, xmax, ymin, ymax = bounds
        if task == "regression":
            self.image.setImage(np.nan_to_num(grid), lut=heat_lut(), levels=self.levels)
        else:
            self.image.setImage(region_rgba(grid), levels=(0, 255))
        self.image.setRect(QRectF(xmin, ymin, xmax - xmin, ymax - ymin))

    def clear_view(self) -> None:
        self.image.clear()
        self.points.clear()
        self.set_title("")


class ComparePage(QWidget):
    """See the module docstring. ``source()`` gives the 2-D page's (config, dataset);
    ``statusMessage(str)`` carries progress for the status bar; ``shutdown()`` ends the
    worker's thread (the window calls it when it closes)."""

    title = "Compare"
    statusMessage = Signal(str)

    def __init__(self, source: Callable[[], tuple], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareTab")
        self._source = source
        self._status = ""
        self.task = "classification"
        self.score = ("train_acc", "test_acc", "accuracy")
        self.labels: list[str] = []
        self.history: list[dict[str, list]] = []
        self.failures: dict[int, str] = {}
        self._dirty = False
        self._make_controls()
        self._make_views()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        layout.addLayout(self._controls)
        layout.addWidget(self.message)
        layout.addLayout(self._regions, 3)
        layout.addLayout(self._curves, 3)
        layout.addWidget(self.table, 2)

        self.run = run = CompareRun(self)
        run.started.connect(self._on_started)
        run.epochFinished.connect(self._on_epoch)
        run.gridReady.connect(self._on_grid)
        run.runFailed.connect(self._on_run_failed)
        run.failed.connect(self._show_error)
        run.runningChanged.connect(self._on_running)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

    # ------------------------------------------------------------------ construction

    def _make_controls(self) -> None:
        self.vary_combo = QComboBox()
        self.vary_combo.setObjectName("compareVaryCombo")
        self.vary_combo.addItems(list(VARY_CHOICES))
        self.vary_combo.setToolTip("The setting of the 2-D page's network to vary")
        self.values_edit = QLineEdit(VARY_CHOICES[self.vary_combo.currentText()])
        self.values_edit.setObjectName("compareValuesEdit")
        self.values_edit.setToolTip(f"2 to {MAX_VALUES} values, separated by commas "
                                    "(a list of hidden sizes in brackets: [8, 8])")
        self.vary_combo.currentTextChanged.connect(
            lambda key: self.values_edit.setText(VARY_CHOICES.get(key, "")))
        self.values_edit.returnPressed.connect(self.toggle)
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setObjectName("compareEpochsSpin")
        self.epochs_spin.setRange(1, 100_000)
        self.epochs_spin.setValue(200)
        self.epochs_spin.setToolTip("Epochs each run trains")
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("compareRunButton")
        self.run_button.setToolTip("Train every run on the 2-D page's data, taking turns")
        self.run_button.setMinimumWidth(80)
        self.run_button.clicked.connect(self.toggle)
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(QLabel("Vary"))
        row.addWidget(self.vary_combo)
        row.addWidget(QLabel("Values"))
        row.addWidget(self.values_edit, 1)
        row.addWidget(QLabel("Epochs"))
        row.addWidget(self.epochs_spin)
        row.addWidget(self.run_button)
        self._controls = row
        self.message = QLabel("Trains the 2-D page's network and data under each value "
                              "of one setting: same data, split and seed.")
        self.message.setObjectName("compareMessage")
        self.message.setWordWrap(True)

    def _make_views(self) -> None:
        self.regions = [RegionView(i) for i in range(MAX_VALUES)]
        grid = QGridLayout()
        grid.setSpacing(6)
        for i, r in enumerate(self.regions):
            grid.addWidget(r, 0, i)
        self._regions = grid
        self.loss_plot = curve_plot("compareLossPlot", "loss (solid: train, dashed: test)")
        self.acc_plot = curve_plot("compareAccPlot", "accuracy")
        for p in (self.loss_plot, self.acc_plot):
            p.getPlotItem().setLabel("bottom", "epoch")
            p.setMinimumHeight(150)
        legend = {"brush": pg.mkBrush(255, 255, 255, 220), "pen": pg.mkPen("#cccccc"),
                  "labelTextColor": "#333333", "labelTextSize": "8pt", "verSpacing": -6}
        self.loss_legend = self.loss_plot.getPlotItem().addLegend(offset=(-10, 10), **legend)
        self.acc_legend = self.acc_plot.getPlotItem().addLegend(offset=(-10, -10), **legend)
        self.loss_curves: list[tuple] = []
        self.acc_curves: list[tuple] = []
        curves = QHBoxLayout()
        curves.setSpacing(6)
        curves.addWidget(self.loss_plot)
        curves.addWidget(self.acc_plot)
        self._curves = curves
        self.table = t = QTableWidget(0, len(HEADERS))
        t.setObjectName("compareTable")
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.verticalHeader().setVisible(False)
        t.setHorizontalHeaderLabels([h.format(s="acc") for h in HEADERS])
        t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, len(HEADERS)):
            t.horizontalHeader().setSectionResizeMode(
                c, QHeaderView.ResizeMode.ResizeToContents)
        t.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        t.setMinimumHeight(110)

    # ------------------------------------------------------------------ Page protocol

    def actions(self) -> dict[str, list[QAction | None]]:
        return {}

    def toolbar_widgets(self) -> list[QWidget]:
        return []

    def activated(self, current: bool) -> None:
        if current and self._status:
            self.statusMessage.emit(self._status)

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("compare/key", self.vary_combo.currentText())
        settings.setValue("compare/values", self.values_edit.text())
        settings.setValue("compare/epochs", self.epochs_spin.value())

    def restore_settings(self, settings: QSettings) -> None:
        key = str(settings.value("compare/key", ""))
        if key in VARY_CHOICES:
            self.vary_combo.setCurrentText(key)
            self.values_edit.setText(str(settings.value("compare/values",
                                                        VARY_CHOICES[key])))
        try:
            self.epochs_spin.setValue(int(settings.value("compare/epochs", 200)))
        except (TypeError, ValueError):
            pass

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """End the worker's thread; True if it ended in time. Safe to call twice."""
        self._timer.stop()
        return self.run.shutdown(timeout_ms)

    # ------------------------------------------------------------------ running

    @property
    def is_running(self) -> bool:
        return self.run.running

    def toggle(self) -> None:
        """Run (a new comparison of the values typed) or Stop (the current one)."""
        if self.run.running:
            self.run.stop()
            return
        config, dataset = self._source()
        problem = self.run.start(config, dataset, self.vary_combo.currentText(),
                                 self.values_edit.text(), self.epochs_spin.value())
        if problem:
            self._show_error(problem)

    def _say(self, text: str) -> None:
        self._status = text
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.statusMessage.emit(text)

    def _show_error(self, text: str) -> None:
        self._status = text
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)
        self.statusMessage.emit(text)

    def _on_started(self, info: dict) -> None:
        self.task, self.score, self.labels = info["task"], info["score"], info["labels"]
        self.epochs = info["epochs"]
        n = len(self.labels)
        self.history = [{k: [] for k in ("epoch", "train_loss", "test_loss", self.score[0],
                                         self.score[1], "seconds")} for _ in range(n)]
        self.failures = {}
        ds = info["dataset"]
        x = np.concatenate([ds.x_train, ds.x_test])
        y = np.concatenate([ds.y_train, ds.y_test])
        bounds = info["bounds"]
        for i, r in enumerate(self.regions):
            r.setVisible(i < n)
            r.image.clear()
            if i < n:
                r.set_title(self.labels[i])
                r.set_points(x, y, self.task, bounds)
        self._reset_curves(n)
        self.table.setRowCount(n)
        self.table.setHorizontalHeaderLabels(
            [h.format(s="R²" if self.task == "regression" else "acc") for h in HEADERS])
        for i, label in enumerate(self.labels):
            item = QTableWidgetItem(label)
            item.setForeground(QColor(RUN_COLORS[i]))
            self.table.setItem(i, 0, item)
            for c in range(1, len(HEADERS)):
                self.table.setItem(i, c, QTableWidgetItem("–"))
        self._say(f"Training {n} runs of {self.epochs} epochs, taking turns.")
        self._dirty = True
        self._timer.start()

    def _reset_curves(self, n: int) -> None:
        for plot, legend in ((self.loss_plot, self.loss_legend),
                             (self.acc_plot, self.acc_legend)):
            legend.clear()
            for item in list(plot.getPlotItem().listDataItems()):
                plot.getPlotItem().removeItem(item)
        self.acc_plot.getPlotItem().setLabel(
            "left", "R²" if self.task == "regression" else "accuracy")
        self.loss_curves, self.acc_curves = [], []
        for i in range(n):
            color, name = RUN_COLORS[i], self.labels[i]
            solid = pg.mkPen(color, width=2)
            dash = pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine)
            self.loss_curves.append((self.loss_plot.plot(pen=solid, name=name),
                                     self.loss_plot.plot(pen=dash)))
            self.acc_curves.append((self.acc_plot.plot(pen=solid, name=name),
                                    self.acc_plot.plot(pen=dash)))

    def _on_epoch(self, m: dict) -> None:
        i = m["run"]
        if not 0 <= i < len(self.history):
            return
        h = self.history[i]
        for k in h:
            v = m.get(k)
            h[k].append(np.nan if v is None else float(v))
        self._dirty = True

    def _on_grid(self, payload: dict) -> None:
        for i, grid in payload["grids"].items():
            if 0 <= i < len(self.labels):
                self.regions[i].set_grid(grid, payload["task"], payload["bounds"])

    def _on_run_failed(self, index: int, text: str) -> None:
        self.failures[index] = text
        if 0 <= index < len(self.labels):
            self.regions[index].set_title(f"{self.labels[index]} (diverged)")
        self._show_error(f"Run {index + 1} ({self.labels[index]}): {text}")

    def _on_running(self, running: bool) -> None:
        self.run_button.setText("Stop" if running else "Run")
        self.run_button.setToolTip("Stop the runs" if running else
                                   "Train every run on the 2-D page's data, taking turns")
        self.refresh()
        if not running:
            self._timer.stop()
            if self.history and not self.failures:
                done = min(len(h["epoch"]) for h in self.history)
                what = "finished" if done >= self.epochs else "stopped"
                self._say(f"Runs {what} at epoch {done}" +
                          ("." if done >= self.epochs else " (Run starts them afresh)."))

    def refresh(self) -> None:
        """Redraw the curves and the table from the epochs received."""
        if not self._dirty:
            return
        self._dirty = False
        tr, te = self.score[0], self.score[1]
        for i, h in enumerate(self.history):
            epochs = np.asarray(h["epoch"])
            self.loss_curves[i][0].setData(epochs, np.asarray(h["train_loss"]))
            self.loss_curves[i][1].setData(epochs, np.asarray(h["test_loss"]))
            self.acc_curves[i][0].setData(epochs, np.asarray(h[tr]))
            self.acc_curves[i][1].setData(epochs, np.asarray(h[te]))
            if not len(epochs):
                continue
            cells = (f"{int(epochs[-1])}", _num(h["train_loss"][-1]), _num(h["test_loss"][-1]),
                     _num(h[tr][-1]), _num(h[te][-1]), f"{sum(h['seconds']):.2f}")
            for c, text in enumerate(cells, start=1):
                item = self.table.item(i, c)
                item.setText(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)


def _num(v: float) -> str:
    return "–" if not np.isfinite(v) else f"{v:.4f}"
