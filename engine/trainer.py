"""Mini-batch training with per-epoch metrics, callbacks, a stop hook and divergence checks."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from .augment import augmenter
from .errors import DataError, TrainingDiverged
from .metrics import r2_from_sums, regression_scores, total_sum_of_squares
from .optimizers import Optimizer
from .schedules import Schedule

# Below this many training samples the epoch's train loss/accuracy are measured on the
# whole set in inference mode after the epoch; above it, the running batch mean is used.
FULL_TRAIN_EVAL_LIMIT = 20_000


def predicted_classes(scores: np.ndarray) -> np.ndarray:
    """Class index per row of scores (N, K); a single column is a logit of class 1."""
    if scores.shape[1] == 1:
        return (scores[:, 0] > 0).astype(np.int64)
    return scores.argmax(axis=1)


def _labels(t: np.ndarray) -> np.ndarray:
    return t if t.ndim == 1 else t.argmax(axis=1)


class Trainer:
    """Trains ``model`` with ``optimizer`` on (x_train, y_train).

    Work advances in mini-batch ``step()`` calls so a caller (the GUI's worker) can run a
    few milliseconds at a time; ``run_epoch`` and ``fit`` loop for scripts. Each epoch
    reshuffles with ``rng``. ``batch_size`` 0 or None means full batch.

    ``train_metrics``: the epoch's train loss/accuracy measured on the whole training set
    after the epoch (``full``), or the running mean over its mini-batches (``running``, no
    extra pass); ``auto`` is full up to FULL_TRAIN_EVAL_LIMIT samples.

    ``task``: "classification" (integer labels; metrics ``train_acc``/``test_acc``) or
    "regression" (real targets (N,) for a one-output network; metrics ``train_rmse``,
    ``train_r2``, ``test_rmse``, ``test_r2`` instead, no accuracy); None infers it from
    the targets: one real value per sample (a float array (N,)) is regression.

    ``augment``: "none", "shift" or "shift-rotate" (``engine.augment``): each training
    batch of images (N, C, H, W) is shifted / rotated at random with draws from ``rng``
    before the step; the stored training set and the test set are never changed.

    Callbacks: ``on_step(info)`` after every batch with ``epoch``, ``step``, ``loss``,
    ``samples`` (seen this epoch) and ``correct`` (right answers in this batch; for
    regression ``squared_error``, the batch's sum of squared errors, instead);
    ``on_epoch(metrics)`` after every epoch; ``should_stop()`` is checked between steps.
    A NaN/inf loss or gradient raises ``TrainingDiverged`` naming the epoch and a smaller
    learning rate to try.
    """

    def __init__(self, model, optimizer: Optimizer, x_train: np.ndarray, y_train: np.ndarray,
                 x_test: np.ndarray | None = None, y_test: np.ndarray | None = None, *,
                 batch_size: int | None = 32, schedule: Schedule | None = None,
                 rng: np.random.Generator | None = None,
                 on_step: Callable[[dict], None] | None = None,
                 on_epoch: Callable[[dict], None] | None = None,
                 should_stop: Callable[[], bool] | None = None,
                 train_metrics: str = "auto", task: str | None = None,
                 augment: str = "none"):
        if train_metrics not in ("auto", "running", "full"):
            raise ValueError(f"train_metrics must be auto, running or full, got "
                             f"{train_metrics!r}")
        if task is None:
            y = np.asarray(y_train)
            task = "regression" if y.ndim == 1 and y.dtype.kind == "f" else "classification"
        if task not in ("classification", "regression"):
            raise ValueError(f"task must be classification or regression, got {task!r}")
        self.task = task
        self.regression = task == "regression"
        if len(x_train) == 0:
            raise DataError("there is no training data")
        if len(x_train) != len(y_train):
            raise DataError(f"{len(x_train)} training inputs but {len(y_train)} labels")
        self.model, self.optimizer = model, optimizer
        self.augment = augmenter(augment)
        if self.augment is not None and np.ndim(x_train) != 4:
            raise DataError(f"augmentation {augment!r} needs images (N, C, H, W), got "
                            f"training inputs of shape {np.shape(x_train)}")
        dtype = model.dtype
        self.x_train = np.ascontiguousarray(x_train, dtype=dtype)
        # regression targets are values in the model's number type, like its outputs
        y_dtype = dtype if self.regression else None
        self.y_train = np.asarray(y_train, dtype=y_dtype)
        has_test = x_test is not None and len(x_test) > 0
        self.x_test = np.ascontiguousarray(x_test, dtype=dtype) if has_test else None
        self.y_test = np.asarray(y_test, dtype=y_dtype) if has_test else None
        if self.regression and self.y_train.ndim != 1:
            raise DataError(f"regression needs one target value per sample, got targets "
                            f"of shape {self.y_train.shape}")
        # R²'s denominator for the running train metrics (the epoch covers every sample)
        self._train_sst = total_sum_of_squares(self.y_train) if self.regression else 0.0
        n = len(self.x_train)
        self.batch_size = n if not batch_size else min(int(batch_size), n)
        self.schedule = schedule or Schedule()
        self.base_lr = optimizer.lr
        self.rng = rng if rng is not None else np.random.default_rng()
        self.on_step, self.on_epoch, self.should_stop = on_step, on_epoch, should_stop
        self.train_metrics = train_metrics
        self.epoch = 0      # completed epochs
        self.steps = 0      # completed mini-batches, all epochs
        self.history: list[dict] = []
        self._cursor = n    # position in the current epoch's order; n = start a new epoch
        self._order = np.arange(n)
        buf = self.batch_size if self.batch_size < n else 0
        self._xbuf = np.empty((buf,) + self.x_train.shape[1:], dtype)
        self._ybuf = np.empty((buf,) + self.y_train.shape[1:], self.y_train.dtype)
        self._reset_epoch_stats()

    def _reset_epoch_stats(self) -> None:
        self._loss_sum = 0.0
        self._correct = 0
        self._squared_error = 0.0
        self._seen = 0
        self._gnorm_sum = 0.0
        self._epoch_steps = 0
        self._seconds = 0.0

    @property
    def samples_per_epoch(self) -> int:
        return len(self.x_train)

    @property
    def epoch_samples(self) -> int:
        """Training samples seen so far in the current epoch (0 at an epoch's start)."""
        return self._seen

    def set_optimizer(self, optimizer: Optimizer) -> None:
        """Switch optimiser (or its settings) mid-run, keeping the weights."""
        self.optimizer = optimizer
        self.base_lr = optimizer.lr

    def step(self) -> dict | None:
        """Train one mini-batch; return the epoch's metrics if this finished an epoch."""
        # Overflow is detected below and reported as divergence, not as NumPy warnings.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self._step()

    def _step(self) -> dict | None:
        t0 = time.perf_counter()
        n = len(self.x_train)
        if self._cursor >= n:
            if self.batch_size < n:
                self._order = self.rng.permutation(n)
            self._cursor = 0
            self.optimizer.lr = self.schedule.lr(self.base_lr, self.epoch)
        if self.batch_size >= n:
            # Full batch: the order of the samples does not change the gradient.
            m, xb, yb = n, self.x_train, self.y_train
        else:
            idx = self._order[self._cursor:self._cursor + self.batch_size]
            m = len(idx)
            xb, yb = self._xbuf[:m], self._ybuf[:m]
            # Gather into reused buffers: no per-batch allocation of the batch itself.
            np.take(self.x_train, idx, axis=0, out=xb)
            np.take(self.y_train, idx, axis=0, out=yb)
        if self.augment is not None:
            xb = self.augment(xb, self.rng)  # a new array: x_train is never changed
        loss = self.model.loss(xb, yb, train=True)
        if not math.isfinite(loss):
            self._diverged(f"loss is {loss}")
        self.model.backward()
        self.optimizer.step(self.model)
        gnorm = self.optimizer.last_grad_norm
        if not math.isfinite(gnorm):
            self._diverged(f"gradient norm is {gnorm}")
        self._cursor += m
        self.steps += 1
        self._epoch_steps += 1
        self._loss_sum += loss * m
        if self.regression:
            err = self.model.last_scores()[:, 0] - yb
            squared = float(np.dot(err, err))
            self._squared_error += squared
            extra = {"squared_error": squared}
        else:
            correct = int((predicted_classes(self.model.last_scores()) == _labels(yb)).sum())
            self._correct += correct
            extra = {"correct": correct}
        self._seen += m
        self._gnorm_sum += gnorm
        self._seconds += time.perf_counter() - t0
        if self.on_step is not None:
            self.on_step({"epoch": self.epoch, "step": self.steps, "loss": loss,
                          "samples": self._seen, **extra})
        if self._cursor >= n:
            return self._finish_epoch()
        return None

    def _diverged(self, what: str) -> None:
        lr = self.optimizer.lr
        raise TrainingDiverged(
            f"training diverged at epoch {self.epoch + 1} ({what}): "
            f"try a smaller learning rate (e.g. {lr / 10:.3g} instead of {lr:.3g})",
            epoch=self.epoch + 1, step=self.steps)

    def _finish_epoch(self) -> dict:
        t0 = time.perf_counter()
        self.epoch += 1
        full = self.train_metrics == "full" or (
            self.train_metrics == "auto" and len(self.x_train) <= FULL_TRAIN_EVAL_LIMIT)
        if full:
            train = self.measure(self.x_train, self.y_train)
        elif self.regression:
            sse = self._squared_error
            train = {"loss": self._loss_sum / self._seen,
                     "rmse": math.sqrt(sse / self._seen),
                     "r2": r2_from_sums(sse, self._train_sst)}
        else:
            train = {"loss": self._loss_sum / self._seen, "acc": self._correct / self._seen}
        test = (self.measure(self.x_test, self.y_test) if self.x_test is not None
                else dict.fromkeys(train))
        penalty = self.model.penalty(self.optimizer.l1, self.optimizer.l2)
        seconds = self._seconds + time.perf_counter() - t0
        metrics = {
            "epoch": self.epoch, "steps": self.steps,
            **{f"train_{k}": v for k, v in train.items()},
            **{f"test_{k}": v for k, v in test.items()},
            "penalty": penalty, "lr": self.optimizer.lr,
            "grad_norm": self._gnorm_sum / max(self._epoch_steps, 1),
            "seconds": seconds,
        }
        self.history.append(metrics)
        self._reset_epoch_stats()
        if self.on_epoch is not None:
            self.on_epoch(metrics)
        return metrics

    def measure(self, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        """The model's scores on (x, y) in inference mode: ``{"loss", "acc"}`` for
        classification, ``{"loss", "rmse", "r2"}`` for regression (the metrics' names
        without their ``train_``/``test_`` prefix)."""
        if not self.regression:
            loss, acc = self.evaluate(x, y)
            return {"loss": loss, "acc": acc}
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            scores = self.model.predict(x)
            loss = self.model.loss_fn.forward(scores, y)
            rmse, r2 = regression_scores(scores, y)
        return {"loss": float(loss), "rmse": rmse, "r2": r2}

    def evaluate(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """Mean data loss and accuracy of the model on (x, y), inference mode (a
        classifier's; ``measure`` gives every task's scores)."""
        if self.regression:
            raise ValueError("a regression model has no accuracy; use measure()")
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            scores = self.model.predict(x)
            loss = self.model.loss_fn.forward(scores, y)
        acc = float((predicted_classes(scores) == _labels(y)).mean())
        return float(loss), acc

    def run_epoch(self) -> dict | None:
        """Train to the end of the current epoch; None if ``should_stop`` interrupted it
        (the position is kept, so the next call resumes where it stopped)."""
        while True:
            if self.should_stop is not None and self.should_stop():
                return None
            metrics = self.step()
            if metrics is not None:
                return metrics

    def fit(self, epochs: int) -> list[dict]:
        """Train ``epochs`` more epochs (fewer if ``should_stop``); the metrics of each."""
        out = []
        for _ in range(epochs):
            metrics = self.run_epoch()
            if metrics is None:
                break
            out.append(metrics)
        return out
