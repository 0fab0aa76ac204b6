"""Looking inside an MNIST network (pure functions, no Qt): the first layer's weights and
activations as images, which test images the strip shows, and a one-line model summary.
"""

from __future__ import annotations

import numpy as np

from engine.activations import ACTIVATIONS
from engine.layers import BatchNorm
from playground.mnist.sources import MODELS

#: at most this many first-layer weight vectors are drawn for an MLP.
MAX_FILTERS = 256


def first_layer_filters(model, image_shape: tuple[int, int]) -> tuple[str, np.ndarray] | None:
    """("conv", (n, kh, kw)) or ("dense", (n, H, W)) copies of the first layer's weights:
    conv kernels of the first input channel, or an MLP's weight vectors as images."""
    for layer in model.layers:
        w = layer.params.get("W")
        if w is None:
            continue
        if w.ndim == 4:
            tiles = w[:, 0] if w.shape[1] == 1 else w.mean(axis=1)
            return "conv", np.array(tiles, dtype=np.float32)
        h, wd = image_shape
        if w.ndim == 2 and w.shape[0] == h * wd:
            n = min(w.shape[1], MAX_FILTERS)
            return "dense", np.ascontiguousarray(w[:, :n].T, np.float32).reshape(n, h, wd)
        return None
    return None


_ACTIVATION_TYPES = tuple(ACTIVATIONS.values())


def first_layer_activations(model, x: np.ndarray) -> np.ndarray:
    """The first weighted layer's output after its BatchNorm/activation, for one input
    ``x`` (1, C, H, W): (channels, h, w) for a conv layer, (units,) for a dense one."""
    out = np.asarray(x, dtype=model.dtype)
    seen_weights = False
    for layer in model.layers:
        if seen_weights and not isinstance(layer, (BatchNorm, *_ACTIVATION_TYPES)):
            break
        out = layer.forward(out, train=False)
        seen_weights = seen_weights or bool(layer.params)
    return np.array(out[0], dtype=np.float32)


def strip_indices(labels: np.ndarray, n: int) -> np.ndarray:
    """Indices of ``n`` test images cycling through the classes 0, 1, 2, ... (the first
    of each), so the strip shows every class the data has."""
    labels = np.asarray(labels)
    picked: list[int] = []
    used = np.zeros(len(labels), bool)
    classes = np.unique(labels)
    while len(picked) < min(n, len(labels)):
        for c in classes:
            hits = np.flatnonzero((labels == c) & ~used)
            if len(hits):
                picked.append(int(hits[0]))
                used[hits[0]] = True
            if len(picked) >= n:
                break
    return np.array(picked, dtype=np.int64)


def model_summary(model, preset: str) -> str:
    """"SimpleConvNet · 12,345 parameters": the preset's name and the parameter count."""
    name = MODELS.get(preset, "model")
    return f"{name} · {model.num_parameters():,} parameters"
