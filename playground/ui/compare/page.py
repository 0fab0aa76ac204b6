"""The Compare tab (a ``playground.ui.page.Page``): a network trained under 2 to 4 values
of one setting (or a book experiment's runs), side by side: for 2-D data a small decision
region per run, the runs' loss and accuracy (or R²) curves overlaid, and a table of their
last numbers, from which a 2-D run opens in the playground with its weights."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
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
from playground.formatting import format_metric
from playground.ui.compare.controls import CompareControls
from playground.ui.compare.pacing import RefreshPacer
from playground.ui.compare.region_view import RUN_COLORS, RegionView
from playground.ui.compare.run_curves import RunCurves

ERROR_STYLE = "color: #b03a2e;"
#: while runs train, one part of the view (a plot, the table, two regions) is redrawn
#: at a time, in turn, paced by ``RefreshPacer`` (every 40 ms or more): painting all of
#: them at once held the window up for up to ~100 ms with four runs, in turn no paint
#: takes much more than ~15 ms.
PARTS = ("loss", "score", "table", "regions 0-1", "regions 2-3")
INTRO = ("Trains a network under each value of one setting, or one of the book's "
         "experiments: same data, split and seed for every run.")
HEADERS = ("Run", "Epoch", "Train loss", "Test loss", "Train {s}", "Test {s}", "Seconds")


def _from_curves(name: str) -> property:
    """A read-only page attribute that is the page's ``RunCurves``'s current ``name``."""
    return property(lambda page: getattr(page.curves, name))


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
        layout.addWidget(self.curves, 3)
        layout.addWidget(self.table, 2)

        self.run = run = CompareRun(self)
        run.started.connect(self._on_started)
        run.epochsFinished.connect(self._on_epochs)
        run.gridReady.connect(self._on_grid)
        run.runFailed.connect(self._on_run_failed)
        run.failed.connect(self.show_error)
        run.runningChanged.connect(self._on_running)
        run.runReady.connect(self._on_run_ready)
        self._timer = QTimer(self)
        self._pacer = RefreshPacer()
        self._timer.setInterval(self._pacer.interval)
        self._timer.timeout.connect(self._refresh_next)
        self._part = 0
        self._stale: set[str] = set()
        self._grids: dict[int, tuple] = {}  # run -> its latest grid not yet shown

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
        self.curves = RunCurves()
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

    # The curves' parts, read through to ``self.curves`` (tests and the benchmark look
    # at them on the page); properties, not copies, as a reset rebuilds the curve lists.
    loss_plot = _from_curves("loss_plot")
    acc_plot = _from_curves("acc_plot")
    loss_legend = _from_curves("loss_legend")
    acc_legend = _from_curves("acc_legend")
    loss_curves = _from_curves("loss_curves")
    acc_curves = _from_curves("acc_curves")

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
        self.curves.reset(self.labels, RUN_COLORS[:n], self.task, self.score[:2])
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
        self._stale.update(PARTS[:3])
        self._grids.clear()
        self._pacer.start()
        self._timer.start(self._pacer.interval)

    def _on_epochs(self, batch: list) -> None:
        mine = [m for m in batch if 0 <= m["run"] < len(self.history)]
        if not mine:
            return
        for m in mine:
            h = self.history[m["run"]]
            for k in h:
                v = m.get(k)
                h[k].append(np.nan if v is None else float(v))
        if self._loading:
            self._loading = False
            self._progress(f"Training {len(self.labels)} runs of {self.epochs} epochs, "
                           f"taking turns.")
        self._stale.update(PARTS[:3])

    def _on_grid(self, payload: dict) -> None:
        for i, grid in payload["grids"].items():
            if 0 <= i < len(self.labels):
                self._grids[i] = (grid, payload["task"], payload["bounds"])
        if not self._timer.isActive():  # e.g. the fresh weights' grids before Run
            self._show_grids(range(MAX_VALUES))

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
        """Redraw everything received and not shown yet: curves, table and regions."""
        for part in PARTS:
            self._refresh(part)

    def _refresh_next(self) -> None:
        """Redraw the next stale part of the view (see ``RefreshPacer``)."""
        self._timer.setInterval(self._pacer.next_interval())
        for _ in PARTS:
            part = PARTS[self._part]
            self._part = (self._part + 1) % len(PARTS)
            if self._refresh(part):
                return

    def _refresh(self, part: str) -> bool:
        """Redraw ``part`` if anything in it changed; whether it did."""
        if part.startswith("regions"):
            return self._show_grids((0, 1) if part.endswith("0-1") else (2, 3))
        if part not in self._stale:
            return False
        self._stale.discard(part)
        if part == "table":
            self._fill_table()
            return True
        if part == "loss":
            self.curves.fit_axes(self.history)
            self.curves.draw_losses(self.history)
        else:
            self.curves.draw_scores(self.history)
        return True

    def _show_grids(self, runs) -> bool:
        shown = False
        for i in runs:
            pending = self._grids.pop(i, None)
            if pending is not None:
                self.regions[i].set_grid(*pending)
                shown = True
        return shown

    def _fill_table(self) -> None:
        tr, te = self.score[0], self.score[1]
        for i, h in enumerate(self.history):
            if not h["epoch"]:
                continue
            metrics = (format_metric(h[k][-1]) for k in ("train_loss", "test_loss", tr, te))
            cells = (f"{int(h['epoch'][-1])}", *metrics, f"{sum(h['seconds']):.2f}")
            for c, text in enumerate(cells, start=1):
                item = self.table.item(i, c)
                item.setText(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)

