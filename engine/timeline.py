"""A training timeline: snapshots of a run taken at the end of epochs, dense early and
sparser later, within a count and a memory cap.

A ``Snapshot`` holds everything needed to continue the run from its epoch exactly as it
went on: the weights and buffers, the optimiser's state, the run's generator state (it
shuffles the batches and draws the dropout masks) and the step count. ``SnapshotStore``
keeps every epoch up to ``dense_until``, then every ``stride``-th epoch after it, and
doubles the stride (dropping every other late snapshot) whenever the count or the bytes
would pass the cap. The latest epoch is always kept, so the timeline ends at "now".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.serialize import copy_state_into, model_state

#: every epoch up to this one is kept
DENSE_UNTIL = 100
#: at most this many snapshots ...
MAX_SNAPSHOTS = 300
#: ... and at most this many bytes of arrays (weights, buffers and optimiser state)
MAX_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Snapshot:
    """A run at the end of ``epoch``: ``weights`` (``param/NAME``/``buffer/NAME``
    arrays, ``engine.serialize.model_state``'s form), ``optimizer``
    (``Optimizer.export_state``; None when not taken), ``rng`` (the generator's
    ``bit_generator.state``; None when not taken) and ``steps`` (mini-batches so far)."""

    epoch: int
    weights: dict[str, np.ndarray]
    optimizer: dict | None = field(default=None, compare=False)
    rng: dict | None = field(default=None, compare=False)
    steps: int = 0

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays held (weights, buffers and optimiser state)."""
        total = sum(a.nbytes for a in self.weights.values())
        if self.optimizer is not None:
            total += sum(np.asarray(a).nbytes for a in self.optimizer["arrays"].values())
        return total


def take_snapshot(model, optimizer=None, rng: np.random.Generator | None = None,
                  epoch: int = 0, steps: int = 0) -> Snapshot:
    """Copies of ``model``'s weights (and the ``optimizer``'s and ``rng``'s state, when
    given) at the end of ``epoch``."""
    _, weights = model_state(model)
    return Snapshot(int(epoch), weights,
                    None if optimizer is None else optimizer.export_state(),
                    None if rng is None else rng.bit_generator.state, int(steps))


def load_weights(model, snapshot: Snapshot) -> None:
    """Copy ``snapshot``'s weights and buffers into ``model`` (``DataError`` when they
    belong to another network)."""
    copy_state_into(model, snapshot.weights, f"the snapshot of epoch {snapshot.epoch}")


class SnapshotStore:
    """The kept snapshots of one run, oldest first; see the module docstring. ``add``
    takes one per finished epoch (or fewer: epochs need not be consecutive)."""

    def __init__(self, dense_until: int = DENSE_UNTIL, max_snapshots: int = MAX_SNAPSHOTS,
                 max_bytes: int = MAX_BYTES) -> None:
        self.dense_until = max(0, int(dense_until))
        self.max_snapshots = max(4, int(max_snapshots))
        self.max_bytes = int(max_bytes)
        self.clear()

    def clear(self) -> None:
        """Forget every snapshot (a new run)."""
        self._snapshots: list[Snapshot] = []
        self.stride = 1
        self._limit = 0          # the count the caps allow (see _fit)
        self._size = 0           # bytes of the largest snapshot seen
        self._dense = self.dense_until
        self._tail_kept = True   # whether the last snapshot is one the policy keeps

    def __len__(self) -> int:
        return len(self._snapshots)

    @property
    def nbytes(self) -> int:
        """Bytes of arrays held by the kept snapshots."""
        return sum(s.nbytes for s in self._snapshots)

    @property
    def limit(self) -> int:
        """How many snapshots the caps allow for this run's network (0 before the first)."""
        return self._limit

    def epochs(self) -> list[int]:
        """The kept snapshots' epochs, oldest first (the last is the latest added)."""
        return [s.epoch for s in self._snapshots]

    def snapshots(self) -> list[Snapshot]:
        """The kept snapshots, oldest first (the objects themselves: never change them)."""
        return list(self._snapshots)

    def get(self, epoch: int) -> Snapshot:
        """The kept snapshot nearest to ``epoch`` at or before it (the first if none is
        before); ``IndexError`` when the store is empty."""
        if not self._snapshots:
            raise IndexError("the timeline holds no snapshots yet")
        epochs = np.array(self.epochs())
        i = int(np.searchsorted(epochs, int(epoch), side="right")) - 1
        return self._snapshots[max(i, 0)]

    def add(self, snapshot: Snapshot) -> None:
        """Keep ``snapshot`` (a later epoch than the last one; an earlier or equal one
        replaces what came after it, as when a run goes on from a rewound epoch)."""
        if self._snapshots and snapshot.epoch <= self._snapshots[-1].epoch:
            self.truncate_after(snapshot.epoch - 1)
        self._fit(snapshot)
        if self._snapshots and not self._tail_kept:
            self._snapshots.pop()  # the previous "latest" was only kept as the latest
        self._snapshots.append(snapshot)
        self._thin()

    def truncate_after(self, epoch: int) -> None:
        """Drop the snapshots after ``epoch`` (the run is rewound to it)."""
        self._snapshots = [s for s in self._snapshots if s.epoch <= epoch]
        self._tail_kept = True

    def restore(self, snapshots: list[Snapshot]) -> None:
        """Start over from ``snapshots`` (a saved session's), keeping all of them (the
        caps permitting); later epochs are thinned from there."""
        self.clear()
        ordered = sorted(snapshots, key=lambda s: s.epoch)
        if not ordered:
            return
        for snapshot in ordered:
            self._fit(snapshot)
        self._snapshots = ordered
        self._thin()

    def _fit(self, snapshot: Snapshot) -> None:
        """Size the caps by the largest snapshot seen (the optimiser's state may only
        appear after the first step)."""
        self._size = max(self._size, snapshot.nbytes, 1)
        self._limit = max(4, min(self.max_snapshots, self.max_bytes // self._size))
        # A network too big for the dense part leaves room for the sparse one.
        self._dense = min(self.dense_until, self._limit // 2)

    def _thin(self) -> None:
        """Double the stride until the kept snapshots fit the cap (the latest stays)."""
        while len(self._snapshots) > self._limit:
            self.stride *= 2
            self._snapshots = [s for s in self._snapshots[:-1] if self._keeps(s.epoch)] \
                + self._snapshots[-1:]
        self._tail_kept = self._keeps(self._snapshots[-1].epoch) if self._snapshots else True

    def _keeps(self, epoch: int) -> bool:
        """Whether the thinning policy keeps ``epoch`` for good."""
        return epoch <= self._dense or (epoch - self._dense) % self.stride == 0
