"""The one place that knows Qt threads: ``WorkerHost`` runs a worker object on its own
``QThread``; ``TickLoop`` is the base of every worker that does its work in short ticks;
``OneShotJob`` (started by ``start_job``) runs one function once on a thread of its own.

Thread rules (Qt's worker-object pattern):
- a worker lives on its host's thread; the GUI thread talks to it only through command
  signals connected queued (``WorkerHost.commands``) and hears back only through replies
  connected queued (``WorkerHost.listen``), which ``shutdown`` cuts off first;
- work runs in ticks of about ``TICK_SECONDS`` re-armed by a single-shot timer, so
  commands (pause, stop, shutdown) land between ticks: no ``processEvents``, no ``run()``;
- ``request_stop`` is the one method another thread may call directly (it sets a flag);
- replies carry copies and the ``run_id`` of the run that made them; controllers drop
  stale ones;
- the BLAS thread count is a per-worker policy applied for the duration of each tick
  (``BLAS``, kept in ``playground.blas_policy`` and re-exported here).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal, Slot

from engine.errors import EngineError, TrainingDiverged

# ``runtime.BLAS`` (the name the workers, tests and docs use) is ``blas_policy.BLAS``.
from playground.blas_policy import BLAS

#: how long one tick works before it yields to the worker's event loop (commands).
TICK_SECONDS = 0.020

_QUEUED = Qt.ConnectionType.QueuedConnection

#: what building a network from a config raises for a bad config or too little memory.
BUILD_ERRORS = (EngineError, ValueError, MemoryError)


def quiet() -> np.errstate:
    """Overflow on the way to a NaN is expected: the trainer detects the NaN and says so."""
    return np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore")


def failure_message(error: BaseException) -> str:
    """The one sentence a worker reports when its work raised ``error`` (capitalised and
    closed with a full stop: it is read in the status bar, not in a log)."""
    if isinstance(error, (TrainingDiverged, EngineError)):
        text = str(error)
    else:
        text = f"Training stopped: {type(error).__name__}: {error}"
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


class TickLoop(QObject):
    """Base of the workers: a single-shot timer chaining ``tick()`` calls, a thread-safe
    ``request_stop``, ``run_id`` stamping, one failure report and the shutdown ending.

    Subclasses implement ``tick()`` (return the delay in ms before the next tick, or None
    to stop ticking) and may override ``on_failure`` and ``on_shutdown``.
    """

    failed = Signal(str)   # one sentence: what went wrong
    closed = Signal()      # after shutdown(): the host connects it to its thread's quit

    def __init__(self, blas_threads: int | None = None) -> None:
        super().__init__()
        # A child of the worker, so moveToThread takes it along: it is only ever started
        # and stopped from the worker's own thread.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._run_tick)
        self.run_id = 0
        self.blas_threads = blas_threads
        self._stop_requested = False

    # ------------------------------------------------------------------ ticking

    def arm(self, delay_ms: int = 0) -> None:
        """Run the next tick after ``delay_ms`` (worker thread only)."""
        self._timer.start(max(0, int(delay_ms)))

    def disarm(self) -> None:
        """No further tick until ``arm`` (worker thread only)."""
        self._timer.stop()

    def tick(self) -> int | None:
        """One slice of work (about ``TICK_SECONDS``); the next delay in ms, or None."""
        raise NotImplementedError

    def _run_tick(self) -> None:
        try:
            with quiet(), BLAS.scoped(self.blas_threads):
                delay = self.tick()
        except Exception as e:  # noqa: BLE001 - any failure is reported, never raised in Qt
            self.disarm()
            self.on_failure(e)
            return
        if delay is not None and not self._stop_requested:
            self.arm(delay)

    def work(self, fn: Callable[[], object]) -> tuple[bool, object]:
        """Run ``fn`` outside a tick under the same rules (quiet maths, BLAS policy, one
        failure report): (True, its result), or (False, None) after reporting."""
        try:
            with quiet(), BLAS.scoped(self.blas_threads):
                return True, fn()
        except Exception as e:  # noqa: BLE001 - any failure is reported, never raised in Qt
            self.disarm()
            self.on_failure(e)
            return False, None

    # ------------------------------------------------------------------ stopping

    def request_stop(self) -> None:
        """Thread-safe: make a running tick return as soon as its batch ends."""
        self._stop_requested = True

    def clear_stop(self) -> None:
        self._stop_requested = False

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    @Slot()
    def shutdown(self) -> None:
        """End for good: no more ticks, drop the work, then ``closed`` (ends the thread)."""
        self.disarm()
        self.on_shutdown()
        self.closed.emit()

    def on_shutdown(self) -> None:
        """Drop what the worker holds (its thread is about to end)."""

    # ------------------------------------------------------------------ replies

    def stamp(self, payload: dict) -> dict:
        """``payload`` with the current ``run_id`` (a new dict)."""
        return dict(payload, run_id=self.run_id)

    def on_failure(self, error: BaseException) -> None:
        """Report ``error`` once, as one sentence."""
        self.failed.emit(failure_message(error))

    def report_unbuildable(self, error: BaseException) -> None:
        """Say why the network of a run could not be built (one of ``BUILD_ERRORS``)."""
        self.failed.emit(f"Cannot build this network: {error}")


class WorkerHost(QObject):
    """Owns a ``QThread``, moves ``worker`` onto it, wires commands and replies queued,
    and shuts it down. ``worker`` has a ``shutdown`` slot that ends with its ``closed``
    signal (``TickLoop`` or ``OneShotJob`` does), and may have ``request_stop``."""

    _shutdown = Signal()

    def __init__(self, worker: QObject, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self._thread = QThread(self)
        self._thread.setObjectName(name)
        worker.moveToThread(self._thread)
        self._shutdown.connect(worker.shutdown, _QUEUED)
        # Run in the worker's thread right after closed: hand the worker back to this
        # (the GUI) thread, then quit. So it is deleted here, at the next pass of this
        # event loop, not in the ending thread, where its wrapper's teardown holds one of
        # Qt's connection locks while it waits for the GIL: a GUI thread that holds the
        # GIL and connects a new widget hashed to the same lock froze the window (seen
        # once in a test, after a gradient check's one-shot job).
        home = QObject.thread(self)  # (``self.thread`` is the worker's QThread)
        thread = self._thread

        def _closed() -> None:
            worker.moveToThread(home)
            thread.quit()

        worker.closed.connect(_closed, Qt.ConnectionType.DirectConnection)
        self._thread.finished.connect(worker.deleteLater)
        self._replies: list[tuple] = []
        self._closed = False
        app = QCoreApplication.instance()
        if app is not None:  # a window never closed must still not outlive its thread
            app.aboutToQuit.connect(self.shutdown)

    def commands(self, pairs: Iterable[tuple]) -> None:
        """Connect (command signal, worker slot) pairs, queued to the worker's thread."""
        for signal, slot in pairs:
            signal.connect(slot, _QUEUED)

    def listen(self, pairs: Iterable[tuple]) -> None:
        """Connect (worker signal, callable) pairs, queued to this host's thread; they are
        cut off by ``shutdown``, so no reply arrives after it."""
        for signal, slot in pairs:
            signal.connect(slot, _QUEUED)
            self._replies.append((signal, slot))

    def start(self) -> WorkerHost:
        self._thread.start()
        return self

    @property
    def thread(self) -> QThread:
        return self._thread

    @property
    def closed(self) -> bool:
        return self._closed

    def is_finished(self) -> bool:
        return self._thread.isFinished()

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """Cut off the replies, stop the worker and join its thread; True if it ended
        within ``timeout_ms``. Safe to call twice."""
        if self._closed:
            return True
        self._closed = True
        for signal, slot in self._replies:
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect(slot)
        self._replies.clear()
        stop = getattr(self.worker, "request_stop", None)
        if stop is not None:
            with contextlib.suppress(RuntimeError):
                stop()
        self._shutdown.emit()
        if not self._thread.isRunning():
            return True
        return self._thread.wait(timeout_ms)


class OneShotJob(QObject):
    """Runs ``fn()`` once on its host's thread (``start_job``): ``succeeded`` with the
    result or ``failed`` with one sentence, then ``closed`` (which ends the thread). The
    work runs with quiet maths and one BLAS thread, like a worker's tick."""

    succeeded = Signal(object)
    failed = Signal(str)
    closed = Signal()

    def __init__(self, fn: Callable[[], object], blas_threads: int | None = 1) -> None:
        super().__init__()
        self._fn = fn
        self.blas_threads = blas_threads
        self._done = False

    @Slot()
    def run(self) -> None:
        try:
            with quiet(), BLAS.scoped(self.blas_threads):
                result = self._fn()
        except Exception as e:  # noqa: BLE001 - reported, never raised in Qt
            self.failed.emit(failure_message(e))
        else:
            self.succeeded.emit(result)
        self._finish()

    @Slot()
    def shutdown(self) -> None:
        """Reached when the host shuts down before or after ``run``."""
        self._finish()

    def _finish(self) -> None:
        if not self._done:
            self._done = True
            self.closed.emit()


def start_job(fn: Callable[[], object], name: str, parent: QObject,
              on_success: Callable[[object], None], on_failure: Callable[[str], None]
              ) -> WorkerHost:
    """Run ``fn`` once on a new thread called ``name`` (a ``OneShotJob`` on a
    ``WorkerHost`` owned by ``parent``); its result or failure sentence comes back
    queued to ``on_success`` / ``on_failure``. Returns the host (``is_finished`` once
    the job is done; ``shutdown`` cuts the reply off)."""
    job = OneShotJob(fn)
    host = WorkerHost(job, name, parent)
    host.listen([(job.succeeded, on_success), (job.failed, on_failure)])
    host.thread.started.connect(job.run)  # emitted in the new thread: run() runs there
    return host.start()


class Mailbox:
    """One answer at a time from a worker's thread to a thread that waits for it: the
    asker sends a queued request numbered ``seq``; the worker, between two ticks,
    ``post``s its answer under that number; the asker ``wait``s for it (or a later one)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._value: object = None
        self._seq = 0

    def post(self, seq: int, value: object) -> None:
        """The answer to request ``seq`` (worker thread)."""
        with self._cond:
            self._value, self._seq = value, int(seq)
            self._cond.notify_all()

    def wait(self, seq: int, timeout: float) -> object | None:
        """The answer to request ``seq`` or a later one; None after ``timeout`` seconds."""
        with self._cond:
            if self._cond.wait_for(lambda: self._seq >= seq, timeout):
                return self._value
        return None
