"""Learning-rate schedules: ``lr(epoch)`` for a 0-based epoch index, from a base rate."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import SpecError

SCHEDULES = ("constant", "inverse-time", "step", "exponential", "cosine")


@dataclass(frozen=True)
class Schedule:
    """``name`` with its knobs: ``decay`` (inverse-time d), ``step_size``/``gamma`` (step),
    ``gamma`` (exponential, per epoch), ``period``/``min_lr`` (cosine, restarts each
    period so an open-ended run keeps going)."""

    name: str = "constant"
    decay: float = 0.01
    step_size: int = 50
    gamma: float = 0.5
    period: int = 200
    min_lr: float = 0.0

    def __post_init__(self):
        if self.name not in SCHEDULES:
            raise SpecError(f"unknown schedule {self.name!r}; choose one of "
                            f"{', '.join(SCHEDULES)}")
        if self.decay < 0:
            raise SpecError(f"schedule decay must be >= 0, got {self.decay!r}")
        if self.step_size < 1 or self.period < 1:
            raise SpecError("schedule step_size and period must be at least 1 epoch")
        if not 0 < self.gamma <= 1:
            raise SpecError(f"schedule gamma must be in (0, 1], got {self.gamma!r}")
        if self.min_lr < 0:
            raise SpecError(f"schedule min_lr must be >= 0, got {self.min_lr!r}")

    def lr(self, base_lr: float, epoch: int) -> float:
        """The rate to use during 0-based ``epoch``."""
        if self.name == "constant":
            return base_lr
        if self.name == "inverse-time":
            return base_lr / (1.0 + self.decay * epoch)
        if self.name == "step":
            return base_lr * self.gamma ** (epoch // self.step_size)
        if self.name == "exponential":
            return base_lr * self.gamma ** epoch
        phase = (epoch % self.period) / self.period
        return self.min_lr + 0.5 * (base_lr - self.min_lr) * (1 + math.cos(math.pi * phase))
