"""The Sweep tab (a ``playground.ui.page.Page``): a hyperparameter sweep of the 2-D page's
network and data on Dask: the space as a small table, trials, epochs, local workers or a
scheduler address, Run/Cancel with a progress bar, a scatter of the metric over the
first one or two keys filling in as trials finish, and a sortable results table from
which a trial opens in the playground with its trained weights (those two views are
``results_view.SweepResults``)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.sweep.run import DEFAULT_SPACE, SweepController, metric_value
from playground.ui.sweep.results_view import SweepResults, best_trial

ERROR_STYLE = "color: #b03a2e;"
INTRO = ("Sweeps the 2-D page's network over the ranges in the table (log-uniform:LO:HI, "
         "uniform:LO:HI, choice:A|B, grid:A|B) on Dask worker processes.")


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
        self._results_view = view = SweepResults()
        view.rowChosen.connect(self.open_row)
        # the view's widgets are never replaced, so the page can name them for callers
        self.results = view.table
        self.scatter_plot, self.scatter = view.scatter_plot, view.scatter
        self.open_button = view.open_button
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        layout.addLayout(self._top)
        layout.addWidget(self.message)
        layout.addWidget(view, 1)

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
        self._results_view.clear()
        self.progress.setValue(0)

    def _on_started(self, info: dict) -> None:
        self.keys, self.kinds, self.metric = info["keys"], info["kinds"], info["metric"]
        self.total = info["trials"]
        self.progress.setRange(0, self.total)
        self.progress.setValue(0)
        self.progress.setFormat("%v / %m trials")
        self._results_view.set_sweep(self.keys, self.kinds, self.metric)
        self._say(f"Running {self.total} trials on {info['where']}.")

    def _on_trial(self, line: dict) -> None:
        self._results_view.add_trial(line)
        self.progress.setValue(len(self.controller.lines))
        self._results_view.draw_scatter(self.controller.lines)
        self._say(f"{len(self.controller.lines)} of {self.total} trials finished.")

    def _on_finished(self, cancelled: bool) -> None:
        self.run_button.setText("Run")
        if self.progress.maximum() == 0:  # it never started
            self._show_idle_progress()
        if self._error:
            return
        n = len(self.controller.lines)
        best = best_trial(self.controller.lines, self.metric)
        what = "cancelled" if cancelled else "finished"
        self._say(f"Sweep {what}: {n} of {self.total} trials." +
                  (f" Best: trial {best['trial']}, {self.metric} "
                   f"{metric_value(best, self.metric):.4f}." if best else ""))

    # ------------------------------------------------------------------ results

    def open_row(self, row: int) -> None:
        trial = self._results_view.trial_at(row)
        if trial is None:
            return
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
            self._results_view.add_trial(line)
        self.progress.setValue(len(lines))
        self._results_view.draw_scatter(lines)
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
