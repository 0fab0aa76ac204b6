"""Trainer: learning, determinism, callbacks, stop hook, divergence, batches."""

import numpy as np
import pytest
from sklearn.datasets import make_moons

from engine import RunConfig, Trainer, build_model
from engine.errors import DataError, TrainingDiverged
from engine.optimizers import make_optimizer
from engine.schedules import Schedule


def _moons(n=200, seed=0):
    X, y = make_moons(n, noise=0.15, random_state=seed)
    return X[: n * 3 // 4], y[: n * 3 // 4], X[n * 3 // 4:], y[n * 3 // 4:]


def _trainer(seed=0, lr=0.03, batch=16, **kw):
    xtr, ytr, xte, yte = _moons()
    cfg = RunConfig().with_changes(seed=seed)
    model = build_model(cfg, (2,), 2)
    return Trainer(model, make_optimizer("adam", lr), xtr, ytr, xte, yte, batch_size=batch,
                   rng=np.random.default_rng(seed), **kw)


def test_training_lowers_the_loss_and_learns_moons():
    tr = _trainer()
    history = tr.fit(60)
    assert history[-1]["train_loss"] < 0.5 * history[0]["train_loss"]
    assert history[-1]["test_acc"] >= 0.9
    assert [h["epoch"] for h in history] == list(range(1, 61))
    keys = {"epoch", "train_loss", "train_acc", "test_loss", "test_acc", "lr", "grad_norm",
            "seconds", "penalty"}
    assert keys <= set(history[-1])


def test_same_seed_same_numbers_different_seed_different_numbers():
    a = _trainer(seed=1).fit(5)
    b = _trainer(seed=1).fit(5)
    c = _trainer(seed=2).fit(5)
    assert [h["train_loss"] for h in a] == [h["train_loss"] for h in b]
    assert a[-1]["train_loss"] != c[-1]["train_loss"]


def test_step_counts_and_callbacks():
    steps, epochs = [], []
    tr = _trainer(batch=32, on_step=steps.append, on_epoch=epochs.append)
    tr.fit(2)
    per_epoch = int(np.ceil(150 / 32))
    assert len(steps) == 2 * per_epoch and len(epochs) == 2
    assert tr.steps == 2 * per_epoch
    assert epochs[1]["steps"] == 2 * per_epoch


def test_full_batch_is_one_step_per_epoch():
    tr = _trainer(batch=0)
    tr.fit(3)
    assert tr.steps == 3


def test_should_stop_interrupts_between_steps_and_resumes():
    calls = {"n": 0}

    def stop_after_two():
        calls["n"] += 1
        return calls["n"] > 2

    tr = _trainer(batch=10, should_stop=stop_after_two)
    assert tr.run_epoch() is None
    assert tr.steps == 2 and tr.epoch == 0
    tr.should_stop = None
    metrics = tr.run_epoch()
    assert metrics["epoch"] == 1 and tr.steps == 15  # 150 samples / 10, resumed mid-epoch


def test_divergence_stops_with_a_reason():
    xtr, ytr, _, _ = _moons()
    cfg = RunConfig().with_changes(model={"activation": "relu", "loss": "mse"})
    tr = Trainer(build_model(cfg, (2,), 2), make_optimizer("sgd", 5.0), xtr, ytr,
                 batch_size=16, rng=np.random.default_rng(0))
    with pytest.raises(TrainingDiverged,
                       match=r"diverged at epoch 1 .*try a smaller learning rate \(e.g. 0.5"):
        tr.fit(3)


def test_schedule_sets_the_rate_per_epoch():
    tr = _trainer(schedule=Schedule("step", step_size=2, gamma=0.5))
    rates = [h["lr"] for h in tr.fit(5)]
    assert rates == pytest.approx([0.03, 0.03, 0.015, 0.015, 0.0075])


def test_empty_training_data_is_refused():
    model = build_model(RunConfig(), (2,), 2)
    with pytest.raises(DataError, match="no training data"):
        Trainer(model, make_optimizer("sgd", 0.1), np.zeros((0, 2)), np.zeros(0, int))


def test_batch_larger_than_data_is_clamped():
    tr = _trainer(batch=10_000)
    tr.fit(1)
    assert tr.steps == 1
