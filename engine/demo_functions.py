"""The book's optimiser comparison on f(x, y) = x²/20 + y², started from (-7, 2)."""

from __future__ import annotations

import numpy as np

from .optimizers import make_optimizer

#: The learning rates "Deep Learning from Scratch" (fig. 6-8) uses for each optimiser.
BOOK_RATES = {"sgd": 0.95, "momentum": 0.1, "adagrad": 1.5, "adam": 0.3}


class Quadratic:
    """f(x, y) = x²/20 + y² as a one-parameter "model" the optimisers can step."""

    def __init__(self, start=(-7.0, 2.0)):
        self.p = np.array(start, np.float64)
        self.g = np.zeros(2, np.float64)

    def value(self) -> float:
        return float(self.p[0] ** 2 / 20 + self.p[1] ** 2)

    def compute_gradient(self) -> None:
        self.g[0] = self.p[0] / 10
        self.g[1] = 2 * self.p[1]

    def parameters(self):
        yield "p.W", self.p, self.g


def optimizer_path(name: str, lr: float, steps: int = 30) -> np.ndarray:
    """Points (steps + 1, 2) visited by optimiser ``name`` from (-7, 2)."""
    f = Quadratic()
    opt = make_optimizer(name, lr)
    path = [f.p.copy()]
    for _ in range(steps):
        f.compute_gradient()
        opt.step(f)
        path.append(f.p.copy())
    return np.array(path)
