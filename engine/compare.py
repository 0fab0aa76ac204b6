"""Compared runs: one base ``RunConfig`` trained under two or more settings of a few keys.

``--vary optim.name=sgd,adam`` names a dotted ``RunConfig`` path and its values; several
``--vary`` multiply (one of a single value sets it for every run). Every run is built
and trained exactly as ``train`` builds and trains that config alone (``make_run``,
shared with the ``train`` command), so its numbers are bit for bit those of the same
config trained by itself; runs whose data settings are equal share one loaded data set.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

import numpy as np

from .errors import SpecError
from .spec import RunConfig

#: most runs one comparison trains (the product of every --vary's values).
MAX_RUNS = 16


@dataclass(frozen=True)
class ComparedRun:
    """Run ``index`` of a comparison: its ``changes`` (dotted key -> value), config and
    a ``label`` (a book experiment's name for it; "" for the changes themselves)."""

    index: int
    changes: dict
    config: RunConfig
    label: str = ""

    @property
    def title(self) -> str:
        return self.label or describe_changes(self.changes)


def parse_value(text: str):
    """A --vary value: a JSON number, true/false/null or list, else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_vary(text: str) -> tuple[str, list]:
    """``KEY=V1,V2[,...]`` -> (KEY, [values]); ``SpecError`` in one sentence if malformed."""
    key, sep, values = text.partition("=")
    key = key.strip()
    if not sep or not key or not values.strip():
        raise SpecError(f"--vary needs KEY=V1,V2 (a dotted config key and its values), "
                        f"got {text!r}")
    return key, [parse_value(v.strip()) for v in values.split(",")]


def nested(changes: dict) -> dict:
    """Dotted keys -> the nested form ``RunConfig.with_changes`` takes."""
    out: dict = {}
    for key, value in changes.items():
        *path, last = key.split(".")
        node = out
        for part in path:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise SpecError(f"--vary key {key!r} goes through a value, not a section")
        node[last] = value
    return out


def expand(base: RunConfig, varies: list[tuple[str, list]]) -> list[ComparedRun]:
    """Every combination of the varied values, in order (the first --vary slowest), each
    as a validated config; ``SpecError`` naming the run whose settings are invalid."""
    keys = [k for k, _ in varies]
    if len(set(keys)) != len(keys):
        raise SpecError("each --vary key may be given once")
    combos = list(itertools.product(*[values for _, values in varies]))
    if len(combos) < 2:  # a --vary of one value is a fixed setting of every run
        raise SpecError("there is nothing to compare: give at least two values of one "
                        "--vary key")
    if len(combos) > MAX_RUNS:
        raise SpecError(f"{len(combos)} runs to compare; at most {MAX_RUNS} (fewer values)")
    runs = []
    for i, combo in enumerate(combos):
        changes = dict(zip(keys, combo))
        try:
            config = base.with_changes(**nested(changes)).validate()
        except (TypeError, ValueError) as e:
            raise SpecError(f"run {i} ({describe_changes(changes)}): {e}") from None
        runs.append(ComparedRun(i, changes, config))
    return runs


def describe_changes(changes: dict) -> str:
    """``{"optim.lr": 0.1, "optim.name": "sgd"}`` -> ``"optim.lr=0.1, optim.name=sgd"``."""
    return ", ".join(f"{k}={v}" for k, v in changes.items())


def make_run(config: RunConfig, data):
    """(model, trainer) of ``config`` on ``data``, as ``train`` makes them: the same seed
    for the weights and the batch order, so equal configs give equal runs."""
    from .build import build_model
    from .presets import build_optimizer
    from .trainer import Trainer

    model = build_model(config, data.input_shape, data.n_classes)
    trainer = Trainer(model, build_optimizer(config), data.x_train, data.y_train,
                      data.x_test, data.y_test, batch_size=config.batch_size,
                      schedule=config.schedule, rng=np.random.default_rng(config.seed),
                      task=config.data.task, augment=config.data.augment)
    return model, trainer


def data_key(config: RunConfig) -> str:
    """Runs with equal keys train on the same loaded data (its settings and seed)."""
    return json.dumps([config.to_dict()["data"], config.seed], sort_keys=True)
