"""``LandscapeController``: the landscape panel's state and its worker, with no widgets.

It asks its ``source`` for a copy of what to compute on (on the GUI thread: the source
waits at most a moment for a training worker's copy), numbers the jobs, starts its
``LandscapeWorker`` thread on first use, and passes on only the current job's replies:
after Cancel nothing of that job arrives, even the row its worker was finishing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from playground.landscape.plane import DIRECTIONS, LandscapeRequest, LandscapeSource
from playground.landscape.worker import LandscapeWorker
from playground.runtime import WorkerHost

#: what a source returns: a copy to compute on, or one sentence saying why there is none.
Source = Callable[[], "LandscapeSource | str"]


class LandscapeController(QObject):
    """See the module docstring. ``source`` returns a ``LandscapeSource`` or a sentence."""

    started = Signal(object)        # the worker's ``started`` payload
    rowReady = Signal(object)       # {"job_id", "index", "row", "done", "total"}
    progressed = Signal(object)     # {"job_id", "done", "total"}
    finished = Signal(object)       # {"job_id", "seconds", "rows"}
    cancelled = Signal(object)      # {"job_id", "rows"}
    problem = Signal(str)           # one sentence: why nothing is computed
    runningChanged = Signal(bool)

    _compute = Signal(object)
    _cancel = Signal()

    def __init__(self, source: Source, parent: QObject | None = None,
                 blas_threads: int | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self._blas_threads = blas_threads
        self.host: WorkerHost | None = None
        self.job_id = 0
        self.running = False
        self.rows = 0               # rows of the current job received

    @staticmethod
    def directions() -> dict[str, str]:
        """Directions key -> the text the combo shows."""
        return dict(DIRECTIONS)

    def compute(self, directions: str = "random", resolution: int = 25, span: float = 1.0,
                seed: int = 0) -> bool:
        """Start a landscape of a fresh copy from the source (cancelling one in
        progress); False, with ``problem`` said, when the source has none to give."""
        self.cancel()
        found = self.source()
        if isinstance(found, str) or found is None:
            self.problem.emit(found or "There is no model to compute a landscape of.")
            return False
        self._worker()
        self.job_id += 1
        self.rows = 0
        self._set_running(True)
        self._compute.emit(LandscapeRequest(self.job_id, found, directions,
                                            int(resolution), float(span), int(seed)))
        return True

    def cancel(self) -> None:
        """Stop the job in progress; its later replies are dropped."""
        if not self.running:
            return
        job = self.job_id
        self.job_id += 1  # whatever the worker still sends for ``job`` is stale now
        self.host.worker.request_stop()
        self._cancel.emit()
        self._set_running(False)
        self.cancelled.emit({"job_id": job, "rows": self.rows})

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """End the worker's thread (if it was started); safe to call twice."""
        self._set_running(False)
        return True if self.host is None else self.host.shutdown(timeout_ms)

    # ------------------------------------------------------------------ internals

    def _worker(self) -> LandscapeWorker:
        if self.host is None:
            kw = {} if self._blas_threads is None else {"blas_threads": self._blas_threads}
            w = LandscapeWorker(**kw)
            self.host = WorkerHost(w, "landscapeThread", self)
            self.host.commands([(self._compute, w.compute), (self._cancel, w.cancel)])
            self.host.listen([
                (w.started, self._current(self.started)),
                (w.rowReady, self._on_row), (w.progressed, self._current(self.progressed)),
                (w.finished, self._on_finished), (w.failed, self._on_failed)])
            self.host.start()
        return self.host.worker

    def _current(self, signal):
        def relay(payload: dict) -> None:
            if payload.get("job_id") == self.job_id and self.running:
                signal.emit(payload)
        return relay

    def _on_row(self, payload: dict) -> None:
        if payload.get("job_id") == self.job_id and self.running:
            self.rows = payload["index"] + 1
            self.rowReady.emit(payload)

    def _on_finished(self, payload: dict) -> None:
        if payload.get("job_id") == self.job_id and self.running:
            self._set_running(False)
            self.finished.emit(payload)

    def _on_failed(self, text: str) -> None:
        if self.running:
            self._set_running(False)
            self.problem.emit(text)

    def _set_running(self, on: bool) -> None:
        if on != self.running:
            self.running = on
            self.runningChanged.emit(on)
