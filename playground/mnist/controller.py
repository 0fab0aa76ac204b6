"""``MnistController``: the MNIST page's state and decisions, with no widgets.

It owns the ``MnistWorker`` through a ``WorkerHost``, holds the state (run ids, the
training and stopping flags, the loaded data, the source being loaded, the pending
prediction), decides what a command means now (Train while training is refused, a
source cannot change mid-run), drops replies of runs the user has since replaced (by
``run_id``), and re-emits clean signals for the views, which only show them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from playground.formatting import format_duration
from playground.mnist import inside
from playground.mnist.run_state import export_onnx
from playground.mnist.session_file import MnistSession, history_array
from playground.mnist.sources import (
    SOURCES,
    DataRequest,
    TrainingRequest,
    config_values,
    make_config,
)
from playground.mnist.worker import MnistWorker
from playground.runtime import WorkerHost
from playground.session_archive import SessionError

#: how long Save session waits for the worker to finish its current tick and answer.
SNAPSHOT_TIMEOUT = 2.0

#: said while a Train click waits for the data being loaded.
PENDING_TEXT = "Loading… training starts when the data is in."


class MnistController(QObject):
    """The MNIST page's controller; see the module docstring. ``values`` returns the
    keyword arguments of ``make_config`` the controls describe (without source and
    path); ``blas_threads`` is the worker's BLAS thread count (0: the library's)."""

    statusMessage = Signal(str)       # progress and results for a status bar
    runTextChanged = Signal(str)      # the run's one-line result ("" clears it)
    errorReported = Signal(str)       # one sentence: what was refused or went wrong
    loadingStarted = Signal(str)      # a SOURCES key whose data is being read
    sourceShown = Signal(str)         # the SOURCES key to show as chosen
    dataLoaded = Signal(object)       # the worker's data info (``MnistWorker.dataLoaded``)
    downloadNeeded = Signal(str, str)  # data set name, SOURCES key: offer to download it
    trainingChanged = Signal(bool, bool)  # training, stopping
    trainPending = Signal(bool)       # a Train click waits for the data being loaded
    resultsCleared = Signal()         # a new run or model: forget the shown results
    runStarted = Signal(bool)         # a new run was sent (True: it trains; False: preview)
    modelReady = Signal(object)       # worker payload; "total": samples to train, 0 if none
    filtersReady = Signal(object)
    progressed = Signal(object)
    stepsReady = Signal(object)
    epochFinished = Signal(dict)
    evaluated = Signal(object)
    finished = Signal(object)
    stopped = Signal(int)             # run_id: training halted, the model is kept
    featureMapsReady = Signal(object)
    probabilitiesReady = Signal(object)
    predictionStale = Signal()        # the model changed: a shown drawing needs asking again
    statsReady = Signal(object)       # the worker's layer statistics (current run only)
    runReset = Signal(int)            # a new run or model: the inside views forget history
    # a saved session was put back: {"values" (the controls' make_config keywords),
    # "history" (metrics dicts), "epoch", "steps", "notes"}
    sessionRestored = Signal(object)

    # commands, queued to the worker's thread
    _loadData = Signal(object)
    _prepare = Signal(object)
    _stop = Signal()
    _featureMaps = Signal(int, int)
    _showFilterLayer = Signal(int)
    _predict = Signal(object)
    _saveModel = Signal(str)
    _loadModel = Signal(int, str)
    _setThreads = Signal(int)
    _publishSnapshot = Signal(int, int)
    _setInsideStats = Signal(bool)
    _publishSession = Signal(int)
    _restoreSession = Signal(int, object)

    def __init__(self, blas_threads: int = 1, values: Callable[[], dict] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.values: Callable[[], dict] = values if values is not None else dict
        self._run_id = 0
        self._training = False
        self._stopping = False
        self._data: dict | None = None
        self._source = ""
        self._loading = ""          # the source being loaded, until it arrives or fails
        self._prompt_download = True
        self._train_pending = False  # Train was clicked while the data loads
        self._note = ""             # said once the data has loaded (instead of "Loaded ...")
        self._test_acc: float | None = None   # the current run's last test accuracy
        self._predict_pending = False
        self._predict_next: np.ndarray | None = None  # the drawing asked for meanwhile
        self._snapshot_seq = 0
        #: the network the worker holds: "none", "fresh" (untrained weights), "trained"
        #: (has trained, or came from a session) or "loaded" (from a model file)
        self._network = "none"
        self._network_values: dict | None = None  # the controls' values that built it
        self._restoring: MnistSession | None = None
        #: moves whenever the network learned or was replaced (the autosave's cue)
        self.revision = 0

        self.worker = w = MnistWorker(blas_threads=blas_threads)
        self.host = WorkerHost(w, "mnistThread", self)
        self.host.commands([
            (self._loadData, w.loadData), (self._prepare, w.prepare),
            (self._stop, w.stop), (self._featureMaps, w.requestFeatureMaps),
            (self._predict, w.predictDrawing), (self._saveModel, w.saveModel),
            (self._loadModel, w.loadModel), (self._setThreads, w.setBlasThreads),
            (self._publishSnapshot, w.publishSnapshot),
            (self._setInsideStats, w.setInsideStats),
            (self._showFilterLayer, w.showFilterLayer),
            (self._publishSession, w.publishSession),
            (self._restoreSession, w.restoreSession)])
        self.host.listen([
            (w.dataLoaded, self._on_data_loaded), (w.downloadNeeded, self._on_download_needed),
            (w.modelReady, self._on_model_ready), (w.filtersReady, self._on_filters),
            (w.progressed, self._on_progress), (w.stepsReady, self._on_steps),
            (w.epochFinished, self._on_epoch), (w.evaluated, self._on_evaluated),
            (w.finished, self._on_finished), (w.stopped, self._on_stopped),
            (w.featureMapsReady, self._on_feature_maps),
            (w.probabilitiesReady, self._on_probabilities),
            (w.modelSaved, self._on_model_saved), (w.failed, self._on_failed),
            (w.statsReady, self._on_stats), (w.sessionRestored, self._on_session_restored)])
        self.host.start()

    def request_snapshot(self, images: int, timeout: float) -> dict | None:
        """Copies of the worker's model, trajectory and first ``images`` training images
        (``MnistWorker.publishSnapshot``), asked for between two of its ticks
        ({} without a model), or None if it did not answer within ``timeout`` seconds."""
        self._snapshot_seq += 1
        self._publishSnapshot.emit(self._snapshot_seq, int(images))
        return self.worker.snapshots.wait(self._snapshot_seq, timeout)

    def set_inside_stats(self, on: bool) -> None:
        """The worker computes the layer statistics (a few times a second) or not."""
        if not self.closed:
            self._setInsideStats.emit(bool(on))

    def gradient_check_inputs(self, timeout: float):
        """(spec, weights, images, labels) for a gradient check: copies of the worker's
        network and of its first ``CHECK_SAMPLES`` training images, taken between two of
        its ticks; None without a network or an answer within ``timeout`` seconds."""
        snapshot = self.request_snapshot(inside.CHECK_SAMPLES, timeout) \
            if not self.closed else None
        if not snapshot:
            return None
        return snapshot["spec"], snapshot["weights"], snapshot["x"], snapshot["targets"]

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """End the worker's thread; True if it ended within ``timeout_ms``. No reply
        is delivered afterwards; safe to call twice."""
        return self.host.shutdown(timeout_ms)

    # ------------------------------------------------------------------ state

    @property
    def closed(self) -> bool:
        return self.host.closed

    @property
    def run_id(self) -> int:
        return self._run_id

    @property
    def is_training(self) -> bool:
        return self._training

    @property
    def is_stopping(self) -> bool:
        return self._stopping

    @property
    def data_info(self) -> dict | None:
        """What the worker reported about the loaded data (None before it is loaded)."""
        return self._data

    @property
    def source(self) -> str:
        """The SOURCES key of the loaded data ("" before any)."""
        return self._source

    @property
    def loading(self) -> str:
        """The SOURCES key being loaded ("" when none is)."""
        return self._loading

    @property
    def network(self) -> str:
        """The network the worker holds: "none", "fresh", "trained" or "loaded"."""
        return self._network

    @property
    def has_trained_network(self) -> bool:
        """True when a network that learned (or was loaded or restored) would be thrown
        away by a new one: the page asks first."""
        return self._network in ("trained", "loaded")

    @property
    def network_values(self) -> dict | None:
        """The controls' values (``make_config`` keywords) that built the network held
        (None when unknown: a loaded model file)."""
        return dict(self._network_values) if self._network_values is not None else None

    @property
    def train_pending(self) -> bool:
        """True while a Train click waits for the data being loaded."""
        return self._train_pending

    # ------------------------------------------------------------------ data

    def restore_source(self, key: str, path: str = "", note: str = "") -> None:
        """Load the source remembered from last time; a missing file or an unknown key
        falls back to the sample, and an uncached set to the sample without asking.
        ``note`` is said once the data is in (instead of "Loaded ...")."""
        self._note = note
        if key == "files" and not (path and Path(path).exists()):
            key, path = "sample", ""
        if key not in SOURCES:
            key = "sample"
        self._prompt_download = False
        self.load_source(key, path)

    def choose_source(self, key: str, path: str = "") -> None:
        """The user chose a source: an uncached set is offered for download."""
        self._prompt_download = True
        self.load_source(key, path)

    def load_source(self, key: str, path: str = "") -> None:
        """Load a SOURCES key ("files" with ``path``) off the GUI thread; refused while
        training (the run's data must not change under it)."""
        if self._training:
            return
        self._loading = key
        self.loadingStarted.emit(key)
        self.statusMessage.emit("Loading data…")
        self._loadData.emit(DataRequest(key, path))

    def download_cancelled(self) -> None:
        """The offered download was declined or failed: the data stays as it was."""
        self._set_pending(False)
        self.sourceShown.emit(self._source or "sample")
        self.statusMessage.emit("Download cancelled; the data stays as it was.")

    # ------------------------------------------------------------------ runs

    def _new_request(self, train: bool, keep: bool = False) -> TrainingRequest | None:
        """A request under the controls' values; with ``keep`` it trains the network
        held on (same run: nothing shown is cleared), else it is a new run."""
        values = self.values()
        try:
            config = make_config(source=self._source or "sample",
                                 path=(self._data or {}).get("path", ""), **values)
        except ValueError as e:
            self.errorReported.emit(str(e))
            return None
        if keep:
            return TrainingRequest(self._run_id, config, train, keep=True)
        self._run_id += 1
        self._network, self._network_values = "none", values
        self._test_acc = None
        self.runReset.emit(self._run_id)
        self.resultsCleared.emit()
        self.runTextChanged.emit("")
        return TrainingRequest(self._run_id, config, train)

    def new_network(self) -> None:
        """Throw the network away for fresh weights (epoch 0, no history); refused while
        training."""
        self.preview()

    def preview(self) -> None:
        """Fresh weights for the current settings: the filters a run would start from."""
        if self._training or self._data is None or self.closed:
            return
        request = self._new_request(train=False)
        if request is not None:
            self.runStarted.emit(False)
            self._prepare.emit(request)

    def toggle_training(self) -> None:
        """Train (a fresh network for the chosen epochs) or, while training, stop; while
        a Train click waits for the data, cancel it."""
        if self._training:
            self.stop()
        elif self._train_pending:
            self._set_pending(False)
            self.runTextChanged.emit("")
            self.statusMessage.emit("Training will not start; the data is still loading.")
        else:
            self.train()

    def train(self) -> None:
        """Train the network held on for the chosen epochs (its weights, optimiser state,
        epoch count and curves carry on; a fresh one when there is none). While data
        loads, training starts once it is in (so it runs on that data); with no data and
        none loading it is refused (one message)."""
        if self._training:
            return
        if self._loading:
            self._set_pending(True)
            self.runTextChanged.emit(PENDING_TEXT)
            self.statusMessage.emit(PENDING_TEXT)
            return
        if self._data is None:
            self.errorReported.emit("The data is not loaded yet.")
            return
        # an untrained network is built again from the same seed: a new run (as a first
        # Train always was); a trained or loaded one trains on
        keep = self.has_trained_network
        request = self._new_request(train=True, keep=keep)
        if request is None:
            return
        self._training, self._stopping = True, False
        self.trainingChanged.emit(True, False)
        self.runStarted.emit(True)
        self.statusMessage.emit("Training on…" if keep else "Training…")
        self._prepare.emit(request)

    def stop(self) -> None:
        """Stop after the current mini-batch; the network is kept."""
        if not self._training or self._stopping:
            return
        self._stopping = True
        self.trainingChanged.emit(True, True)
        self.worker.request_stop()  # seen at once, even mid-tick
        self._stop.emit()

    def _set_pending(self, pending: bool) -> None:
        if pending != self._train_pending:
            self._train_pending = pending
            self.trainPending.emit(pending)

    def _end_training(self) -> None:
        self._training = self._stopping = False
        self.trainingChanged.emit(False, False)

    def save_model(self, path: str) -> None:
        """Save the current network to ``path`` (".npz" is added when missing)."""
        if not path.lower().endswith(".npz"):
            path += ".npz"
        self._saveModel.emit(path)

    def load_model(self, path: str) -> None:
        """Replace the network by the one saved at ``path``; refused while training. The
        shown results stay until the file has been read: a file that is no usable model
        is refused (``errorReported``) and the current network kept."""
        if self._training:
            return
        self._run_id += 1
        self.runReset.emit(self._run_id)
        self._loadModel.emit(self._run_id, path)

    # ------------------------------------------------------------------ sessions

    def session_snapshot(self, timeout: float = SNAPSHOT_TIMEOUT) -> MnistSession:
        """The page's run as a session: the data source, the config, copies of the
        worker's network, optimiser state, starting filters, history and counts, taken
        between two of its ticks. ``SessionError`` when there is no data yet or the
        worker does not answer within ``timeout`` seconds."""
        if self.closed:
            raise SessionError("The training thread has ended; there is nothing to save.")
        self._snapshot_seq += 1
        self._publishSession.emit(self._snapshot_seq)
        state = self.worker.sessions.wait(self._snapshot_seq, timeout)
        if state is None:
            raise SessionError("The training thread is busy; try again in a moment.")
        if not state:
            raise SessionError("There is nothing to save yet: the data is still loading.")
        config = state["config"]
        if config is None:
            config = make_config(source=state["source"], path=state["path"], **self.values())
        session = MnistSession(state["source"], config, state["path"], state["n_classes"],
                               state["input_shape"], state["n_train"], state["n_test"])
        if "weights" in state and state.get("run_id") == self._run_id:
            session.weights, session.model_spec = state["weights"], state["spec"]
            session.optimizer, session.initial = state["optimizer"], state["initial"]
            session.history = history_array(state["history"])
            session.epoch, session.steps, session.rng = (state["epoch"], state["steps"],
                                                         state["rng"])
        return session

    def export_onnx(self, path: str) -> None:
        """Write the network as an ONNX file (``engine.export``); ``EngineError`` or
        ``SessionError`` saying why it cannot be (no network, onnx not installed, ...)."""
        session = self.session_snapshot()
        if session.weights is None:
            raise SessionError("There is no network to export yet.")
        try:
            export_onnx(session.model_spec, session.weights, session.input_shape, path)
        except OSError as e:
            raise SessionError(f"Cannot write {path}: {e.strerror or e}.") from None

    def restore_session(self, session: MnistSession) -> None:
        """Put ``session`` back: its data is loaded (when it is not the data loaded now),
        then its network, optimiser state, history and counts; ``sessionRestored`` or
        ``errorReported`` says how it went. ``SessionError`` (nothing changed) while
        training or when its data file is gone."""
        if self._training:
            raise SessionError("Stop training before opening a session.")
        if session.weights is None:
            raise SessionError("The session holds no network to open.")
        if session.source == "files" and not Path(session.path).exists():
            raise SessionError(f"The session's data file {session.path} no longer exists; "
                               f"the session was not opened.")
        self._restoring = session
        self._run_id += 1
        self.runReset.emit(self._run_id)
        same = (self._data is not None and self._source == session.source and not self._loading
                and (session.source != "files" or self._data.get("path") == session.path))
        if not same:
            self._prompt_download = False
            self.load_source(session.source, session.path)
        self.statusMessage.emit("Opening the session…")
        self._restoreSession.emit(self._run_id, session)

    def _on_session_restored(self, p: dict) -> None:
        session, self._restoring = self._restoring, None
        if not self._current(p) or session is None:
            return
        if not p["ok"]:
            self.errorReported.emit(p["problem"])
            if self._network == "none" and self._data is not None:
                self.preview()  # other data came in for it: show a network again
            elif self._data is None and not self._loading:
                self.load_source("sample")  # nothing loaded at all: the sample
            return
        self.revision += 1
        self._network = "trained"
        self._network_values = config_values(session.config)
        self._test_acc = None
        self.resultsCleared.emit()
        self.runTextChanged.emit("")
        self.sessionRestored.emit({"values": dict(self._network_values),
                                   "history": p["history"], "epoch": p["epoch"],
                                   "steps": p["steps"], "notes": list(session.notes)})
        self.predictionStale.emit()

    def set_threads(self, n: int) -> None:
        self._setThreads.emit(int(n))

    def request_feature_maps(self, index: int, layer: int = -1) -> None:
        """Layer ``layer``'s output for test image ``index`` (-1: the first weighted
        layer's after its activation), answered by ``featureMapsReady``."""
        if not self.closed:
            self._featureMaps.emit(int(index), int(layer))

    def show_filter_layer(self, layer: int) -> None:
        """The filter view shows layer ``layer`` (a ``filter_layers`` index); its
        filters come at once and then with every update (``filtersReady``)."""
        if not self.closed:
            self._showFilterLayer.emit(int(layer))

    def predict(self, image: np.ndarray) -> None:
        """Ask for a drawing's probabilities; at most one request is in flight, and the
        latest drawing asked for meanwhile goes next."""
        if self.closed:
            return
        if self._predict_pending:
            self._predict_next = image
            return
        self._predict_pending, self._predict_next = True, None
        self._predict.emit(image)

    # ------------------------------------------------------------------ worker replies

    def _current(self, payload: dict) -> bool:
        return payload.get("run_id") == self._run_id

    def _on_data_loaded(self, info: dict) -> None:
        self._data, self._loading = info, ""
        self._network, self._network_values = "none", None  # the worker dropped it
        self._source = info["source"]
        self.sourceShown.emit(self._source)
        self.dataLoaded.emit(info)
        note, self._note = self._note, ""
        self.statusMessage.emit(note or f"Loaded {info['n_train'] + info['n_test']:,} images.")
        if self._restoring is not None:
            return  # the session's network comes next
        if self._train_pending:
            self._set_pending(False)
            self.train()
        else:
            self.preview()

    def _on_download_needed(self, name: str) -> None:
        self._loading = ""
        if self._restoring is not None:  # the session's restore says so; data as it was
            self.sourceShown.emit(self._source or "sample")
            return
        if not self._prompt_download:
            self.load_source("sample")
            self._note = (f"{name} is not downloaded yet; showing the built-in sample "
                          "(choose it again to download it).")
            return
        self.downloadNeeded.emit(name, "mnist" if name == "mnist" else "fashion-mnist")

    def _on_model_ready(self, p: dict) -> None:
        if not self._current(p):
            return
        self.revision += 1
        if p["loaded"]:
            self._network, self._network_values = "loaded", None
        elif self._restoring is None:
            self._network = "trained" if self._training else "fresh"
        summary = p["summary"]
        if p["loaded"]:
            self._test_acc = None
            self.resultsCleared.emit()
            self.runTextChanged.emit("")
            summary = f"Loaded {Path(p['path']).name}: {summary}"
            self.statusMessage.emit(summary)
        self.modelReady.emit(dict(p, summary=summary,
                                  total=p["total"] if self._training else 0))
        self.predictionStale.emit()

    def _on_filters(self, p: dict) -> None:
        if self._current(p):
            self.filtersReady.emit(p)
            self.predictionStale.emit()

    def _on_progress(self, p: dict) -> None:
        if not self._current(p):
            return
        self.progressed.emit(p)
        epoch = min(p["epoch"] + 1, p["epochs"])
        self.statusMessage.emit(f"Epoch {epoch}/{p['epochs']} · {p['speed']:,.0f} samples/s"
                                f" · ETA {format_duration(p['eta'])}")

    def _on_steps(self, p: dict) -> None:
        if self._current(p):
            self.stepsReady.emit(p)

    def _on_epoch(self, m: dict) -> None:
        if not self._current(m):
            return
        self.revision += 1
        test = m.get("test_acc")
        if test is not None and m.get("test_loss") is not None:
            self._test_acc = test
        self.epochFinished.emit(m)
        self.runTextChanged.emit(
            f"Epoch {m['epoch']}: train accuracy {100 * m['train_acc']:.1f} %"
            + (f", test {100 * test:.1f} %" if test is not None else ""))

    def _on_evaluated(self, p: dict) -> None:
        if self._current(p):
            self.evaluated.emit(p)

    def _on_finished(self, p: dict) -> None:
        if not self._current(p):
            return
        self._end_training()
        self.finished.emit(p)
        acc = self._test_acc
        tail = f", test accuracy {100 * acc:.1f} %" if acc is not None else ""
        first = p.get("first_epoch", 0)
        what = (f"Trained {p['epochs']} epochs" if not first else
                f"Trained {p['epochs'] - first} more epochs (epoch {p['epochs']})")
        self.statusMessage.emit(f"{what} in {format_duration(p['seconds'])}{tail}.")

    def _on_stopped(self, run_id: int) -> None:
        if run_id != self._run_id or not self._training:
            return
        self._end_training()
        self.revision += 1
        self.stopped.emit(run_id)
        self.statusMessage.emit("Training stopped; the network is kept as it is.")
        self.predictionStale.emit()

    def _on_failed(self, text: str) -> None:
        self.errorReported.emit(text)
        if self._loading:  # the data could not be loaded: keep (or fall back to) the old
            failed, self._loading = self._loading, ""
            self._set_pending(False)
            if self._source:
                self.sourceShown.emit(self._source)
            elif failed != "sample":
                self.load_source("sample")

    def _on_feature_maps(self, p: dict) -> None:
        if self._current(p):
            self.featureMapsReady.emit(p)

    def _on_probabilities(self, p: dict) -> None:
        self._predict_pending = False
        if self._current(p):
            self.probabilitiesReady.emit(p)
        if self._predict_next is not None:
            self.predict(self._predict_next)

    def _on_stats(self, p: dict) -> None:
        if self._current(p):
            self.statsReady.emit(p)

    def _on_model_saved(self, path: str) -> None:
        self.statusMessage.emit(f"Saved the model to {path}.")
