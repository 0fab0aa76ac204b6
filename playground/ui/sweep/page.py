"""The Sweep tab (a ``playground.ui.page.Page``): a hyperparameter sweep of the 2-D page's
network and data on Dask: the space as a small table, trials, epochs, local workers or a
scheduler address, Run/Cancel with a progress bar, a scatter of the metric over the
first one or two keys filling in as trials finish, and a sortable results table from
which a trial opens in the playground with its trained weights."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.sweep.run import DEFAULT_SPACE, SweepController, metric_value
from playground.ui.plots.style import curve_plot

ERROR_STYLE = "color: #b03a2e;"
INTRO = ("Sweeps the 2-D page's network over the ranges in the table (log-uniform:LO:HI, "
         "uniform:LO:HI, choice:A|B, grid:A|B) on Dask worker processes.")
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


class SweepPage(QWidget):
    """See the module docstring. ``source()`` gives the 2-D page's (config, dataset);
    ``openRequested(session, title)`` asks the window to open a trial on the 2-D page."""

    title = "Sweep"
    statusMessage = Signal(str)
    openRequested = Signal(object, str)

    def __init__(self, source: Callable[[], tuple], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sweepTab")
        self._source = source
        self._status = ""
        self._error = False
        self.keys: list[str] = []
        self.kinds: list[str] = []
        self.metric = "test_acc"
        self.total = 0
        self._make_controls()
        self._make_views()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        layout.addLayout(self._top)
        layout.addWidget(self.message)
        layout.addWidget(self._split, 1)

        self.controller = c = SweepController(self)
        c.started.connect(self._on_started)
        c.trialFinished.connect(self._on_trial)
        c.finished.connect(self._on_finished)
        c.failed.connect(self.show_error)

    # ------------------------------------------------------------------ construction

    def _make_controls(self) -> None:
        self.space_table = t = QTableWidget(0, 2)
        t.setObjectName("sweepSpaceTable")
        t.setHorizontalHeaderLabels(["Key", "Range"])
        t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        t.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        t.verticalHeader().setVisible(False)
        t.setToolTip("One row per setting: a dotted config key and its range; empty rows "
                     "are left out")
        t.setMaximumHeight(110)
        self.set_space(DEFAULT_SPACE)
        add = QPushButton("+")
        add.setObjectName("sweepAddRowButton")
        add.setToolTip("Add a row to the space")
        add.setMaximumWidth(28)
        add.clicked.connect(lambda: self.space_table.insertRow(self.space_table.rowCount()))
        self.trials_spin = self._spin("sweepTrialsSpin", 1, 1000, 12,
                                      "Trials (per combination of the grid keys)")
        self.epochs_spin = self._spin("sweepEpochsSpin", 1, 100_000, 100,
                                      "Epochs each trial trains")
        self.workers_spin = self._spin("sweepWorkersSpin", 1, 64, 2,
                                       "Worker processes of the local cluster")
        self.scheduler_edit = QLineEdit()
        self.scheduler_edit.setObjectName("sweepSchedulerEdit")
        self.scheduler_edit.setPlaceholderText("local cluster (or tcp://host:8786)")
        self.scheduler_edit.setToolTip("A running Dask scheduler's address; empty: a local "
                                       "cluster of worker processes, started for the sweep")
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("sweepRunButton")
        self.run_button.setMinimumWidth(80)
        self.run_button.clicked.connect(self.toggle)
        self.progress = QProgressBar()
        self.progress.setObjectName("sweepProgress")
        self._show_idle_progress()
        form = QVBoxLayout()
        form.setSpacing(4)
        for label, widget in (("Trials", self.trials_spin), ("Epochs", self.epochs_spin),
                              ("Workers", self.workers_spin)):
            row = QHBoxLayout()
            row.addWidget(QLabel(label))
            row.addWidget(widget)
            form.addLayout(row)
        right = QVBoxLayout()
        right.setSpacing(4)
        right.addWidget(self.scheduler_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        self.save_button = QPushButton("Save…")
        self.save_button.setObjectName("sweepSaveButton")
        self.save_button.setToolTip("Write the trials as JSON lines")
        self.save_button.clicked.connect(lambda: self.save_results())
        self.load_button = QPushButton("Open…")
        self.load_button.setObjectName("sweepOpenResultsButton")
        self.load_button.setToolTip("Read trials saved by Save or by python -m engine sweep "
                                    "--save")
        self.load_button.clicked.connect(lambda: self.load_results())
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.load_button)
        right.addLayout(buttons)
        right.addWidget(self.progress)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.space_table, 3)
        top.addWidget(add, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(form)
        top.addLayout(right, 2)
        self._top = top
        self.message = QLabel(INTRO)
        self.message.setObjectName("sweepMessage")
        self.message.setWordWrap(True)

    def _show_idle_progress(self) -> None:
        """Before a sweep has started (or when one never did): an empty bar that says so;
        the count of trials is only known once the grid keys are expanded."""
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("no trials run")

    @staticmethod
    def _spin(name: str, lo: int, hi: int, value: int, tip: str) -> QSpinBox:
        s = QSpinBox()
        s.setObjectName(name)
        s.setRange(lo, hi)
        s.setValue(value)
        s.setToolTip(tip)
        return s

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

    # ------------------------------------------------------------------ Page protocol

    def actions(self) -> dict[str, list[QAction | None]]:
        return {}

    def toolbar_widgets(self) -> list[QWidget]:
        return []

    def activated(self, current: bool) -> None:
        if current and self._status:
            self.statusMessage.emit(self._status)

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("sweep/space", [f"{k}={r}" for k, r in self.space()])
        settings.setValue("sweep/trials", self.trials_spin.value())
        settings.setValue("sweep/epochs", self.epochs_spin.value())
        settings.setValue("sweep/workers", self.workers_spin.value())
        settings.setValue("sweep/scheduler", self.scheduler_edit.text())

    def restore_settings(self, settings: QSettings) -> None:
        rows = settings.value("sweep/space", None)
        if isinstance(rows, str):
            rows = [rows]
        if rows:
            self.set_space([tuple(r.split("=", 1)) for r in rows if "=" in r])
        for key, spin in (("trials", self.trials_spin), ("epochs", self.epochs_spin),
                          ("workers", self.workers_spin)):
            try:
                spin.setValue(int(settings.value(f"sweep/{key}", spin.value())))
            except (TypeError, ValueError):
                pass
        self.scheduler_edit.setText(str(settings.value("sweep/scheduler", "")))

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        return self.controller.shutdown(max(timeout_ms, 10000))

    # ------------------------------------------------------------------ the space

    def set_space(self, rows) -> None:
        t = self.space_table
        t.setRowCount(0)
        for key, rng in rows:
            r = t.rowCount()
            t.insertRow(r)
            t.setItem(r, 0, QTableWidgetItem(key))
            t.setItem(r, 1, QTableWidgetItem(rng))

    def space(self) -> list[tuple[str, str]]:
        t = self.space_table

        def cell(r: int, c: int) -> str:
            return t.item(r, c).text() if t.item(r, c) is not None else ""

        return [(cell(r, 0), cell(r, 1)) for r in range(t.rowCount())]

    # ------------------------------------------------------------------ running

    @property
    def is_running(self) -> bool:
        return self.controller.running

    def toggle(self) -> None:
        if self.controller.running:
            self.controller.cancel()
            self._say("Cancelling: queued trials are dropped, running ones end after "
                      "their epoch.")
            return
        config, dataset = self._source()
        self._error = False
        problem = self.controller.start(config, dataset, self.space(),
                                        self.trials_spin.value(), self.epochs_spin.value(),
                                        self.scheduler_edit.text(), self.workers_spin.value())
        if problem:
            self.show_error(problem)
            return
        self.run_button.setText("Cancel")
        self._clear()
        self.progress.setRange(0, 0)  # busy while the cluster starts
        where = self.scheduler_edit.text().strip() or "a local cluster"
        self._say(f"Starting {where}…")

    def _clear(self) -> None:
        self.results.setRowCount(0)
        self.scatter.clear()
        self.progress.setValue(0)

    def _on_started(self, info: dict) -> None:
        self.keys, self.kinds, self.metric = info["keys"], info["kinds"], info["metric"]
        self.total = info["trials"]
        self.progress.setRange(0, self.total)
        self.progress.setValue(0)
        self.progress.setFormat("%v / %m trials")
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
        self._say(f"Running {self.total} trials on {info['where']}.")

    def _on_trial(self, line: dict) -> None:
        self._add_row(line)
        self.progress.setValue(len(self.controller.lines))
        self._redraw_scatter()
        self._say(f"{len(self.controller.lines)} of {self.total} trials finished.")

    def _on_finished(self, cancelled: bool) -> None:
        self.run_button.setText("Run")
        if self.progress.maximum() == 0:  # it never started
            self._show_idle_progress()
        if self._error:
            return
        n = len(self.controller.lines)
        best = self._best()
        what = "cancelled" if cancelled else "finished"
        self._say(f"Sweep {what}: {n} of {self.total} trials." +
                  (f" Best: trial {best['trial']}, {self.metric} "
                   f"{metric_value(best, self.metric):.4f}." if best else ""))

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

    # ------------------------------------------------------------------ results

    def open_row(self, row: int) -> None:
        item = self.results.item(row, 0)
        if item is None:
            return
        trial = int(item.data(Qt.ItemDataRole.UserRole))
        session = self.controller.session(trial)
        if session is None:
            self.show_error(f"Trial {trial} has no trained weights here (it was opened "
                            f"from a file, or is of another sweep).")
            return
        self.openRequested.emit(session, f"trial {trial}")

    def save_results(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save sweep results", "sweep.jsonl",
                                                  "JSON lines (*.jsonl)")
            if not path:
                return False
        try:
            n = self.controller.save(path)
        except OSError as e:
            self.show_error(f"Cannot write {path}: {e.strerror or e}.")
            return False
        self._say(f"Saved {n} trials to {path}.")
        return True

    def load_results(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Open sweep results", "",
                                                  "JSON lines (*.jsonl);;All files (*)")
            if not path:
                return False
        if self.controller.running:
            self.show_error("Cancel the running sweep first.")
            return False
        try:
            lines = self.controller.load(path)
        except ValueError as e:
            self.show_error(f"{e}.")
            return False
        keys = list(lines[0]["changes"])
        self.keys = keys
        self.kinds = ["log-uniform" if all(isinstance(x["changes"].get(k), float) and
                                           x["changes"][k] > 0 for x in lines)
                      else "choice" for k in keys]
        self.metric = "test_r2" if any("test_r2" in x and x.get("test_r2") is not None
                                       for x in lines) else "test_acc"
        self._on_started({"trials": len(lines), "where": path, "keys": keys,
                          "kinds": self.kinds, "metric": self.metric})
        self._clear()
        self.progress.setMaximum(len(lines))
        for line in lines:
            self._add_row(line)
        self.progress.setValue(len(lines))
        self._redraw_scatter()
        self._say(f"Opened {len(lines)} trials from {path}.")
        return True

    # ------------------------------------------------------------------ messages

    def _say(self, text: str) -> None:
        self._status = text
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.statusMessage.emit(text)

    def show_error(self, text: str) -> None:
        self._error = True
        self._status = text
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)
        self.statusMessage.emit(text)
        controller = getattr(self, "controller", None)
        if controller is None or not controller.running:
            self.run_button.setText("Run")


def _as_float(v) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else math.nan


def _text(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return "–" if v is None else str(v)


def _num(v: float) -> str:
    return "–" if not math.isfinite(v) else f"{v:.4f}"
