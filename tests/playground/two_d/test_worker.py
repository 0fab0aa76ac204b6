"""The training worker on its own thread, driven through queued signals."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject, Qt, Signal

from engine.datasets.loader import load_dataset
from engine.spec import RunConfig
from playground.runtime import WorkerHost
from playground.two_d.worker import RunPlan, TrainingWorker


class Commands(QObject):
    """Queued commands to the worker, and its replies relayed into the test's thread
    (waiting on a signal emitted in another thread would stop qtbot's timer there)."""

    configure = Signal(object)
    start = Signal()
    pause = Signal()
    step = Signal()
    training = Signal(object)
    epochFinished = Signal(dict)
    gridReady = Signal(object)
    failed = Signal(str)
    runningChanged = Signal(int, bool)


@pytest.fixture
def worker(qtbot):
    worker = TrainingWorker()
    host = WorkerHost(worker, "testTrainingThread")
    cmd = Commands()
    host.commands([(cmd.configure, worker.configure), (cmd.start, worker.start),
                   (cmd.pause, worker.pause), (cmd.step, worker.step),
                   (cmd.training, worker.updateTraining)])
    host.listen([(worker.epochFinished, cmd.epochFinished), (worker.gridReady, cmd.gridReady),
                 (worker.failed, cmd.failed), (worker.runningChanged, cmd.runningChanged)])
    host.start()
    yield worker, cmd, host
    host.shutdown(0)
    qtbot.waitUntil(host.is_finished, timeout=3000)


def plan(run_id: int = 1, **changes) -> RunPlan:
    config = RunConfig().with_changes(**changes)
    return RunPlan(run_id, config, load_dataset(config))


def test_configure_sends_the_initial_grid(worker, qtbot):
    _, cmd, _ = worker
    with qtbot.waitSignal(cmd.gridReady, timeout=5000) as blocker:
        cmd.configure.emit(plan(7))
    grid = blocker.args[0]
    assert grid["run_id"] == 7 and grid["epoch"] == 0
    probs = grid["probs"]
    assert probs.shape == (160, 160, 2) and probs.dtype.name == "float32"
    assert abs(float(probs.sum(axis=-1).mean()) - 1.0) < 1e-4


def test_step_start_pause_and_shutdown(worker, qtbot):
    _, cmd, host = worker
    seen: list[dict] = []
    cmd.epochFinished.connect(seen.append, Qt.ConnectionType.QueuedConnection)
    cmd.configure.emit(plan(3))
    with qtbot.waitSignal(cmd.epochFinished, timeout=5000):
        cmd.step.emit()
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert seen[0]["epoch"] == 1 and seen[0]["run_id"] == 3 and "test_acc" in seen[0]
    with qtbot.waitSignal(cmd.runningChanged, timeout=5000) as blocker:
        cmd.start.emit()
    assert blocker.args == [3, True]
    qtbot.waitUntil(lambda: len(seen) >= 5, timeout=10000)
    with qtbot.waitSignal(cmd.runningChanged, timeout=5000) as blocker:
        cmd.pause.emit()
    assert blocker.args == [3, False]
    epochs = [m["epoch"] for m in seen]
    assert epochs == list(range(1, len(epochs) + 1))
    host.shutdown(0)
    qtbot.waitUntil(host.is_finished, timeout=3000)


def test_new_learning_rate_applies_without_new_weights(worker, qtbot):
    _, cmd, _ = worker
    seen: list[dict] = []
    cmd.epochFinished.connect(seen.append, Qt.ConnectionType.QueuedConnection)
    p = plan(1, optim={"name": "sgd", "lr": 0.1})
    cmd.configure.emit(p)
    cmd.step.emit()
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    cmd.training.emit(p.config.with_changes(optim={"lr": 0.5}, batch_size=0))
    cmd.step.emit()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    assert seen[1]["epoch"] == 2 and seen[1]["lr"] == 0.5
    assert seen[1]["steps"] == seen[0]["steps"] + 1   # full batch: one step per epoch


def test_a_model_that_cannot_be_built_is_reported(worker, qtbot):
    _, cmd, _ = worker
    p = plan(1)
    bad = RunPlan(2, p.config.with_changes(model={"preset": "simple-cnn"}), p.dataset)
    with qtbot.waitSignal(cmd.failed, timeout=5000) as blocker:
        cmd.configure.emit(bad)
    assert "Cannot build" in blocker.args[0]


def test_a_blown_up_optimizer_state_is_not_handed_out_for_saving(qtbot):
    import numpy as np

    worker = TrainingWorker()  # on this thread: driven by direct calls
    worker.configure(plan(1))
    worker.step()
    state = worker.current_state()
    assert state.optimizer is not None and state.optimizer["t"] > 0
    for st in worker._trainer.optimizer.state.values():
        st["v"][...] = np.inf  # what an overflowing gradient leaves behind
    assert worker.current_state().optimizer is None
    assert worker.current_state().weights is not None
