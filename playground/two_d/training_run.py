"""``TrainingRun``: the 2-D page's run on its worker thread, apart from what the user edits.

It owns the ``TrainingWorker`` (on a ``WorkerHost``), numbers the runs, knows whether the
current one trains and how far it got, sends the worker its commands queued, and passes
on only the replies of the current run. The controller decides what an edit means and
tells this object to start a new run, swap the data or change the training settings.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine.spec import RunConfig
from playground.runtime import WorkerHost
from playground.two_d.options import grid_resolution
from playground.two_d.worker import ModelState, RunPlan, TrainingWorker


class TrainingRun(QObject):
    """See the module docstring. Replies of earlier runs never reach its signals."""

    runReset = Signal(int)           # a new run (fresh weights) started: clear the curves
    runningChanged = Signal(bool)
    epochFinished = Signal(dict)     # the worker's epoch metrics plus "run_id"
    gridReady = Signal(object)       # {"run_id", "epoch", "bounds", "probs" or None}
    failed = Signal(str)             # one sentence from the worker
    statsReady = Signal(object)      # the worker's layer statistics (current run only)
    layerViewReady = Signal(object)  # the worker's hidden-layer view (current run only)
    rewound = Signal(int, object)    # epoch, history (E, columns): "Train from here" landed

    # commands to the worker (queued across threads)
    _configure = Signal(object)
    _updateData = Signal(object)
    _updateTraining = Signal(object)
    _start = Signal()
    _pause = Signal()
    _step = Signal()
    _setSpeed = Signal(int)
    _setStopEpoch = Signal(int)
    _setGridView = Signal(object, object)
    _publishState = Signal(int)
    _setGraphGrid = Signal(int)
    _setFocus = Signal(object)
    _setWeight = Signal(int, int, int, float)
    _setInsideStats = Signal(bool)
    _setLayerView = Signal(object)
    _showEpoch = Signal(int)
    _rewind = Signal(int, int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.run_id = 0
        self.running = False
        self.epoch = 0
        self.classes = 0          # the current run's number of classes (0: no data)
        self.closed = False
        self._state_seq = 0
        self.worker = w = TrainingWorker()
        self.host = WorkerHost(w, "trainingThread", self)
        self.host.commands([
            (self._configure, w.configure), (self._updateData, w.updateData),
            (self._updateTraining, w.updateTraining), (self._start, w.start),
            (self._pause, w.pause), (self._step, w.step), (self._setSpeed, w.setSpeed),
            (self._setStopEpoch, w.setStopEpoch),
            (self._setGridView, w.setGridView), (self._publishState, w.publishState),
            (self._setGraphGrid, w.setGraphGrid), (self._setFocus, w.setFocus),
            (self._setWeight, w.setWeight), (self._setInsideStats, w.setInsideStats),
            (self._setLayerView, w.setLayerView), (self._showEpoch, w.showEpoch),
            (self._rewind, w.rewind)])
        self.host.listen([
            (w.epochFinished, self._on_epoch), (w.gridReady, self._on_grid),
            (w.failed, self._on_failed), (w.runningChanged, self._on_worker_running),
            (w.statsReady, self._on_stats), (w.layerViewReady, self._on_layer_view),
            (w.rewound, self._on_rewound)])
        self.host.start()

    # ------------------------------------------------------------------ runs

    def new_run(self, config: RunConfig, dataset, view: tuple, weights: dict | None = None,
                epoch: int = 0, history: np.ndarray | None = None,
                optimizer: dict | None = None, snapshots: list | None = None) -> None:
        """Fresh weights for ``config`` and ``dataset`` (or ``weights`` at ``epoch`` with
        ``history``, the ``optimizer`` state and the timeline's ``snapshots``, for a
        restored session); keeps playing if it was, unless there is no data."""
        self.run_id += 1
        self.epoch = epoch
        self.classes = dataset.n_classes if dataset is not None else 0
        self.runReset.emit(self.run_id)
        self._configure.emit(RunPlan(self.run_id, config, dataset, weights, epoch, history,
                                     optimizer, snapshots))
        if dataset is None:  # no model: what the region showed belongs to no run now
            self.gridReady.emit({"run_id": self.run_id, "epoch": epoch, "probs": None,
                                 "bounds": view})
            if self.running:
                self.running = False
                self.runningChanged.emit(False)
        elif self.running:
            self._start.emit()

    def update_data(self, config: RunConfig, dataset) -> None:
        """The same run goes on with ``dataset`` (edited drawn points, same classes)."""
        self._updateData.emit(RunPlan(self.run_id, config, dataset))

    def update_training(self, config: RunConfig) -> None:
        """New optimiser, learning rate, schedule or batch size from the next step."""
        self._updateTraining.emit(config)

    def play(self) -> None:
        if not self.running:
            self.running = True
            self._start.emit()
            self.runningChanged.emit(True)

    def pause(self) -> None:
        self._pause.emit()
        if self.running:
            self.running = False
            self.runningChanged.emit(False)

    def step(self) -> None:
        """Pause and train exactly one more epoch."""
        self.pause()
        self._step.emit()

    def set_speed(self, epochs_per_frame: int) -> None:
        self._setSpeed.emit(int(epochs_per_frame))

    def set_stop_epoch(self, epoch: int) -> None:
        """The worker pauses at the end of ``epoch`` (0: never), exactly."""
        self._setStopEpoch.emit(int(epoch))

    def set_grid_view(self, bounds: tuple, size: int) -> None:
        self._setGridView.emit(bounds, grid_resolution(bounds, size))

    def set_graph_grid(self, coarse: int) -> None:
        """Grids carry every unit's map on a ``coarse`` x ``coarse`` grid (0: not)."""
        self._setGraphGrid.emit(int(coarse))

    def set_focus(self, unit: tuple[int, int] | None) -> None:
        """Grids carry (column, unit)'s values at full resolution (None: not)."""
        self._setFocus.emit(unit)

    def set_weight(self, layer: int, row: int, col: int, value: float) -> None:
        """The worker sets that weight of dense layer ``layer`` before its next step."""
        self._setWeight.emit(int(layer), int(row), int(col), float(value))

    def set_inside_stats(self, on: bool) -> None:
        """The worker computes the layer statistics (a few times a second) or not."""
        self._setInsideStats.emit(bool(on))

    def set_layer_view(self, view: tuple[int, int, int] | None) -> None:
        """The worker sends hidden layer ``view[0]`` through units ``view[1:]`` (None:
        not)."""
        self._setLayerView.emit(None if view is None else tuple(int(v) for v in view))

    def show_epoch(self, epoch: int | None) -> None:
        """Grids show the snapshot at or before ``epoch`` (None: the live network)."""
        self._showEpoch.emit(-1 if epoch is None else max(0, int(epoch)))

    def train_from(self, epoch: int) -> None:
        """A new run going on from the snapshot at or before ``epoch``: the replies of
        the old run are dropped, ``rewound`` brings the epoch and history it starts at."""
        if not self.classes:
            return
        self.run_id += 1
        self.runReset.emit(self.run_id)
        self._rewind.emit(self.run_id, int(epoch))

    def request_state(self, timeout: float) -> ModelState | None:
        """Copies of the worker's model, epoch and history, asked for between two of its
        ticks; None if it did not answer within ``timeout`` seconds."""
        self._state_seq += 1
        self._publishState.emit(self._state_seq)
        return self.worker.wait_for_state(self._state_seq, timeout)

    def shutdown(self, timeout_ms: int = 1000) -> bool:
        """Stop the worker and join its thread; True if it ended within ``timeout_ms``."""
        self.closed = True
        return self.host.shutdown(timeout_ms)

    # ------------------------------------------------------------------ worker replies

    def _on_epoch(self, metrics: dict) -> None:
        if metrics.get("run_id") == self.run_id:
            self.epoch = int(metrics["epoch"])
            self.epochFinished.emit(metrics)

    def _on_grid(self, payload: dict) -> None:
        if payload.get("run_id") == self.run_id:
            self.gridReady.emit(payload)

    def _on_stats(self, payload: dict) -> None:
        if payload.get("run_id") == self.run_id:
            self.statsReady.emit(payload)

    def _on_layer_view(self, payload: dict) -> None:
        if payload.get("run_id") == self.run_id:
            self.layerViewReady.emit(payload)

    def _on_rewound(self, run_id: int, epoch: int, history) -> None:
        if run_id == self.run_id:
            self.epoch = int(epoch)
            self.rewound.emit(int(epoch), history)

    def _on_failed(self, text: str) -> None:
        self.pause()
        self.failed.emit(text)

    def _on_worker_running(self, run_id: int, running: bool) -> None:
        # Mirror the worker's reports in order, so the last one wins.
        if run_id == self.run_id and running != self.running:
            self.running = running
            self.runningChanged.emit(running)
