"""``TrajectoryRecorder``: flattened weight snapshots of one model, one per epoch, thinned
so at most a few hundred (and a bounded number of bytes) are kept.

A training worker starts it when it builds a model and records at the end of every
epoch; what it hands out with a copy of the model is the PCA mode's trajectory. No Qt:
it lives on the worker's thread and is only read there.
"""

from __future__ import annotations

import weakref

import numpy as np

from engine.landscape import parameter_vector

#: at most this many snapshots are kept ...
MAX_SNAPSHOTS = 200
#: ... and at most this many bytes of them (a 433,890-weight SimpleConvNet: 38 of them).
MAX_BYTES = 64 * 2**20


class TrajectoryRecorder:
    """Keeps every ``stride``-th snapshot of a model's weights; when full, every other
    one is dropped and the stride doubles, so the kept ones stay evenly spread from the
    first (the weights at ``start``) to the latest kept."""

    def __init__(self, max_snapshots: int = MAX_SNAPSHOTS, max_bytes: int = MAX_BYTES) -> None:
        self.max_snapshots = max(3, int(max_snapshots))
        self.max_bytes = int(max_bytes)
        self._model = None             # a weak reference to the model recorded
        self._snapshots: list[np.ndarray] = []
        self._epochs: list[int] = []
        self._count = 0                # records since start (start is record 0)
        self.stride = 1

    def start(self, model, epoch: int = 0) -> None:
        """Forget what was recorded and keep ``model``'s weights now as the first."""
        self._model = weakref.ref(model)
        self._snapshots, self._epochs = [], []
        self._count, self.stride = 0, 1
        self._limit = self._capacity(model)
        self._keep(model, epoch)

    def record(self, model, epoch: int | None = None) -> None:
        """One more epoch of ``model`` (a model not started on starts it)."""
        if self._model is None or self._model() is not model:
            self.start(model, 0 if epoch is None else epoch)
            return
        self._count += 1
        if self._count % self.stride == 0:
            self._keep(model, self._count if epoch is None else epoch)

    def snapshots(self, model) -> np.ndarray:
        """A copy (T, P) of the kept snapshots of ``model``, oldest first, in its number
        type; (0, 0) when what was recorded belongs to another model."""
        if self._model is None or self._model() is not model or not self._snapshots:
            return np.zeros((0, 0), np.float32)
        return np.array(self._snapshots)

    def epochs(self, model) -> list[int]:
        """The epochs of ``snapshots(model)``."""
        return list(self._epochs) if len(self.snapshots(model)) else []

    def _capacity(self, model) -> int:
        size = sum(p.nbytes for _, p, _ in model.parameters())
        return max(3, min(self.max_snapshots, self.max_bytes // max(size, 1)))

    def _keep(self, model, epoch: int) -> None:
        self._snapshots.append(parameter_vector(model).astype(model.dtype))
        self._epochs.append(int(epoch))
        if len(self._snapshots) > self._limit:
            self._snapshots = self._snapshots[::2]
            self._epochs = self._epochs[::2]
            self.stride *= 2
