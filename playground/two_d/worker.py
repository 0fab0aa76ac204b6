"""The 2-D page's training worker: runs the engine's ``Trainer`` in ticks on the shared
runtime (``playground.runtime``: a ``WorkerHost`` thread, ``TickLoop`` ticks).

The controller talks to it only through queued signals connected to the typed slots
below. Training advances in short ticks (~20 ms of mini-batches), so Pause/Step land
between ticks. Every outgoing signal carries copies and the ``run_id`` of the run that
produced it, so the controller can drop what a Reset made stale.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
from PySide6.QtCore import Signal, Slot

from engine.build import build_model
from engine.datasets.loader import Dataset
from engine.errors import EngineError
from engine.grid import prediction_grid
from engine.presets import build_optimizer
from engine.serialize import copy_state_into, model_state
from engine.spec import RunConfig
from engine.trainer import Trainer
from engine.unit_grid import dense_layers, network_grid
from playground.inside_pace import InsidePace
from playground.landscape.trajectory import TrajectoryRecorder
from playground.runtime import BUILD_ERRORS, TICK_SECONDS, TickLoop, quiet
from playground.two_d import inside
from playground.two_d.run_history import epoch_history, restored_steps
from playground.two_d.run_plan import ModelState, RunPlan, trainer_data
from playground.two_d.timeline import RunTimeline

#: the decision grid is recomputed at most this often while training (40 frames/s, so
#: the display keeps above 30 redraws/s with a frame dropped now and then).
FRAME_SECONDS = 1 / 40
#: points of the regression curve y(x1) sent with every grid.
CURVE_POINTS = 400
#: the next grid waits at least this many times the last one's cost (see ``tick``).
GRID_SHARE = 3.0


#: the "Inside the network" views are recomputed at most this often while training (4/s)
#: and take at most 1 / (1 + INSIDE_SHARE) of the worker's time.
INSIDE_SECONDS = 0.25
INSIDE_SHARE = 3.0


#: BLAS threads while this worker ticks. The playground's matrices are small (at most a
#: few thousand rows by 64 columns), where a second BLAS thread only spins against the UI
#: thread for the same cores: 25600x8 @ 8x8 float32 took 1.7 ms with two threads and
#: 0.7 ms with one on a 2-core machine.
BLAS_THREADS = 1


class TrainingWorker(TickLoop):
    """Owns the model and trainer of the current run; see the module docstring.
    ``failed`` (one sentence: divergence or a network that cannot be built) and
    ``closed`` come from ``TickLoop``."""

    epochFinished = Signal(dict)   # the trainer's epoch metrics plus "run_id"
    # {"run_id", "epoch", "bounds", "probs" (ny, nx, K) float32, and with the graph on
    #  "graph" (an engine.unit_grid.NetworkGrid of copies; its focus: the hovered unit)};
    # a regression run's "probs" is None, and "values" (ny, nx) float32 are its predicted
    # values, "curve" (xs, ys) its fitted line along x1 at x2 = 0
    gridReady = Signal(object)
    runningChanged = Signal(int, bool)  # run_id, whether the worker is now training
    # playground.two_d.inside.stats_payload plus "run_id", "epoch", "steps" (only while
    # setInsideStats(True))
    statsReady = Signal(object)
    # playground.two_d.inside.layer_view_payload plus "run_id", "epoch" (only while a
    # layer view is set)
    layerViewReady = Signal(object)
    # run_id, epoch, history (E, columns): the run went back to that epoch's snapshot
    rewound = Signal(int, int, object)

    def __init__(self) -> None:
        super().__init__(blas_threads=BLAS_THREADS)
        self._config: RunConfig | None = None
        self._model = None
        self._trainer: Trainer | None = None
        self._running = False
        self._speed = 0            # epochs per displayed frame; 0 = as fast as possible
        self._stop_epoch = 0       # pause at the end of this epoch (0: never)
        self._frame_start = 0.0
        self._frame_epochs = 0
        self._bounds: tuple[float, float, float, float] = (-1.5, 1.5, -1.5, 1.5)
        self._resolution: tuple[int, int] = (160, 160)
        self._grid_dirty = False
        self._last_grid = 0.0
        self._grid_cost = 0.0      # seconds the last grid took
        self._graph_size = 0       # coarse grid of the network graph (0: graph hidden)
        self._focus: tuple[int, int] | None = None
        self._history = epoch_history()
        self._restored_epoch = 0
        self._stats_on = False
        self._view: tuple[int, int, int] | None = None   # (hidden layer, unit x, unit y)
        self._probe: tuple[np.ndarray, np.ndarray] | None = None
        self._view_points: tuple[np.ndarray, np.ndarray] | None = None
        self._inside_pace = InsidePace(INSIDE_SECONDS, INSIDE_SHARE)
        #: payloads computed (tests check that nothing is computed with the views closed)
        self.stats_computed = 0
        self.views_computed = 0
        # the last published ModelState and the request it answered (any thread reads)
        self._state_cond = threading.Condition()
        self._state: ModelState | None = None
        self._state_seq = 0
        self.trajectory = TrajectoryRecorder()  # weight snapshots for the loss landscape
        self.timeline = RunTimeline()           # snapshots for the timeline slider

    # ------------------------------------------------------------------ commands

    @Slot(object)
    def configure(self, plan: RunPlan) -> None:
        """Start run ``plan.run_id`` from fresh weights (paused); no data means no model."""
        self._pause_quietly()
        self.run_id = plan.run_id
        self._config = plan.config
        self._model = self._trainer = None
        self._history = epoch_history(plan.history)
        self._restored_epoch = plan.epoch
        self._probe = self._view_points = None
        self.timeline.clear()
        if plan.dataset is None:
            return
        try:
            rng = np.random.default_rng(plan.config.seed)
            self._model = build_model(plan.config, plan.dataset.input_shape,
                                      plan.dataset.n_classes, rng=rng)
            if plan.weights is not None:
                copy_state_into(self._model, plan.weights, "the restored session")
            optimizer = build_optimizer(plan.config)
            if plan.weights is not None and plan.optimizer is not None:
                try:
                    optimizer.import_state(plan.optimizer, self._model)
                except EngineError:
                    pass  # saved for another rule or network: its moments start afresh
            self._trainer = self._make_trainer(plan.config, plan.dataset, optimizer, rng)
            self._trainer.epoch = plan.epoch
            self._trainer.steps = restored_steps(plan.history)
            self.trajectory.start(self._model, plan.epoch)
            self.timeline.start(self._model, self._trainer, plan.snapshots)
        except BUILD_ERRORS as e:
            self._model = self._trainer = None
            self.report_unbuildable(e)
            return
        self._emit_grid()

    @Slot(object)
    def updateData(self, plan: RunPlan) -> None:
        """Swap the data of the current run, keeping the weights (edited drawn points)."""
        if plan.run_id != self.run_id or self._model is None or plan.dataset is None:
            self.configure(plan)
            return
        old = self._trainer
        self._config = plan.config
        self._probe = self._view_points = None
        self._trainer = self._make_trainer(plan.config, plan.dataset, old.optimizer, old.rng)
        self._trainer.epoch, self._trainer.steps = old.epoch, old.steps
        self._trainer.base_lr = old.base_lr
        self._emit_grid()

    @Slot(object)
    def updateTraining(self, config: RunConfig) -> None:
        """Apply a new optimiser, learning rate, schedule or batch size from the next step,
        keeping the weights (and the optimiser's state when only its settings changed)."""
        self._config = config
        t = self._trainer
        if t is None:
            return
        try:
            opt = build_optimizer(config)
        except EngineError as e:
            self.failed.emit(str(e))
            return
        if type(opt) is type(t.optimizer):
            # Same rule: keep its moments, copy the new hyper-parameters over.
            for key in ("lr", "l1", "l2", "clip_norm", "momentum", "beta1", "beta2", "rho"):
                if hasattr(opt, key):
                    setattr(t.optimizer, key, getattr(opt, key))
            opt = t.optimizer
        t.set_optimizer(opt)
        t.schedule = config.schedule
        n = len(t.x_train)
        bs = n if not config.batch_size else min(config.batch_size, n)
        if bs != t.batch_size:
            new = self._make_trainer(config, trainer_data(t), opt, t.rng)
            new.epoch, new.steps, new.base_lr = t.epoch, t.steps, t.base_lr
            self._trainer = new

    @Slot()
    def start(self) -> None:
        if self._trainer is None or self._running:
            return
        self._running = True
        self._frame_start, self._frame_epochs = time.perf_counter(), 0
        self.runningChanged.emit(self.run_id, True)
        self.arm(0)

    @Slot()
    def pause(self) -> None:
        was = self._running
        self._pause_quietly()
        if was:
            self.runningChanged.emit(self.run_id, False)

    @Slot()
    def step(self) -> None:
        """Pause, then train to the end of the current epoch (exactly one epoch more)."""
        self.pause()
        if self._trainer is None:
            return
        ok, _ = self.work(self._trainer.run_epoch)
        if ok:
            self._emit_grid()

    @Slot(int)
    def setSpeed(self, epochs_per_frame: int) -> None:
        self._speed = max(0, int(epochs_per_frame))

    @Slot(int)
    def setStopEpoch(self, epoch: int) -> None:
        """Pause when training reaches the end of ``epoch`` (0: never); exact, even at
        full speed, since the worker checks it after every epoch."""
        self._stop_epoch = max(0, int(epoch))

    @Slot(object, object)
    def setGridView(self, bounds: tuple, resolution: tuple) -> None:
        """Compute later grids over ``bounds`` (xmin, xmax, ymin, ymax) at (nx, ny)."""
        self._bounds = tuple(float(b) for b in bounds)
        self._resolution = (int(resolution[0]), int(resolution[1]))
        if self._model is not None:
            self._emit_grid()

    @Slot(int)
    def setGraphGrid(self, coarse: int) -> None:
        """Also compute every unit's map on a ``coarse`` x ``coarse`` grid (0: not)."""
        self._graph_size = max(0, int(coarse))
        if self._model is not None:
            self._emit_grid()

    @Slot(object)
    def setFocus(self, unit) -> None:
        """Send (column, unit)'s values at the grid's full resolution too (None: not)."""
        self._focus = None if unit is None else (int(unit[0]), int(unit[1]))
        if self._model is not None:
            self._emit_grid()

    @Slot(int, int, int, float)
    def setWeight(self, layer: int, row: int, col: int, value: float) -> None:
        """Set weight (row, col) of dense layer ``layer`` (the graph's link from unit
        ``row`` of column ``layer`` to unit ``col`` of the next) to ``value``. The
        optimiser's moments stay as they were; the next step starts from the new value."""
        if self._model is None:
            return
        dense = dense_layers(self._model)
        if not 0 <= layer < len(dense):
            return
        w = dense[layer].params["W"]
        if not (0 <= row < w.shape[0] and 0 <= col < w.shape[1]) or not np.isfinite(value):
            return
        w[row, col] = value
        self._emit_grid()

    @Slot(int)
    def showEpoch(self, epoch: int) -> None:
        """Draw the region and graph from the snapshot at or before ``epoch`` while
        training goes on (-1: from the live network again)."""
        self.timeline.show(None if epoch < 0 else epoch)
        if self._model is not None:
            self._emit_grid()

    @Slot(int, int)
    def rewind(self, run_id: int, epoch: int) -> None:
        """Go on as run ``run_id`` from the snapshot at or before ``epoch`` ("Train from
        here"): the same weights, optimiser moments, generator and history as then, so
        training on repeats what followed unless a setting changed."""
        if self._trainer is None or self._model is None:
            return
        was = self._running
        self._pause_quietly()
        self.run_id = run_id
        t = self._trainer
        new = self._make_trainer(self._config, trainer_data(t), t.optimizer, t.rng)
        new.base_lr = t.base_lr
        self._trainer = new
        snapshot = self.timeline.rewind(self._model, new, epoch)
        rows = self._history.array()
        self._history = epoch_history(rows[rows[:, 0] <= snapshot.epoch])  # column: epoch
        self.trajectory.start(self._model, snapshot.epoch)
        self.rewound.emit(run_id, snapshot.epoch, self._history.array())
        self._emit_grid()
        if was:
            self.start()

    @Slot(bool)
    def setInsideStats(self, on: bool) -> None:
        """Compute the layer statistics (``statsReady``) from now on (True) or not."""
        self._stats_on = bool(on)
        if self._stats_on:
            self._emit_inside(force=True, stats=True, view=False)

    @Slot(object)
    def setLayerView(self, view) -> None:
        """Send hidden layer ``view[0]``'s units (``view[1]``, ``view[2]``) as
        ``layerViewReady`` from now on (None: not)."""
        self._view = None if view is None else tuple(int(v) for v in view)
        if self._view is not None:
            self._emit_inside(force=True, stats=False, view=True)

    def on_shutdown(self) -> None:
        """The thread ends: stop training and drop the model."""
        self._running = False
        self._model = self._trainer = None

    @Slot(int)
    def publishState(self, seq: int) -> None:
        """Publish copies of the weights, epoch and history as answer ``seq`` (read with
        ``wait_for_state``). Runs between ticks, so the copy is never half-updated."""
        state = self.current_state()
        with self._state_cond:
            self._state, self._state_seq = state, int(seq)
            self._state_cond.notify_all()

    def wait_for_state(self, seq: int, timeout: float) -> ModelState | None:
        """Thread-safe: the state published as answer ``seq`` or later; None if it did
        not come within ``timeout`` seconds (e.g. a long epoch is still running)."""
        with self._state_cond:
            if self._state_cond.wait_for(lambda: self._state_seq >= seq, timeout):
                return self._state
        return None

    def current_state(self) -> ModelState:
        """Copies of the current run's model, epoch and history (worker thread only)."""
        spec = weights = optimizer = None
        if self._model is not None:
            spec, weights = model_state(self._model)
        if self._trainer is not None:
            optimizer = self._trainer.optimizer.export_state()
            if not all(np.isfinite(a).all() for a in optimizer["arrays"].values()):
                optimizer = None  # after a blow-up: nothing worth continuing from
        epoch = self._trainer.epoch if self._trainer is not None else self._restored_epoch
        return ModelState(self.run_id, epoch, spec, weights, self._history.array(),
                          optimizer, trajectory=self.trajectory.snapshots(self._model),
                          snapshots=self.timeline.snapshots() if self._model else None)

    # ------------------------------------------------------------------ internals

    def _make_trainer(self, config: RunConfig, dataset: Dataset, optimizer, rng) -> Trainer:
        return Trainer(self._model, optimizer, dataset.x_train, dataset.y_train,
                       dataset.x_test, dataset.y_test, batch_size=config.batch_size or None,
                       schedule=config.schedule, rng=rng, on_epoch=self._on_epoch,
                       should_stop=lambda: self.stop_requested)

    def _pause_quietly(self) -> None:
        self._running = False
        self.disarm()

    def _on_epoch(self, metrics: dict[str, Any]) -> None:
        self._frame_epochs += 1
        self._grid_dirty = True
        self._history.append(metrics)
        self.trajectory.record(self._model, metrics["epoch"])
        self.timeline.record(self._model, self._trainer)
        self.epochFinished.emit(dict(metrics, run_id=self.run_id))
        if self._stop_epoch and metrics["epoch"] == self._stop_epoch and self._running:
            self.pause()  # the tick's loop sees it and ends after this step

    def tick(self) -> int | None:
        if not self._running or self._trainer is None:
            return None
        now = time.perf_counter()
        if now - self._frame_start >= FRAME_SECONDS:
            self._frame_start, self._frame_epochs = now, 0
        # End the tick when the next frame's grid is due (frames are counted from the start
        # of the last grid, so computing it does not slow the frame rate down).
        deadline = max(min(now + TICK_SECONDS, self._last_grid + self._grid_interval()),
                       now + 0.001)
        trainer = self._trainer
        while time.perf_counter() < deadline and not self.stop_requested and self._running:
            if self._speed and self._frame_epochs >= self._speed:
                break
            trainer.step()
            self._grid_dirty = True
        if self.stop_requested:
            return None
        now = time.perf_counter()
        if self._grid_dirty and now - self._last_grid >= self._grid_interval() - 0.001 \
                and self.timeline.shown is None:  # a shown snapshot does not change
            self._emit_grid()
        if self._speed and self._frame_epochs >= self._speed:
            wait = self._frame_start + FRAME_SECONDS - time.perf_counter()
            return max(0, int(wait * 1000))
        return 0

    def _grid_interval(self) -> float:
        """Seconds from one grid to the next while training. A grid costs a forward pass
        over ~20,000 points (and every unit's map with the graph shown): a big network's
        (8 x 64: ~33 ms) would leave no time to train at 40 frames/s, so grids take at
        most a third of the worker's time."""
        return max(FRAME_SECONDS, GRID_SHARE * self._grid_cost)

    def on_failure(self, error: BaseException) -> None:
        """Divergence or a failed step: pause, show the last grid, say why."""
        self.pause()
        self._emit_grid()
        super().on_failure(error)

    def _emit_grid(self) -> None:
        if self._model is None:
            return
        self._last_grid = time.perf_counter()
        graph = None
        model, shown = self.timeline.shown_model(self._model)
        with quiet():  # a diverged model's NaNs are shown, not raised
            regression = model.task == "regression"
            if self._graph_size or self._focus is not None:
                graph = network_grid(model, self._bounds, self._resolution,
                                     max(2, self._graph_size), self._focus)
                grid = graph.probs[..., 0] if regression else graph.probs
            else:
                grid = prediction_grid(model, self._bounds, self._resolution)
            payload = {"run_id": self.run_id, "bounds": self._bounds, "graph": graph}
            if regression:
                payload.update(probs=None, values=grid, curve=self._curve(model))
            else:
                payload["probs"] = grid
        if shown is None:
            self._grid_dirty = False
            self._grid_cost = time.perf_counter() - self._last_grid
        live = self._trainer.epoch if self._trainer is not None else 0
        payload["epoch"] = live if shown is None else shown
        payload["snapshot"] = shown is not None   # an earlier epoch, not the live network
        self.gridReady.emit(payload)
        self._emit_inside(force=not self._running)

    def _emit_inside(self, force: bool, stats: bool = True, view: bool = True) -> None:
        """The open inside views' payloads: at once when ``force`` (paused, a new run, a
        view just opened), else when INSIDE_SECONDS (or INSIDE_SHARE times their cost)
        have passed since the last ones."""
        stats, view = stats and self._stats_on, view and self._view is not None
        if self._trainer is None or not (stats or view):
            return
        start = self._inside_pace.start(force)
        if start is None:
            return
        t = self._trainer
        with quiet():
            if stats:
                if self._probe is None:
                    self._probe = inside.probe_batch(t.x_train, t.y_train)
                payload = inside.stats_payload(self._model, *self._probe)
                self.stats_computed += 1
                self.statsReady.emit(dict(payload, run_id=self.run_id, epoch=t.epoch,
                                          steps=t.steps))
            if view:
                if self._view_points is None:
                    self._view_points = inside.probe_batch(t.x_train, t.y_train,
                                                           inside.VIEW_POINTS)
                payload = inside.layer_view_payload(self._model, *self._view_points,
                                                    *self._view)
                self.views_computed += 1
                self.layerViewReady.emit(dict(payload, run_id=self.run_id, epoch=t.epoch))
        self._inside_pace.done(start)

    def _curve(self, model) -> tuple[np.ndarray, np.ndarray]:
        """The regression ``model`` along x1 at x2 = 0 over the view: (xs, ys) float64,
        the 1-D curve view's fitted line."""
        xs = np.linspace(self._bounds[0], self._bounds[1], CURVE_POINTS)
        pts = np.column_stack([xs, np.zeros_like(xs)]).astype(model.dtype)
        return xs, np.asarray(model.predict(pts), np.float64).reshape(-1)

