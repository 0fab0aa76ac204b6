"""The Sweep tab's worker, on the shared runtime (``playground.runtime``): it starts the
Dask client (a ``LocalCluster`` of worker processes, or a scheduler address), submits the
trials (``engine.sweep_dask.SweepRun``) and polls them in ticks, sending each finished
trial as it arrives. Starting a cluster takes seconds: it happens here, never on the
GUI thread. Cancel and shutdown stop the trials and close what was started.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal, Slot

from engine.sweep import SweepSpec, Trial
from playground.runtime import TickLoop

#: how often finished trials are looked for (ms).
POLL_MS = 150


@dataclass(frozen=True)
class SweepPlan:
    """A sweep to run: its id, spec and trials, the data (None: each trial's config
    names it), and where: ``scheduler`` address, else a local cluster of ``workers``."""

    run_id: int
    spec: SweepSpec
    trials: list[Trial]
    data: object
    scheduler: str = ""
    workers: int = 2
    keep_weights: bool = True


class SweepWorker(TickLoop):
    """See the module docstring. ``failed`` and ``closed`` come from ``TickLoop``."""

    started = Signal(int, str)           # run_id, where the trials run ("2 local workers")
    trialFinished = Signal(int, object)  # run_id, (trial, result)
    finished = Signal(int, bool)         # run_id, cancelled

    def __init__(self) -> None:
        super().__init__(blas_threads=None)
        self._plan: SweepPlan | None = None
        self._client = self._cluster = self._run = None

    @Slot(object)
    def start(self, plan: SweepPlan) -> None:
        from engine.errors import EngineError
        from engine.sweep_dask import SweepRun, start_client

        self._close()
        self.run_id = plan.run_id
        self._plan = plan
        try:
            self._client, self._cluster = start_client(plan.scheduler or None, plan.workers)
            self._run = SweepRun(plan.spec, self._client, plan.trials, data=plan.data,
                                 keep_weights=plan.keep_weights)
        except (EngineError, ValueError, OSError, TimeoutError) as e:
            self._close()
            self.failed.emit(str(e)[:1].upper() + str(e)[1:])
            self.finished.emit(plan.run_id, False)
            return
        where = plan.scheduler or f"{plan.workers} local worker processes"
        self.started.emit(plan.run_id, where)
        self.arm(0)

    @Slot()
    def cancel(self) -> None:
        if self._run is None:
            return
        self._run.cancel()
        self.disarm()
        run_id = self.run_id
        self._close()
        self.finished.emit(run_id, True)

    def tick(self) -> int | None:
        if self._run is None:
            return None
        for item in self._run.finished():
            self.trialFinished.emit(self.run_id, item)
        if self._run.done:
            run_id = self.run_id
            self._close()
            self.finished.emit(run_id, False)
            return None
        return POLL_MS

    def on_shutdown(self) -> None:
        if self._run is not None:
            self._run.cancel()
        self._close()

    def _close(self) -> None:
        from engine.sweep_dask import stop_client

        client, cluster = self._client, self._cluster
        self._client = self._cluster = self._run = None
        if client is not None:
            try:
                stop_client(client, cluster)
            except Exception:  # noqa: BLE001 - closing a lost cluster must not fail the app
                pass
