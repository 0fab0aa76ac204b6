"""Turn a ``RunConfig`` into a ``Sequential``: the MLP and the book's two CNNs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .activations import make_activation
from .base import Layer
from .conv import Conv2D, Flatten, MaxPool2D
from .errors import SpecError
from .features import Features
from .layers import BatchNorm, Dense, Dropout
from .losses import make_loss
from .network import Sequential
from .spec import ModelConfig, RunConfig

# Refuse models whose weights alone would pass this many parameters (~1 GB in float32).
MAX_PARAMETERS = 250_000_000


def build_model(config: RunConfig, input_shape: tuple[int, ...], n_classes: int,
                rng: np.random.Generator | None = None) -> Sequential:
    """The model ``config`` describes for samples of ``input_shape`` and ``n_classes``.

    ``input_shape`` is one sample's shape: (2,) for 2-D points, (C, H, W) for images.
    Weights come from ``rng`` (default: a generator seeded with ``config.seed``).
    """
    m = config.model
    rng = rng if rng is not None else np.random.default_rng(config.seed)
    dtype = np.dtype(m.dtype)
    loss = make_loss(m.loss)
    n_out = loss.output_size(n_classes)
    builders = {"mlp": _mlp, "simple-cnn": _simple_cnn, "deep-cnn": _deep_cnn}
    m = replace(m, init=resolved_init(m))
    if m.preset != "mlp":
        m = replace(m, activation="relu")  # the book's CNNs are ReLU networks
    layers = builders[m.preset](m, tuple(input_shape), n_out, rng, dtype)
    n_params = sum(p.size for l in layers for p in l.params.values())
    if n_params > MAX_PARAMETERS:
        raise SpecError(f"this network has {n_params:,} parameters, more than the "
                        f"{MAX_PARAMETERS:,} allowed; use fewer or smaller layers")
    model = Sequential(layers, loss)
    model.config = config
    return model


def build_optimizer(config: RunConfig):
    """The optimiser ``config.optim`` describes."""
    from .optimizers import make_optimizer

    o = config.optim
    return make_optimizer(o.name, o.lr, momentum=o.momentum, beta1=o.beta1, beta2=o.beta2,
                          rho=o.rho, l1=o.l1, l2=o.l2, clip_norm=o.clip_norm or None)


def resolved_init(m: ModelConfig) -> str:
    """``auto`` means He for ReLU-family activations and the CNNs, Xavier otherwise."""
    if m.init != "auto":
        return m.init
    relu_like = m.activation in ("relu", "leaky-relu", "elu") or m.preset != "mlp"
    return "he" if relu_like else "xavier"


def _shape_after(layers: list[Layer], shape: tuple[int, ...]) -> tuple[int, ...]:
    for layer in layers:
        shape = layer.output_shape(shape)
    return shape


def _mlp(m: ModelConfig, shape, n_out, rng, dtype) -> list[Layer]:
    layers: list[Layer] = []
    if len(shape) == 1 and shape[0] == 2:
        layers.append(Features(m.features, dtype=dtype))
    elif len(shape) > 1:
        layers.append(Flatten(dtype=dtype))
    width = int(np.prod(_shape_after(layers, shape)))
    for h in m.hidden:
        layers.append(Dense(width, h, m.init, m.init_std, rng, dtype))
        if m.batchnorm:
            layers.append(BatchNorm(h, dtype=dtype))
        layers.append(make_activation(m.activation, dtype))
        if m.dropout:
            layers.append(Dropout(m.dropout, rng, dtype))
        width = h
    layers.append(Dense(width, n_out, m.init, m.init_std, rng, dtype))
    return layers


def _image_shape(shape, preset: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise SpecError(f"model {preset!r} needs images (C, H, W), got samples of shape {shape}")
    return shape


def _conv_block(layers, c_in, c_out, k, pad, m: ModelConfig, rng, dtype) -> None:
    layers.append(Conv2D(c_in, c_out, k, 1, pad, init=m.init, std=m.init_std, rng=rng,
                         dtype=dtype))
    if m.batchnorm:
        layers.append(BatchNorm(c_out, dtype=dtype))
    layers.append(make_activation(m.activation, dtype))


def _dense_head(layers, shape, hidden: int, n_out: int, m: ModelConfig, rng, dtype,
                dropout: float) -> None:
    layers.append(Flatten(dtype=dtype))
    width = int(np.prod(_shape_after(layers, shape)))
    layers.append(Dense(width, hidden, m.init, m.init_std, rng, dtype))
    layers.append(make_activation(m.activation, dtype))
    if dropout:
        layers.append(Dropout(dropout, rng, dtype))
    layers.append(Dense(hidden, n_out, m.init, m.init_std, rng, dtype))


def _simple_cnn(m: ModelConfig, shape, n_out, rng, dtype) -> list[Layer]:
    """The book's SimpleConvNet: conv F@k×k - ReLU - pool 2 - affine 100 - ReLU - affine."""
    c, h, w = _image_shape(shape, "simple-cnn")
    if m.conv_size > min(h, w):
        raise SpecError(f"filter size {m.conv_size} is larger than the {h}×{w} images")
    layers: list[Layer] = []
    _conv_block(layers, c, m.conv_filters, m.conv_size, 0, m, rng, dtype)
    layers.append(MaxPool2D(2, 2, dtype=dtype))
    hidden = m.hidden[0] if m.hidden else 100
    _dense_head(layers, shape, hidden, n_out, m, rng, dtype, m.dropout)
    return layers


def _deep_cnn(m: ModelConfig, shape, n_out, rng, dtype) -> list[Layer]:
    """The book's DeepConvNet: 3×3 convs 16,16 | 32,32 | 64,64 with a 2×2 pool after each
    pair (the fourth conv pads by 2, as in the book), affine 50, dropout, affine."""
    c, _, _ = _image_shape(shape, "deep-cnn")
    layers: list[Layer] = []
    for c_in, c_out, pad, pool in ((c, 16, 1, False), (16, 16, 1, True), (16, 32, 1, False),
                                   (32, 32, 2, True), (32, 64, 1, False), (64, 64, 1, True)):
        _conv_block(layers, c_in, c_out, 3, pad, m, rng, dtype)
        if pool:
            layers.append(MaxPool2D(2, 2, dtype=dtype))
    _dense_head(layers, shape, 50, n_out, m, rng, dtype, m.dropout or 0.5)
    return layers
