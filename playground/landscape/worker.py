"""``LandscapeWorker``: computes a loss landscape on its own thread, a cell at a time.

On the shared runtime (``playground.runtime``): ``compute`` builds a model of its own
from the request's copy (the training's model is never touched), plans the plane and then
ticks, each tick working out cells of the current row through
``engine.landscape.landscape_rows`` for about ``TICK_SECONDS`` (at least one cell), so a
cancel lands within one forward pass. Each finished row is sent at once; every reply
carries the request's ``job_id`` so the controller drops those of a cancelled job.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Signal, Slot

from engine.errors import EngineError
from engine.landscape import landscape_rows
from playground.landscape.plane import LandscapeRequest, Plane, build_copy, plan_plane
from playground.runtime import TICK_SECONDS, TickLoop

#: cells done are reported at most this often between rows.
PROGRESS_SECONDS = 0.1
#: BLAS threads while this worker ticks: one, as the training workers use, so a
#: landscape shares the two cores with the GUI and training instead of taking both.
BLAS_THREADS = 1


class LandscapeWorker(TickLoop):
    """See the module docstring; ``failed`` and ``closed`` come from ``TickLoop``."""

    # {"job_id", "alphas" (nx,), "betas" (ny,), "path" (T, 2) or None, "explained",
    #  "labels", "title", "directions"}
    started = Signal(object)
    rowReady = Signal(object)      # {"job_id", "index", "row" (nx,) float64, "done", "total"}
    progressed = Signal(object)    # {"job_id", "done", "total"}: cells so far
    finished = Signal(object)      # {"job_id", "seconds", "rows"}
    cancelled = Signal(object)     # {"job_id", "rows"}

    def __init__(self, blas_threads: int = BLAS_THREADS) -> None:
        super().__init__(blas_threads=blas_threads)
        self._job: LandscapeRequest | None = None
        self._model = None
        self._plane: Plane | None = None
        self._row = 0
        self._col = 0
        self._values: np.ndarray | None = None
        self._t0 = 0.0
        self._last_progress = 0.0

    @Slot(object)
    def compute(self, request: LandscapeRequest) -> None:
        """Start ``request`` (dropping any job in progress)."""
        self._drop()
        self.clear_stop()
        self.run_id = request.job_id
        self._t0 = time.perf_counter()
        ok, found = self.work(lambda: self._prepare(request))
        if not ok:
            return
        self._job, self._model, self._plane = request, found[0], found[1]
        plane = self._plane
        self._row = self._col = 0
        self._values = np.empty(len(plane.alphas))
        self.started.emit({
            "job_id": request.job_id, "alphas": plane.alphas.copy(),
            "betas": plane.betas.copy(),
            "path": None if plane.path is None else plane.path.copy(),
            "explained": plane.explained, "labels": plane.labels,
            "title": request.source.title, "directions": request.directions})
        self.arm(0)

    @Slot()
    def cancel(self) -> None:
        """Stop the job in progress after its current cell (its rows so far stay sent)."""
        if self._job is not None:
            self.cancelled.emit({"job_id": self._job.job_id, "rows": self._row})
        self._drop()
        self.clear_stop()

    def on_shutdown(self) -> None:
        self._drop()

    def on_failure(self, error: BaseException) -> None:
        """Say why in one sentence (the engine's own, or what was raised)."""
        self._drop()
        if isinstance(error, EngineError):
            text = str(error)
        else:
            text = f"the landscape stopped: {type(error).__name__}: {error}"
        text = text[:1].upper() + text[1:]
        self.failed.emit(text if text.endswith(".") else text + ".")

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _prepare(request: LandscapeRequest):
        model = build_copy(request.source)
        return model, plan_plane(model, request)

    def _drop(self) -> None:
        self.disarm()
        self._job = self._model = self._plane = self._values = None

    def _total(self) -> int:
        return len(self._plane.alphas) * len(self._plane.betas)

    def tick(self) -> int | None:
        if self._job is None:
            return None
        plane, src = self._plane, self._job.source
        deadline = time.perf_counter() + TICK_SECONDS
        nx, ny = len(plane.alphas), len(plane.betas)
        while True:
            i, r = self._col, self._row
            rows = landscape_rows(self._model, src.x, src.targets, plane.d1, plane.d2,
                                  plane.alphas[i:i + 1], plane.betas[r:r + 1], plane.center)
            self._values[i] = next(rows)[0]
            rows.close()
            self._col += 1
            if self._col == nx:
                self._send_row()
                if self._row == ny:
                    self._finish()
                    return None
            if self.stop_requested or time.perf_counter() >= deadline:
                break
        now = time.perf_counter()
        if now - self._last_progress >= PROGRESS_SECONDS:
            self._last_progress = now
            self.progressed.emit({"job_id": self._job.job_id, "total": self._total(),
                                  "done": self._row * nx + self._col})
        return None if self.stop_requested else 0

    def _send_row(self) -> None:
        nx = len(self._plane.alphas)
        self.rowReady.emit({"job_id": self._job.job_id, "index": self._row,
                            "row": self._values.copy(), "done": (self._row + 1) * nx,
                            "total": self._total()})
        self._row += 1
        self._col = 0

    def _finish(self) -> None:
        job_id, rows = self._job.job_id, self._row
        seconds = time.perf_counter() - self._t0
        self._drop()
        self.finished.emit({"job_id": job_id, "seconds": seconds, "rows": rows})
