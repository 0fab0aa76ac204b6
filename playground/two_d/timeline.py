"""The 2-D worker's training timeline: a snapshot per finished epoch (thinned by
``engine.timeline.SnapshotStore``), a second network to show an earlier epoch on while
the live one trains, and the rewind that "Train from here" asks for. Worker thread only.
"""

from __future__ import annotations

import numpy as np

from engine.build import build_from_description
from engine.errors import EngineError
from engine.serialize import describe
from engine.timeline import Snapshot, SnapshotStore, load_weights, take_snapshot


class RunTimeline:
    """Snapshots of the worker's current run; ``shown`` is the epoch being looked at
    (None: the live network)."""

    def __init__(self) -> None:
        self.store = SnapshotStore()
        self.shown: int | None = None
        self._scratch = None        # a network of the run's shape holding ``shown``
        self._scratch_epoch: int | None = None

    def start(self, model, trainer, saved: list[Snapshot] | None = None) -> None:
        """A new run: forget the old one's snapshots (or take a restored session's),
        then keep the run as it is now."""
        self.store.clear()
        self.shown = None
        self._scratch = self._scratch_epoch = None
        if saved:
            self.store.restore([s for s in saved if s.epoch <= trainer.epoch])
        self.record(model, trainer)

    def clear(self) -> None:
        """No run (no data)."""
        self.store.clear()
        self.shown = None
        self._scratch = self._scratch_epoch = None

    def record(self, model, trainer) -> None:
        """Keep the run at the end of its latest epoch."""
        self.store.add(take_snapshot(model, trainer.optimizer, trainer.rng, trainer.epoch,
                                     trainer.steps))

    def show(self, epoch: int | None) -> None:
        """Look at the snapshot at or before ``epoch`` from now on (None: the live run)."""
        self.shown = None if epoch is None or epoch < 0 or not len(self.store) \
            else int(epoch)

    def shown_model(self, live):
        """(network, epoch) to draw: the live network, or a copy holding the snapshot
        being looked at (``live`` gives the copy its shape)."""
        if self.shown is None:
            return live, None
        snapshot = self.store.get(self.shown)
        if snapshot.epoch == self.store.epochs()[-1] and self.shown >= snapshot.epoch:
            return live, None  # the latest snapshot is the live network
        if self._scratch is None:
            self._scratch = build_from_description(describe(live), np.random.default_rng(0))
        if self._scratch_epoch != snapshot.epoch:
            load_weights(self._scratch, snapshot)
            self._scratch_epoch = snapshot.epoch
        return self._scratch, snapshot.epoch

    def rewind(self, model, trainer, epoch: int) -> Snapshot:
        """Put the live run back to the snapshot at or before ``epoch``: weights, the
        optimiser's moments (when the rule is still the same), the generator and the
        counts; later snapshots are dropped. Returns the snapshot used."""
        snapshot = self.store.get(epoch)
        load_weights(model, snapshot)
        if snapshot.optimizer is not None:
            try:
                trainer.optimizer.import_state(snapshot.optimizer, model)
            except EngineError:
                pass  # another rule since: its moments start afresh
        if snapshot.rng is not None:
            trainer.rng.bit_generator.state = snapshot.rng
        trainer.epoch, trainer.steps = snapshot.epoch, snapshot.steps
        self.store.truncate_after(snapshot.epoch)
        self.shown = None
        self._scratch_epoch = None
        return snapshot

    def snapshots(self) -> list[Snapshot]:
        """The kept snapshots, oldest first (immutable copies, safe to hand over)."""
        return self.store.snapshots()
