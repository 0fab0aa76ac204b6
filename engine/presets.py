"""The three presets as descriptions: the MLP and the book's two CNNs.

``layer_specs`` turns a ``ModelConfig`` into a list of layer specs, ``{"kind": registry
name, **constructor arguments}``, the same form a saved model's description uses. That one
list is what ``engine.build`` builds, ``engine.budget`` budgets and
``engine.build.count_parameters`` counts; ``layer_sizes`` walks it without allocating.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .activations import ACTIVATIONS
from .errors import SpecError
from .im2col import conv_output_size
from .spec import PRESET_DEFAULTS, ModelConfig, RunConfig

#: The book's DeepConvNet: (out channels, padding, 2x2 pool after it) of its six 3x3 convs.
DEEP_CNN_CONVS = ((16, 1, False), (16, 1, True), (32, 1, False),
                  (32, 2, True), (64, 1, False), (64, 1, True))
#: DeepConvNet's dense layer and its dropout when the config asks for none.
DEEP_CNN_HIDDEN, DEEP_CNN_DROPOUT = 50, 0.5
#: SimpleConvNet's dense layer when the config lists no hidden sizes.
SIMPLE_CNN_HIDDEN = PRESET_DEFAULTS["simple-cnn"]["hidden"][0]


@dataclass(frozen=True)
class LayerSize:
    """One layer of a description, for one sample: weights, output shape, im2col columns."""

    parameters: int
    output_shape: tuple[int, ...]
    scratch: int = 0


def resolved_init(m: ModelConfig, activation: str | None = None) -> str:
    """``auto`` means He for ReLU-family activations and the CNNs, Xavier otherwise;
    per layer, for the layer feeding ``activation`` (default: the first layer's)."""
    if m.init != "auto":
        return m.init
    if activation is None:
        activation = m.layer_activations()[0] if m.hidden else m.activation
    relu_like = activation in ("relu", "leaky-relu", "elu") or m.preset != "mlp"
    return "he" if relu_like else "xavier"


def layer_specs(m: ModelConfig, input_shape: tuple[int, ...], n_out: int) -> list[dict]:
    """The layers ``m`` describes for samples of ``input_shape`` and ``n_out`` scores."""
    if m.preset != "mlp":
        m = replace(m, activation="relu")  # the book's CNNs are ReLU networks
    if m.preset != "mlp" or not m.hidden:
        m = replace(m, init=resolved_init(m))
    shape = tuple(int(v) for v in input_shape)
    builders = {"mlp": _mlp, "simple-cnn": _simple_cnn, "deep-cnn": _deep_cnn}
    return builders[m.preset](m, shape, n_out)


def output_width(config: RunConfig, n_classes: int) -> int:
    """Scores the network ends in: one linear output for regression, else what the loss
    needs for ``n_classes`` classes (sigmoid-bce: one for two classes)."""
    from .losses import make_loss

    if config.data.is_regression:
        return 1
    return make_loss(config.model.loss, delta=config.model.huber_delta).output_size(
        int(n_classes))


def build_optimizer(config: RunConfig):
    """The optimiser ``config.optim`` describes."""
    from .optimizers import make_optimizer

    o = config.optim
    return make_optimizer(o.name, o.lr, momentum=o.momentum, beta1=o.beta1, beta2=o.beta2,
                          rho=o.rho, l1=o.l1, l2=o.l2, clip_norm=o.clip_norm or None)


def layer_sizes(specs: list[dict], input_shape: tuple[int, ...]) -> list[LayerSize]:
    """Each spec's weights, output shape and im2col buffer for one sample of
    ``input_shape``, computed from the description alone (nothing is allocated)."""
    shape, sizes = tuple(int(v) for v in input_shape), []
    for spec in specs:
        size = _size(spec, shape)
        sizes.append(size)
        shape = size.output_shape
    return sizes


def _size(spec: dict, shape: tuple[int, ...]) -> LayerSize:
    kind = spec["kind"]
    if kind == "dense":
        n_in, n_out = spec["in_features"], spec["out_features"]
        return LayerSize(n_in * n_out + n_out, (n_out,))
    if kind == "conv2d":
        c, h, w = shape
        k, stride, pad = spec["kernel_size"], spec.get("stride", 1), spec.get("pad", 0)
        kh, kw = (k, k) if isinstance(k, int) else k
        oh, ow = conv_output_size(h, kh, stride, pad), conv_output_size(w, kw, stride, pad)
        c_out = spec["out_channels"]
        return LayerSize(c_out * c * kh * kw + c_out, (c_out, oh, ow), oh * ow * c * kh * kw)
    if kind in ("max-pool2d", "avg-pool2d"):
        c, h, w = shape
        size, stride = spec.get("size", 2), spec.get("stride", 2)
        return LayerSize(0, (c, conv_output_size(h, size, stride, 0),
                             conv_output_size(w, size, stride, 0)))
    if kind == "flatten":
        return LayerSize(0, (int(np.prod(shape)),))
    if kind == "features":
        return LayerSize(0, (len(spec["names"]),))
    if kind == "batch-norm":
        return LayerSize(2 * spec["num_features"], shape)
    return LayerSize(0, shape)  # activations and dropout keep the shape


def _activation(m: ModelConfig, name: str | None = None) -> dict:
    return {"kind": ACTIVATIONS[name or m.activation].kind}


def _dense(n_in: int, n_out: int, m: ModelConfig, activation: str | None = None) -> dict:
    init = m.init if activation is None else resolved_init(m, activation)
    return {"kind": "dense", "in_features": n_in, "out_features": n_out, "init": init,
            "std": m.init_std}


def _width(layers: list[dict], shape: tuple[int, ...]) -> int:
    sizes = layer_sizes(layers, shape)
    return int(np.prod(sizes[-1].output_shape if sizes else shape))


def _mlp(m: ModelConfig, shape: tuple[int, ...], n_out: int) -> list[dict]:
    layers: list[dict] = []
    if len(shape) == 1 and shape[0] == 2:
        layers.append({"kind": "features", "names": list(m.features)})
    elif len(shape) > 1:
        layers.append({"kind": "flatten"})
    width = _width(layers, shape)
    activations = m.layer_activations()
    for h, act in zip(m.hidden, activations):
        layers.append(_dense(width, h, m, act))
        if m.batchnorm:
            layers.append({"kind": "batch-norm", "num_features": h})
        layers.append(_activation(m, act))
        if m.dropout:
            layers.append({"kind": "dropout", "rate": m.dropout})
        width = h
    # the output layer takes the last hidden layer's rule (as a single activation did)
    layers.append(_dense(width, n_out, m, activations[-1] if activations else None))
    return layers


def _image_shape(shape: tuple[int, ...], preset: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise SpecError(f"model {preset!r} needs images (C, H, W), got samples of shape {shape}")
    return shape  # type: ignore[return-value]


def _conv_block(layers: list[dict], c_in: int, c_out: int, k: int, pad: int,
                m: ModelConfig) -> None:
    layers.append({"kind": "conv2d", "in_channels": c_in, "out_channels": c_out,
                   "kernel_size": k, "stride": 1, "pad": pad, "init": m.init,
                   "std": m.init_std})
    if m.batchnorm:
        layers.append({"kind": "batch-norm", "num_features": c_out})
    layers.append(_activation(m))


def _dense_head(layers: list[dict], shape, hidden: int, n_out: int, m: ModelConfig,
                dropout: float) -> None:
    layers.append({"kind": "flatten"})
    layers.append(_dense(_width(layers, shape), hidden, m))
    layers.append(_activation(m))
    if dropout:
        layers.append({"kind": "dropout", "rate": dropout})
    layers.append(_dense(hidden, n_out, m))


def _simple_cnn(m: ModelConfig, shape, n_out: int) -> list[dict]:
    """The book's SimpleConvNet: conv F@k×k - ReLU - pool 2 - affine 100 - ReLU - affine."""
    c, h, w = _image_shape(shape, "simple-cnn")
    if m.conv_size > min(h, w):
        raise SpecError(f"filter size {m.conv_size} is larger than the {h}×{w} images")
    layers: list[dict] = []
    _conv_block(layers, c, m.conv_filters, m.conv_size, 0, m)
    layers.append({"kind": "max-pool2d", "size": 2, "stride": 2})
    hidden = m.hidden[0] if m.hidden else SIMPLE_CNN_HIDDEN
    _dense_head(layers, shape, hidden, n_out, m, m.dropout)
    return layers


def _deep_cnn(m: ModelConfig, shape, n_out: int) -> list[dict]:
    """The book's DeepConvNet: 3×3 convs 16,16 | 32,32 | 64,64 with a 2×2 pool after each
    pair (the fourth conv pads by 2, as in the book), affine 50, dropout, affine."""
    c_in, _, _ = _image_shape(shape, "deep-cnn")
    layers: list[dict] = []
    for c_out, pad, pool in DEEP_CNN_CONVS:
        _conv_block(layers, c_in, c_out, 3, pad, m)
        if pool:
            layers.append({"kind": "max-pool2d", "size": 2, "stride": 2})
        c_in = c_out
    _dense_head(layers, shape, DEEP_CNN_HIDDEN, n_out, m, m.dropout or DEEP_CNN_DROPOUT)
    return layers

