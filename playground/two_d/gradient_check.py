"""``GradientCheck``: the "Inside the network" window's gradient check of the 2-D page's
current network, run on a thread of its own from copies of the weights (the training run
is only asked for them, between two of its ticks, and never touched)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from playground.runtime import WorkerHost, start_job
from playground.two_d import inside

#: how long the GUI thread waits for the worker's copy of the weights (seconds).
STATE_TIMEOUT = 2.0


class GradientCheck(QObject):
    """Checks ``controller``'s current network (``playground.two_d.inside.gradient_check``
    on a few training samples); ``finished`` carries its result dict, ``failed`` one
    sentence. One check at a time."""

    finished = Signal(dict)
    failed = Signal(str)

    def __init__(self, controller, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._host: WorkerHost | None = None

    @property
    def running(self) -> bool:
        return self._host is not None and not self._host.closed \
            and not self._host.is_finished()

    def start(self) -> bool:
        """Start a check of the network as it is now; False (with ``failed``) when there
        is none or one is already running."""
        if self.running:
            return False
        c = self._controller
        dataset = c.dataset
        state = c.request_state(STATE_TIMEOUT) if dataset is not None else None
        if state is None or state.spec is None:
            self.failed.emit("There is no network to check: the page has no data to "
                             "train on, or its run is busy; try again.")
            return False
        x, y = inside.check_samples(dataset.x_train, dataset.y_train)
        spec, weights = state.spec, state.weights
        if self._host is not None:
            self._host.shutdown(0)
        self._host = start_job(lambda: inside.gradient_check(spec, weights, x, y),
                               "gradientCheckThread", self, self._done, self._failed)
        return True

    def _done(self, result: dict) -> None:
        self.finished.emit(result)

    def _failed(self, text: str) -> None:
        self.failed.emit(f"The gradient check failed: {text}")

    def shutdown(self, timeout_ms: int = 1000) -> bool:
        """Cut off a running check's reply and join its thread."""
        return self._host.shutdown(timeout_ms) if self._host is not None else True
