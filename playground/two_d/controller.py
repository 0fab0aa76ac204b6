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
from PySide6.QtCore import QObject, Signal

from engine.spec import RunConfig
from playground.runtime import WorkerHost
from playground.two_d.baseline import baseline_overlay
from playground.two_d.options import (
    GRID_SIZE,
    TASK_DEFAULT_DATA,
    batch_note,
    choices,
    memory_problem,
    network_summary,
    saved_config,
)
from playground.two_d.points import DEFAULT_BOUNDS, DrawnPoints, PageData
from playground.two_d.session_file import Session
from playground.two_d.sessions import SessionKeeper
from playground.two_d.training_run import TrainingRun
from playground.two_d.undo import PageState, UndoRecorder
from playground.two_d.watch import RunWatch
from playground.two_d.worker import ModelState

#: the default run: moons, a 2-8-8-2 tanh network, Adam at 0.03.
DEFAULT_CONFIG = RunConfig()


class PlaygroundController(QObject):
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
    undoableEdit = Signal(object, object, str)  # PageState before, after, what it was

    def __init__(self, config: RunConfig | None = None, points: tuple | None = None,
                 parent: QObject | None = None, value_points: tuple | None = None) -> None:
        super().__init__(parent)
        self._config = (config or DEFAULT_CONFIG).validate()
        self.data = PageData(self._config.data.test_ratio, self._config.seed,
                             self._config.data.task)
        #: snapshot, restore and exports of this controller's state
        self.sessions = SessionKeeper(self)
        for task, remembered in (("classification", points), ("regression", value_points)):
            if remembered is not None:
                self.data.restore_drawing(remembered, self._config.seed, task)
        remembered = value_points if self._config.data.is_regression else points
        if self._config.data.name == "drawn" and len(self.drawn) == 0 and remembered is None:
            self._config = self._config.with_changes(
                data={"name": TASK_DEFAULT_DATA[self._config.data.task]})
        self.grid_size = GRID_SIZE
        self._view = DEFAULT_BOUNDS
        self._baseline_on = False
        #: auto-stop limits and the "stuck" / "oscillating" verdicts of the current run
        self.watch = RunWatch()
        #: records edits for undo (the page keeps the stack; ``undo.restore`` goes back)
        self.undo = UndoRecorder(self.state, self.undoableEdit.emit)
        #: counts changes (edits, data, epochs): an autosave is due when it moved.
        self.revision = 0
        for signal in (self.configChanged, self.dataChanged, self.runReset,
                       self.epochFinished, self.historyRestored):
            signal.connect(self._changed)
        #: the run on the worker thread (only the current run's replies come out of it)
        self.run = TrainingRun(self)
        self.run.runReset.connect(self.runReset)
        self.run.runningChanged.connect(self.runningChanged)
        self.run.gridReady.connect(self.gridReady)
        self.run.epochFinished.connect(self._on_epoch)
        self.run.failed.connect(self.problem)
        self.run.rewound.connect(self._on_rewound)

    @classmethod
    def from_saved(cls, config_json: str, points: tuple | None,
                   parent: QObject | None = None, value_points: tuple | None = None
                   ) -> tuple[PlaygroundController, str]:
        """A controller restoring a saved config (JSON) and drawings (of classes and of
        values); an unusable config falls back to the default, with the reason as the
        second value."""
        config, note = saved_config(config_json, DEFAULT_CONFIG.data.name)
        return cls(config, points, parent, value_points), note

    def shutdown(self, timeout_ms: int = 1000) -> bool:
        """Stop the worker and join its thread; True if it ended within ``timeout_ms``."""
        return self.run.shutdown(timeout_ms)

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
        return self.run.running

    @property
    def epoch(self) -> int:
        return self.run.epoch

    @property
    def run_id(self) -> int:
        return self.run.run_id

    @property
    def host(self) -> WorkerHost:
        return self.run.host

    @property
    def worker(self):
        return self.run.worker

    @property
    def drawn(self) -> DrawnPoints:
        """The user's own points of the current task (classes, or values for regression):
        the data set while the config's data is "drawn"."""
        return self.data.drawn

    def drawing(self, task: str) -> DrawnPoints:
        """The drawing of ``task`` (each problem keeps its own)."""
        return self.data.drawings[task]

    @property
    def task(self) -> str:
        """"classification" or "regression" (the config's ``data.task``)."""
        return self._config.data.task

    @property
    def dataset(self):
        """The ``Dataset`` trained on; None when there is nothing to train on."""
        return self.data.dataset

    @property
    def data_problem(self) -> str:
        """Why there is nothing to train on ("" when there is)."""
        return self.data.problem

    @property
    def closed(self) -> bool:
        """The worker thread has been shut down."""
        return self.run.closed

    def start(self) -> None:
        """Load the data and announce the initial state (call once the window listens)."""
        self.configChanged.emit(self._config.to_dict())
        self._reload_data(reset_view=True)

    def edit(self, changes: dict) -> bool:
        """Apply ``changes`` (``RunConfig.with_changes`` form); False, with a message and
        the widgets reverted, when the result is not a valid config."""
        with self.undo.record("Edit settings"):
            return self._edit(changes)

    def _edit(self, changes: dict) -> bool:
        old = self._config
        try:
            new = old.with_changes(**changes).validate()
        except (ValueError, TypeError) as e:
            self.problem.emit(str(e))
            self.configChanged.emit(old.to_dict())
            return False
        if new == old:
            return True
        problem = memory_problem(new, self.dataset, self.data.point_count(new, old))
        if problem:
            self.problem.emit(problem)
            self.configChanged.emit(old.to_dict())
            return False
        self._config = new
        self.data.task = new.data.task
        self.configChanged.emit(new.to_dict())
        d_old, d_new = old.data, new.data
        if d_old.task != d_new.task:
            self._reload_data(reset_view=True)  # the other problem's data and a new net
        elif d_new.name == "drawn" and d_old.name != "drawn":
            # The points on screen become the drawing, split as they were: the run goes
            # on with its weights, as after any later edit of the drawing.
            self.data.copy_into_drawing(new)
            self._data_edited()
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
            self.run.update_training(new)
        note = batch_note(old, new, self.dataset)
        if note:
            self.message.emit(note)
        return True

    def regenerate(self) -> None:
        """New data (and initial weights) from the next seed."""
        self.edit({"seed": (self._config.seed + 1) % 2**32})

    # ------------------------------------------------------------------ run control

    def play(self) -> None:
        if self.run.running or not self._check_trainable():
            return
        self.run.play()

    def pause(self) -> None:
        self.run.pause()

    def toggle(self) -> None:
        self.pause() if self.run.running else self.play()

    def step(self) -> None:
        """Pause and train exactly one more epoch."""
        if self._check_trainable():
            self.run.step()

    def reset(self) -> None:
        """Fresh weights (from the config's seed), epoch 0, paused."""
        self.pause()
        self._new_run()

    def set_speed(self, epochs_per_frame: int) -> None:
        """Epochs trained per displayed frame; 0 = as fast as possible."""
        self.run.set_speed(epochs_per_frame)

    def set_auto_stop(self, max_epochs: int = 0, patience: int = 0) -> None:
        """Pause after ``max_epochs`` epochs, or when the test loss has not improved for
        ``patience`` epochs (0: never), saying why."""
        self.watch.set_limits(max_epochs, patience)
        self.run.set_stop_epoch(max_epochs)  # exact: the worker pauses right there

    def set_view(self, bounds: tuple[float, float, float, float]) -> None:
        """The decision plot shows ``bounds``: compute grids over exactly that range."""
        self._view = tuple(float(b) for b in bounds)
        self.run.set_grid_view(self._view, self.grid_size)
        if self._baseline_on:
            self._emit_baseline()

    def show_epoch(self, epoch: int | None) -> None:
        """The region and graph show the timeline's snapshot at or before ``epoch`` while
        training goes on (None: the live network)."""
        self.run.show_epoch(epoch)

    def train_from(self, epoch: int) -> None:
        """"Train from here": the run goes back to the snapshot at or before ``epoch``
        and goes on from there as a new run (playing if it was)."""
        if self._check_trainable():
            self.run.train_from(epoch)

    def set_baseline(self, on: bool) -> None:
        self._baseline_on = bool(on)
        if on:
            self._emit_baseline()
        else:
            self.baselineReady.emit(None)

    def _check_trainable(self) -> bool:
        if self.dataset is None:
            self.problem.emit(self.data_problem or "There is no data to train on.")
            return False
        return True

    # ------------------------------------------------------------------ points and files

    def add_points(self, xs, ys, label: float) -> None:
        """Add points of class ``label`` at data coordinates (regression: of value
        ``label``); switches to the drawing."""
        with self.undo.record("Draw points"):
            self._add_points(xs, ys, label)

    def _add_points(self, xs, ys, label: float) -> None:
        self._ensure_drawing()
        values = self.drawn.values
        if not values and 0 <= label <= 4 and label >= self._config.data.classes:
            self.edit({"data": {"classes": int(label) + 1}})
        try:
            self.drawn.add(xs, ys, float(label) if values else int(label))
        except ValueError as e:
            self.problem.emit(str(e))
            return
        self._data_edited()

    def erase_points(self, x: float, y: float, radius: float) -> int:
        with self.undo.record("Erase points"):
            self._ensure_drawing()
            return self._erase(x, y, radius)

    def _erase(self, x: float, y: float, radius: float) -> int:
        removed = self.drawn.erase(float(x), float(y), float(radius))
        if removed:
            self._data_edited()
        return removed

    def clear_points(self) -> None:
        with self.undo.record("Clear points"):
            self._ensure_drawing()
            self.drawn.clear()
            self._data_edited()

    def state(self) -> PageState:
        """The config and copies of the drawing, for undo."""
        d = self.drawn
        return PageState(self._config, d.X.copy(), d.y.copy(), d.test_mask)

    def replace_drawing(self, X, y, test) -> None:
        """Put a drawing back (undo/redo): the run keeps its weights if the classes do."""
        if len(X):
            self.drawn.replace(X, y, test, seed=self._config.seed)
        else:
            self.drawn.clear()
        if self._config.data.name == "drawn":
            self._data_edited()

    def open_csv(self, path: str) -> int:
        """Load points from a CSV file into the drawing; ``DataError`` leaves all as it was."""
        with self.undo.record("Open data"):
            return self._open_csv(path)

    def _open_csv(self, path: str) -> int:
        n, classes, task = self.data.read_csv(path, self._config)
        changes = {"name": "drawn", "task": task}
        if task == "classification":
            changes["classes"] = classes
        self._config = self._config.with_changes(data=changes)
        self.configChanged.emit(self._config.to_dict())
        self._reload_data(reset_view=True)
        return n

    def save_csv(self, path: str) -> int:
        """Write every point (train and test) to ``path``; ``DataError`` on failure."""
        return self.data.write_csv(path, self._config)

    def all_points(self) -> tuple[np.ndarray, np.ndarray]:
        """All points on screen: ``X`` float64 (N, 2), ``y`` int64 (N,)."""
        return self.data.all_points(self._config)

    def _ensure_drawing(self) -> None:
        if self._config.data.name != "drawn":
            self.edit({"data": {"name": "drawn"}})

    def _data_edited(self) -> None:
        had_problem = bool(self.data.problem)
        self.data.from_drawing()
        if had_problem and not self.data.problem:  # the old sentence must not stay up
            self.message.emit(f"The drawing has points of {self.dataset.n_classes} classes "
                              f"now: training can go on.")
        self._announce_data(reset_view=False)
        ds = self.dataset
        if ds is None:
            self.pause()
            self._new_run()
        elif ds.n_classes == self.run.classes:
            self.run.update_data(self._config, ds)
        else:
            self._new_run()

    def _announce_data(self, reset_view: bool) -> None:
        self.dataChanged.emit(self.data.view(self._config, reset_view))
        if self._baseline_on:
            self._emit_baseline()

    # ------------------------------------------------------------------ sessions

    def request_state(self, timeout: float) -> ModelState | None:
        """Copies of the worker's model, epoch and history (``TrainingRun``)."""
        return self.run.request_state(timeout)

    def adopt(self, config: RunConfig, drawn: DrawnPoints | None, dataset,
              problem: str, session: Session) -> None:
        """Make a checked, restored session current: its config, points and data, and a
        run from its weights, epoch, history and optimiser state (if it has weights)."""
        self.pause()
        self._config = config
        self.data.task = config.data.task
        if drawn is not None:
            self.data.drawn = drawn
        self.data.dataset, self.data.problem = dataset, problem
        self.configChanged.emit(config.to_dict())
        self._announce_data(reset_view=True)
        if session.weights is None:
            self._new_run()
            return
        self._new_run(weights=session.weights, epoch=session.epoch, history=session.history,
                      optimizer=session.optimizer, snapshots=session.snapshots)
        if len(session.history):
            self.historyRestored.emit(np.array(session.history))

    # ------------------------------------------------------------------ internals

    def _reload_data(self, reset_view: bool) -> None:
        problem = self.data.load(self._config)
        if problem and self._config.data.name != "drawn":
            self.problem.emit(problem)
        self._announce_data(reset_view)
        self._new_run()

    def _new_run(self, weights: dict | None = None, epoch: int = 0,
                 history: np.ndarray | None = None, optimizer: dict | None = None,
                 snapshots: list | None = None) -> None:
        """Fresh weights for the current config and data (or a restored session's)."""
        ds = self.dataset
        self.watch.start(ds.n_classes if ds is not None else 2, self._config.model.loss)
        self.run.new_run(self._config, ds, self._view, weights, epoch, history, optimizer,
                         snapshots)
        self._emit_summary()

    def _emit_summary(self) -> None:
        ds = self.dataset
        n_classes = ds.n_classes if ds is not None else max(self._config.data.classes, 2)
        self.networkSummary.emit(network_summary(self._config, n_classes))

    def _changed(self, *_args) -> None:
        self.revision += 1

    def _emit_baseline(self) -> None:
        self.baselineReady.emit(baseline_overlay(self.dataset, self._view))

    # ------------------------------------------------------------------ run replies

    def _on_rewound(self, epoch: int, history) -> None:
        ds = self.dataset
        self.watch.start(ds.n_classes if ds is not None else 2, self._config.model.loss)
        self.historyRestored.emit(history)
        self.message.emit(f"Training goes on from epoch {epoch}.")

    def _on_epoch(self, metrics: dict) -> None:
        self.epochFinished.emit(metrics)
        verdict = self.watch.observe(metrics)
        if verdict is not None:
            if verdict.stop:
                self.pause()
            self.problem.emit(verdict.text)
