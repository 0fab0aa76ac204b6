"""A built engine model as a short PyTorch script (``model.py``) and its weights (an
``.npz`` beside it). The script builds the same ``torch.nn.Sequential`` (layer i of the
engine model is module i: dropout and identity layers stay, as ``nn.Dropout`` and
``nn.Identity``), copies the weights in by name (Dense ``W`` is transposed for
``nn.Linear``) and offers ``predict_proba(x)`` (or ``predict(x)`` for regression).
Nothing here imports torch."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..atomic import write_atomic
from ..errors import DataError
from .common import input_shape_of, output_kind, unsupported

_FEATURE_CODE = {"x1": "x1", "x2": "x2", "x1^2": "x1 * x1", "x2^2": "x2 * x2",
                 "x1*x2": "x1 * x2", "sin(x1)": "torch.sin(x1)", "sin(x2)": "torch.sin(x2)"}

_HEADS = {
    "softmax": "torch.softmax(scores, dim=1)",
    "sigmoid-pair": "torch.cat([1 - torch.sigmoid(scores), torch.sigmoid(scores)], dim=1)",
    "sigmoid-normalised": "torch.sigmoid(scores) / torch.sigmoid(scores).sum(1, keepdim=True)",
    "clip-normalised": "(scores.clamp(0, 1) + 1e-6) / (scores.clamp(0, 1) + 1e-6).sum(1, "
                       "keepdim=True)",
}


def weights_path(script_path) -> Path:
    """Where the weights of the script at ``script_path`` go: ``<stem>_weights.npz``."""
    p = Path(script_path)
    return p.with_name(f"{p.stem}_weights.npz")


def weight_arrays(model) -> dict[str, np.ndarray]:
    """The arrays the script loads, float32, by the engine's names ("1.W", "3.running_mean")."""
    arrays = {n: p.astype(np.float32) for n, p, _ in model.parameters()}
    arrays.update({n: b.astype(np.float32) for n, b in model.buffers()})
    return arrays


def _module(i: int, layer) -> tuple[str, list[str]]:
    """The ``nn`` expression of layer ``i`` and the lines copying its weights in."""
    k = layer.kind
    if k == "features":
        return "Features()", []
    if k == "dense":
        return (f"nn.Linear({layer.in_features}, {layer.out_features})",
                [f'net[{i}].weight.copy_(array("{i}.W").T)  # engine W is (in, out)',
                 f'net[{i}].bias.copy_(array("{i}.b"))'])
    if k == "conv2d":
        return (f"nn.Conv2d({layer.in_channels}, {layer.out_channels}, "
                f"({layer.kh}, {layer.kw}), stride={layer.stride}, padding={layer.pad})",
                [f'net[{i}].weight.copy_(array("{i}.W"))',
                 f'net[{i}].bias.copy_(array("{i}.b"))'])
    if k == "max-pool2d":
        return f"nn.MaxPool2d({layer.size}, stride={layer.stride})", []
    if k == "avg-pool2d":
        return f"nn.AvgPool2d({layer.size}, stride={layer.stride})", []
    if k == "batch-norm":
        # engine: running = m * running + (1 - m) * batch; torch's momentum is 1 - m
        return (f"nn.{'BatchNorm{dims}'}({layer.num_features}, eps={layer.eps!r}, "
                f"momentum={1 - layer.momentum:.6g})",
                [f'net[{i}].weight.copy_(array("{i}.gamma"))',
                 f'net[{i}].bias.copy_(array("{i}.beta"))',
                 f'net[{i}].running_mean.copy_(array("{i}.running_mean"))',
                 f'net[{i}].running_var.copy_(array("{i}.running_var"))'])
    simple = {"flatten": "nn.Flatten()", "dropout": f"nn.Dropout({getattr(layer, 'rate', 0)})",
              "identity": "nn.Identity()", "relu": "nn.ReLU()", "tanh": "nn.Tanh()",
              "sigmoid": "nn.Sigmoid()", "step": "Step()"}
    if k in simple:
        return simple[k], []
    if k == "leaky-relu":
        return f"nn.LeakyReLU({layer.alpha!r})", []
    if k == "elu":
        return f"nn.ELU({layer.alpha!r})", []
    raise unsupported(i, layer, "PyTorch")


def pytorch_script(model, weights_name: str = "model_weights.npz") -> str:
    """The text of a script that rebuilds ``model`` in PyTorch from ``weights_name``
    (a file beside it holding ``weight_arrays(model)``)."""
    shape = input_shape_of(model)
    kind = output_kind(model)
    images = len(shape) == 3
    modules, copies = [], []
    for i, layer in enumerate(model.layers):
        expr, lines = _module(i, layer)
        expr = expr.replace("{dims}", "2d" if images and _after_conv(model, i) else "1d")
        modules.append(f"        {expr},  # {i}: {layer.kind}")
        copies += [f"            {line}" for line in lines]
    parts = [f'''"""The network of an nn-playground model, in PyTorch.

Written by ``python -m engine export``. It rebuilds the engine's network as a
``torch.nn.Sequential`` (module i is the engine's layer i) and loads its weights from
{weights_name}, which must stay beside this file. Input: {_input_text(shape)}, float32.

    from model import load_model, {"predict" if kind == "values" else "predict_proba"}
    net = load_model()          # in eval mode; net.train() to continue training
"""

from pathlib import Path

import numpy as np
import torch
from torch import nn

WEIGHTS = Path(__file__).with_name({weights_name!r})
#: one input sample's shape
INPUT_SHAPE = {shape!r}
''']
    kinds = {l.kind for l in model.layers}
    if "features" in kinds:
        names = next(l.names for l in model.layers if l.kind == "features")
        cols = ", ".join(_FEATURE_CODE[n] for n in names)
        parts.append(f'''

class Features(nn.Module):
    """(N, 2) points -> the input features {", ".join(names)}."""

    def forward(self, x):
        x1, x2 = x[:, 0], x[:, 1]
        return torch.stack([{cols}], dim=1)
''')
    if "step" in kinds:
        parts.append('''

class Step(nn.Module):
    """Heaviside step: 1 where x > 0, else 0 (no useful gradient)."""

    def forward(self, x):
        return (x > 0).to(x.dtype)
''')
    body = "\n".join(copies) if copies else "            pass"
    parts.append(f'''

def build():
    """The network, freshly initialised."""
    return nn.Sequential(
{chr(10).join(modules)}
    )


def load_model(path=WEIGHTS):
    """The network with the exported weights, in eval mode."""
    net = build()
    with np.load(path) as weights:
        def array(name):
            return torch.from_numpy(weights[name])

        with torch.no_grad():
{body}
    return net.eval()
''')
    if kind == "values":
        parts.append('''

def predict(x, net=None):
    """The model's values (N, 1) for inputs x (a NumPy array or a tensor)."""
    net = net if net is not None else load_model()
    with torch.no_grad():
        return net.eval()(torch.as_tensor(np.asarray(x, dtype=np.float32))).numpy()
''')
        call = "predict"
    else:
        parts.append(f'''

def predict_proba(x, net=None):
    """Class probabilities (N, K) for inputs x, as the engine's predict_proba."""
    net = net if net is not None else load_model()
    with torch.no_grad():
        scores = net.eval()(torch.as_tensor(np.asarray(x, dtype=np.float32)))
        return ({_HEADS[kind]}).numpy()
''')
        call = "predict_proba"
    parts.append(f'''

if __name__ == "__main__":
    x = np.random.default_rng(0).random((3, *INPUT_SHAPE), dtype=np.float32)
    print({call}(x))
''')
    return "".join(parts)


def _after_conv(model, i: int) -> bool:
    """True when layer ``i`` sees images: a conv or pool comes before it, no flatten."""
    for layer in reversed(model.layers[:i]):
        if layer.kind == "flatten":
            return False
        if layer.kind in ("conv2d", "max-pool2d", "avg-pool2d"):
            return True
    return False


def _input_text(shape) -> str:
    if shape == (2,):
        return "points (N, 2)"
    return f"(N, {', '.join(str(s) for s in shape)})"


def save_pytorch(model, path) -> tuple[Path, Path]:
    """Write the script to ``path`` and its weights to ``weights_path(path)``; both paths."""
    path = Path(path)
    weights = weights_path(path)
    if weights.suffix == path.suffix:
        raise DataError(f"cannot export to {path}: its weights would overwrite it")
    text = pytorch_script(model, weights.name)
    arrays = weight_arrays(model)
    write_atomic(weights, lambda f: np.savez(f, **arrays))
    write_atomic(path, text.encode("utf-8"))
    return path, weights
