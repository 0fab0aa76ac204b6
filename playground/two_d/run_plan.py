"""What the 2-D worker is given for a run (``RunPlan``) and what it hands back of it
(``ModelState``): plain frozen records, copied across threads."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.datasets.loader import Dataset
from engine.spec import RunConfig
from engine.trainer import Trainer


@dataclass(frozen=True)
class RunPlan:
    """What the worker needs for a run: its id, the config and the data (None: no run).
    A restored run also brings its ``weights`` (``param/NAME``/``buffer/NAME`` arrays),
    the ``epoch`` they were saved at, the loss ``history`` (E, columns) up to it and the
    ``optimizer`` state (``Optimizer.export_state``) to continue from, if saved."""

    run_id: int
    config: RunConfig
    dataset: Dataset | None
    weights: dict[str, np.ndarray] | None = None
    epoch: int = 0
    history: np.ndarray | None = field(default=None, compare=False)
    optimizer: dict | None = field(default=None, compare=False)
    #: a restored session's timeline (``engine.timeline.Snapshot`` list), if saved
    snapshots: list | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ModelState:
    """Copies of what the worker holds for run ``run_id``: the model's description and
    arrays (None without a model), the completed epochs and their history, and the
    optimiser's state (``Optimizer.export_state``; None without a model)."""

    run_id: int
    epoch: int
    spec: dict | None
    weights: dict[str, np.ndarray] | None
    history: np.ndarray
    optimizer: dict | None = None
    #: the weight trajectory (T, P) so far (``TrajectoryRecorder.snapshots``)
    trajectory: np.ndarray | None = field(default=None, compare=False)
    #: the timeline's kept snapshots (``engine.timeline.Snapshot``), oldest first
    snapshots: list | None = field(default=None, compare=False)


def trainer_data(t: Trainer) -> Dataset:
    """The data a trainer was given, as a ``Dataset`` to build another trainer on."""
    return Dataset(t.x_train, t.y_train,
                   t.x_test if t.x_test is not None else t.x_train[:0],
                   t.y_test if t.y_test is not None else t.y_train[:0], 0, "")
