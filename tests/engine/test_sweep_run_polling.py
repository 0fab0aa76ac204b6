"""Polling a sweep: a trial that finishes between ``finished()`` and ``done`` must still
be handed out, so ``done`` waits until every finished trial has been reported."""

from engine.sweep_dask import SweepRun


class _Future:
    def __init__(self) -> None:
        self.state = "pending"

    def done(self) -> bool:
        return self.state != "pending"

    def cancelled(self) -> bool:
        return self.state == "cancelled"

    def result(self) -> dict:
        return {"final": {}, "history": []}


def _run(futures) -> SweepRun:
    run = SweepRun.__new__(SweepRun)  # no cluster: only the polling bookkeeping
    run._futures = {f: i for i, f in enumerate(futures)}
    run._reported = set()
    run.cancelled = False
    return run


def test_a_trial_finishing_after_the_poll_is_not_lost():
    a, b = _Future(), _Future()
    run = _run([a, b])
    a.state = "finished"
    assert [t for t, _ in run.finished()] == [0]
    b.state = "finished"  # ends after the poll, before the done check
    assert not run.done
    assert [t for t, _ in run.finished()] == [1]
    assert run.done


def test_cancelled_trials_count_as_done_without_a_result():
    a, b = _Future(), _Future()
    run = _run([a, b])
    a.state, b.state = "finished", "cancelled"
    assert not run.done
    assert [t for t, _ in run.finished()] == [0]
    assert run.done
