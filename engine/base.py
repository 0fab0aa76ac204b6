"""The layer protocol every layer follows (see DESIGN.md, "Engine contract")."""

from __future__ import annotations

from typing import Any

import numpy as np


class Layer:
    """A building block with ``forward``/``backward`` and ``params``/``grads`` dicts.

    ``backward`` overwrites ``grads`` in place (arrays are never rebound, so optimisers and
    ``load`` can keep references) and never writes into its input ``dy``. When
    ``skip_input_grad`` is True (set by ``Sequential`` on its first layer) ``backward`` may
    return ``None`` instead of computing the gradient for the input data.
    """

    #: registry name used by serialization (lower-case, hyphenated); subclasses set it.
    kind: str = "layer"

    def __init__(self, dtype=np.float32):
        self.dtype = np.dtype(dtype)
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        #: non-trained state saved with the model (BatchNorm's running statistics).
        self.buffers: dict[str, np.ndarray] = {}
        self.skip_input_grad = False

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        """Constructor arguments (JSON-serialisable) that rebuild this layer's shape."""
        return {}

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of one sample's output for one sample's ``input_shape`` (no batch axis)."""
        return input_shape

    def _new_grads(self) -> None:
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"
