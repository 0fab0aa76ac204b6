"""Element-wise activation layers. Each caches what its backward needs from forward."""

from __future__ import annotations

import numpy as np

from .base import Layer
from .errors import SpecError


class Identity(Layer):
    kind = "identity"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        return x

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy.copy()


class ReLU(Layer):
    kind = "relu"

    def __init__(self, dtype=np.float32):
        super().__init__(dtype)
        self._y: np.ndarray | None = None
        self._mask: np.ndarray | None = None  # backward's scratch: y > 0

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        y = np.empty_like(x, order="C")
        relu(x, out=y)
        self._y = y
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        if self._y is None:
            raise RuntimeError("ReLU.backward called before forward")
        y = self._y
        mask = self._mask
        if mask is None or mask.shape != y.shape:
            mask = self._mask = np.empty(y.shape, dtype=bool)
        np.greater(y, 0, out=mask)
        # A multiply by the bool mask: np.where(y > 0, dy, 0) branches on every element and
        # ran ~5x slower on a random 50/50 mask.
        return np.multiply(dy, mask, dtype=dy.dtype)


class LeakyReLU(Layer):
    kind = "leaky-relu"

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
    kind = "sigmoid"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        y = sigmoid(x)
        self._y = y
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        y = self._y
        return dy * y * (1 - y)


class Tanh(Layer):
    kind = "tanh"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        y = np.tanh(x)
        self._y = y
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        y = self._y
        return dy * (1 - y * y)


class ELU(Layer):
    kind = "elu"

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

    kind = "step"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        return (x > 0).astype(x.dtype)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        raise SpecError(
            "the step activation has no useful gradient and cannot be trained by "
            "back-propagation; use it only for forward demos, or pick sigmoid, tanh or relu"
        )


# Row of zeros that ``relu`` broadcasts against: np.maximum(x, 0) with a scalar operand
# takes a slower inner loop than with two unit-stride arrays (2x on 1.7M float32, measured).
_ZERO_ROW = 16384
_zero_rows: dict[np.dtype, np.ndarray] = {}


def relu(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``max(x, 0)`` elementwise (NaN stays NaN), into ``out`` if given; dtype preserved."""
    if out is None:
        out = np.empty_like(x, order="C")
    n = x.size
    if (n < 2 * _ZERO_ROW or x.dtype.kind != "f" or out.dtype != x.dtype
            or not (x.flags.c_contiguous and out.flags.c_contiguous)):
        return np.maximum(x, x.dtype.type(0), out=out)
    zeros = _zero_rows.get(x.dtype)
    if zeros is None:
        zeros = _zero_rows[x.dtype] = np.zeros(_ZERO_ROW, dtype=x.dtype)
        zeros.flags.writeable = False
    rows = n // _ZERO_ROW
    body = rows * _ZERO_ROW
    xf, of = x.reshape(-1), out.reshape(-1)
    np.maximum(xf[:body].reshape(rows, _ZERO_ROW), zeros, out=of[:body].reshape(rows, _ZERO_ROW))
    np.maximum(xf[body:], zeros[: n - body], out=of[body:])
    return out


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
