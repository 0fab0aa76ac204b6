"""Model files (``.npz``): weights, buffers and a JSON description of the layers.

Arrays and descriptions to and from files only; turning a description into a network is
``engine.build``'s job, so this module knows no ``Sequential`` (``model`` arguments only
need ``parameters()``, ``buffers()``, ``layers``, ``loss_fn``, ``dtype`` and ``config``).
"""

from __future__ import annotations

import json
import math
import zipfile

import numpy as np

from .atomic import write_atomic
from .errors import DataError

#: 2: layer kinds are lower-case and hyphenated ("relu"); 1 used class names ("ReLU").
FORMAT = 2
#: largest unpacked size of a model's arrays: 250M float64 weights and room for buffers.
MAX_STATE_BYTES = 8 * 250_000_000 + 2**28
#: format-1 layer kinds -> today's.
_FORMAT_1_KINDS = {
    "Dense": "dense", "Dropout": "dropout", "BatchNorm": "batch-norm", "Conv2D": "conv2d",
    "MaxPool2D": "max-pool2d", "AvgPool2D": "avg-pool2d", "Flatten": "flatten",
    "Features": "features", "ReLU": "relu", "LeakyReLU": "leaky-relu", "Sigmoid": "sigmoid",
    "Tanh": "tanh", "ELU": "elu", "Identity": "identity", "Step": "step",
}


def describe(model) -> dict:
    """JSON-able architecture of ``model`` (layers, loss, dtype, run config if any)."""
    desc = {
        "format": FORMAT,
        "dtype": str(model.dtype),
        "loss": model.loss_fn.kind,
        "layers": [{"kind": l.kind, **l.config()} for l in model.layers],
        "config": model.config.to_dict() if model.config is not None else None,
    }
    options = model.loss_fn.options()
    if options:  # only huber has any; older readers never see the key otherwise
        desc["loss_options"] = options
    return desc


def model_state(model) -> tuple[dict, dict[str, np.ndarray]]:
    """What ``save`` writes, detached from the live model: the description and copies of
    the weights and buffers keyed ``param/NAME`` and ``buffer/NAME``."""
    arrays = {f"param/{n}": p.copy() for n, p, _ in model.parameters()}
    arrays.update({f"buffer/{n}": b.copy() for n, b in model.buffers()})
    return describe(model), arrays


def write_state(target, desc: dict, arrays: dict[str, np.ndarray]) -> None:
    """Write a model file from ``desc`` and ``arrays`` (``model_state``'s form) to an open
    binary file, or to a path atomically (temporary file in the same folder, then rename)."""
    if hasattr(target, "write"):
        np.savez(target, spec=np.array(json.dumps(desc)), **arrays)
        return
    write_atomic(target, lambda f: np.savez(f, spec=np.array(json.dumps(desc)), **arrays))


def upgrade_description(desc: dict) -> dict:
    """``desc`` in today's format: older files' layer kinds renamed (a new dict)."""
    if desc.get("format", 0) >= FORMAT:
        return desc
    layers = [{**entry, "kind": _FORMAT_1_KINDS.get(entry.get("kind"), entry.get("kind"))}
              if isinstance(entry, dict) else entry for entry in desc.get("layers", [])]
    return {**desc, "format": FORMAT, "layers": layers}


def save(model, path) -> None:
    """Write ``model`` to ``path`` atomically (temporary file, then rename)."""
    arrays = {f"param/{n}": p for n, p, _ in model.parameters()}
    arrays.update({f"buffer/{n}": b for n, b in model.buffers()})
    write_state(path, describe(model), arrays)


def npz_size_problem(f, max_bytes: int) -> str | None:
    """What is wrong with the sizes the ``.npz`` archive in the open binary file ``f``
    announces, read from its zip directory and each array's header before anything is
    inflated: members together over ``max_bytes`` unpacked, or an array header claiming
    more data than its member holds. None when they are fine, or when ``f`` is no zip
    (the reader says so). ``f`` is left at its start."""
    try:
        with zipfile.ZipFile(f) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > max_bytes:
                return (f"announces {total:,} bytes of arrays, more than the {max_bytes:,} "
                        f"accepted")
            for info in infos:
                if not info.filename.endswith(".npy"):
                    continue
                with zf.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                            else np.lib.format.read_array_header_2_0)
                    shape, _, dtype = read(member)
                need = math.prod(shape) * dtype.itemsize
                if need > info.file_size:
                    return (f"has an array {info.filename[:-4]!r} announcing shape {shape} "
                            f"({need:,} bytes) in {info.file_size:,} bytes")
    except Exception:  # noqa: BLE001 - damage is reported by the reader itself
        return None
    finally:
        f.seek(0)
    return None


def read_state(source, name: str) -> tuple[dict, dict[str, np.ndarray]]:
    """The description and arrays of the model file ``source`` (a path or an open binary
    file); ``DataError`` naming ``name`` when it is not one."""
    if hasattr(source, "seek"):
        problem = npz_size_problem(source, MAX_STATE_BYTES)
        if problem:
            raise DataError(f"{name} {problem}")
    try:
        with np.load(source, allow_pickle=False) as data:
            desc = json.loads(str(data["spec"]))
            arrays = {k: data[k] for k in data.files if k.startswith(("param/", "buffer/"))}
    except Exception:  # a damaged archive can raise almost anything
        raise DataError(f"{name} is not a model file saved by this program (no readable "
                        f"architecture and weights in it)") from None
    if not isinstance(desc, dict):
        raise DataError(f"{name} has no readable model description")
    if not isinstance(desc.get("format", 0), int) or desc.get("format", 0) > FORMAT:
        raise DataError(f"{name} was saved by a newer version (model format "
                        f"{desc.get('format')}, this version reads up to {FORMAT})")
    return upgrade_description(desc), arrays


def first_non_finite(arrays: dict[str, np.ndarray]) -> str | None:
    """The name of the first floating-point array in ``arrays`` holding NaN or inf."""
    for key, a in arrays.items():
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            return key
    return None


def copy_state_into(model, arrays: dict[str, np.ndarray], name: str) -> None:
    """Copy ``model_state``-style ``arrays`` into ``model``'s own arrays; ``DataError``
    (before anything is copied) when a name, shape or dtype does not match or a value is
    NaN or inf."""
    wanted = {f"param/{n}": p for n, p, _ in model.parameters()}
    wanted.update({f"buffer/{n}": b for n, b in model.buffers()})
    missing, extra = sorted(set(wanted) - set(arrays)), sorted(set(arrays) - set(wanted))
    if missing or extra:
        what = f"no {', '.join(missing[:3])}" if missing else f"extra {', '.join(extra[:3])}"
        raise DataError(f"{name} holds the weights of a different network ({what})")
    for key, target in wanted.items():
        src = arrays[key]
        if src.shape != target.shape or src.dtype != target.dtype:
            raise DataError(f"{name}: weights {key} have shape {src.shape} and type "
                            f"{src.dtype}, the network needs {target.shape} {target.dtype}")
    bad = first_non_finite(arrays)
    if bad is not None:
        raise DataError(f"{name} holds weights that are not finite numbers (NaN or inf in "
                        f"{bad}); only finite weights are accepted")
    for key, target in wanted.items():
        target[...] = arrays[key]
