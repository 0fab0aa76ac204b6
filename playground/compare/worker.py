"""The Compare tab's worker: trains every run of a comparison round-robin in ticks on the
shared runtime (``playground.runtime``: a ``WorkerHost`` thread, ``TickLoop`` ticks).

Each run is built by ``engine.compare.make_run`` (as the ``train`` command builds it) and
owns its model, trainer and random generators, so taking turns changes nothing in its
numbers: run i's are bit for bit those of its config trained alone. Every tick gives each
unfinished run an equal slice of about ``TICK_SECONDS``; about ten times a second the
runs that moved send a small grid of their predictions (2-D data only). A plan without a
data set (the image sets) loads each run's data here, off the GUI thread. Replies carry
the ``run_id`` of the comparison that made them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import Signal, Slot

from engine.compare import ComparedRun, data_key, make_run
from engine.datasets.loader import Dataset, load_dataset
from engine.errors import DataError, TrainingDiverged
from engine.grid import prediction_grid
from engine.serialize import model_state
from playground.runtime import BUILD_ERRORS, TICK_SECONDS, TickLoop, failure_message, quiet
from playground.two_d.run_history import epoch_history

#: seconds between two grids of the same run while it trains.
GRID_SECONDS = 0.1
#: BLAS threads while this worker ticks (the matrices are small; see the 2-D worker).
BLAS_THREADS = 1


@dataclass(frozen=True)
class ComparePlan:
    """A comparison: its id, the runs, the one data set they share (None: each run's
    config names its data, loaded by the worker), how many epochs each trains, and the
    grids' (xmin, xmax, ymin, ymax) (None: no grids) and (nx, ny)."""

    run_id: int
    runs: list[ComparedRun]
    dataset: Dataset | None
    epochs: int
    bounds: tuple[float, float, float, float] | None
    resolution: tuple[int, int] = (64, 64)


@dataclass
class _Run:
    index: int
    config: object
    model: object
    trainer: object
    done: bool = False
    moved: bool = field(default=True)
    history: object = field(default_factory=epoch_history)


class CompareWorker(TickLoop):
    """See the module docstring. ``failed`` and ``closed`` come from ``TickLoop``."""

    #: run_id, the epochs finished in one tick (each the trainer's metrics plus "run"): one
    #: signal a tick rather than one an epoch, since each wakes the window's thread
    epochsFinished = Signal(int, object)
    gridReady = Signal(object)          # {"run_id", "bounds", "task", "grids": {run: array}}
    runFailed = Signal(int, int, str)   # run_id, run index, one sentence (it diverged)
    runningChanged = Signal(int, bool)  # run_id, whether the worker now trains
    runState = Signal(int, int, object)  # run_id, run index, copies (see ``publishRun``)

    def __init__(self) -> None:
        super().__init__(blas_threads=BLAS_THREADS)
        self._plan: ComparePlan | None = None
        self._runs: list[_Run] = []
        self._running = False
        self._last_grid = 0.0
        self._epochs: list[dict] = []

    # ------------------------------------------------------------------ commands

    @Slot(object)
    def configure(self, plan: ComparePlan) -> None:
        """Build every run of ``plan`` from fresh weights (not training yet)."""
        self._stop_quietly()
        self.run_id = plan.run_id
        self._plan = plan
        self._runs = []
        loaded: dict[str, Dataset] = {}
        try:
            for run in plan.runs:
                data = plan.dataset
                if data is None:
                    key = data_key(run.config)
                    if key not in loaded:
                        try:
                            loaded[key] = load_dataset(run.config)
                        except DataError as e:
                            self._runs = []
                            self.failed.emit(f"Cannot load the data: {e}")
                            return
                    data = loaded[key]
                model, trainer = make_run(run.config, data)
                self._runs.append(_Run(run.index, run.config, model, trainer))
        except BUILD_ERRORS as e:
            self._runs = []
            self.report_unbuildable(e)
            return
        self._emit_grids()

    @Slot()
    def start(self) -> None:
        if self._running or not any(not r.done for r in self._runs):
            return
        self._running = True
        self.runningChanged.emit(self.run_id, True)
        self.arm(0)

    @Slot()
    def pause(self) -> None:
        self._send_epochs()  # before runningChanged: the page then shows every epoch
        was = self._running
        self._stop_quietly()
        if was:
            self._emit_grids()
            self.runningChanged.emit(self.run_id, False)

    @Slot(int, int)
    def publishRun(self, run_id: int, index: int) -> None:
        """Send copies of run ``index``'s config, weights, epoch, history and optimiser
        state as ``runState`` (between ticks, so never half-updated); nothing if the
        comparison ``run_id`` is no longer the current one."""
        run = next((r for r in self._runs if r.index == index), None)
        if run_id != self.run_id or run is None:
            return
        spec, weights = model_state(run.model)
        optimizer = run.trainer.optimizer.export_state()
        if not all(np.isfinite(a).all() for a in optimizer["arrays"].values()):
            optimizer = None  # a run that blew up: nothing worth continuing from
        self.runState.emit(run_id, index, {
            "config": run.config, "spec": spec, "weights": weights,
            "epoch": run.trainer.epoch, "history": run.history.array(),
            "optimizer": optimizer})

    def on_shutdown(self) -> None:
        self._running = False
        self._runs = []

    # ------------------------------------------------------------------ ticks

    def tick(self) -> int | None:
        try:
            return self._tick()
        finally:
            self._send_epochs()

    def _send_epochs(self) -> None:
        if self._epochs:
            self.epochsFinished.emit(self.run_id, self._epochs)
            self._epochs = []

    def _tick(self) -> int | None:
        if not self._running or self._plan is None:
            return None
        active = [r for r in self._runs if not r.done]
        if not active:
            self.pause()
            return None
        share = TICK_SECONDS / len(active)
        for run in active:
            self._train(run, time.perf_counter() + share)
            if self.stop_requested or not self._running:
                return None
        if time.perf_counter() - self._last_grid >= GRID_SECONDS:
            self._emit_grids()
        if all(r.done for r in self._runs):
            self.pause()
            return None
        return 0

    def _train(self, run: _Run, deadline: float) -> None:
        """Steps of ``run`` until ``deadline`` (at least one) or its last epoch."""
        trainer, target = run.trainer, self._plan.epochs
        while True:
            try:
                metrics = trainer.step()
            except TrainingDiverged as e:
                run.done = run.moved = True
                self.runFailed.emit(self.run_id, run.index, failure_message(e))
                return
            run.moved = True
            if metrics is not None:
                run.history.append(metrics)
                self._epochs.append(dict(metrics, run=run.index))
                if metrics["epoch"] >= target:
                    run.done = True
                    return
            if time.perf_counter() >= deadline or self.stop_requested:
                return

    def _stop_quietly(self) -> None:
        self._running = False
        self.disarm()

    def _emit_grids(self) -> None:
        plan = self._plan
        if plan is None or plan.bounds is None or not self._runs:
            return
        self._last_grid = time.perf_counter()
        grids = {}
        with quiet():  # a diverged model's NaNs are shown, not raised
            for run in self._runs:
                if not run.moved:
                    continue
                run.moved = False
                grids[run.index] = prediction_grid(run.model, plan.bounds, plan.resolution)
        if grids:
            self.gridReady.emit({"run_id": self.run_id, "bounds": plan.bounds,
                                 "task": plan.dataset.task, "grids": grids})


def data_bounds(dataset: Dataset, margin: float = 0.1) -> tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax) around every point of ``dataset``, ``margin`` of the
    larger side added on each side (a square-ish view that shows all the points)."""
    pts = np.concatenate([dataset.x_train[:, :2], dataset.x_test[:, :2]])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = margin * max(float((hi - lo).max()), 1e-6)
    return (float(lo[0] - pad), float(hi[0] + pad), float(lo[1] - pad), float(hi[1] + pad))
