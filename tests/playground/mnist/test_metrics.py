"""The MNIST run's numbers: progress, speed, ETA, step curves, confusion and mistakes."""

import math

import numpy as np
import pytest

from playground.mnist import metrics
from playground.mnist.metrics import RunProgress


def test_progress_counts_samples_across_epochs_and_estimates_the_rest():
    p = RunProgress(epochs=2, start=100.0)
    for seen in (100, 200, 300, 400):          # epoch 0: four batches of 100 of 400
        p.on_step({"epoch": 0, "samples": seen, "loss": 1.0, "correct": 50}, 400)
    p.epoch_ended()
    p.on_step({"epoch": 1, "samples": 100, "loss": 0.5, "correct": 100}, 400)
    p.train_seconds = 2.0
    out = p.progress(now=105.0, samples_per_epoch=400, epoch=1)
    assert (out["done"], out["total"], out["epochs"]) == (500, 800, 2)
    assert out["speed"] == pytest.approx(250.0)          # samples per training second
    assert out["eta"] == pytest.approx(300 * 5.0 / 500)  # the rest at the wall-clock pace


def test_step_curves_are_smoothed_and_handed_over_once():
    p = RunProgress(epochs=1)
    p.on_step({"epoch": 0, "samples": 10, "loss": 2.0, "correct": 0}, 40)
    p.on_step({"epoch": 0, "samples": 20, "loss": 0.0, "correct": 10}, 40)
    steps = p.take_steps()
    assert list(steps["x"]) == [0.25, 0.5]
    assert steps["loss"][0] == 2.0 and 0.0 < steps["loss"][1] < 2.0   # smoothed, not raw
    assert steps["acc"][0] == 0.0 and 0.0 < steps["acc"][1] < 1.0
    assert p.take_steps() is None


def test_no_samples_yet_means_no_eta():
    out = RunProgress(epochs=3, start=0.0).progress(now=1.0, samples_per_epoch=100, epoch=0)
    assert out["done"] == 0 and math.isnan(out["eta"]) and out["speed"] == 0.0


# ---------------------------------------------------------------- confusion, mistakes

def test_confusion_matrix_rows_are_true_classes():
    true = np.array([0, 0, 1, 2, 2, 2])
    pred = np.array([0, 1, 1, 2, 0, 2])
    cm = metrics.confusion_matrix(true, pred, 3)
    np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert cm.sum() == len(true) and cm.dtype == np.int64


def test_confusion_matrix_rejects_bad_input():
    with pytest.raises(ValueError, match="true labels"):
        metrics.confusion_matrix([0, 1], [0], 2)
    with pytest.raises(ValueError, match="0..1"):
        metrics.confusion_matrix([0, 2], [0, 1], 2)


def test_misclassified_most_confident_first():
    true = np.array([0, 1, 2, 3, 4])
    pred = np.array([0, 2, 2, 1, 0])
    conf = np.array([0.9, 0.6, 0.8, 0.95, 0.7])
    np.testing.assert_array_equal(metrics.misclassified(true, pred), [1, 3, 4])
    np.testing.assert_array_equal(metrics.misclassified(true, pred, confidence=conf), [3, 4, 1])
    np.testing.assert_array_equal(metrics.misclassified(true, pred, limit=1, confidence=conf), [3])


def test_smoother_is_bias_corrected():
    s = metrics.Smoother(0.9)
    assert s.update(2.0) == pytest.approx(2.0)
    assert s.update(2.0) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        metrics.Smoother(1.0)
