"""What the MNIST page shows of any layer (pure NumPy, no Qt): the layers whose weights
can be drawn, each filter as one tile, how far each filter moved from where the run
started, and any layer's output for one image.

Tiles: a first-layer conv filter (one input channel) is its kernel; a deeper layer's
filter has one kernel per input channel, and its tile holds the kernels of its first
``MAX_CHANNELS`` input channels in a small grid (NaN between them); an MLP's first dense
layer gives one image per hidden unit (its weights from every pixel). The tiles are
linear in the weights, so the tiles of W - W0 are the tiles of W minus those of W0.
The worker calls these for the one layer shown, a few times a second.
"""

from __future__ import annotations

import math

import numpy as np

from engine.activations import ACTIVATIONS
from engine.layers import BatchNorm

#: at most this many hidden units of an MLP get a weight image.
MAX_UNITS = 256
#: a deeper filter's tile shows its kernels on at most this many input channels.
MAX_CHANNELS = 8
#: layers whose output the feature-map view does not offer: a reshape of the layer
#: before, and a layer that does nothing in inference.
_NO_MAPS = ("flatten", "dropout")
_NAMES = {"conv2d": "conv", "dense": "dense", "max-pool2d": "max-pool",
          "avg-pool2d": "avg-pool", "batch-norm": "batch norm", "relu": "ReLU",
          "leaky-relu": "leaky ReLU", "elu": "ELU", "tanh": "tanh", "sigmoid": "sigmoid",
          "identity": "identity"}
_ACTIVATION_TYPES = tuple(ACTIVATIONS.values())


def filter_layers(model, image_shape: tuple[int, int]) -> list[dict]:
    """The layers the filter view can show, in order: every conv layer, and the first
    layer when it is a dense one fed by the image's pixels (an MLP). Each is {"index"
    (in ``model.layers``), "kind" ("conv" or "dense"), "label", "count" (filters or
    units shown), "in_channels", "kernel" ((kh, kw) or the image's (H, W))}."""
    h, w = image_shape
    found: list[dict] = []
    convs = 0
    for i, layer in enumerate(model.layers):
        weights = layer.params.get("W")
        if weights is None:
            continue
        if weights.ndim == 4:
            convs += 1
            n, c, kh, kw = weights.shape
            label = f"Conv {convs} · {n} filters {kh}×{kw}"
            found.append({"index": i, "kind": "conv", "label": label, "count": n,
                          "in_channels": c, "kernel": (kh, kw)})
        elif weights.ndim == 2 and not found and convs == 0 and weights.shape[0] == h * w:
            n = min(weights.shape[1], MAX_UNITS)
            more = f" (first {n})" if n < weights.shape[1] else ""
            found.append({"index": i, "kind": "dense", "count": n, "in_channels": 1,
                          "label": f"Dense 1 · {weights.shape[1]} units{more}",
                          "kernel": (h, w)})
        if not found:
            return []  # the first weighted layer has no image-shaped weights
    return found


def filter_rows(weights: np.ndarray) -> np.ndarray:
    """One row per filter: a conv W (n, C, kh, kw) as (n, C·kh·kw), a dense W (D, H)
    as its first MAX_UNITS columns, (n, D). A view where it can be."""
    if weights.ndim == 4:
        return weights.reshape(len(weights), -1)
    return weights[:, :MAX_UNITS].T


def channel_grid(channels: int) -> tuple[int, int]:
    """(rows, cols) of a filter's kernels in its tile: one row of up to four, else two."""
    rows = 1 if channels <= 4 else 2
    return rows, math.ceil(channels / rows)


def filter_tiles(weights: np.ndarray, image_shape: tuple[int, int],
                 channels: int = MAX_CHANNELS) -> np.ndarray:
    """Every filter of ``weights`` as one float32 tile (n, th, tw), see the module doc:
    a one-channel kernel as it is; the first ``channels`` kernels of a deeper filter in
    a ``channel_grid`` with one NaN pixel between them; a dense layer's weight vectors
    as ``image_shape`` images."""
    w = np.asarray(weights, dtype=np.float32)
    if w.ndim == 2:  # a copy always: the payload must not share the live weights
        return np.array(filter_rows(w), dtype=np.float32, order="C").reshape(-1, *image_shape)
    n, c, kh, kw = w.shape
    if c == 1:
        return np.array(w[:, 0])
    shown = min(c, channels)
    rows, cols = channel_grid(shown)
    out = np.full((n, rows * (kh + 1) - 1, cols * (kw + 1) - 1), np.nan, np.float32)
    for j in range(shown):  # at most MAX_CHANNELS copies, each over every filter
        r, q = divmod(j, cols)
        out[:, r * (kh + 1):r * (kh + 1) + kh, q * (kw + 1):q * (kw + 1) + kw] = w[:, j]
    return out


def change_norms(weights: np.ndarray, initial: np.ndarray) -> np.ndarray:
    """||W - W0|| of each filter over all its weights (every input channel), float64 (n,)."""
    d = filter_rows(np.asarray(weights, np.float64)) - filter_rows(np.asarray(initial,
                                                                              np.float64))
    return np.sqrt(np.einsum("ij,ij->i", d, d))


def most_changed_first(norms: np.ndarray) -> np.ndarray:
    """Filter indices by decreasing ``norms``; equal ones keep their order (int64)."""
    return np.argsort(-np.asarray(norms, np.float64), kind="stable").astype(np.int64)


def initial_weights(model, image_shape: tuple[int, int]) -> dict[int, np.ndarray]:
    """Copies of the weights of every ``filter_layers`` layer, by layer index: W0."""
    return {e["index"]: np.array(model.layers[e["index"]].params["W"])
            for e in filter_layers(model, image_shape)}


def filter_view(model, index: int, initial: np.ndarray, image_shape: tuple[int, int],
                steps: int) -> dict:
    """What the filter view shows of layer ``index`` (a ``filter_layers`` entry) with
    start weights ``initial``: {"layer", "kind", "label", "in_channels", "channels"
    (shown per tile), "filters" (tiles of W now), "initial" (of W0), "change" (of
    W - W0), "gradient" (of the weight gradient of the last training step; zeros before
    one), "change_norms" (n,), "order" (most changed first), "steps" (training steps
    taken; 0: no gradient yet)}. Copies throughout."""
    entry = next(e for e in filter_layers(model, image_shape) if e["index"] == index)
    layer = model.layers[index]
    w, g = layer.params["W"], layer.grads["W"]
    norms = change_norms(w, initial)
    return {"layer": index, "kind": entry["kind"], "label": entry["label"],
            "in_channels": entry["in_channels"],
            "channels": min(entry["in_channels"], MAX_CHANNELS) if w.ndim == 4 else 1,
            "filters": filter_tiles(w, image_shape),
            "initial": filter_tiles(initial, image_shape),
            "change": filter_tiles(np.asarray(w, np.float32) - initial, image_shape),
            "gradient": filter_tiles(g, image_shape),
            "change_norms": norms, "order": most_changed_first(norms), "steps": int(steps)}


def layer_shapes(model, input_shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Each layer's output shape for one sample of ``input_shape`` (one forward pass of
    a zero image in inference mode)."""
    out = np.zeros((1, *input_shape), dtype=model.dtype)
    shapes = []
    for layer in model.layers:
        out = layer.forward(out, train=False)
        shapes.append(tuple(int(s) for s in out.shape[1:]))
    return shapes


def map_layers(model, input_shape: tuple[int, ...]) -> list[dict]:
    """The layers the feature-map view offers (all but flatten and dropout): {"index",
    "label" ("2: ReLU · 16×28×28"), "shape"}."""
    counts: dict[str, int] = {}
    found = []
    for i, (layer, shape) in enumerate(zip(model.layers, layer_shapes(model, input_shape))):
        if layer.kind in _NO_MAPS:
            continue
        name = _NAMES.get(layer.kind, layer.kind)
        if layer.kind in ("conv2d", "dense"):
            counts[layer.kind] = counts.get(layer.kind, 0) + 1
            name = f"{name} {counts[layer.kind]}"
        found.append({"index": i, "label": f"{i + 1}: {name} · {'×'.join(map(str, shape))}",
                      "shape": shape})
    return found


def default_map_layer(model) -> int:
    """The layer whose maps are shown first: the first weighted layer's output after
    its BatchNorm and activation (-1 for a model without weights)."""
    seen, last = False, -1
    for i, layer in enumerate(model.layers):
        if seen and not isinstance(layer, (BatchNorm, *_ACTIVATION_TYPES)):
            break
        seen = seen or bool(layer.params)
        last = i if seen else last
    return last


def layer_output(model, x: np.ndarray, index: int) -> np.ndarray:
    """Layer ``index``'s output for one input ``x`` (1, C, H, W), in inference mode:
    (channels, h, w) for an image-shaped output, (units,) otherwise; float32 copy."""
    out = np.asarray(x, dtype=model.dtype)
    for layer in model.layers[:index + 1]:
        out = layer.forward(out, train=False)
    return np.array(out[0], dtype=np.float32)


class FilterViews:
    """The filter view's state where the model lives (the worker's thread): the start
    weights W0 of every filter layer and the layer shown (``layer``; -1: the first)."""

    def __init__(self) -> None:
        self.layer = -1
        self.start_weights: dict[int, np.ndarray] = {}

    def start(self, model, image_shape: tuple[int, int]) -> None:
        """``model``'s weights now are W0 (a new network, or one just loaded)."""
        self.start_weights = initial_weights(model, image_shape)

    def view(self, model, image_shape: tuple[int, int], steps: int) -> dict | None:
        """``filter_view`` of the layer shown (the first filter layer when ``layer`` is
        not one of ``model``'s), or None when ``model`` has no filter layer."""
        layers = [e["index"] for e in filter_layers(model, image_shape)]
        if not layers:
            return None
        index = self.layer if self.layer in layers else layers[0]
        weights = model.layers[index].params["W"]
        start = self.start_weights.get(index)
        if start is None or start.shape != weights.shape:  # not this model's W0
            start = self.start_weights[index] = np.array(weights)
        return filter_view(model, index, start, image_shape, steps)
