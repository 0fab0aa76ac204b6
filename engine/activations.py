"""Element-wise activation layers. Each caches what its backward needs from forward."""

from __future__ import annotations

import numpy as np

from .base import Layer
from .errors import SpecError


class Identity(Layer):
    kind = "Identity"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        return x

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy.copy()


class ReLU(Layer):
    kind = "ReLU"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        y = np.maximum(x, 0)
        self._y = y
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        # dy * (y > 0) without a float mask array: where() writes zeros directly.
        return np.where(self._y > 0, dy, 0).astype(dy.dtype, copy=False)


class LeakyReLU(Layer):
    kind = "LeakyReLU"

    def __init__(self, alpha: float = 0.01, dtype=np.float32):
        super().__init__(dtype)
        if not 0 <= alpha < 1:
            raise SpecError(f"LeakyReLU alpha must be in [0, 1), got {alpha!r}")
        self.alpha = float(alpha)

    def config(self) -> dict:
        return {"alpha": self.alpha}

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        self._pos = x > 0
        return np.where(self._pos, x, x * x.dtype.type(self.alpha))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return np.where(self._pos, dy, dy * dy.dtype.type(self.alpha))


class Sigmoid(Layer):
    kind = "Sigmoid"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        y = sigmoid(x)
        self._y = y
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        y = self._y
        return dy * y * (1 - y)


class Tanh(Layer):
    kind = "Tanh"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        y = np.tanh(x)
        self._y = y
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        y = self._y
        return dy * (1 - y * y)


class ELU(Layer):
    kind = "ELU"

    def __init__(self, alpha: float = 1.0, dtype=np.float32):
        super().__init__(dtype)
        if not alpha > 0:
            raise SpecError(f"ELU alpha must be positive, got {alpha!r}")
        self.alpha = float(alpha)

    def config(self) -> dict:
        return {"alpha": self.alpha}

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        a = x.dtype.type(self.alpha)
        self._pos = x > 0
        # expm1 only where needed avoids overflow warnings for large positive x.
        neg = a * np.expm1(np.minimum(x, 0))
        y = np.where(self._pos, x, neg)
        self._neg = neg
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        a = dy.dtype.type(self.alpha)
        return np.where(self._pos, dy, dy * (self._neg + a))


class Step(Layer):
    """Heaviside step (perceptron demos). Its derivative is zero almost everywhere and
    undefined at 0, so it cannot be trained by back-propagation: ``backward`` refuses."""

    kind = "Step"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        return (x > 0).astype(x.dtype)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        raise SpecError(
            "the step activation has no useful gradient and cannot be trained by "
            "back-propagation; use it only for forward demos, or pick sigmoid, tanh or relu"
        )


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function, stable for large |x| (no overflow in exp), dtype preserved."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


ACTIVATIONS: dict[str, type[Layer]] = {
    "relu": ReLU,
    "leaky-relu": LeakyReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "elu": ELU,
    "linear": Identity,
    "step": Step,
}
#: Activations a network can be trained with (the step function cannot).
TRAINABLE_ACTIVATIONS = tuple(k for k in ACTIVATIONS if k != "step")


def make_activation(name: str, dtype=np.float32) -> Layer:
    """An activation layer from its registry name (``relu``, ``tanh``, ...)."""
    try:
        cls = ACTIVATIONS[name]
    except KeyError:
        raise SpecError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}"
        ) from None
    return cls(dtype=dtype)
