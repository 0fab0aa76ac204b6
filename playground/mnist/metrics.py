"""What an MNIST training run has done and how well its network does.

The worker feeds every mini-batch to ``RunProgress.on_step`` and asks it, a few times a
second, for the progress bar's numbers (samples done, speed, ETA) and the smoothed
per-step loss/accuracy points gathered since the last time. ``test_summary`` turns the
test split's scores into the loss, accuracy, confusion matrix and worst mistakes.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class RunProgress:
    """Counts the samples of a run of ``epochs`` epochs and smooths its step curves. A
    run that continues a network starts at ``first_epoch`` completed epochs, ``seen``
    samples into the next one (its progress counts from there)."""

    def __init__(self, epochs: int = 0, start: float = 0.0, first_epoch: int = 0,
                 seen: int = 0) -> None:
        self.epochs = epochs
        self.start = start          # perf_counter() when the run started
        self.train_seconds = 0.0    # time spent in training steps (not test passes)
        self.first_epoch = first_epoch
        self.done = 0               # training samples seen in this run
        self._epoch_seen = seen
        self._offset = seen         # samples of the current epoch seen before this run
        self._smooth_loss = Smoother(0.9)
        self._smooth_acc = Smoother(0.9)
        self._x: list[float] = []
        self._loss: list[float] = []
        self._acc: list[float] = []

    def on_step(self, info: dict[str, Any], samples_per_epoch: int) -> None:
        """Record one mini-batch (the trainer's ``on_step`` info)."""
        seen = info["samples"]
        batch = max(seen - self._epoch_seen, 1)
        self._epoch_seen = seen
        self._x.append(info["epoch"] + seen / samples_per_epoch)
        self._loss.append(self._smooth_loss.update(info["loss"]))
        self._acc.append(self._smooth_acc.update(info["correct"] / batch))
        self.done = (info["epoch"] - self.first_epoch) * samples_per_epoch + seen \
            - self._offset

    def epoch_ended(self) -> None:
        self._epoch_seen = 0

    @property
    def last_epoch(self) -> int:
        """The completed-epoch count at which this run ends."""
        return self.first_epoch + self.epochs

    def progress(self, now: float, samples_per_epoch: int, epoch: int) -> dict[str, Any]:
        """The progress bar's numbers: samples done of the total, samples/s, ETA (s)."""
        total = samples_per_epoch * max(self.epochs, 1) - self._offset
        done = min(self.done, total)
        elapsed = now - self.start
        speed = done / self.train_seconds if self.train_seconds > 0 else 0.0
        eta = (total - done) * elapsed / done if done else float("nan")
        return {"done": int(done), "total": int(total), "epoch": epoch,
                "epochs": self.last_epoch, "speed": speed, "eta": eta}

    def take_steps(self) -> dict[str, np.ndarray] | None:
        """The smoothed step points since the last call (None if there are none)."""
        if not self._x:
            return None
        out = {"x": np.array(self._x), "loss": np.array(self._loss),
               "acc": np.array(self._acc)}
        self._x, self._loss, self._acc = [], [], []
        return out


def test_summary(loss_fn, scores: np.ndarray, x_test: np.ndarray, y_test: np.ndarray,
                 n_classes: int, shown: int = 40) -> tuple[float | None, float | None, dict]:
    """(test loss, test accuracy, views) from the scores (N, K) of the whole test split;
    views: the confusion matrix and copies of the ``shown`` most confident mistakes.
    Loss and accuracy are None for an empty split."""
    y = np.asarray(y_test)
    probs = loss_fn.probabilities(scores) if len(scores) else np.zeros((0, n_classes))
    pred = probs.argmax(axis=1)
    conf = probs.max(axis=1) if len(probs) else np.zeros(0)
    test_loss = float(loss_fn.forward(scores, y)) if len(y) else None
    test_acc = float((pred == y).mean()) if len(y) else None
    wrong = misclassified(y, pred, shown, confidence=conf)
    return test_loss, test_acc, {
        "test_acc": test_acc, "confusion": confusion_matrix(y, pred, n_classes),
        "mistakes": {"index": wrong, "images": np.array(x_test[wrong, 0]),
                     "true": y[wrong].copy(), "predicted": pred[wrong].copy(),
                     "confidence": conf[wrong].copy()}}


def confusion_matrix(true: np.ndarray, predicted: np.ndarray,
                     n_classes: int = 10) -> np.ndarray:
    """Counts (n_classes, n_classes) int64: row = true class, column = predicted class."""
    t = np.asarray(true, dtype=np.int64).ravel()
    p = np.asarray(predicted, dtype=np.int64).ravel()
    if t.shape != p.shape:
        raise ValueError(f"{len(t)} true labels but {len(p)} predictions")
    bad = (t < 0) | (t >= n_classes) | (p < 0) | (p >= n_classes)
    if bad.any():
        raise ValueError(f"labels must be in 0..{n_classes - 1}")
    counts = np.bincount(t * n_classes + p, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes)


def misclassified(true: np.ndarray, predicted: np.ndarray, limit: int = 40,
                  confidence: np.ndarray | None = None) -> np.ndarray:
    """Indices of up to ``limit`` wrong predictions; the most confident mistakes first
    when ``confidence`` (N,) is given, else in data order."""
    t, p = np.asarray(true).ravel(), np.asarray(predicted).ravel()
    wrong = np.flatnonzero(t != p)
    if confidence is not None and len(wrong):
        conf = np.asarray(confidence, dtype=np.float64).ravel()[wrong]
        wrong = wrong[np.argsort(-conf, kind="stable")]
    return wrong[:max(0, int(limit))]


class Smoother:
    """Exponential moving average with bias correction (as Adam corrects its moments),
    so the first smoothed values are not pulled towards zero."""

    def __init__(self, beta: float = 0.9):
        if not 0 <= beta < 1:
            raise ValueError(f"beta must be in [0, 1), got {beta}")
        self.beta = beta
        self._avg = 0.0
        self._n = 0

    def update(self, value: float) -> float:
        self._n += 1
        self._avg = self.beta * self._avg + (1 - self.beta) * float(value)
        return self._avg / (1 - self.beta ** self._n)
