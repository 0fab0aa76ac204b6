"""Config or description -> ``Sequential``, and the one strict ``load`` of a model file.

A preset is described once (``engine.presets.layer_specs``); this module builds that
description, counts its parameters without allocating them, and rebuilds saved files
through ``engine.serialize``'s checked reader.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np

from .errors import DataError, SpecError, common_file_problem, open_regular
from .layers import LAYERS
from .losses import make_loss
from .network import Sequential
from .presets import layer_sizes, layer_specs, output_width
from .serialize import FORMAT, copy_state_into, read_state
from .spec import RunConfig

# Refuse models whose weights alone would pass this many parameters (~1 GB in float32).
MAX_PARAMETERS = 250_000_000
#: largest model file opened: that many float64 weights, plus room for buffers.
MAX_FILE_BYTES = 8 * MAX_PARAMETERS + 2**28
#: layer kinds whose constructor takes the generator (weight init, dropout masks).
_TAKES_RNG = frozenset({"dense", "conv2d", "dropout"})


def describe_config(config: RunConfig, input_shape: tuple[int, ...], n_classes: int
                    ) -> dict:
    """The description (``engine.serialize`` form) of the network ``config`` builds for
    samples of ``input_shape`` and ``n_classes`` classes (ignored for regression, whose
    network ends in one linear output)."""
    loss = loss_from_config(config)
    desc = {"format": FORMAT, "dtype": config.model.dtype, "loss": config.model.loss,
            "layers": layer_specs(config.model, tuple(input_shape),
                                  output_width(config, n_classes)),
            "config": config.to_dict()}
    if loss.options():
        desc["loss_options"] = loss.options()
    return desc


def loss_from_config(config: RunConfig):
    """The loss ``config.model`` names, with its settings (huber's delta)."""
    return make_loss(config.model.loss, delta=config.model.huber_delta)


def check_parameter_count(n_params: int) -> None:
    """``SpecError`` naming the count when a network would have more than
    ``MAX_PARAMETERS`` weights (the one wording of that limit)."""
    if n_params > MAX_PARAMETERS:
        raise SpecError(f"this network has {n_params:,} parameters, more than the "
                        f"{MAX_PARAMETERS:,} allowed; use fewer or smaller layers")


def count_parameters(config: RunConfig, input_shape: tuple[int, ...], n_classes: int) -> int:
    """How many trained parameters ``build_model(config, input_shape, n_classes)`` would
    make, computed from the description without allocating any weights."""
    desc = describe_config(config, input_shape, n_classes)
    return sum(s.parameters for s in layer_sizes(desc["layers"], tuple(input_shape)))


def build_model(config: RunConfig, input_shape: tuple[int, ...], n_classes: int,
                rng: np.random.Generator | None = None) -> Sequential:
    """The model ``config`` describes for samples of ``input_shape`` and ``n_classes``.

    ``input_shape`` is one sample's shape: (2,) for 2-D points, (C, H, W) for images.
    Weights come from ``rng`` (default: a generator seeded with ``config.seed``).
    """
    desc = describe_config(config, input_shape, n_classes)
    n_params = sum(s.parameters for s in layer_sizes(desc["layers"], tuple(input_shape)))
    check_parameter_count(n_params)
    rng = rng if rng is not None else np.random.default_rng(config.seed)
    model = build_from_description({**desc, "config": None}, rng)
    model.config = config
    return model


def build_from_description(desc: dict, rng: np.random.Generator | None = None) -> Sequential:
    """A freshly initialised model with the architecture in ``desc`` (today's format, see
    ``engine.serialize.upgrade_description``); weights drawn from ``rng`` in layer order."""
    if desc.get("dtype", "float32") not in ("float32", "float64"):
        raise DataError(f"saved model has the number type {_shown(desc.get('dtype'))}; "
                        f"float32 or float64 is accepted")
    dtype = np.dtype(desc.get("dtype", "float32"))
    if not isinstance(desc.get("layers"), list):
        raise DataError("its description has no list of layers, so it is not a model file "
                        "saved by this program")
    layers = []
    for i, entry in enumerate(desc["layers"]):
        if not isinstance(entry, dict):
            raise DataError(f"saved model's layer {i} is {_shown(entry)}, not an object "
                            f"naming its kind and arguments")
        entry = dict(entry)
        kind = entry.pop("kind", None)
        if not isinstance(kind, str) or kind not in LAYERS:
            raise DataError(f"unknown layer kind {_shown(kind)} in saved model")
        accepted = set(inspect.signature(LAYERS[kind]).parameters) - {"rng", "dtype"}
        unknown = sorted(set(entry) - accepted)
        if unknown:
            raise DataError(f"saved model's layer {i} ({kind}) has the argument "
                            f"{_shown(unknown[0])}, which {kind} does not take (it takes "
                            f"{', '.join(sorted(accepted)) or 'none'})")
        if rng is not None and kind in _TAKES_RNG:
            entry["rng"] = rng
        layers.append(LAYERS[kind](**entry, dtype=dtype))
    options = desc.get("loss_options") or {}
    if not isinstance(options, dict) or set(options) - {"delta"}:
        raise DataError(f"saved model's loss settings {_shown(options)} are not ones this "
                        f"program writes (huber's delta)")
    try:
        loss = make_loss(desc["loss"], **options)
    except SpecError as e:
        raise DataError(f"saved model: {e}") from None
    model = Sequential(layers, loss)
    if desc.get("config"):
        model.config = RunConfig.from_dict(desc["config"])
    return model


def _shown(value, limit: int = 30) -> str:
    """A short one-line form of a value read from a file."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def load(path) -> Sequential:
    """The model saved at ``path``, through the same checks as a session's weights;
    ``DataError`` names the file when it is missing or not a model of this program."""
    path = Path(path)
    try:
        with open_regular(path, MAX_FILE_BYTES) as f:
            desc, arrays = read_state(f, str(path))
    except FileNotFoundError:
        raise DataError(f"{path}: no such model file") from None
    except OSError as e:
        problem = common_file_problem(e) or f"could not be read: {e.strerror or e}"
        raise DataError(f"model file {path} {problem}") from None
    try:
        model = build_from_description(desc)
    except DataError as e:
        raise DataError(f"{path}: {e}") from None
    except (KeyError, ValueError, TypeError, AttributeError):
        raise DataError(f"{path} is not a model file saved by this program (no readable "
                        f"architecture and weights in it)") from None
    copy_state_into(model, arrays, path.name)
    return model
