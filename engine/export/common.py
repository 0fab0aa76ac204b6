"""What both exporters need to know about a model: the shape of one input sample and
how its scores become the engine's output (``predict_proba``, or values)."""

from __future__ import annotations

from ..errors import SpecError
from ..presets import layer_sizes
from ..serialize import describe

#: what the output of an exported model is, by ``output_kind``:
#: softmax / sigmoid-pair (two classes from one logit) / sigmoid-normalised /
#: clip-normalised (mse on classes) / values (regression: the scores themselves).
OUTPUT_KINDS = ("softmax", "sigmoid-pair", "sigmoid-normalised", "clip-normalised", "values")

#: one sample of each image set.
_IMAGE_SHAPES = {"digits": (1, 8, 8), "mnist-sample": (1, 28, 28), "mnist": (1, 28, 28),
                 "fashion-mnist": (1, 28, 28)}
#: largest square image side tried when a model file does not say what it was trained on.
_MAX_SIDE = 512


def output_kind(model) -> str:
    """How ``model``'s scores become its output, as ``predict_proba`` computes them."""
    kind = model.loss_fn.kind
    if model.task == "regression" or kind == "huber":
        return "values"
    if kind == "softmax-ce":
        return "softmax"
    if kind == "sigmoid-bce":
        return "sigmoid-pair" if _score_width(model) == 1 else "sigmoid-normalised"
    if kind == "mse":
        return "clip-normalised"
    raise SpecError(f"the {kind} loss has no exported output")


def _score_width(model) -> int:
    widths = [l.out_features for l in model.layers if hasattr(l, "out_features")]
    return widths[-1] if widths else 0


def input_shape_of(model) -> tuple[int, ...]:
    """One input sample's shape: (2,) for 2-D points, (C, H, W) for images, (D,) for
    plain vectors. Images take the size of the set the model was trained on when its run
    config says, else the smallest square that fits its dense layers."""
    layers = describe(model)["layers"]
    if not layers:
        raise SpecError("the model has no layers to export")
    first = layers[0]
    if first["kind"] == "features":
        return (2,)
    if first["kind"] == "dense":
        return (first["in_features"],)
    channels = next((l["in_channels"] for l in layers if l["kind"] == "conv2d"), 1)
    guesses = []
    config = getattr(model, "config", None)
    if config is not None and config.data.name in _IMAGE_SHAPES:
        guesses.append(_IMAGE_SHAPES[config.data.name])
    guesses += [(channels, s, s) for s in range(1, _MAX_SIDE + 1)]
    for shape in guesses:
        if _fits(layers, shape):
            return shape
    raise SpecError("cannot tell the image size this model takes (no square image up to "
                    f"{_MAX_SIDE}x{_MAX_SIDE} fits its layers)")


def _fits(layers: list[dict], shape: tuple[int, ...]) -> bool:
    """True when samples of ``shape`` pass every layer (dense widths and conv channels)."""
    try:
        current = shape
        for spec, size in zip(layers, layer_sizes(layers, shape)):
            if spec["kind"] == "dense" and (len(current) != 1
                                            or current[0] != spec["in_features"]):
                return False
            if spec["kind"] == "conv2d" and current[0] != spec["in_channels"]:
                return False
            if min(size.output_shape) < 1:
                return False
            current = size.output_shape
    except (SpecError, ValueError, KeyError, TypeError):
        return False
    return True


def unsupported(index: int, layer, target: str) -> SpecError:
    """The one error for a layer ``target`` (ONNX, PyTorch) has nothing for."""
    return SpecError(f"layer {index} ({layer.kind}) has no {target} equivalent, so this "
                     f"model cannot be exported to {target}")
