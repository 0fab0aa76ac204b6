"""The MNIST controller's commands for the run as a whole: copies of it for the Inside
window and the gradient check, and sessions (save a snapshot, export it as ONNX, put a
saved one back).

A mixin of ``MnistController``, which holds the state and the signals used here; its
reply ``session_restored`` is connected to the worker's signal as it is (see
``controller_data`` on why that is safe for a mixin's plain method).
"""

from __future__ import annotations

from pathlib import Path

from playground.mnist import inside
from playground.mnist.run_state import export_onnx
from playground.mnist.session_file import MnistSession, history_array
from playground.mnist.sources import config_values, make_config
from playground.session_archive import SessionError

#: how long Save session waits for the worker to finish its current tick and answer.
SNAPSHOT_TIMEOUT = 2.0


class SessionCommands:
    """``MnistController``'s snapshot and session commands; see the module docstring."""

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

    def session_restored(self, p: dict) -> None:
        """The worker's answer to ``restore_session``."""
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
