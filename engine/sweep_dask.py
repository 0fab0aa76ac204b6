"""Running a sweep's trials on Dask distributed: a ``LocalCluster`` of worker processes
(one thread each, listening on 127.0.0.1 only, no dashboard) or a scheduler address, the
same code for both. The data goes to the workers once (``scatter``); each trial is one
task (``engine.sweep.run_trial``); results come back as they finish. Cancelling sets a
Dask ``Event`` the running trials look at between epochs and cancels the queued ones.

Nothing here is our own pool, scheduler or protocol: Dask does all of that.
"""

from __future__ import annotations

import logging
import uuid
import warnings
from collections.abc import Iterator

from .compare import data_key
from .errors import SpecError
from .sweep import SweepSpec, Trial, run_trial

#: Dask settings for the workers of a ``LocalCluster`` we start. Without a dashboard no
#: one reads the worker's statistical profiler (a stack walk every 10 ms), its system
#: monitor or its event-loop tick warnings, and each of them wakes a thread that takes
#: the GIL from the training thread: measured, trials ran about 15 % slower with them.
#: A cluster someone else started keeps its own settings.
QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
}


def start_client(scheduler: str | None = None, workers: int = 2, timeout: float = 10.0):
    """(client, cluster): connected to ``scheduler`` (cluster None), or to a new
    ``LocalCluster`` of ``workers`` processes. ``SpecError`` in one sentence when the
    scheduler does not answer within ``timeout`` seconds."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout=f"{timeout}s"), None
        except (OSError, TimeoutError) as e:
            raise SpecError(f"no Dask scheduler answers at {scheduler} within {timeout:g} s "
                            f"({type(e).__name__}); start one with `dask scheduler` or "
                            f"leave out --scheduler for a local cluster") from None
    if workers < 1:
        raise SpecError(f"--workers must be at least 1, got {workers}")
    import dask

    # the nannies copy the configuration into their worker processes as they start
    with warnings.catch_warnings(), dask.config.set(QUIET_WORKERS):
        # without a dashboard the scheduler still serves a health page; when its usual
        # port is taken (another sweep) it says so and takes another: nothing to report
        warnings.filterwarnings("ignore", message=".*already in use.*")
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None,
                               silence_logs=logging.ERROR)
    return Client(cluster), cluster


def stop_client(client, cluster) -> None:
    """Close the client and, if we started it, the local cluster and its processes."""
    try:
        client.close()
    finally:
        if cluster is not None:
            cluster.close()


class StopFlag:
    """Picklable: asks the Dask ``Event`` of one sweep whether it was cancelled."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self) -> bool:
        from distributed import Event

        return Event(self.name).is_set()


def _trial_task(config: dict, data, flag: StopFlag, keep_weights: bool = False) -> dict:
    from . import _malloc

    # the task is this process's entry point for training (see engine/_malloc.py)
    _malloc.tune_allocator(respect_env=False)
    return run_trial(config, data, flag, keep_weights=keep_weights)


class SweepRun:
    """The trials of ``spec`` submitted to ``client``; iterate ``results()`` for
    (trial, result) as they finish, or poll ``finished()``; ``cancel()`` stops the rest.
    ``data``: one data set for every trial (the app's drawn points), else each trial's
    config names its data, loaded here; ``keep_weights``: results carry the model."""

    def __init__(self, spec: SweepSpec, client, trials: list[Trial] | None = None,
                 data=None, keep_weights: bool = False) -> None:
        from distributed import Event

        from .datasets.loader import load_dataset

        self.spec = spec
        self.client = client
        self.trials = trials if trials is not None else spec.expand()
        name = f"sweep-stop-{uuid.uuid4().hex}"
        self._event = Event(name, client=client)
        self._flag = StopFlag(name)
        self.cancelled = False
        scattered: dict[str, object] = {}
        shared = client.scatter(data, broadcast=True) if data is not None else None
        for t in self.trials:  # each distinct data set loaded here once, sent once
            key = data_key(t.config)
            if shared is None and key not in scattered:
                scattered[key] = client.scatter(load_dataset(t.config), broadcast=True)
        self._futures = {
            client.submit(_trial_task, t.config.to_dict(),
                          shared if shared is not None else scattered[data_key(t.config)],
                          self._flag, keep_weights, key=f"trial-{t.index}-{name}",
                          pure=False): t
            for t in self.trials}
        self._reported: set = set()

    def results(self) -> Iterator[tuple[Trial, dict]]:
        from distributed import as_completed

        for future in as_completed(list(self._futures)):
            trial = self._futures[future]
            if future.cancelled():
                continue
            try:
                yield trial, future.result()
            except Exception as e:  # a worker lost, or a trial that could not be built
                if self.cancelled:
                    continue
                yield trial, _failed(e)

    def finished(self) -> list[tuple[Trial, dict]]:
        """The trials finished since the last call (never blocks)."""
        out = []
        for future, trial in self._futures.items():
            if future in self._reported or not future.done() or future.cancelled():
                continue
            self._reported.add(future)
            try:
                out.append((trial, future.result()))
            except Exception as e:  # a worker lost, or a trial that could not be built
                if not self.cancelled:
                    out.append((trial, _failed(e)))
        return out

    @property
    def done(self) -> bool:
        # done only once every finished trial has been handed out by finished(): a trial
        # that ends between a finished() call and this check would otherwise be lost
        return all(f in self._reported or (f.done() and f.cancelled())
                   for f in self._futures)

    def cancel(self) -> None:
        """Queued trials are dropped, running ones end after their current epoch."""
        self.cancelled = True
        self._event.set()
        self.client.cancel([f for f in self._futures if not f.done()])


def _failed(error: BaseException) -> dict:
    return {"error": f"{type(error).__name__}: {error}", "final": {}, "history": [],
            "seconds": 0.0, "diverged": None, "stopped": False}
