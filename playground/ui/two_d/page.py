"""The "2-D Playground" tab: data panel | decision plot | network panel and curves.

The page owns its ``PlaygroundController`` and implements the window's ``Page``
protocol (``playground.ui.page``). It wires widgets to the controller and paints at the
display rate: worker results only mark things dirty, and one frame timer (at most 40 per
second) pushes the newest decision grid, the curves and the read-outs to the screen.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from playground import settings as store
from playground.ui.plots.curves import TrainingCurves
from playground.ui.plots.decision import DecisionRegionPlot
from playground.ui.two_d.data_panel import DataPanel
from playground.ui.two_d.file_commands import FileCommands
from playground.ui.two_d.network_panel import NetworkPanel

#: the display rate's cap: 40 frames a second (the worker's grids follow FRAME_SECONDS).
FRAME_MS = 25
#: the curves move less than the decision region; redrawing them (and their axes) ten
#: times a second keeps them smooth and leaves the frame budget to the region.
CURVES_MS = 100
#: how soon after a decision-region frame the curves may have theirs.
CURVES_GAP_MS = 6
#: (label, epochs per displayed frame); 0 = as fast as the machine goes.
SPEEDS = (("1 epoch/frame", 1), ("2 epochs/frame", 2), ("5 epochs/frame", 5),
          ("10 epochs/frame", 10), ("30 epochs/frame", 30), ("max speed", 0))
DEFAULT_SPEED = 0


def _scroll(widget: QWidget, width: int) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setMinimumWidth(width)
    return area


class PlaygroundPage(QWidget):
    """The 2-D playground, its controller made from what ``settings`` remember (the
    config and the drawing); ``startup_note`` says why a remembered config was unusable."""

    title = "2-D Playground"
    statusMessage = Signal(str, int)   # text, timeout in ms (0 = until replaced)
    problemRaised = Signal(str)        # something the user must read (until replaced)
    errorRaised = Signal(str, str)     # title, text: worth a message box

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from playground.two_d.controller import PlaygroundController

        self.setObjectName("playgroundPage")
        self.controller, self.startup_note = PlaygroundController.from_saved(
            store.read_text(settings, "playground/config"),
            store.read_points(settings, "playground/points"), parent=self)
        c = self.controller
        choices = c.choices()
        self.data_panel = DataPanel(choices)
        self.network_panel = NetworkPanel(choices)
        self.decision_plot = DecisionRegionPlot()
        self.curves = TrainingCurves()
        self._make_run_widgets()

        right = QSplitter(Qt.Orientation.Vertical)
        right.setObjectName("rightSplitter")
        right.addWidget(_scroll(self.network_panel, 330))
        right.addWidget(self.curves)
        right.setStretchFactor(0, 0)
        right.setStretchFactor(1, 1)
        self._right = right
        self._fitted = False
        right.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("pageSplitter")
        self.splitter.addWidget(_scroll(self.data_panel,
                                        self.data_panel.sizeHint().width() + 12))
        self.splitter.addWidget(self.decision_plot)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([240, 640, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)

        self._pending_grid: dict | None = None
        self._last_metrics: dict | None = None
        self._metrics_dirty = False
        self._last_frame = 0.0
        self._last_curves = 0.0
        self._region_went_last = False  # which of region / curves the last frame drew
        self.frames = 0           # decision images drawn (read by the UI benchmark)
        self._frame = QTimer(self)
        self._frame.setSingleShot(True)
        self._frame.timeout.connect(self.render_frame)
        self.files = FileCommands(c, self, (self.decision_plot, self.curves))
        self._run_actions = self._make_run_actions()
        self._file_actions = self.files.make_actions()
        self._connect()

    # ------------------------------------------------------------------ Page protocol

    def actions(self) -> dict[str, list[QAction | None]]:
        return {"&File": self._file_actions, "&Run": self._run_actions}

    def toolbar_widgets(self) -> list[QWidget]:
        """Run buttons, speed, then the read-outs: in a narrow window they fold last."""
        speed = QLabel("  Speed ")
        speed.setToolTip(self.speed_combo.toolTip())
        return [self.play_button, self.step_button, self.reset_button, speed,
                self.speed_combo, None, self.epoch_label, self.train_label, self.test_label]

    def activated(self, current: bool) -> None:
        if not current:
            self.controller.pause()  # the page trains only while it is shown

    def restore_settings(self, s: QSettings) -> None:
        self.set_speed(store.read_int(s, "playground/speed", DEFAULT_SPEED))
        self.curves.set_log_y(store.read_bool(s, "playground/logY", False))
        dp = self.data_panel
        dp.show_test_check.setChecked(store.read_bool(s, "playground/showTest", True))
        dp.discretize_check.setChecked(store.read_bool(s, "playground/discretize", False))
        dp.baseline_check.setChecked(store.read_bool(s, "playground/baseline", False))

    def save_settings(self, s: QSettings) -> None:
        c, dp = self.controller, self.data_panel
        s.setValue("playground/config", c.config.to_json(indent=None))
        store.write_points(s, "playground/points", c.drawn.X, c.drawn.y, c.drawn.test_mask)
        s.setValue("playground/speed", int(self.speed_combo.currentData()))
        s.setValue("playground/logY", self.curves.log_check.isChecked())
        s.setValue("playground/showTest", dp.show_test_check.isChecked())
        s.setValue("playground/discretize", dp.discretize_check.isChecked())
        s.setValue("playground/baseline", dp.baseline_check.isChecked())

    def start(self, data_dir=None, ask_restore=None) -> None:
        """Load the data, announce the first state and start autosaving (call once the
        window listens to the page's signals)."""
        self.controller.start()
        if self.startup_note:
            self.problemRaised.emit(self.startup_note)
        else:
            self.statusMessage.emit("Press Play (Space) to train; turn on Draw to add your "
                                    "own points.", 8000)
        self.files.start_autosave(data_dir, ask_restore)

    def shutdown(self) -> None:
        """A last autosave, then the worker thread ends."""
        self.files.finish_autosave()
        self.controller.shutdown()

    # ------------------------------------------------------------------ widgets

    def _make_run_widgets(self) -> None:
        """Play/Step/Reset, read-outs and speed; the window puts them in its toolbar."""
        self.play_button = QPushButton("▶  Play")
        self.play_button.setObjectName("playButton")
        self.play_button.setToolTip("Start or pause training (Space).")
        self.step_button = QPushButton("Step")
        self.step_button.setObjectName("stepButton")
        self.step_button.setToolTip("Train exactly one more epoch, then pause (S).")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setObjectName("resetButton")
        self.reset_button.setToolTip("Start over from fresh initial weights, epoch 0 (R).")
        for b in (self.play_button, self.step_button, self.reset_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setMinimumWidth(78)
        self.play_button.setMinimumWidth(96)
        self.epoch_label = QLabel("Epoch 0")
        self.epoch_label.setObjectName("epochLabel")
        self.epoch_label.setToolTip("Completed training epochs of this run.")
        self.epoch_label.setMinimumWidth(110)
        self.train_label = QLabel("")
        self.train_label.setObjectName("trainMetricsLabel")
        self.train_label.setToolTip("Loss and accuracy on the training points, last epoch.")
        self.test_label = QLabel("")
        self.test_label.setObjectName("testMetricsLabel")
        self.test_label.setToolTip("Loss and accuracy on the held-out test points.")
        for lab in (self.epoch_label, self.train_label, self.test_label):
            lab.setStyleSheet("font-family: monospace; padding: 0 8px;")
        self.speed_combo = QComboBox()
        self.speed_combo.setObjectName("speedCombo")
        for text, value in SPEEDS:
            self.speed_combo.addItem(text, value)
        self.speed_combo.setToolTip("Training speed: epochs trained per displayed frame "
                                    "(up to 40 frames a second), from 1 (watch each epoch) to "
                                    "max (as fast as this machine trains).")
        self.set_speed(DEFAULT_SPEED)

    def _make_run_actions(self) -> list[QAction]:
        c = self.controller

        def action(text: str, key, slot, name: str, tip: str) -> QAction:
            a = QAction(text, self)
            a.setObjectName(name)
            a.setShortcut(QKeySequence(key))
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.setToolTip(tip)
            a.setStatusTip(tip)
            a.triggered.connect(slot)
            return a

        return [action("Play / Pause", Qt.Key.Key_Space, c.toggle, "playAction",
                       "Start or pause training"),
                action("Step one epoch", Qt.Key.Key_S, c.step, "stepAction",
                       "Train exactly one more epoch"),
                action("Reset weights", Qt.Key.Key_R, c.reset, "resetAction",
                       "Fresh initial weights, epoch 0")]

    def _connect(self) -> None:
        c, dp, npnl, plot = self.controller, self.data_panel, self.network_panel, \
            self.decision_plot
        c.configChanged.connect(dp.set_config)
        c.configChanged.connect(npnl.set_config)
        c.dataChanged.connect(self._on_data)
        c.gridReady.connect(self._on_grid)
        c.baselineReady.connect(self._on_baseline)
        c.networkSummary.connect(npnl.set_summary)
        c.runReset.connect(self._on_run_reset)
        c.epochFinished.connect(self._on_epoch)
        c.historyRestored.connect(self._on_history)
        c.runningChanged.connect(self._on_running)
        c.problem.connect(self.problemRaised)
        self.files.status.connect(self.statusMessage)
        self.files.problem.connect(self.problemRaised)
        self.files.error.connect(self.errorRaised)
        c.message.connect(lambda text: self.statusMessage.emit(text, 5000))
        dp.configEdited.connect(c.edit)
        npnl.configEdited.connect(c.edit)
        npnl.invalidInput.connect(lambda text: self.statusMessage.emit(text, 0))
        dp.invalidInput.connect(lambda text: self.statusMessage.emit(text, 0))
        dp.regenerateRequested.connect(c.regenerate)
        dp.drawModeToggled.connect(plot.set_draw_mode)
        dp.drawModeToggled.connect(self._on_draw_mode)
        dp.clearRequested.connect(c.clear_points)
        dp.showTestToggled.connect(plot.set_show_test)
        dp.discretizeToggled.connect(plot.set_discretize)
        dp.baselineToggled.connect(c.set_baseline)
        plot.drawRequested.connect(lambda xs, ys: c.add_points(xs, ys, dp.draw_class))
        plot.eraseRequested.connect(c.erase_points)
        plot.viewBoundsChanged.connect(c.set_view)
        self.play_button.clicked.connect(c.toggle)
        self.step_button.clicked.connect(c.step)
        self.reset_button.clicked.connect(c.reset)
        self.speed_combo.currentIndexChanged.connect(
            lambda _i: c.set_speed(int(self.speed_combo.currentData())))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._fitted:
            self._fitted = True
            # Sizes are only right once the widgets are polished, i.e. after showing.
            QTimer.singleShot(0, self._fit_network_panel)

    def _fit_network_panel(self) -> None:
        """Give the network panel the height it needs and the curves the rest."""
        need = self.network_panel.sizeHint().height() + 4
        total = max(sum(self._right.sizes()), need + 200)
        self._right.setSizes([need, total - need])

    def set_speed(self, epochs_per_frame: int) -> None:
        i = self.speed_combo.findData(int(epochs_per_frame))
        self.speed_combo.setCurrentIndex(i if i >= 0 else self.speed_combo.count() - 1)
        self.controller.set_speed(int(self.speed_combo.currentData()))

    # ------------------------------------------------------------------ controller replies

    def _on_data(self, d: dict) -> None:
        self.decision_plot.set_points(d["x_train"], d["y_train"], d["x_test"], d["y_test"])
        self.data_panel.set_point_counts(len(d["y_train"]), len(d["y_test"]))
        if d["reset_view"]:
            self.decision_plot.show_range(d["bounds"])
            self.controller.set_view(self.decision_plot.view_bounds())

    def _on_grid(self, payload: dict) -> None:
        self._pending_grid = payload
        self._schedule_frame()

    def _on_baseline(self, payload: dict | None) -> None:
        if payload is None:
            self.decision_plot.set_baseline(None)
            on = self.data_panel.baseline_check.isChecked()
            self.data_panel.set_baseline_text("Needs points of two classes." if on else "")
            return
        self.decision_plot.set_baseline(payload["probs"], payload["bounds"])
        text = f"Grey line: a linear model gets {payload['train_acc']:.0%} train accuracy"
        if payload["test_acc"] is not None:
            text += f", {payload['test_acc']:.0%} test"
        self.data_panel.set_baseline_text(text + ".")

    def _on_run_reset(self, _run_id: int) -> None:
        self._last_metrics = None
        self._metrics_dirty = True
        self.curves.clear()
        self._schedule_frame()

    def _on_epoch(self, metrics: dict) -> None:
        self.curves.append(metrics)
        self._last_metrics = metrics
        self._metrics_dirty = True
        self._schedule_frame()

    def _on_history(self, history) -> None:
        """A restored run: its whole loss history at once (E, len(columns)) float64."""
        from playground.two_d.session_file import HISTORY_COLUMNS, history_rows

        self.curves.set_history({k: history[:, i] for i, k in enumerate(HISTORY_COLUMNS)})
        last = history_rows(history[-1:])[0] if len(history) else None
        ok = last is not None and None not in (last["train_loss"], last["train_acc"])
        self._last_metrics = last if ok else None
        self._metrics_dirty = True
        self._schedule_frame()

    def _on_running(self, running: bool) -> None:
        self.play_button.setText("❚❚  Pause" if running else "▶  Play")

    def _on_draw_mode(self, on: bool) -> None:
        if on:
            self.statusMessage.emit("Draw mode: click or drag to add points of the chosen "
                                    "class; right-click or Shift+click to erase.", 6000)

    # ------------------------------------------------------------------ painting

    def _schedule_frame(self, wait_ms: float | None = None) -> None:
        """Render at the next frame slot (or in ``wait_ms``), unless one comes sooner."""
        if wait_ms is None:
            wait_ms = FRAME_MS - (time.perf_counter() - self._last_frame) * 1000
        wait = max(0, int(wait_ms))
        if self._frame.isActive() and self._frame.remainingTime() <= wait:
            return
        self._frame.start(wait)

    def render_frame(self) -> None:
        """Push what changed since the last frame to the screen: the newest decision grid
        or, when they are due, the curves. The two take turns rather than share a frame:
        painting both plots (and a re-laid-out axis) at once made the event loop's longest
        stalls while training."""
        self._last_frame = time.perf_counter()
        since_curves = (self._last_frame - self._last_curves) * 1000
        curves_due = self.curves.dirty and since_curves >= CURVES_MS
        grid = self._pending_grid
        if grid is not None and not (curves_due and self._region_went_last):
            self._pending_grid = None
            self.decision_plot.set_probabilities(grid["probs"], grid["bounds"])
            self.frames += 1
            self._region_went_last = True
            if self.curves.dirty:
                self._schedule_frame(max(CURVES_MS - since_curves, CURVES_GAP_MS))
        else:
            self._last_curves = self._last_frame
            self._region_went_last = False
            self.curves.refresh()
            if grid is not None:
                self._schedule_frame(CURVES_GAP_MS)
        if self._metrics_dirty:
            self._metrics_dirty = False
            self._show_metrics(self._last_metrics)

    def _show_metrics(self, m: dict | None) -> None:
        if m is None:
            self.epoch_label.setText(f"Epoch {self.controller.epoch}")
            self.train_label.setText("Train  –")
            self.test_label.setText("Test  –")
            return
        self.epoch_label.setText(f"Epoch {m['epoch']}")
        self.train_label.setText(f"Train  loss {m['train_loss']:.4f}  acc "
                                 f"{m['train_acc']:6.1%}")
        if m.get("test_loss") is None:
            self.test_label.setText("Test  –")
        else:
            self.test_label.setText(f"Test  loss {m['test_loss']:.4f}  acc "
                                    f"{m['test_acc']:6.1%}")
