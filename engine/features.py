"""Input features for 2-D data, as the TensorFlow Playground offers them."""

from __future__ import annotations

import numpy as np

from .base import Layer
from .errors import SpecError

#: name -> function of (x1, x2) columns; order here is the order shown in the UI.
FEATURES = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1*x2": lambda a, b: a * b,
    "sin(x1)": lambda a, b: np.sin(a),
    "sin(x2)": lambda a, b: np.sin(b),
}

#: name -> (d feature / d x1, d feature / d x2), for the input gradient.
_DERIVATIVES = {
    "x1": lambda a, b: (np.ones_like(a), np.zeros_like(b)),
    "x2": lambda a, b: (np.zeros_like(a), np.ones_like(b)),
    "x1^2": lambda a, b: (2 * a, np.zeros_like(b)),
    "x2^2": lambda a, b: (np.zeros_like(a), 2 * b),
    "x1*x2": lambda a, b: (b, a),
    "sin(x1)": lambda a, b: (np.cos(a), np.zeros_like(b)),
    "sin(x2)": lambda a, b: (np.zeros_like(a), np.cos(b)),
}


def check_features(names) -> tuple[str, ...]:
    """Validated tuple of feature names (at least one, no repeats)."""
    names = tuple(names)
    if not names:
        raise SpecError("choose at least one input feature")
    for n in names:
        if n not in FEATURES:
            raise SpecError(f"unknown input feature {n!r}; choose from {', '.join(FEATURES)}")
    if len(set(names)) != len(names):
        raise SpecError(f"input features repeat: {', '.join(names)}")
    return names


class Features(Layer):
    """Maps raw points (N, 2) to the chosen features (N, len(names)). No parameters, so it is
    always the model's first layer and its input gradient is never needed."""

    kind = "features"

    def __init__(self, names=("x1", "x2"), dtype=np.float32):
        super().__init__(dtype)
        self.names = check_features(names)

    def config(self) -> dict:
        return {"names": list(self.names)}

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (len(self.names),)

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        if x.ndim != 2 or x.shape[1] != 2:
            raise SpecError(f"input features need points of shape (N, 2), got {x.shape}")
        self._x = x
        if self.names == ("x1", "x2"):
            return x
        a, b = x[:, 0], x[:, 1]
        return np.stack([FEATURES[n](a, b) for n in self.names], axis=1).astype(
            x.dtype, copy=False)

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        if self.skip_input_grad:
            return None
        a, b = self._x[:, 0], self._x[:, 1]
        dx = np.zeros_like(self._x)
        for j, name in enumerate(self.names):
            d1, d2 = _DERIVATIVES[name](a, b)
            dx[:, 0] += dy[:, j] * d1
            dx[:, 1] += dy[:, j] * d2
        return dx
