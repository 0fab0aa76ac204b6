"""The "2-D Playground" tab: data panel | decision plot | network panel and curves.

The page owns its ``PlaygroundController`` and implements the window's ``Page``
protocol (``playground.ui.page``). It wires widgets to the controller and paints at the
display rate: worker results only mark things dirty, and one frame timer (at most 40 per
second) pushes the newest decision grid, the curves and the read-outs to the screen.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from playground import settings as store
from playground.ui.landscape.window import LandscapeLauncher
from playground.ui.page import make_action
from playground.ui.plots.curves import TrainingCurves
from playground.ui.plots.decision import DecisionRegionPlot
from playground.ui.plots.unit_colors import class_lut, unit_levels
from playground.ui.two_d.data_panel import DataPanel
from playground.ui.two_d.edit_history import EditHistory
from playground.ui.two_d.export_commands import ExportCommands
from playground.ui.two_d.file_commands import FileCommands
from playground.ui.two_d.graph_panel import GraphPanel
from playground.ui.two_d.network_panel import NetworkPanel
from playground.ui.two_d.problem_view import ProblemView
from playground.ui.two_d.run_controls import DEFAULT_SPEED, RunControls
from playground.ui.two_d.timeline_bar import TimelineBar

#: the display rate's cap: 40 frames a second (the worker's grids follow FRAME_SECONDS).
FRAME_MS = 25
#: the curves move less than the decision region; redrawing them (and their axes) ten
#: times a second keeps them smooth and leaves the frame budget to the region.
CURVES_MS = 100
#: how soon after a decision-region frame the curves may have theirs.
CURVES_GAP_MS = 6
#: the network graph's nodes are fed at most this often (20 a second), from the newest
#: grid; the worker computes their maps on a GRAPH_GRID x GRAPH_GRID grid.
GRAPH_MS = 50
GRAPH_GRID = 24
#: up to this many thumbnails the graph is fed every GRAPH_MS; more stretch the interval.
GRAPH_NODES = 48
START_HINT = "Press Play (Space) to train; turn on Draw to add your own points."

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
        from playground.landscape.sources import two_d_source
        from playground.two_d.controller import PlaygroundController

        self.setObjectName("playgroundPage")
        self.controller, self.startup_note = PlaygroundController.from_saved(
            store.read_text(settings, "playground/config"),
            store.read_points(settings, "playground/points"), parent=self,
            value_points=store.read_points(settings, "playground/valuePoints"))
        c = self.controller
        choices = c.choices()
        self.data_panel = DataPanel(choices)
        self.network_panel = NetworkPanel(choices)
        self.decision_plot = DecisionRegionPlot()
        self.graph_panel = GraphPanel(choices["activations"])
        self.curves = TrainingCurves()
        self.problem_view = ProblemView(self.decision_plot, self.curves,
                                        choices["curve_datasets"])
        self.curve_view = self.problem_view.curve_view
        self.run = RunControls(c, self)
        # the page's own names for them (tests and the benchmarks reach them here)
        for name in ("play_button", "step_button", "reset_button", "speed_combo",
                     "auto_stop_combo", "epoch_label", "train_label", "test_label"):
            setattr(self, name, getattr(self.run, name))

        right = QSplitter(Qt.Orientation.Vertical)
        right.setObjectName("rightSplitter")
        right.addWidget(_scroll(self.network_panel, 330))
        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.setSpacing(2)
        results_layout.addWidget(self.run.metrics_box)
        results_layout.addWidget(self.curves, 1)
        right.addWidget(results)
        right.setStretchFactor(0, 0)
        right.setStretchFactor(1, 1)
        self._right = right
        self._fitted = False
        right.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("pageSplitter")
        self.splitter.addWidget(_scroll(self.data_panel,
                                        self.data_panel.sizeHint().width() + 12))
        centre = QSplitter(Qt.Orientation.Vertical)
        centre.setObjectName("centerSplitter")
        centre.addWidget(self.graph_panel)
        centre.addWidget(self.decision_plot)
        centre.addWidget(self.curve_view)
        centre.setStretchFactor(0, 2)
        centre.setStretchFactor(1, 3)
        centre.setStretchFactor(2, 2)
        centre.setChildrenCollapsible(False)
        self._centre = centre
        self.splitter.addWidget(centre)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([240, 640, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter, 1)
        self.timeline = TimelineBar()
        layout.addWidget(self.timeline)

        self._pending_grid: dict | None = None
        self._last_metrics: dict | None = None
        self._metrics_dirty = False
        self._last_frame = 0.0
        self._last_curves = 0.0
        self._last_graph = 0.0
        self._graph_shown = True
        self.graph_frames = 0     # network-graph updates (read by the UI benchmark)
        self._pending_graph = None
        self._graph_timer = QTimer(self)
        self._graph_timer.setSingleShot(True)
        self._graph_timer.timeout.connect(self._flush_graph)
        self.graph_action = QAction("Show &Network Graph", self)
        self.graph_action.setObjectName("showGraphAction")
        self.graph_action.setCheckable(True)
        self.graph_action.setChecked(True)
        self.graph_action.setShortcut("Ctrl+G")
        self.graph_action.setToolTip("Show or hide the network graph above the decision "
                                     "plot (hidden, the worker skips the units' maps).")
        self.graph_action.toggled.connect(self.show_graph)
        self.inside_action = make_action(
            self, "&Inside the Network…", "Ctrl+I", self.show_inside, "insideAction",
            "Open a window with each layer's activations and gradients, a gradient "
            "check and a hidden layer's view of the data.")
        self.inside_window = None   # made when first opened
        self._region_went_last = False  # which of region / curves the last frame drew
        self.frames = 0           # decision images drawn (read by the UI benchmark)
        self._frame = QTimer(self)
        self._frame.setSingleShot(True)
        self._frame.timeout.connect(self.render_frame)
        self.files = FileCommands(
            c, self, (self.decision_plot, self.curves.loss_plot, self.curves.acc_plot),
            self.caption)
        self.exports = ExportCommands(c, self)
        animation, onnx = self.exports.make_actions()
        self._file_actions = self.files.make_actions()
        # ONNX beside the .npz export, the animation after the image
        at = [a and a.objectName() for a in self._file_actions].index("exportModelAction")
        self._file_actions[at + 1:at + 1] = [onnx]
        self._file_actions.append(animation)
        self.edits = EditHistory(c, self)
        self.landscape = LandscapeLauncher(self, lambda: two_d_source(self.controller))
        self._connect()

    # ------------------------------------------------------------------ Page protocol

    def actions(self) -> dict[str, list[QAction | None]]:
        return {"&File": self._file_actions, "&Edit": self.edits.actions(),
                "&Run": self.run.actions,
                "&View": [self.graph_action, self.inside_action, self.landscape.action]}

    def toolbar_widgets(self) -> list[QWidget | None]:
        return self.run.toolbar_widgets()

    def activated(self, current: bool) -> None:
        """The page trains only while it is shown (the pages share the cores); back on
        it, a run paused that way is said."""
        if not current:
            self._paused_away = self.controller.is_running
            self.controller.pause()
        elif getattr(self, "_paused_away", False):
            self._paused_away = False
            self.statusMessage.emit("Training paused while another tab was shown; press "
                                    "Play (Space) to go on.", 0)

    def restore_settings(self, s: QSettings) -> None:
        self.files.set_recent(store.read_list(s, "playground/recent"))
        self.set_speed(store.read_int(s, "playground/speed", DEFAULT_SPEED))
        self.auto_stop_combo.setCurrentIndex(
            min(max(store.read_int(s, "playground/autoStop", 0), 0),
                self.auto_stop_combo.count() - 1))
        self.curves.set_log_y(store.read_bool(s, "playground/logY", False))
        self.graph_action.setChecked(store.read_bool(s, "playground/showGraph", True))
        dp = self.data_panel
        dp.show_test_check.setChecked(store.read_bool(s, "playground/showTest", True))
        dp.discretize_check.setChecked(store.read_bool(s, "playground/discretize", False))
        dp.baseline_check.setChecked(store.read_bool(s, "playground/baseline", False))

    def save_settings(self, s: QSettings) -> None:
        c, dp = self.controller, self.data_panel
        store.write_list(s, "playground/recent", self.files.recent)
        s.setValue("playground/config", c.config.to_json(indent=None))
        for key, task in (("playground/points", "classification"),
                          ("playground/valuePoints", "regression")):
            d = c.drawing(task)
            store.write_points(s, key, d.X, d.y, d.test_mask)
        s.setValue("playground/speed", int(self.speed_combo.currentData()))
        s.setValue("playground/autoStop", self.auto_stop_combo.currentIndex())
        s.setValue("playground/logY", self.curves.log_check.isChecked())
        s.setValue("playground/showGraph", self.graph_action.isChecked())
        s.setValue("playground/showTest", dp.show_test_check.isChecked())
        s.setValue("playground/discretize", dp.discretize_check.isChecked())
        s.setValue("playground/baseline", dp.baseline_check.isChecked())

    def start(self, data_dir=None, ask_restore=None) -> None:
        """Load the data, announce the first state and start autosaving (call once the
        window listens to the page's signals)."""
        self.controller.run.set_graph_grid(GRAPH_GRID if self._graph_shown else 0)
        self.controller.start()
        if self.startup_note:
            self.problemRaised.emit(self.startup_note)
        else:
            self.statusMessage.emit(START_HINT, 8000)
            self._hint_until_play = True
        self.files.start_autosave(data_dir, ask_restore)

    def shutdown(self) -> None:
        """A last autosave, then the worker thread ends."""
        self.files.finish_autosave()
        self.exports.shutdown()
        if self.inside_window is not None:
            self.inside_window.shutdown()
        self.landscape.shutdown()
        self.controller.shutdown()

    # ------------------------------------------------------------------ widgets

    def _connect(self) -> None:
        c, dp, npnl, plot = self.controller, self.data_panel, self.network_panel, \
            self.decision_plot
        c.configChanged.connect(dp.set_config)
        c.configChanged.connect(npnl.set_config)
        c.configChanged.connect(self.graph_panel.set_config)
        c.configChanged.connect(self.problem_view.set_config)
        c.configChanged.connect(self._fit_curve_view)
        gp = self.graph_panel
        gp.configEdited.connect(c.edit)
        gp.weightEdited.connect(c.run.set_weight)
        gp.focusChanged.connect(self._on_focus)
        plot.unitViewClosed.connect(self._close_unit_view)
        c.dataChanged.connect(self._on_data)
        c.gridReady.connect(self._on_grid)
        c.baselineReady.connect(self._on_baseline)
        c.networkSummary.connect(npnl.set_summary)
        c.runReset.connect(self._on_run_reset)
        c.runningChanged.connect(self._on_running)
        c.epochFinished.connect(self._on_epoch)
        c.historyRestored.connect(self._on_history)
        self.timeline.epochShown.connect(
            lambda epoch: c.show_epoch(None if epoch < 0 else epoch))
        self.timeline.trainFromRequested.connect(c.train_from)
        c.problem.connect(self.problemRaised)
        self.files.status.connect(self.statusMessage)
        self.files.problem.connect(self.problemRaised)
        self.files.error.connect(self.errorRaised)
        self.exports.status.connect(self.statusMessage)
        self.exports.error.connect(self.errorRaised)
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
        plot.drawRequested.connect(self._draw)
        plot.drawValueStep.connect(dp.step_draw_value)
        plot.eraseRequested.connect(c.erase_points)
        plot.viewBoundsChanged.connect(c.set_view)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._fitted:
            self._fitted = True
            # Sizes are only right once the widgets are polished, i.e. after showing.
            QTimer.singleShot(0, self._fit_network_panel)

    def show_inside(self) -> None:
        """Open (or bring up) the non-modal "Inside the network" window."""
        if self.inside_window is None:
            from playground.ui.two_d.inside_window import InsideWindow

            self.inside_window = InsideWindow(self.controller, self.window())
        self.inside_window.show()
        self.inside_window.activateWindow()

    def show_graph(self, on: bool) -> None:
        """Show or hide the network graph; hidden, the worker computes no unit maps."""
        self._graph_shown = bool(on)
        self.graph_panel.setVisible(self._graph_shown)
        if self.graph_action.isChecked() != self._graph_shown:
            self.graph_action.setChecked(self._graph_shown)
        self.controller.run.set_graph_grid(GRAPH_GRID if self._graph_shown else 0)
        if not self._graph_shown:
            self._close_unit_view()

    def _on_focus(self, unit) -> None:
        """The graph's hovered or pinned unit: the decision plot shows it (via the worker,
        which sends its values at full resolution with the next grid)."""
        self.controller.run.set_focus(unit)
        if unit is None:
            self.decision_plot.set_unit(None)

    def _close_unit_view(self) -> None:
        self.graph_panel.clear_pin()
        self.controller.run.set_focus(None)
        self.decision_plot.set_unit(None)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.decision_plot.shown_unit:
            self._close_unit_view()
            return
        super().keyPressEvent(event)

    def _fit_curve_view(self, _config=None) -> None:
        """A curve view that just appeared gets a third of the plots' height."""
        sizes = self._centre.sizes()
        if self.curve_view.isHidden() or sizes[2] >= self.curve_view.minimumHeight():
            return
        share = max(self.curve_view.minimumHeight(), sizes[1] // 3)
        self._centre.setSizes([sizes[0], max(sizes[1] - share, 1), share])

    def _fit_network_panel(self) -> None:
        """Give the network panel the height it needs and the curves the rest."""
        need = self.network_panel.sizeHint().height() + 4
        total = max(sum(self._right.sizes()), need + 200)
        self._right.setSizes([need, total - need])
        # the decision plot keeps most of the centre; the graph gets the rest (>= its
        # minimum), so at 1280x800 the plot is ~460 px tall and the graph ~240
        centre = sum(self._centre.sizes())
        graph_min = self.graph_panel.minimumSizeHint().height()
        plot = max(min(460, centre - graph_min), int(centre * 0.6))
        # the plot keeps its aspect: taller than it is wide is wasted on it
        plot = max(min(plot, self._centre.width() + 40), min(320, centre - graph_min))
        self._centre.setSizes([centre - plot, plot, 0])
        self._fit_curve_view()

    # ------------------------------------------------------------------ controller replies

    def _draw(self, xs, ys) -> None:
        """Points where the user drew: of the chosen class, or value for regression."""
        dp = self.data_panel
        label = dp.draw_value if self.problem_view.regression else dp.draw_class
        self.controller.add_points(xs, ys, label)

    def _on_data(self, d: dict) -> None:
        self.problem_view.set_data(d)
        self.data_panel.set_point_counts(len(d["y_train"]), len(d["y_test"]))
        if d["reset_view"]:
            self.decision_plot.show_range(d["bounds"])
            self.controller.set_view(self.decision_plot.view_bounds())

    def _on_grid(self, payload: dict) -> None:
        self._pending_grid = payload
        snapshot = payload.get("snapshot", False)
        self.curves.set_marker(payload.get("epoch") if snapshot else None)
        self._schedule_frame()

    def _on_baseline(self, payload: dict | None) -> None:
        on = self.data_panel.baseline_check.isChecked()
        self.data_panel.set_baseline_text(self.problem_view.show_baseline(payload, on))

    def _on_run_reset(self, _run_id: int) -> None:
        self.timeline.reset()
        self.curves.set_marker(None)
        self._last_metrics = None
        self._metrics_dirty = True
        self.curves.clear()
        self._schedule_frame()

    def _on_epoch(self, metrics: dict) -> None:
        self.timeline.set_latest(metrics["epoch"])
        self.curves.append(metrics)
        self._last_metrics = metrics
        self._metrics_dirty = True
        self._schedule_frame()

    def _on_history(self, history) -> None:
        """A restored run: its whole loss history at once (E, len(columns)) float64."""
        from playground.two_d.run_history import HISTORY_COLUMNS, history_rows

        self.curves.set_history({k: history[:, i] for i, k in enumerate(HISTORY_COLUMNS)})
        self.timeline.reset(int(history[-1, 0]) if len(history) else 0)
        last = history_rows(history[-1:])[0] if len(history) else None
        ok = last is not None and last["train_loss"] is not None and (
            last["train_acc"] is not None or last["train_r2"] is not None)
        self._last_metrics = last if ok else None
        self._metrics_dirty = True
        self._schedule_frame()

    def _on_running(self, running: bool) -> None:
        """The start hint ("Press Play…") goes once training runs: it would be stale
        (any other message stays)."""
        if running and getattr(self, "_hint_until_play", False):
            self._hint_until_play = False
            window = self.window()
            bar = window.statusBar() if isinstance(window, QMainWindow) else None
            if bar is not None and bar.currentMessage() == START_HINT:
                bar.clearMessage()

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
            self._show_graph_of(grid)
            self.problem_view.show_grid(grid)
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
            self.run.show_metrics(self._last_metrics)

    def _show_graph_of(self, payload: dict) -> None:
        """Feed the graph (at most every GRAPH_MS) and the unit view from a grid."""
        graph = payload.get("graph")
        if payload.get("probs") is None and payload.get("values") is None:
            self.graph_panel.set_grid(None)
            self.decision_plot.set_unit(None)
            return
        if graph is None:
            return
        unit = self.graph_panel.focus
        if unit is not None and graph.focus is not None and unit[0] < len(graph.columns):
            kind = graph.kinds[unit[0]]
            self.decision_plot.set_unit(
                self.graph_panel.unit_label(unit), graph.focus,
                unit_levels(kind, graph.columns[unit[0]]),
                class_lut(unit[1]) if kind == "output" else None)
        elif unit is None:
            self.decision_plot.set_unit(None)
        self._pending_graph = graph
        # A frame of its own, a few ms after the region's (as the curves get): painting
        # both views in one turn of the event loop made its longest stalls. Big graphs
        # (many thumbnails to paint) are fed less often.
        interval = GRAPH_MS * max(1.0, self.graph_panel.graph.node_count() / GRAPH_NODES)
        wait = max(CURVES_GAP_MS, interval - (time.perf_counter() - self._last_graph) * 1000)
        if not self._graph_timer.isActive():
            self._graph_timer.start(int(wait))  # the newest grid gets there, even paused

    def _flush_graph(self) -> None:
        graph, self._pending_graph = self._pending_graph, None
        if graph is None or not self._graph_shown:
            return
        self._last_graph = time.perf_counter()
        self.graph_panel.set_grid(graph)
        self.graph_frames += 1

    def set_speed(self, epochs_per_frame: int) -> None:
        """Epochs trained per displayed frame (0: as fast as possible)."""
        self.run.set_speed(epochs_per_frame)

    def caption(self) -> str:
        """What the plots show, in one line: for an exported image."""
        cfg = self.controller.config
        m = cfg.model
        parts = [f"{cfg.data.name}", f"hidden {', '.join(map(str, m.hidden)) or 'none'} "
                 f"{m.activation}", f"{cfg.optim.name} lr {cfg.optim.lr:g}",
                 f"epoch {self.controller.epoch:,}"]
        last = self._last_metrics
        if last is not None and last.get("train_acc") is not None:
            parts.append(f"train acc {last['train_acc']:.1%}")
            if last.get("test_acc") is not None:
                parts.append(f"test acc {last['test_acc']:.1%}")
        elif last is not None and last.get("train_r2") is not None:
            parts.append(f"train R² {last['train_r2']:.3f}")
            if last.get("test_r2") is not None:
                parts.append(f"test R² {last['test_r2']:.3f}")
        return "NumPy Neural Playground · " + " · ".join(parts)
