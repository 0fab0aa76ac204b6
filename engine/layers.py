"""Layers with parameters or training-time behaviour: Dense, Dropout, BatchNorm.

Also the registry ``LAYERS`` (kind -> class) used to rebuild saved models, and re-exports
of the activation and convolution layers so ``engine.layers`` holds every layer.
"""

from __future__ import annotations

import numpy as np

from .activations import ELU, Identity, LeakyReLU, ReLU, Sigmoid, Step, Tanh
from .base import Layer
from .conv import Conv2D
from .errors import SpecError
from .features import Features
from .init import init_weights
from .pooling import AvgPool2D, Flatten, MaxPool2D


class Dense(Layer):
    """Affine layer ``y = x @ W + b``; x (N, in_features) -> y (N, out_features)."""

    kind = "dense"

    def __init__(
        self,
        in_features: int,
        out_features: int,
        init: str = "he",
        std: float = 0.01,
        rng: np.random.Generator | None = None,
        dtype=np.float32,
    ):
        super().__init__(dtype)
        if in_features < 1 or out_features < 1:
            raise SpecError(
                f"Dense sizes must be positive, got {in_features} -> {out_features}"
            )
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.init, self.std = init, std
        self.params = {
            "W": init_weights((in_features, out_features), in_features, init, rng, dtype, std),
            "b": np.zeros(out_features, dtype=self.dtype),
        }
        self._new_grads()

    def config(self) -> dict:
        return {"in_features": self.in_features, "out_features": self.out_features,
                "init": self.init, "std": self.std}

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (self.out_features,)

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise SpecError(
                f"Dense expects input of shape (N, {self.in_features}), got {x.shape}"
            )
        self._x = x
        y = x @ self.params["W"]
        y += self.params["b"]
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        np.matmul(self._x.T, dy, out=self.grads["W"])
        np.sum(dy, axis=0, out=self.grads["b"])
        if self.skip_input_grad:
            return None
        return dy @ self.params["W"].T


class Dropout(Layer):
    """Inverted dropout: at training time zero each unit with probability ``rate`` and scale
    the rest by 1/(1-rate), so inference needs no rescaling."""

    kind = "dropout"

    def __init__(self, rate: float = 0.5, rng: np.random.Generator | None = None,
                 dtype=np.float32):
        super().__init__(dtype)
        if not 0 <= rate < 1:
            raise SpecError(f"dropout rate must be in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.rng = rng if rng is not None else np.random.default_rng()
        self._mask = None

    def config(self) -> dict:
        return {"rate": self.rate}

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        if not train or self.rate == 0:
            self._mask = None
            return x
        keep = 1.0 - self.rate
        self._mask = (self.rng.random(x.shape, dtype=np.float32) < keep).astype(x.dtype)
        self._mask *= x.dtype.type(1.0 / keep)
        return x * self._mask

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy.copy() if self._mask is None else dy * self._mask


class BatchNorm(Layer):
    """Batch normalisation over the batch (and, for images, spatial) axes.

    Accepts (N, D) with ``num_features == D`` or (N, C, H, W) with ``num_features == C``.
    Training uses batch statistics and updates running averages
    (``running = momentum * running + (1 - momentum) * batch``); inference uses the running
    ones. The running statistics live in ``buffers`` and are saved with the model.
    """

    kind = "batch-norm"

    def __init__(self, num_features: int, momentum: float = 0.9, eps: float = 1e-5,
                 dtype=np.float32):
        super().__init__(dtype)
        if num_features < 1:
            raise SpecError(f"BatchNorm num_features must be positive, got {num_features}")
        self.num_features, self.momentum, self.eps = int(num_features), float(momentum), eps
        self.params = {"gamma": np.ones(num_features, self.dtype),
                       "beta": np.zeros(num_features, self.dtype)}
        self.buffers = {"running_mean": np.zeros(num_features, self.dtype),
                        "running_var": np.ones(num_features, self.dtype)}
        self._new_grads()

    def config(self) -> dict:
        return {"num_features": self.num_features, "momentum": self.momentum, "eps": self.eps}

    def _to_2d(self, x: np.ndarray) -> np.ndarray:
        if x.ndim == 2:
            return x
        n, c, h, w = x.shape
        return x.transpose(0, 2, 3, 1).reshape(-1, c)

    @staticmethod
    def _from_2d(x2: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        if len(shape) == 2:
            return x2
        n, c, h, w = shape
        return x2.reshape(n, h, w, c).transpose(0, 3, 1, 2)

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        if x.ndim not in (2, 4) or x.shape[1] != self.num_features:
            raise SpecError(
                f"BatchNorm({self.num_features}) expects (N, {self.num_features}) or "
                f"(N, {self.num_features}, H, W) input, got {x.shape}"
            )
        self._shape = x.shape
        x2 = self._to_2d(x)
        gamma, beta = self.params["gamma"], self.params["beta"]
        if train:
            mu = x2.mean(axis=0)
            xc = x2 - mu
            var = (xc * xc).mean(axis=0)
            std = np.sqrt(var + self.eps)
            xn = xc / std
            m = self.momentum
            rm, rv = self.buffers["running_mean"], self.buffers["running_var"]
            rm *= m
            rm += (1 - m) * mu
            rv *= m
            rv += (1 - m) * var
            self._xn, self._std = xn, std
        else:
            xn = (x2 - self.buffers["running_mean"]) / np.sqrt(
                self.buffers["running_var"] + self.eps)
            self._xn, self._std = xn, None
        return self._from_2d(xn * gamma + beta, self._shape)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy2 = self._to_2d(dy)
        xn = self._xn
        np.sum(dy2 * xn, axis=0, out=self.grads["gamma"])
        np.sum(dy2, axis=0, out=self.grads["beta"])
        if self._std is None:
            # Backward after an inference pass: the statistics are constants.
            dx2 = dy2 * (self.params["gamma"] / np.sqrt(self.buffers["running_var"] + self.eps))
            return self._from_2d(dx2, self._shape)
        m = dy2.shape[0]
        dxn = dy2 * self.params["gamma"]
        # Standard simplified form: dx = (dxn - mean(dxn) - xn * mean(dxn * xn)) / std.
        dx2 = (dxn - dxn.sum(axis=0) / m - xn * ((dxn * xn).sum(axis=0) / m)) / self._std
        return self._from_2d(dx2, self._shape)


LAYERS: dict[str, type[Layer]] = {
    cls.kind: cls
    for cls in (Dense, Dropout, BatchNorm, Conv2D, MaxPool2D, AvgPool2D, Flatten, Features,
                ReLU, LeakyReLU, Sigmoid, Tanh, ELU, Identity, Step)
}

__all__ = [
    "Layer", "Dense", "Dropout", "BatchNorm", "Conv2D", "MaxPool2D", "AvgPool2D", "Flatten",
    "Features", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "ELU", "Identity", "Step", "LAYERS",
]
