"""Keep training: a changed augmentation applies to the network trained on."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np

from engine import RunConfig, build_model
from playground.mnist.run_state import continued, make_trainer


def _data():
    rng = np.random.default_rng(0)
    return SimpleNamespace(x_train=rng.random((40, 1, 8, 8), dtype=np.float32),
                           y_train=rng.integers(0, 3, 40))


def _config(augment: str) -> RunConfig:
    cfg = RunConfig().with_changes(model={"preset": "mlp", "hidden": (8,)}, batch_size=10)
    return replace(cfg, data=replace(cfg.data, augment=augment))


def test_a_changed_augmentation_applies_when_training_goes_on():
    from engine.presets import build_optimizer

    data, old = _data(), _config("none")
    model = build_model(old, (1, 8, 8), 3, rng=np.random.default_rng(0))
    trainer = make_trainer(model, build_optimizer(old), old, data, np.random.default_rng(0))
    assert trainer.augment is None
    trainer.run_epoch()
    config, same = continued(model, trainer, old, _config("shift"), data)
    assert same is trainer and config.data.augment == "shift"
    batches = []
    same.augment = (lambda f: lambda x, rng: batches.append(x) or f(x, rng))(same.augment)
    same.run_epoch()
    assert len(batches) == 4 and same.epoch == 2
    _, back = continued(model, same, config, _config("none"), data)
    assert back.augment is None
