"""Application state of the 2-D playground: the one ``RunConfig``, the data, and the
training worker on its thread.

Widgets never touch the engine. They send intent here (``edit({"optim": {"lr": 0.1}})``,
``play()``, ``add_points(...)``); the controller validates it into a new ``RunConfig``,
decides what it means for the run (new data, fresh weights, or settings applied from the
next step) and tells the worker through queued signals. What comes back from the worker
is filtered by ``run_id`` and re-emitted for the window.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal

from engine.build import build_model
from engine.datasets.loader import Dataset, load_dataset
from engine.errors import SpecError
from engine.spec import RunConfig

from .baseline import baseline_overlay
from .drawn import DrawnPoints
from .options import GRID_SIZE, choices, grid_resolution
from .points_commands import PointsCommands
from .session_commands import SessionCommands
from .worker import RunPlan, TrainingWorker, limit_blas_threads

#: the default run: moons, a 2-8-8-2 tanh network, Adam at 0.03.
DEFAULT_CONFIG = RunConfig()


class PlaygroundController(QObject, PointsCommands, SessionCommands):
    """Holds the run config and data, owns the worker thread; see the module docstring."""

    configChanged = Signal(dict)     # RunConfig.to_dict() after every accepted edit
    dataChanged = Signal(object)     # {"x_train", "y_train", "x_test", "y_test", "n_classes",
                                     #  "bounds", "reset_view"}
    runReset = Signal(int)           # a new run (fresh weights) started: clear the curves
    runningChanged = Signal(bool)
    epochFinished = Signal(dict)
    gridReady = Signal(object)
    baselineReady = Signal(object)   # None or {"probs", "bounds", "train_acc"}
    networkSummary = Signal(str)
    message = Signal(str)            # transient status text
    problem = Signal(str)            # something the user must read (bad input, divergence)
    historyRestored = Signal(object)  # float64 (E, len(HISTORY_COLUMNS)) of a restored run

    # commands to the worker (queued across threads)
    _configure = Signal(object)
    _updateData = Signal(object)
    _updateTraining = Signal(object)
    _start = Signal()
    _pause = Signal()
    _step = Signal()
    _stop = Signal()
    _setSpeed = Signal(int)
    _setGridView = Signal(object, object)
    _publishState = Signal(int)

    def __init__(self, config: RunConfig | None = None, points: tuple | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._config = (config or DEFAULT_CONFIG).validate()
        self.drawn = DrawnPoints(self._config.data.test_ratio, self._config.seed)
        if points is not None:
            X, y, test = points
            try:
                self.drawn.replace(np.asarray(X, np.float64).reshape(-1, 2),
                                   np.asarray(y, np.int64), np.asarray(test, bool),
                                   seed=self._config.seed)
            except (ValueError, TypeError):
                self.drawn.clear()
        if self._config.data.name == "drawn" and len(self.drawn) == 0 and points is None:
            self._config = self._config.with_changes(data={"name": DEFAULT_CONFIG.data.name})
        self.dataset: Dataset | None = None
        self.grid_size = GRID_SIZE
        self._run_id = 0
        self._run_classes = 0
        self._running = False
        self._epoch = 0
        self._view = (-1.5, 1.5, -1.5, 1.5)
        self._baseline_on = False
        self._data_problem = ""
        self._closed = False
        self._state_seq = 0
        #: counts changes (edits, data, epochs): an autosave is due when it moved.
        self.revision = 0
        for signal in (self.configChanged, self.dataChanged, self.runReset,
                       self.epochFinished, self.historyRestored):
            signal.connect(self._changed)
        self._start_thread()

    @classmethod
    def from_saved(cls, config_json: str, points: tuple | None,
                   parent: QObject | None = None) -> tuple[PlaygroundController, str]:
        """A controller restoring a saved config (JSON) and drawing; an unusable config
        falls back to the default, with the reason as the second value."""
        note = ""
        config = None
        if config_json:
            try:
                config = RunConfig.from_json(config_json).validate()
                if config.data.is_image or config.data.name == "csv":
                    config = config.with_changes(data={"name": DEFAULT_CONFIG.data.name})
            except (ValueError, TypeError) as e:
                note = f"The saved settings were not usable ({e}); starting from the defaults."
                config = None
        return cls(config, points, parent), note

    # ------------------------------------------------------------------ thread

    def _start_thread(self) -> None:
        limit_blas_threads()
        self._thread = QThread(self)
        self._thread.setObjectName("trainingThread")
        self.worker = TrainingWorker()
        self.worker.moveToThread(self._thread)
        w = self.worker
        for command, slot in ((self._configure, w.configure), (self._updateData, w.updateData),
                              (self._updateTraining, w.updateTraining), (self._start, w.start),
                              (self._pause, w.pause), (self._step, w.step),
                              (self._stop, w.stop), (self._setSpeed, w.setSpeed),
                              (self._setGridView, w.setGridView),
                              (self._publishState, w.publishState)):
            command.connect(slot, Qt.QueuedConnection)
        w.epochFinished.connect(self._on_epoch, Qt.QueuedConnection)
        w.gridReady.connect(self._on_grid, Qt.QueuedConnection)
        w.failed.connect(self._on_failed, Qt.QueuedConnection)
        w.runningChanged.connect(self._on_worker_running, Qt.QueuedConnection)
        # quit() is thread-safe; run it in the worker's thread right after stop().
        w.stopped.connect(self._thread.quit, Qt.DirectConnection)
        self._thread.finished.connect(w.deleteLater)
        app = QCoreApplication.instance()
        if app is not None:  # a window never closed must still not outlive its thread
            app.aboutToQuit.connect(self.shutdown)
        self._thread.start()

    def shutdown(self, timeout_ms: int = 1000) -> bool:
        """Stop the worker and join its thread; True if it ended within ``timeout_ms``."""
        if self._closed:
            return True
        self._closed = True
        for signal in (self.worker.epochFinished, self.worker.gridReady, self.worker.failed,
                       self.worker.runningChanged):
            signal.disconnect()
        self.worker.request_stop()
        self._stop.emit()
        return self._thread.wait(timeout_ms)

    # ------------------------------------------------------------------ state

    @staticmethod
    def choices() -> dict[str, object]:
        """What the widgets may offer (see the module-level ``choices``)."""
        return choices()

    @property
    def config(self) -> RunConfig:
        return self._config

    @property
    def is_running(self) -> bool:
        return self._running

    @property
    def epoch(self) -> int:
        return self._epoch

    @property
    def run_id(self) -> int:
        return self._run_id

    @property
    def data_problem(self) -> str:
        """Why there is nothing to train on ("" when there is)."""
        return self._data_problem

    def start(self) -> None:
        """Load the data and announce the initial state (call once the window listens)."""
        self.configChanged.emit(self._config.to_dict())
        self._reload_data(reset_view=True)

    def edit(self, changes: dict) -> bool:
        """Apply ``changes`` (``RunConfig.with_changes`` form); False, with a message and
        the widgets reverted, when the result is not a valid config."""
        old = self._config
        try:
            new = old.with_changes(**changes).validate()
        except (ValueError, TypeError) as e:
            self.problem.emit(str(e))
            self.configChanged.emit(old.to_dict())
            return False
        if new == old:
            return True
        problem = self._memory_problem(new, self.dataset, self._point_count(new))
        if problem:
            self.problem.emit(problem)
            self.configChanged.emit(old.to_dict())
            return False
        self._config = new
        self.configChanged.emit(new.to_dict())
        d_old, d_new = old.data, new.data
        if d_new.name == "drawn" and d_old.name != "drawn":
            self._copy_into_drawing()
            self._reload_data(reset_view=False)
        elif d_old != d_new or old.seed != new.seed:
            if d_new.name == "drawn":
                if (d_old.test_ratio, old.seed) != (d_new.test_ratio, new.seed):
                    self.drawn.resplit(d_new.test_ratio, new.seed)
                    self._reload_data(reset_view=False)
            else:
                self._reload_data(reset_view=d_old.name != d_new.name
                                  or d_old.noise != d_new.noise)
        elif old.model != new.model:
            self._new_run()
        else:
            self._updateTraining.emit(new)
        self._explain_batch(old, new)
        return True

    def regenerate(self) -> None:
        """New data (and initial weights) from the next seed."""
        self.edit({"seed": (self._config.seed + 1) % 2**32})

    # ------------------------------------------------------------------ run control

    def play(self) -> None:
        if self._running:
            return
        if not self._check_trainable():
            return
        self._running = True
        self._start.emit()
        self.runningChanged.emit(True)

    def pause(self) -> None:
        self._pause.emit()
        if self._running:
            self._running = False
            self.runningChanged.emit(False)

    def toggle(self) -> None:
        self.pause() if self._running else self.play()

    def step(self) -> None:
        """Pause and train exactly one more epoch."""
        if not self._check_trainable():
            return
        self.pause()
        self._step.emit()

    def reset(self) -> None:
        """Fresh weights (from the config's seed), epoch 0, paused."""
        self.pause()
        self._new_run()

    def set_speed(self, epochs_per_frame: int) -> None:
        """Epochs trained per displayed frame; 0 = as fast as possible."""
        self._setSpeed.emit(int(epochs_per_frame))

    def set_view(self, bounds: tuple[float, float, float, float]) -> None:
        """The decision plot shows ``bounds``: compute grids over exactly that range."""
        self._view = tuple(float(b) for b in bounds)
        self._setGridView.emit(self._view, grid_resolution(self._view, self.grid_size))
        if self._baseline_on:
            self._emit_baseline()

    def set_baseline(self, on: bool) -> None:
        self._baseline_on = bool(on)
        if on:
            self._emit_baseline()
        else:
            self.baselineReady.emit(None)

    def _check_trainable(self) -> bool:
        if self.dataset is None:
            self.problem.emit(self._data_problem or "There is no data to train on.")
            return False
        return True

    # ------------------------------------------------------------------ internals

    def _reload_data(self, reset_view: bool) -> None:
        self._data_problem = ""
        if self._config.data.name == "drawn":
            self._set_dataset_from_drawing()
        else:
            try:
                self.dataset = load_dataset(self._config)
            except (ValueError, MemoryError) as e:
                self.dataset = None
                self._data_problem = str(e)
                self.problem.emit(str(e))
        self._announce_data(reset_view)
        self._new_run()

    def _new_run(self, weights: dict | None = None, epoch: int = 0,
                 history: np.ndarray | None = None, optimizer: dict | None = None) -> None:
        """Fresh weights for the current config and data (or ``weights`` at ``epoch``
        with ``history`` and the ``optimizer`` state, for a restored session); keeps
        playing if it was."""
        self._run_id += 1
        self._epoch = epoch
        ds = self.dataset
        self._run_classes = ds.n_classes if ds is not None else 0
        self.runReset.emit(self._run_id)
        self._configure.emit(RunPlan(self._run_id, self._config, ds, weights, epoch,
                                     history, optimizer))
        self._emit_summary()
        if ds is None and self._running:
            self._running = False
            self.runningChanged.emit(False)
        elif self._running:
            self._start.emit()

    def _emit_summary(self) -> None:
        ds = self.dataset
        n_classes = ds.n_classes if ds is not None else max(self._config.data.classes, 2)
        try:
            model = build_model(self._config, (2,), n_classes, np.random.default_rng(0))
        except (SpecError, ValueError) as e:
            self.networkSummary.emit(str(e))
            return
        m = self._config.model
        outputs = model.loss_fn.output_size(n_classes)
        widths = [str(len(m.features)), *map(str, m.hidden), str(outputs)]
        self.networkSummary.emit(f"{' → '.join(widths)}  ·  {model.num_parameters():,} "
                                 f"parameters")

    def _point_count(self, config: RunConfig) -> int:
        """How many points ``config`` trains on (drawn: the drawing; else generated)."""
        if config.data.name == "drawn":
            return len(self.drawn) if self._config.data.name == "drawn" else \
                len(self.all_points()[1])
        return config.data.samples

    def _explain_batch(self, old: RunConfig, new: RunConfig) -> None:
        ds = self.dataset
        if new.batch_size != old.batch_size and ds is not None \
                and new.batch_size > len(ds.x_train):
            self.message.emit(f"Batch size {new.batch_size} is more than the "
                              f"{len(ds.x_train)} training points: each step uses all of "
                              f"them (full batch).")

    def _changed(self, *_args) -> None:
        self.revision += 1

    def _emit_baseline(self) -> None:
        self.baselineReady.emit(baseline_overlay(self.dataset, self._view))

    # ------------------------------------------------------------------ worker replies

    def _on_epoch(self, metrics: dict) -> None:
        if metrics.get("run_id") != self._run_id:
            return
        self._epoch = int(metrics["epoch"])
        self.epochFinished.emit(metrics)

    def _on_grid(self, payload: dict) -> None:
        if payload.get("run_id") == self._run_id:
            self.gridReady.emit(payload)

    def _on_failed(self, text: str) -> None:
        self.pause()
        self.problem.emit(text)

    def _on_worker_running(self, run_id: int, running: bool) -> None:
        # Mirror the worker's reports in order, so the last one wins.
        if run_id == self._run_id and running != self._running:
            self._running = running
            self.runningChanged.emit(running)
