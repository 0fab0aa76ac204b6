"""RunWatch: auto-stop limits, "stuck at chance" and "oscillating" from epoch numbers."""

from __future__ import annotations

import math

import numpy as np

from playground.two_d.watch import RunWatch


def feed(watch: RunWatch, train, test=None, acc=None):
    verdicts = []
    for i, loss in enumerate(train):
        m = {"epoch": i + 1, "train_loss": loss,
             "test_loss": None if test is None else test[i],
             "train_acc": 0.5 if acc is None else acc[i]}
        v = watch.observe(m)
        if v is not None:
            verdicts.append((i + 1, v))
    return verdicts


def test_a_healthy_run_gets_no_word():
    w = RunWatch()
    losses = list(0.7 * np.exp(-np.arange(300) / 50) + 0.05)
    assert feed(w, losses, losses, [0.95] * 300) == []


def test_stops_after_the_epoch_limit_once():
    w = RunWatch()
    w.set_limits(max_epochs=25)
    out = feed(w, [0.5] * 60, [0.5] * 60, [0.9] * 60)
    assert [(e, v.stop) for e, v in out] == [(25, True)]
    assert "epoch 25" in out[0][1].text and "limit of 25" in out[0][1].text


def test_stops_when_the_test_loss_stalls():
    w = RunWatch()
    w.set_limits(patience=10)
    test = [1.0 - 0.01 * i for i in range(20)] + [0.9] * 30   # best at epoch 20
    out = feed(w, test, test, [0.9] * 50)
    assert out[0][0] == 30 and out[0][1].stop
    assert "not improved for 10 epochs" in out[0][1].text and "epoch 20" in out[0][1].text


def test_stuck_at_chance_is_said_once_with_what_to_try():
    w = RunWatch()
    w.start(3, "softmax-ce")
    out = feed(w, [math.log(3) + 1e-4] * 200, None, [0.33] * 200)
    assert len(out) == 1 and not out[0][1].stop
    assert "stuck at chance" in out[0][1].text and "smaller" in out[0][1].text
    assert out[0][0] >= 40


def test_an_oscillating_loss_is_said():
    w = RunWatch()
    rng = np.random.default_rng(0)
    losses = list(1.0 + 0.8 * rng.random(200))   # jumping about, never lower
    out = feed(w, losses, None, [0.6] * 200)
    assert len(out) == 1 and "oscillates" in out[0][1].text and not out[0][1].stop


def test_a_new_run_is_judged_afresh():
    w = RunWatch()
    w.start(2, "softmax-ce")
    feed(w, [math.log(2)] * 100, None, [0.5] * 100)
    w.start(2, "softmax-ce")
    assert len(feed(w, [math.log(2)] * 100, None, [0.5] * 100)) == 1


def test_a_low_loss_that_jitters_is_not_called_oscillating():
    """A trained network's loss of 0.02 with spikes (Adam on the moons) is fine."""
    w = RunWatch()
    rng = np.random.default_rng(1)
    losses = list(0.02 + 0.03 * rng.random(200))
    assert feed(w, losses, losses, [0.99] * 200) == []
