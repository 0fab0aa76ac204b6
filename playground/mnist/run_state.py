"""The MNIST page's network as a run that goes on (no Qt): the trainer it trains with,
how Train continues it under the controls' training settings, and its whole state as a
copy (for a session) or from one.

Keep training: the weights, the optimiser's moments and step count, the generator, the
epoch and step counts and the history carry on. A changed optimiser setting (its
rule, learning rate, ...) takes effect with the moments kept where the rule is the same;
a changed batch size or training-image count makes a new trainer over the kept network
that starts a fresh epoch (the counts and the history still carry on).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from engine.augment import augmenter
from engine.errors import EngineError
from engine.presets import build_optimizer
from engine.serialize import copy_state_into, model_state
from engine.spec import RunConfig
from engine.trainer import Trainer


class LiveTrainer(Trainer):
    """A ``Trainer`` whose epoch end costs no whole-set pass: train loss and accuracy are
    running means over the epoch's mini-batches, and the worker measures the test split in
    chunks between ticks, so Stop is never stuck behind a long evaluation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, train_metrics="running", **kwargs)


def make_trainer(model, optimizer, config: RunConfig, data, rng: np.random.Generator,
                 **callbacks) -> LiveTrainer:
    """A ``LiveTrainer`` of ``model`` on ``data``'s first ``train_limit`` images."""
    limit = config.data.train_limit or len(data.x_train)
    return LiveTrainer(model, optimizer, data.x_train[:limit], data.y_train[:limit],
                       batch_size=config.batch_size or None, schedule=config.schedule,
                       rng=rng, augment=config.data.augment, **callbacks)


def carry_counts(trainer: Trainer, old: Trainer | None) -> Trainer:
    """``trainer`` with ``old``'s epoch and step counts and its history (a copy)."""
    if old is not None:
        trainer.epoch, trainer.steps = old.epoch, old.steps
        trainer.history = [dict(m) for m in old.history]
    return trainer


def continued(model, trainer: LiveTrainer | None, old: RunConfig | None,
              config: RunConfig, data, **callbacks) -> tuple[RunConfig, LiveTrainer]:
    """The config and trainer that train the kept ``model`` on under ``config``'s
    training settings (the architecture stays ``model``'s: ``old.model``). ``trainer``
    is the one it trained with (None for a loaded network: counts start at 0)."""
    if old is not None:
        config = replace(config, model=old.model)
    same_optim = trainer is not None and old is not None and config.optim == old.optim
    if same_optim:
        optimizer = trainer.optimizer
    else:
        optimizer = build_optimizer(config)
        if trainer is not None:
            try:  # the same rule keeps its moments under the new settings
                optimizer.import_state(trainer.optimizer.export_state(), model)
            except EngineError:
                pass  # another rule: its moments start afresh
    limit = config.data.train_limit or len(data.x_train)
    same_data = (trainer is not None and old is not None
                 and len(trainer.x_train) == min(limit, len(data.x_train))
                 and (config.batch_size or None) == (old.batch_size or None))
    if same_data:
        if optimizer is not trainer.optimizer:
            trainer.set_optimizer(optimizer)
        trainer.schedule = config.schedule
        trainer.augment = augmenter(config.data.augment)  # changed between runs: applies now
        return config, trainer
    rng = trainer.rng if trainer is not None else np.random.default_rng(config.seed)
    new = make_trainer(model, optimizer, config, data, rng, **callbacks)
    return config, carry_counts(new, trainer)


def run_state(model, trainer: Trainer | None, initial: dict[int, np.ndarray]) -> dict:
    """Copies of everything a session keeps of the run: "spec" and "weights"
    (``model_state``), "optimizer" (``export_state``, None without a trainer),
    "initial" (W0 by layer index), "history" (the trainer's metrics dicts), "epoch",
    "steps" and "rng" (the generator's state)."""
    spec, weights = model_state(model)
    return {"spec": spec, "weights": weights,
            "optimizer": _copy_state(trainer.optimizer.export_state())
            if trainer is not None else None,
            "initial": {int(k): np.array(v) for k, v in initial.items()},
            "history": [dict(m) for m in trainer.history] if trainer is not None else [],
            "epoch": trainer.epoch if trainer is not None else 0,
            "steps": trainer.steps if trainer is not None else 0,
            "rng": trainer.rng.bit_generator.state if trainer is not None else None}


def _copy_state(state: dict) -> dict:
    return {"kind": state["kind"], "t": int(state["t"]),
            "arrays": {k: np.array(v) for k, v in state["arrays"].items()}}


def restored_trainer(model, session, data, **callbacks) -> LiveTrainer:
    """A trainer of ``model`` (already holding ``session``'s weights) that goes on as
    the saved run would: its optimiser state (when kept), generator, counts and history.
    ``EngineError`` when the weights do not fit ``model``."""
    copy_state_into(model, session.weights, "the session")
    optimizer = build_optimizer(session.config)
    if session.optimizer is not None:
        optimizer.import_state(session.optimizer, model)
    rng = np.random.default_rng(session.config.seed)
    if session.rng is not None:
        try:
            rng.bit_generator.state = session.rng
        except (TypeError, ValueError, KeyError):
            pass  # another generator's state: the run goes on with a fresh one
    trainer = make_trainer(model, optimizer, session.config, data, rng, **callbacks)
    trainer.epoch, trainer.steps = session.epoch, session.steps
    trainer.history = [dict(m) for m in session.history_rows()]
    return trainer


def export_onnx(spec: dict, weights: dict[str, np.ndarray], input_shape: tuple[int, ...],
                path) -> None:
    """Write the network ``spec`` with ``weights`` (``model_state``'s copies) as ONNX
    for images of ``input_shape`` (C, H, W); ``EngineError`` saying how to install onnx
    when it is missing, or naming a layer ONNX has no equivalent for."""
    from engine.build import build_from_description
    from engine.export import save_onnx

    model = build_from_description(spec)
    copy_state_into(model, weights, "the network")
    save_onnx(model, path, tuple(input_shape))
