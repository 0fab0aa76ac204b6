"""``CompareRun``: the Compare tab's side of its worker. It turns what the user chose (a
key, the values typed, the epochs; or a book experiment) into the comparison's runs, or
one sentence saying why not; starts and stops the worker; passes on only the current
comparison's replies; and hands out a run as a 2-D session ("Open in playground")."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Signal

from engine.compare import expand, parse_value
from engine.errors import SpecError
from playground.compare.options import MAX_VALUES, MIN_VALUES, VARY_CHOICES, split_values
from playground.compare.worker import ComparePlan, CompareWorker, data_bounds
from playground.runtime import WorkerHost
from playground.two_d.session_file import Session, trained_session

#: the score each task shows beside the loss: (train key, test key, its name).
SCORES = {"classification": ("train_acc", "test_acc", "accuracy"),
          "regression": ("train_r2", "test_r2", "R²")}


def describe(changes: dict) -> str:
    """``{"optim.lr": 0.3}`` -> ``"optim.lr = 0.3"`` (a run's title)."""
    def text(v) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(str(x) for x in v) + "]"
        return str(v)

    return ", ".join(f"{k} = {text(v)}" for k, v in changes.items())


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


class CompareRun(QObject):
    """See the module docstring."""

    started = Signal(object)          # {"task", "score", "labels": [run's changes], ...}
    epochsFinished = Signal(object)   # [metrics plus "run" (index)] of the current runs
    gridReady = Signal(object)        # {"run_id", "bounds", "task", "grids": {run: array}}
    runFailed = Signal(int, str)      # run index, one sentence
    runReady = Signal(int, object)    # run index, its ``Session`` (asked with request_run)
    runningChanged = Signal(bool)
    failed = Signal(str)              # one sentence (the runs could not be built)

    _configure = Signal(object)
    _start = Signal()
    _pause = Signal()
    _publish = Signal(int, int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.run_id = 0
        self.running = False
        self.runs = []
        self.dataset = None
        self.started_at = 0.0
        self.worker = w = CompareWorker()
        self.host = WorkerHost(w, "compareThread", self)
        self.host.commands([(self._configure, w.configure), (self._start, w.start),
                            (self._pause, w.pause), (self._publish, w.publishRun)])
        self.host.listen([(w.epochsFinished, self._on_epochs), (w.gridReady, self._on_grid),
                          (w.runFailed, self._on_run_failed), (w.failed, self._on_failed),
                          (w.runningChanged, self._on_running),
                          (w.runState, self._on_run_state)])
        self.host.start()

    # ------------------------------------------------------------------ planning

    @staticmethod
    def plan_runs(config, key: str, text: str):
        """The runs of ``config`` under ``key``'s values in ``text``; raises ``SpecError``
        with one sentence when the values are not 2 to 4 valid settings of ``key``."""
        if key not in VARY_CHOICES:
            raise SpecError(f"cannot vary {key!r}; choose one of {', '.join(VARY_CHOICES)}")
        parts = split_values(text)
        if not text.strip():
            raise SpecError(f"type {MIN_VALUES} to {MAX_VALUES} values of {key}, "
                            f"separated by commas")
        if any(not p for p in parts):
            raise SpecError(f"a value of {key} is empty in {text.strip()!r}")
        if not MIN_VALUES <= len(parts) <= MAX_VALUES:
            raise SpecError(f"compare {MIN_VALUES} to {MAX_VALUES} values of {key}, "
                            f"got {len(parts)}")
        values = [parse_value(p) for p in parts]
        return expand(config, [(key, values)])

    def start(self, config, dataset, key: str, text: str, epochs: int) -> str:
        """Start a new comparison; "" if it started, else why not (one sentence)."""
        if dataset is None:
            return "The 2-D page has no data to train on; choose or draw a data set there."
        if dataset.x_train.ndim != 2 or dataset.x_train.shape[1] != 2:
            return "The Compare tab compares runs on 2-D data (two inputs)."
        try:
            runs = self.plan_runs(config, key, text)
        except SpecError as e:
            return _sentence(f"Cannot compare: {e}")
        self.start_runs(runs, dataset, epochs)
        return ""

    def start_runs(self, runs, dataset, epochs: int) -> None:
        """Start a comparison of ``runs`` (``engine.compare.ComparedRun``s) on ``dataset``,
        2-D points, or None: each run's config names its data (an image set), which the
        worker loads."""
        self.stop()
        self.run_id += 1
        self.runs = runs
        self.dataset = dataset
        task = runs[0].config.data.task
        bounds = data_bounds(dataset) if dataset is not None else None
        self.started_at = time.perf_counter()
        self.started.emit({"run_id": self.run_id, "task": task, "score": SCORES[task],
                           "labels": [r.label or describe(r.changes) for r in runs],
                           "dataset": dataset, "epochs": int(epochs),
                           "bounds": bounds})
        self._configure.emit(ComparePlan(self.run_id, runs, dataset, int(epochs), bounds))
        self.running = True
        self.runningChanged.emit(True)
        self._start.emit()

    def request_run(self, index: int) -> bool:
        """Ask for run ``index`` of the current 2-D comparison as a session (``runReady``
        brings it); False if there is none to give."""
        if self.dataset is None or not 0 <= index < len(self.runs):
            return False
        self._publish.emit(self.run_id, index)
        return True

    def stop(self) -> None:
        self._pause.emit()
        if self.running:
            self.running = False
            self.runningChanged.emit(False)

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        return self.host.shutdown(timeout_ms)

    # ------------------------------------------------------------------ replies

    def _on_epochs(self, run_id: int, batch: list) -> None:
        if run_id == self.run_id:
            self.epochsFinished.emit(batch)

    def _on_grid(self, payload: dict) -> None:
        if payload.get("run_id") == self.run_id:
            self.gridReady.emit(payload)

    def _on_run_failed(self, run_id: int, index: int, text: str) -> None:
        if run_id == self.run_id:
            self.runFailed.emit(index, text)

    def _on_failed(self, text: str) -> None:
        self.stop()
        self.failed.emit(text)

    def _on_run_state(self, run_id: int, index: int, state: dict) -> None:
        if run_id == self.run_id and self.dataset is not None:
            self.runReady.emit(index, run_session(state, self.dataset))

    def _on_running(self, run_id: int, running: bool) -> None:
        if run_id == self.run_id and running != self.running:
            self.running = running
            self.runningChanged.emit(running)


def run_session(state: dict, dataset) -> Session:
    """A compared run (``CompareWorker.publishRun``'s copies) on the 2-D ``dataset`` as a
    2-D page session: its config, the points and their split, weights, epoch, history and
    optimiser state, which the page restores as it opens a saved session."""
    return trained_session(state["config"], dataset, weights=state["weights"],
                           model_spec=state["spec"], history=state["history"],
                           epoch=state["epoch"], optimizer=state["optimizer"])
