"""Weight initialisers: ``std`` (fixed sigma), ``xavier`` (1/sqrt(n_in)), ``he`` (sqrt(2/n_in)).

Biases are always zero. The scales follow "Deep Learning from Scratch" ch. 6.
"""

from __future__ import annotations

import numpy as np

from .errors import SpecError

INITIALIZERS = ("std", "xavier", "he")


def init_scale(method: str, fan_in: int, std: float = 0.01) -> float:
    """Standard deviation of the Gaussian used by ``method`` for a layer with ``fan_in`` inputs."""
    if method == "std":
        if not std > 0:
            raise SpecError(f"init std must be positive, got {std!r}")
        return float(std)
    if method == "xavier":
        return float(np.sqrt(1.0 / fan_in))
    if method == "he":
        return float(np.sqrt(2.0 / fan_in))
    raise SpecError(f"unknown initialiser {method!r}; choose one of {', '.join(INITIALIZERS)}")


def init_weights(
    shape: tuple[int, ...],
    fan_in: int,
    method: str = "he",
    rng: np.random.Generator | None = None,
    dtype=np.float32,
    std: float = 0.01,
) -> np.ndarray:
    """A weight array of ``shape`` drawn from N(0, scale^2), scale chosen by ``method``."""
    scale = init_scale(method, fan_in, std)
    rng = rng if rng is not None else np.random.default_rng()
    return (rng.standard_normal(shape) * scale).astype(dtype)
