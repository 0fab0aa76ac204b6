"""``GradientCheck``: the "Inside the network" window's gradient check of a page's
current network, run on a thread of its own from copies of the weights (the training run
is only asked for them, between two of its ticks, and never touched). The 2-D page's by
default; another page passes ``inputs`` and ``check``."""

from __future__ import annotations

from collections.abc import Callable

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

    def __init__(self, controller, parent: QObject | None = None,
                 inputs: Callable[[float], tuple | None] | None = None,
                 check: Callable[..., dict] = inside.gradient_check) -> None:
        """``inputs(timeout)``: (spec, weights, x, y) copied from the page's run, or None
        (default: the 2-D page's, from ``controller``); ``check(spec, weights, x, y)``:
        the result dict (``playground.two_d.inside.gradient_check``)."""
        super().__init__(parent)
        self._controller = controller
        self._inputs = inputs if inputs is not None else self._two_d_inputs
        self._check = check
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
        found = self._inputs(STATE_TIMEOUT)
        if found is None:
            self.failed.emit("There is no network to check: the page has no data to "
                             "train on, or its run is busy; try again.")
            return False
        spec, weights, x, y = found
        check = self._check
        if self._host is not None:
            self._host.shutdown(0)
        self._host = start_job(lambda: check(spec, weights, x, y),
                               "gradientCheckThread", self, self._done, self._failed)
        return True

    def _two_d_inputs(self, timeout: float) -> tuple | None:
        c = self._controller
        dataset = c.dataset
        state = c.request_state(timeout) if dataset is not None else None
        if state is None or state.spec is None:
            return None
        x, y = inside.check_samples(dataset.x_train, dataset.y_train)
        return state.spec, state.weights, x, y

    def _done(self, result: dict) -> None:
        self.finished.emit(result)

    def _failed(self, text: str) -> None:
        self.failed.emit(f"The gradient check failed: {text}")

    def shutdown(self, timeout_ms: int = 1000) -> bool:
        """Cut off a running check's reply and join its thread."""
        return self._host.shutdown(timeout_ms) if self._host is not None else True
