"""What an MNIST training run has done so far, as the page shows it.

The worker feeds every mini-batch to ``RunProgress.on_step`` and asks it, a few times a
second, for the progress bar's numbers (samples done, speed, ETA) and the smoothed
per-step loss/accuracy points gathered since the last time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from playground.mnist.drawing import Smoother


class RunProgress:
    """Counts the samples of a run of ``epochs`` epochs and smooths its step curves."""

    def __init__(self, epochs: int = 0, start: float = 0.0) -> None:
        self.epochs = epochs
        self.start = start          # perf_counter() when the run started
        self.train_seconds = 0.0    # time spent in training steps (not test passes)
        self.done = 0               # training samples seen, all epochs
        self._epoch_seen = 0
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
        self.done = info["epoch"] * samples_per_epoch + seen

    def epoch_ended(self) -> None:
        self._epoch_seen = 0

    def progress(self, now: float, samples_per_epoch: int, epoch: int) -> dict[str, Any]:
        """The progress bar's numbers: samples done of the total, samples/s, ETA (s)."""
        total = samples_per_epoch * max(self.epochs, 1)
        done = min(self.done, total)
        elapsed = now - self.start
        speed = done / self.train_seconds if self.train_seconds > 0 else 0.0
        eta = (total - done) * elapsed / done if done else float("nan")
        return {"done": int(done), "total": int(total), "epoch": epoch,
                "epochs": self.epochs, "speed": speed, "eta": eta}

    def take_steps(self) -> dict[str, np.ndarray] | None:
        """The smoothed step points since the last call (None if there are none)."""
        if not self._x:
            return None
        out = {"x": np.array(self._x), "loss": np.array(self._loss),
               "acc": np.array(self._acc)}
        self._x, self._loss, self._acc = [], [], []
        return out
