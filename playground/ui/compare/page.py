"""The Compare tab (a ``playground.ui.page.Page``): a network trained under 2 to 4 values
of one setting (or a book experiment's runs), side by side: for 2-D data a small decision
region per run, the runs' loss and accuracy (or R²) curves overlaid, and a table of their
last numbers, from which a 2-D run opens in the playground with its weights."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.compare.options import MAX_VALUES
from playground.compare.run import CompareRun
from playground.ui.compare.controls import CompareControls
from playground.ui.compare.region_view import RUN_COLORS, RegionView
from playground.ui.plots.style import curve_plot

ERROR_STYLE = "color: #b03a2e;"
#: how often the curves and the table are redrawn while runs train (ms).
REFRESH_MS = 100
INTRO = ("Trains a network under each value of one setting, or one of the book's "
         "experiments: same data, split and seed for every run.")
HEADERS = ("Run", "Epoch", "Train loss", "Test loss", "Train {s}", "Test {s}", "Seconds")


class ComparePage(QWidget):
    """See the module docstring. ``source()`` gives the 2-D page's (config, dataset),
    ``image_source()`` the MNIST page's config on the MNIST sample; ``statusMessage(str)``
    carries progress for the status bar; ``openRequested(session, title)`` asks the
    window to open a run on the 2-D page; ``shutdown()`` ends the worker's thread (the
    window calls it when it closes)."""

    title = "Compare"
    statusMessage = Signal(str)
    openRequested = Signal(object, str)

    def __init__(self, source: Callable[[], tuple],
                 image_source: Callable[[], object] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareTab")
        self._source = source
        self._image_source = image_source
        self._status = ""
        self.task = "classification"
        self.score = ("train_acc", "test_acc", "accuracy")
        self.labels: list[str] = []
        self.history: list[dict[str, list]] = []
        self.failures: dict[int, str] = {}
        self._dirty = False
        self._loading = False
        self.controls = c = CompareControls()
        self.preset_combo, self.data_combo = c.preset_combo, c.data_combo
        self.vary_combo, self.values_edit = c.vary_combo, c.values_edit
        self.epochs_spin, self.run_button = c.epochs_spin, c.run_button
        c.runClicked.connect(self.toggle)
        c.presetChanged.connect(self._on_preset)
        self._make_message_row()
        self._make_views()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        layout.addWidget(c)
        layout.addLayout(self._message_row)
        layout.addWidget(self._region_box, 3)
        layout.addLayout(self._curves, 3)
        layout.addWidget(self.table, 2)

        self.run = run = CompareRun(self)
        run.started.connect(self._on_started)
        run.epochFinished.connect(self._on_epoch)
        run.gridReady.connect(self._on_grid)
        run.runFailed.connect(self._on_run_failed)
        run.failed.connect(self.show_error)
        run.runningChanged.connect(self._on_running)
        run.runReady.connect(self._on_run_ready)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

    # ------------------------------------------------------------------ construction

    def _make_message_row(self) -> None:
        self.message = QLabel(INTRO)
        self.message.setObjectName("compareMessage")
        self.message.setWordWrap(True)
        self.open_button = b = QPushButton("Open in playground")
        b.setObjectName("compareOpenButton")
        b.setToolTip("Open the run selected in the table (else the first) on the 2-D page, "
                     "with its settings and its weights as they are now")
        b.setEnabled(False)
        b.clicked.connect(self.open_selected)
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(self.message, 1)
        row.addWidget(b)
        self._message_row = row

    def _make_views(self) -> None:
        self.regions = [RegionView(i) for i in range(MAX_VALUES)]
        self._region_box = QWidget()
        grid = QGridLayout(self._region_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        for i, r in enumerate(self.regions):
            grid.addWidget(r, 0, i)
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
        self.controls.save_settings(settings)

    def restore_settings(self, settings: QSettings) -> None:
        self.controls.restore_settings(settings)

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """End the worker's thread; True if it ended in time. Safe to call twice."""
        self._timer.stop()
        return self.run.shutdown(timeout_ms)

    # ------------------------------------------------------------------ running

    @property
    def is_running(self) -> bool:
        return self.run.running

    def toggle(self) -> None:
        """Run (a new comparison: the experiment chosen, or the values typed) or Stop."""
        if self.run.running:
            self.run.stop()
            return
        problem = self._start()
        if problem:
            self.show_error(problem)

    def _start(self) -> str:
        """Start what the controls describe; "" if it started, else why not."""
        epochs = self.epochs_spin.value()
        experiment = self.controls.preset
        if experiment is not None:
            self.run.start_runs(experiment.compared_runs(epochs), None, epochs)
            return ""
        if self.controls.data_source == "mnist":
            if self._image_source is None:
                return "The MNIST page is not available."
            try:
                config = self._image_source()
                runs = self.run.plan_runs(config, self.vary_combo.currentText(),
                                          self.values_edit.text())
            except ValueError as e:
                return f"Cannot compare: {e}."
            self.run.start_runs(runs, None, epochs)
            return ""
        config, dataset = self._source()
        return self.run.start(config, dataset, self.vary_combo.currentText(),
                              self.values_edit.text(), epochs)

    def _on_preset(self, key: str) -> None:
        experiment = self.controls.preset
        self._say(experiment.look_for if experiment is not None else INTRO)

    def open_selected(self) -> None:
        """Ask for the selected run (else the first) to open on the 2-D page."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() \
            else []
        index = rows[0].row() if rows else max(self.table.currentRow(), 0)
        if not self.run.request_run(index):
            self.show_error("Only a run on the 2-D page's data opens in the playground.")

    def _on_run_ready(self, index: int, session) -> None:
        label = self.labels[index] if 0 <= index < len(self.labels) else f"run {index + 1}"
        self.openRequested.emit(session, f"run {index + 1} ({label})")

    def _say(self, text: str) -> None:
        self._status = text
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.statusMessage.emit(text)

    def _progress(self, text: str) -> None:
        """Progress in the status bar; under the controls too, unless an experiment's
        sentence on what to look for is shown there (it stays while its runs train)."""
        if self.controls.preset is None:
            self._say(text)
        else:
            self._status = text
            self.message.setStyleSheet("")
            self.message.setText(self.controls.preset.look_for)
            self.statusMessage.emit(text)

    def show_error(self, text: str) -> None:
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
        self._region_box.setVisible(ds is not None)
        self.open_button.setEnabled(ds is not None)
        if ds is not None:
            x = np.concatenate([ds.x_train, ds.x_test])
            y = np.concatenate([ds.y_train, ds.y_test])
            for i, r in enumerate(self.regions):
                r.setVisible(i < n)
                r.image.clear()
                if i < n:
                    r.set_title(self.labels[i])
                    r.set_points(x, y, self.task, info["bounds"])
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
        self._loading = ds is None
        what = "Loading the data, then training" if ds is None else "Training"
        self._progress(f"{what} {n} runs of {self.epochs} epochs, taking turns.")
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
        if self._loading:
            self._loading = False
            self._progress(f"Training {len(self.labels)} runs of {self.epochs} epochs, "
                           f"taking turns.")
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
        self.show_error(f"Run {index + 1} ({self.labels[index]}): {text}")

    def _on_running(self, running: bool) -> None:
        self.controls.set_running(running)
        self.refresh()
        if not running:
            self._timer.stop()
            if self.history and not self.failures:
                done = min(len(h["epoch"]) for h in self.history)
                what = "finished" if done >= self.epochs else "stopped"
                self._progress(f"Runs {what} at epoch {done}" +
                               ("." if done >= self.epochs else
                                " (Run starts them afresh)."))

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
