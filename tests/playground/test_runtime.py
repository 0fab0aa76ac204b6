"""The shared runtime: WorkerHost threads, TickLoop ticks and the BLAS thread policy."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QObject, Signal, Slot

from engine.datasets.loader import load_dataset
from engine.errors import TrainingDiverged
from engine.spec import RunConfig
from playground.runtime import BLAS, TickLoop, WorkerHost, failure_message
from playground.two_d.worker import RunPlan, TrainingWorker


class Probe(TickLoop):
    """Ticks ``limit`` times, recording its thread and the BLAS threads in force."""

    ticked = Signal(int)

    def __init__(self, blas_threads: int | None = None, limit: int = 5,
                 fail_at: int = -1) -> None:
        super().__init__(blas_threads=blas_threads)
        self.limit, self.fail_at = limit, fail_at
        self.count = 0
        self.threads: set[int] = set()
        self.blas_seen: list[int] = []
        self.shut = False

    @Slot()
    def go(self) -> None:
        self.arm(0)

    def tick(self) -> int | None:
        self.count += 1
        self.threads.add(threading.get_ident())
        self.blas_seen.append(BLAS.current())
        if self.count == self.fail_at:
            raise TrainingDiverged("the loss became NaN at epoch 3")
        self.ticked.emit(self.count)
        return 1 if self.count < self.limit else None

    def on_shutdown(self) -> None:
        self.shut = True


class Commands(QObject):
    go = Signal()


def hosted(probe: Probe, qtbot) -> tuple[WorkerHost, Commands]:
    host = WorkerHost(probe, "probeThread")
    cmd = Commands()
    host.commands([(cmd.go, probe.go)])
    host.start()
    return host, cmd


def test_ticks_run_on_the_host_thread_until_the_work_says_stop(qtbot):
    probe = Probe(limit=5)
    host, cmd = hosted(probe, qtbot)
    seen: list[int] = []
    host.listen([(probe.ticked, seen.append)])
    cmd.go.emit()
    qtbot.waitUntil(lambda: seen == [1, 2, 3, 4, 5], timeout=3000)
    qtbot.wait(50)
    assert probe.count == 5                       # None ended the chain
    assert len(probe.threads) == 1 and threading.get_ident() not in probe.threads
    assert host.thread.objectName() == "probeThread"
    assert host.shutdown(2000) and host.is_finished() and probe.shut


def test_shutdown_cuts_replies_off_and_is_safe_twice(qtbot):
    probe = Probe(limit=10_000)
    host, cmd = hosted(probe, qtbot)
    seen: list[int] = []
    host.listen([(probe.ticked, seen.append)])
    cmd.go.emit()
    qtbot.waitUntil(lambda: len(seen) >= 3, timeout=3000)
    assert host.shutdown(2000)
    n = len(seen)
    qtbot.wait(100)
    assert len(seen) == n                         # nothing arrives after shutdown
    assert probe.count < 10_000 and probe.stop_requested
    assert host.shutdown(2000) and host.closed


def test_a_failing_tick_is_reported_once_and_ends_the_ticks(qtbot):
    probe = Probe(limit=100, fail_at=3)
    host, cmd = hosted(probe, qtbot)
    failures: list[str] = []
    host.listen([(probe.failed, failures.append)])
    cmd.go.emit()
    qtbot.waitUntil(lambda: bool(failures), timeout=3000)
    qtbot.wait(50)
    assert failures == ["The loss became NaN at epoch 3."] and probe.count == 3
    host.shutdown(2000)


def test_failure_messages_name_the_error():
    assert failure_message(TrainingDiverged("loss is NaN")) == "Loss is NaN."
    assert failure_message(ZeroDivisionError("x")) == "Training stopped: ZeroDivisionError: x."


def test_no_module_but_the_runtime_constructs_a_thread():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "playground"
    makers = [p.relative_to(root).as_posix() for p in root.rglob("*.py")
              if re.search(r"\bQThread\s*\(", p.read_text(encoding="utf-8"))]
    assert makers == ["runtime.py"]


@pytest.mark.skipif(BLAS.library_default < 2, reason="BLAS runs one thread here anyway")
def test_auto_gets_the_library_default_while_the_2d_page_trains(qtbot):
    """The 2-D worker asks for one BLAS thread per tick; a worker asking for "0 = let
    the library decide" gets the library's own count meanwhile, and the one-thread
    choice is gone once no tick asks for it."""
    default = BLAS.library_default
    trainer = TrainingWorker()
    t_host = WorkerHost(trainer, "trainingThread")
    start = Commands()
    configure_cmd = _ConfigureCommand()
    t_host.commands([(configure_cmd.configure, trainer.configure), (start.go, trainer.start)])
    epochs: list[dict] = []
    t_host.listen([(trainer.epochFinished, epochs.append)])
    t_host.start()
    config = RunConfig().with_changes(data={"samples": 2000})
    configure_cmd.configure.emit(RunPlan(1, config, load_dataset(config)))
    start.go.emit()
    qtbot.waitUntil(lambda: len(epochs) >= 3, timeout=5000)

    one = Probe(blas_threads=1, limit=200)
    auto = Probe(blas_threads=0, limit=200)
    hosts = [hosted(one, qtbot), hosted(auto, qtbot)]
    for _, cmd in hosts:
        cmd.go.emit()
    qtbot.waitUntil(lambda: one.count >= 200 and auto.count >= 200, timeout=10000)
    assert set(auto.blas_seen) == {default}
    assert 1 in one.blas_seen                    # alone, a tick gets what it asked for
    for host, _ in hosts:
        host.shutdown(2000)
    assert t_host.shutdown(2000)
    assert BLAS.current() == default             # nothing leaks past the ticks


class _ConfigureCommand(QObject):
    configure = Signal(object)


@pytest.mark.skipif(BLAS.library_default < 2, reason="BLAS runs one thread here anyway")
def test_the_blas_count_never_changes_under_another_threads_tick():
    """OpenBLAS may crash if its thread count changes while another thread's call runs:
    a tick that needs another count waits for the running one to end."""
    import threading
    import time

    default = BLAS.library_default
    seen: list[int] = []
    inside, release = threading.Event(), threading.Event()
    ended: list[float] = []

    def one_thread_tick():
        with BLAS.scoped(1):
            inside.set()
            while not release.is_set():
                seen.append(BLAS.current())
                time.sleep(0.005)
            seen.append(BLAS.current())
            ended.append(time.monotonic())

    t = threading.Thread(target=one_thread_tick)
    t.start()
    assert inside.wait(5)
    threading.Timer(0.2, release.set).start()
    with BLAS.scoped(0):            # wants the library's default: must wait for the tick
        entered = time.monotonic()
        assert BLAS.current() == default
    t.join(5)
    assert set(seen) == {1}         # the running tick never saw its count change
    assert entered >= ended[0]
    assert BLAS.current() == default


def test_a_mixin_s_plain_method_receives_a_worker_signal_on_the_receiver_s_thread(qtbot):
    # What docs/architecture.md's thread rule 6 says of mixins: a plain method of one,
    # connected to a worker signal, runs on the receiving QObject's thread (a @Slot in a
    # mixin would run on the sender's).
    import threading

    from PySide6.QtCore import QObject, QThread, Signal

    class Replies:
        def on_reply(self, value: int) -> None:
            self.seen.append((value, threading.current_thread() is threading.main_thread()))

    class Receiver(Replies, QObject):
        pass

    class Sender(QObject):
        reply = Signal(int)

        def send(self) -> None:
            self.reply.emit(7)

    receiver, sender, thread = Receiver(), Sender(), QThread()
    receiver.seen = []
    sender.moveToThread(thread)
    sender.reply.connect(receiver.on_reply)
    thread.started.connect(sender.send)
    thread.start()
    try:
        qtbot.waitUntil(lambda: bool(receiver.seen), timeout=3000)
    finally:
        thread.quit()
        qtbot.waitUntil(thread.isFinished, timeout=3000)
    assert receiver.seen == [(7, True)]
