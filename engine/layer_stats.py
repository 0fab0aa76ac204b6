"""Inside the network: per-layer histograms of activations and of the gradients that reach
them, dead ReLU units, saturated sigmoid/tanh units and parameter-gradient norms.

Everything is measured on one fixed probe batch in inference mode (``train=False``:
dropout off, BatchNorm on its running statistics), so measuring changes nothing the
model keeps: parameters are only read, ``grads`` are saved before the backward pass and
put back after it, BatchNorm's running statistics are not updated and dropout draws no
random numbers. Only the layers' scratch caches (what their next ``backward`` would use)
are overwritten, as by any ``predict``. Each layer is one whole-batch array operation;
nothing loops over samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .errors import DataError, SpecError

#: activations whose units can die (output never positive on the probe batch).
DEAD_KINDS = ("relu", "leaky-relu")
#: a tanh output is saturated beyond this magnitude (slope 1 - a² below 0.02).
TANH_SATURATION = 0.99
#: a sigmoid output is saturated below this or above 1 minus it (slope a(1-a) below 0.01).
SIGMOID_SATURATION = 0.01
#: the fixed value ranges of bounded activations, so their histograms share one axis.
BOUNDED_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


@dataclass(frozen=True)
class Histogram:
    """``counts`` (bins,) int64 of finite values over ``edges`` (bins + 1,) float64;
    ``non_finite`` counts NaN and inf values, left out of the bins."""

    edges: np.ndarray
    counts: np.ndarray
    non_finite: int = 0

    @property
    def total(self) -> int:
        return int(self.counts.sum()) + self.non_finite


@dataclass(frozen=True)
class LayerStats:
    """What one layer's output looked like on the probe batch.

    ``gradient`` is the histogram of d loss / d output (the loss is the batch mean, so
    each value carries a 1/N), None for layers in front of the first layer with weights,
    where back-propagation stops. ``dead_share``: share of units never positive on any
    probe sample (ReLU and leaky ReLU only, else None). ``saturated_share``: share of all
    (sample, unit) outputs in the flat tails (sigmoid and tanh only, else None).
    ``parameter_grad_norms``: the Euclidean norm of each parameter array's gradient on the
    probe batch, by key ("W", "b", "gamma", ...). A unit is one element of one sample's
    output: a neuron of a dense layer, one (channel, row, column) of an image layer.
    """

    index: int
    name: str
    kind: str
    output_shape: tuple[int, ...]
    activation: Histogram
    mean: float
    std: float
    gradient: Histogram | None
    gradient_norm: float | None
    dead_share: float | None
    saturated_share: float | None
    parameter_grad_norms: dict[str, float] = field(default_factory=dict)

    @property
    def layer_grad_norm(self) -> float | None:
        """Norm of every parameter gradient of the layer together (None without any)."""
        if not self.parameter_grad_norms:
            return None
        return math.sqrt(sum(v * v for v in self.parameter_grad_norms.values()))


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 times a power of ten that is >= ``value`` (1 for 0): bin
    edges snapped to it stay put while a layer's scale drifts within a factor of two."""
    if not value > 0 or not math.isfinite(value):
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 5.0, 10.0):
        if step * power >= value * (1 - 1e-12):
            return step * power
    return 10.0 * power


def fixed_edges(values: np.ndarray, bins: int, value_range: tuple[float, float] | None = None
                ) -> np.ndarray:
    """Bin edges (bins + 1,) float64: over ``value_range`` when given, else over
    [0, c] for non-negative values or [-c, c] otherwise, c = ``nice_ceiling(max |v|)``."""
    if bins < 1:
        raise DataError(f"a histogram needs at least one bin, got {bins}")
    if value_range is None:
        finite = values[np.isfinite(values)]
        top = float(np.abs(finite).max()) if finite.size else 0.0
        c = nice_ceiling(top)
        lo = 0.0 if finite.size == 0 or float(finite.min()) >= 0 else -c
        value_range = (lo, c)
    return np.linspace(value_range[0], value_range[1], bins + 1)


def histogram(values: np.ndarray, edges: np.ndarray) -> Histogram:
    """Counts of ``values`` (any shape) over ``edges``; values outside the edges are
    clipped into the end bins, NaN and inf counted apart."""
    flat = np.asarray(values, np.float64).reshape(-1)
    finite = np.isfinite(flat)
    kept = flat[finite] if not finite.all() else flat
    kept = np.clip(kept, edges[0], edges[-1])
    counts, _ = np.histogram(kept, bins=edges)
    return Histogram(np.asarray(edges, np.float64), counts.astype(np.int64),
                     int(flat.size - kept.size))


def dead_share(outputs: np.ndarray) -> float:
    """Share of units (axes after the first) that are <= 0 for every sample (axis 0)."""
    alive = np.any(outputs.reshape(len(outputs), -1) > 0, axis=0)
    return float(1.0 - alive.mean()) if alive.size else 0.0


def saturated_share(outputs: np.ndarray, kind: str) -> float:
    """Share of outputs of a ``sigmoid`` or ``tanh`` layer in its flat tails:
    |a| > 0.99 for tanh, a < 0.01 or a > 0.99 for sigmoid (both slopes below ~0.02)."""
    if kind == "tanh":
        flat_tails = np.abs(outputs) > TANH_SATURATION
    elif kind == "sigmoid":
        flat_tails = (outputs < SIGMOID_SATURATION) | (outputs > 1 - SIGMOID_SATURATION)
    else:
        raise DataError(f"saturation is measured for sigmoid and tanh layers, not {kind!r}")
    return float(flat_tails.mean()) if flat_tails.size else 0.0


def layer_name(index: int, layer) -> str:
    """``"layer 2 ReLU"``: the index in the model and the layer's class."""
    return f"layer {index} {type(layer).__name__}"


def inspect_layers(model, x: np.ndarray, targets: np.ndarray, bins: int = 30
                   ) -> list[LayerStats]:
    """One ``LayerStats`` per layer of ``model`` (a ``Sequential``) on the probe batch
    ``x`` (N, ...) with ``targets`` (labels (N,) or values), ``bins`` bins per histogram.

    The model is left as it was (see the module docstring): parameters, gradients,
    BatchNorm statistics and dropout generators. A network with a step activation (which
    has no gradient) gets activations only: every ``gradient`` None, no norms."""
    x = np.asarray(x, dtype=model.dtype)
    t = _targets(model, targets)
    if len(x) == 0 or len(x) != len(t):
        raise DataError(f"the probe batch needs as many targets as samples (at least one), "
                        f"got {len(x)} samples and {len(t)} targets")
    saved_grads = [g.copy() for _, _, g in model.parameters()]
    try:
        outputs = []
        a = x
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for layer in model.layers:
                a = layer.forward(a, train=False)
                outputs.append(a)
            model.loss_fn.forward(a, t)
            try:
                upstream = _output_gradients(model)
                param_norms = [{k: float(np.linalg.norm(g)) for k, g in layer.grads.items()}
                               for layer in model.layers]
            except SpecError:  # a step activation: a forward-only network has no gradients
                upstream = [None] * len(model.layers)
                param_norms = [{} for _ in model.layers]
        return [_stats(i, layer, outputs[i], upstream[i], param_norms[i], bins)
                for i, layer in enumerate(model.layers)]
    finally:
        for (_, _, g), old in zip(model.parameters(), saved_grads):
            g[...] = old


def _output_gradients(model) -> list[np.ndarray | None]:
    """d loss / d output of every layer (None where back-propagation does not reach),
    filling each layer's ``grads`` on the way, as ``Sequential.backward`` does."""
    grads: list[np.ndarray | None] = [None] * len(model.layers)
    dy = model.loss_fn.backward()
    for i in range(len(model.layers) - 1, -1, -1):
        layer = model.layers[i]
        grads[i] = dy
        if layer.skip_input_grad and not layer.params:
            break
        dy = layer.backward(dy)
        if dy is None:
            break
    return grads


def _stats(index, layer, out, grad, param_norms, bins) -> LayerStats:
    kind = layer.kind
    edges = fixed_edges(out, bins, BOUNDED_RANGES.get(kind))
    finite = out[np.isfinite(out)]
    g_hist = g_norm = None
    if grad is not None:
        g_hist = histogram(grad, fixed_edges(grad, bins))
        g_norm = float(np.linalg.norm(np.asarray(grad, np.float64)))
    return LayerStats(
        index=index, name=layer_name(index, layer), kind=kind,
        output_shape=tuple(out.shape[1:]), activation=histogram(out, edges),
        mean=float(finite.mean()) if finite.size else math.nan,
        std=float(finite.std()) if finite.size else math.nan,
        gradient=g_hist, gradient_norm=g_norm,
        dead_share=dead_share(out) if kind in DEAD_KINDS else None,
        saturated_share=saturated_share(out, kind) if kind in BOUNDED_RANGES else None,
        parameter_grad_norms=param_norms)


def _targets(model, targets: np.ndarray) -> np.ndarray:
    """Labels as given; real-valued targets in the model's number type, as the trainer
    passes them."""
    t = np.asarray(targets)
    return t.astype(model.dtype) if t.dtype.kind == "f" else t
