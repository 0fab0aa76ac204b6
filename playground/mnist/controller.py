"""``MnistSession``: the MNIST worker and the thread it runs on, owned by the page.

Commands are plain methods here (each emits a signal queued to the worker's thread);
replies are the worker's own signals, which the page connects through ``listen`` so
they arrive queued on its thread and are cut off cleanly by ``shutdown``.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from playground.mnist.sources import DataRequest, TrainingRequest
from playground.mnist.worker import MnistWorker
from playground.runtime import WorkerHost


class MnistSession(QObject):
    """Starts an ``MnistWorker`` on its own ``QThread``; see the module docstring."""

    _loadData = Signal(object)
    _prepare = Signal(object)
    _stopTraining = Signal()
    _featureMaps = Signal(int)
    _predict = Signal(object)
    _saveModel = Signal(str)
    _loadModel = Signal(int, str)
    _setThreads = Signal(int)

    def __init__(self, blas_threads: int = 1, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = w = MnistWorker(blas_threads=blas_threads)
        self.host = WorkerHost(w, "mnistThread", self)
        self.host.commands([
            (self._loadData, w.loadData), (self._prepare, w.prepare),
            (self._stopTraining, w.stop), (self._featureMaps, w.requestFeatureMaps),
            (self._predict, w.predictDrawing), (self._saveModel, w.saveModel),
            (self._loadModel, w.loadModel), (self._setThreads, w.setBlasThreads)])
        self.host.start()

    def listen(self, pairs: list[tuple]) -> None:
        """Connect (worker signal, callable) pairs, queued to this object's thread."""
        self.host.listen(pairs)

    @property
    def closed(self) -> bool:
        return self.host.closed

    # ------------------------------------------------------------------ commands

    def load(self, request: DataRequest) -> None:
        self._loadData.emit(request)

    def prepare(self, plan: TrainingRequest) -> None:
        self._prepare.emit(plan)

    def stop(self) -> None:
        """Stop training after the current batch (the flag is seen at once)."""
        self.worker.request_stop()
        self._stopTraining.emit()

    def feature_maps(self, index: int) -> None:
        self._featureMaps.emit(int(index))

    def predict(self, image: np.ndarray) -> None:
        self._predict.emit(image)

    def save_model(self, path: str) -> None:
        self._saveModel.emit(path)

    def load_model(self, run_id: int, path: str) -> None:
        self._loadModel.emit(int(run_id), path)

    def set_threads(self, n: int) -> None:
        self._setThreads.emit(int(n))

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """Stop the worker and join its thread; True if it ended within ``timeout_ms``.
        No reply is delivered afterwards."""
        return self.host.shutdown(timeout_ms)
