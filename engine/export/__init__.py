"""Export a trained engine model to other frameworks: ONNX (``to_onnx``, ``save_onnx``)
and a PyTorch script with its weights (``pytorch_script``, ``save_pytorch``).

``python -m engine export MODEL.npz OUT`` picks the format from OUT's suffix.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import SpecError
from .common import input_shape_of, output_kind
from .onnx import OPSET, save_onnx, to_onnx
from .pytorch import pytorch_script, save_pytorch

FORMATS = ("onnx", "pytorch")


def format_for(path, fmt: str | None = None) -> str:
    """``fmt`` when given, else the format OUT's suffix names (.onnx or .py)."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise SpecError(f"unknown export format {fmt!r}; choose onnx or pytorch")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix == ".onnx":
        return "onnx"
    if suffix == ".py":
        return "pytorch"
    raise SpecError(f"cannot tell the export format from {Path(path).name!r}; name it .onnx "
                    f"or .py, or pass --format onnx|pytorch")


def export_model(model, path, fmt: str | None = None) -> list[Path]:
    """Write ``model`` to ``path`` in ``fmt`` (default: from the suffix); the files written."""
    if format_for(path, fmt) == "onnx":
        save_onnx(model, path)
        return [Path(path)]
    return list(save_pytorch(model, path))


__all__ = ["FORMATS", "OPSET", "export_model", "format_for", "input_shape_of", "output_kind",
           "pytorch_script", "save_onnx", "save_pytorch", "to_onnx"]
