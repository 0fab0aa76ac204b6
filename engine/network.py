"""``Sequential``: a stack of layers with a loss on top."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .base import Layer
from .errors import SpecError
from .losses import REGRESSION_LOSSES, Loss
from .penalty import penalty_value
from .serialize import save

# Image batches are predicted in chunks so im2col buffers stay small (memory, not speed).
_IMAGE_CHUNK = 500


class Sequential:
    """Layers applied in order; ``loss`` turns the last layer's scores into a number.

    The leading layers up to and including the first one with parameters are told to skip
    their input gradient: nothing needs the gradient with respect to the data.

    Building the model moves every layer's parameters and gradients into two contiguous
    buffers (see ``flat_parameters``): the values stay, but ``layer.params[...]`` and
    ``layer.grads[...]`` become new arrays, views of those buffers. Take references to
    them after building the model, not before. From then on arrays are never rebound;
    if one is replaced anyway, optimisers notice and update parameter by parameter.
    """

    def __init__(self, layers: list[Layer], loss: Loss):
        self.layers = list(layers)
        self.loss_fn = loss
        first_param = next((i for i, l in enumerate(self.layers) if l.params), None)
        for i, layer in enumerate(self.layers):
            layer.skip_input_grad = first_param is not None and i <= first_param
        self.config = None  # the run config that built this model, if any
        self._flat = _pack_parameters(self.layers)

    @property
    def dtype(self) -> np.dtype:
        for layer in self.layers:
            return layer.dtype
        return np.dtype(np.float32)

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        x = np.asarray(x, dtype=self.dtype)
        for layer in self.layers:
            x = layer.forward(x, train=train)
        return x

    def predict(self, x: np.ndarray, batch_size: int | None = None) -> np.ndarray:
        """Scores (N, K) for inputs in inference mode (dropout off, running BN stats)."""
        x = np.asarray(x)
        if batch_size is None:
            batch_size = _IMAGE_CHUNK if x.ndim > 2 else len(x)
        if len(x) <= batch_size or batch_size < 1:
            return self.forward(x, train=False)
        return np.concatenate([self.forward(x[i:i + batch_size], train=False)
                               for i in range(0, len(x), batch_size)])

    def predict_proba(self, x: np.ndarray, batch_size: int | None = None) -> np.ndarray:
        """Class probabilities (N, K), K >= 2. A regression model has none: ``SpecError``
        (its ``predict`` gives the values, (N, 1))."""
        if self.task == "regression":
            raise SpecError("a regression model predicts values (predict, or "
                            "engine.grid.value_grid), not class probabilities")
        return self.loss_fn.probabilities(self.predict(x, batch_size))

    @property
    def task(self) -> str:
        """"regression" when one output is fitted by a regression loss (mse or huber),
        else "classification" (mse on classes has an output per class, at least two)."""
        if self.loss_fn.kind not in REGRESSION_LOSSES:
            return "classification"
        widths = [l.out_features for l in self.layers if hasattr(l, "out_features")]
        return "regression" if widths and widths[-1] == 1 else "classification"

    def loss(self, x: np.ndarray, t: np.ndarray, train: bool = True) -> float:
        """Mean data loss of a batch; remembers what ``backward`` needs."""
        self._scores = self.forward(x, train=train)
        return self.loss_fn.forward(self._scores, t)

    def backward(self) -> None:
        """Back-propagate the last ``loss`` call into every layer's ``grads``."""
        dy = self.loss_fn.backward()
        for layer in reversed(self.layers):
            if layer.skip_input_grad and not layer.params:
                break
            dy = layer.backward(dy)
            if dy is None:
                break

    def last_scores(self) -> np.ndarray:
        return self._scores

    def parameters(self) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """``(name, param, grad)`` for every parameter, names like ``"0.W"``."""
        for i, layer in enumerate(self.layers):
            for key, p in layer.params.items():
                yield f"{i}.{key}", p, layer.grads[key]

    def flat_parameters(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Every parameter and every gradient as two flat arrays, in ``parameters()``
        order, or None if the layers or their arrays changed since the model was built.

        The layers' ``params``/``grads`` entries are views into these two buffers, so an
        optimiser can update the whole model with a few whole-array operations instead of
        a dozen small ones per parameter (the MLP benchmark's Adam step: 0.39-0.45 -> 0.26 ms).
        """
        if self._flat is None:
            return None
        flat_p, flat_g, layers, views = self._flat
        if len(layers) != len(self.layers) or any(
                a is not b for a, b in zip(layers, self.layers)):
            return None
        for layer, key, vp, vg in views:
            if layer.params.get(key) is not vp or layer.grads.get(key) is not vg:
                return None
            if vp.base is not flat_p or vg.base is not flat_g:  # e.g. a deep copy
                return None
        if sum(len(layer.params) for layer in layers) != len(views):
            return None
        return flat_p, flat_g

    def buffers(self) -> Iterator[tuple[str, np.ndarray]]:
        """Non-trained state saved with the model (BatchNorm running statistics)."""
        for i, layer in enumerate(self.layers):
            for key, b in layer.buffers.items():
                yield f"{i}.{key}", b

    def num_parameters(self) -> int:
        return sum(p.size for _, p, _ in self.parameters())

    def penalty(self, l1: float = 0.0, l2: float = 0.0) -> float:
        return penalty_value(self, l1, l2)

    def save(self, path) -> None:
        """Write the model to ``path`` (``engine.load`` reads it back)."""
        save(self, path)

    def __repr__(self) -> str:
        inner = ", ".join(repr(l) for l in self.layers)
        return f"Sequential([{inner}], loss={self.loss_fn.kind!r})"


def _pack_parameters(layers: list[Layer]):
    """Move every parameter and gradient into one contiguous buffer each and rebind the
    layers' dict entries to views of it; None if there is nothing to pack or the dtypes
    differ. Layers never rebind their arrays afterwards (they write grads with ``out=``)."""
    entries = [(layer, key) for layer in layers for key in layer.params]
    dtypes = {layer.params[key].dtype for layer, key in entries}
    if not entries or len(dtypes) != 1:
        return None
    dtype = dtypes.pop()
    total = sum(layer.params[key].size for layer, key in entries)
    flat_p, flat_g = np.empty(total, dtype), np.empty(total, dtype)
    views, offset = [], 0
    for layer, key in entries:
        p, g = layer.params[key], layer.grads[key]
        end = offset + p.size
        vp, vg = flat_p[offset:end].reshape(p.shape), flat_g[offset:end].reshape(p.shape)
        vp[...], vg[...] = p, g
        layer.params[key], layer.grads[key] = vp, vg
        views.append((layer, key, vp, vg))
        offset = end
    return flat_p, flat_g, list(layers), views
