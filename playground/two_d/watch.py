"""``RunWatch``: reads each epoch's numbers and says when a run should stop or has
quietly gone wrong, so the page can tell the user instead of training on in silence.

- auto-stop: after ``max_epochs``, or when the test loss has not improved for
  ``patience`` epochs;
- stuck at chance: the training loss sits at the loss of guessing (ln K for K classes)
  with chance accuracy, long after the start, as a ReLU network does once its units died;
- oscillating: the training loss keeps jumping up and down without improving, the sign
  of a learning rate too large for the problem.

Pure Python: no Qt, no engine; one verdict per kind and run.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

#: epochs looked back on for the "stuck" and "oscillating" verdicts.
WINDOW = 40
#: the first epochs are never judged: every run starts near chance.
SETTLE_EPOCHS = 30


@dataclass(frozen=True)
class Verdict:
    """What to tell the user; ``stop``: pause the run as well."""

    stop: bool
    text: str


class RunWatch:
    """See the module docstring. ``start(n_classes, loss)`` at every new run, then
    ``observe(metrics)`` after every epoch."""

    def __init__(self) -> None:
        self.max_epochs = 0   # 0: no limit
        self.patience = 0     # 0: no early stop on the test loss
        self.start(2, "softmax-ce")

    def start(self, n_classes: int, loss: str) -> None:
        # a squared or Huber loss has no "chance" level (and a regression no accuracy)
        self._chance = math.log(max(int(n_classes), 2)) \
            if loss not in ("mse", "huber") else None
        self._n_classes = max(int(n_classes), 2)
        self._best = math.inf
        self._best_epoch = 0
        self._recent: deque[float] = deque(maxlen=WINDOW)
        self._accs: deque[float] = deque(maxlen=WINDOW)
        self._said: set[str] = set()

    def set_limits(self, max_epochs: int = 0, patience: int = 0) -> None:
        self.max_epochs, self.patience = max(0, int(max_epochs)), max(0, int(patience))

    def observe(self, m: dict) -> Verdict | None:
        epoch = int(m["epoch"])
        test = m.get("test_loss")
        if test is not None and math.isfinite(test) and test < self._best:
            self._best, self._best_epoch = float(test), epoch
        loss = m.get("train_loss")
        acc = m.get("train_acc")
        if loss is not None and math.isfinite(loss) and acc is not None:
            self._recent.append(float(loss))
            self._accs.append(float(acc))
        # Each limit fires once when crossed: Play after an auto-stop trains on.
        if self.max_epochs and epoch == self.max_epochs:
            return Verdict(True, f"Stopped at epoch {epoch:,}: the auto-stop limit of "
                                 f"{self.max_epochs:,} epochs.")
        if self.patience and test is not None and epoch - self._best_epoch >= self.patience:
            text = (f"Stopped at epoch {epoch:,}: the test loss has not improved for "
                    f"{self.patience:,} epochs (best {self._best:.4f} at epoch "
                    f"{self._best_epoch:,}).")
            self._best_epoch = epoch  # a new wait, should the user train on
            return Verdict(True, text)
        if epoch < SETTLE_EPOCHS or len(self._recent) < WINDOW:
            return None
        return self._stuck(m) or self._oscillating()

    def _once(self, kind: str, verdict: Verdict) -> Verdict | None:
        if kind in self._said:
            return None
        self._said.add(kind)
        return verdict

    def _stuck(self, m: dict) -> Verdict | None:
        if self._chance is None:
            return None
        # chance accuracy all along, and a loss that hovers at ln K (jitter allowed)
        guessing = max(list(self._accs)[-WINDOW // 2:]) <= 1 / self._n_classes + 0.05
        median = sorted(self._recent)[len(self._recent) // 2]
        if not (guessing and 0.9 * self._chance <= median <= 1.25 * self._chance):
            return None
        return self._once("stuck", Verdict(False, (
            f"The network is stuck at chance: the training loss stays at ln "
            f"{self._n_classes} ≈ {self._chance:.3f} and the accuracy near "
            f"{1 / self._n_classes:.0%}. A learning rate that is too large can kill "
            f"ReLU units for good: try a smaller one (or Adam), then Reset.")))

    def _oscillating(self) -> Verdict | None:
        values = list(self._recent)
        ups = sum(b > a for a, b in zip(values, values[1:]))
        mean = sum(values) / len(values)
        spread = (max(values) - min(values)) / mean if mean > 0 else 0.0
        first, last = values[: WINDOW // 4], values[-WINDOW // 4:]
        improving = min(last) < 0.9 * min(first)
        # a loss near zero may jitter as it likes: only a high one is a problem
        high = self._chance is None or sorted(values)[len(values) // 2] > 0.3 * self._chance
        if ups < 0.4 * (len(values) - 1) or spread < 0.3 or improving or not high:
            return None
        return self._once("oscillating", Verdict(False, (
            f"The training loss oscillates (it rose in {ups} of the last {len(values) - 1} "
            f"epochs without getting lower): the learning rate is probably too large. "
            f"Try a tenth of it.")))
