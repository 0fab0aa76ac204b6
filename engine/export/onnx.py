"""A built engine model as an ONNX graph (``onnx.helper``), float32, opset ``OPSET``.

The graph takes what the engine model takes, raw 2-D points (N, 2) or images
(N, C, H, W), with a symbolic batch dimension "N", and gives what ``predict_proba`` gives
(class probabilities) or, for a regression model, its values. Input features (x1², sin
x1, ...) become ONNX ops in front; Dense is ``Gemm``, Conv2D ``Conv``, pooling
``MaxPool``/``AveragePool``, BatchNorm ``BatchNormalization`` with the running statistics
(inference form, not folded), Flatten ``Flatten``; dropout and identity layers are left
out, and the step activation is ``Greater`` then ``Cast``.
"""

from __future__ import annotations

import numpy as np

from ..atomic import write_atomic
from ..errors import EngineError
from .common import input_shape_of, output_kind, unsupported

#: the operator set the graph is written for, and the file format version: onnxruntime
#: 1.18 and later load both.
OPSET, IR_VERSION = 17, 8


def require_onnx():
    """The ``onnx`` module, its ``helper`` and ``numpy_helper``; ``EngineError`` saying how
    to install it when it is missing."""
    try:
        import onnx
        from onnx import helper, numpy_helper
    except ImportError:
        raise EngineError("ONNX export needs the onnx package: pip install "
                          "'nn-playground[onnx]'") from None
    return onnx, helper, numpy_helper


class _Graph:
    """Nodes and initializers being collected, with fresh value names."""

    def __init__(self, helper, numpy_helper):
        self.h, self.nh = helper, numpy_helper
        self.nodes, self.inits = [], []
        self._n = 0

    def name(self, hint: str) -> str:
        self._n += 1
        return f"{hint}_{self._n}"

    def const(self, hint: str, value) -> str:
        arr = np.asarray(value)
        if arr.dtype.kind == "f":
            arr = arr.astype(np.float32)
        name = self.name(hint)
        self.inits.append(self.nh.from_array(np.ascontiguousarray(arr), name))
        return name

    def op(self, op_type: str, inputs: list[str], hint: str | None = None, **attrs) -> str:
        out = self.name(hint or op_type.lower())
        self.nodes.append(self.h.make_node(op_type, inputs, [out], name=out, **attrs))
        return out


def _features(g: _Graph, x: str, names: tuple[str, ...]) -> str:
    if names == ("x1", "x2"):
        return x
    def column(j: int) -> str:
        return g.op("Slice", [x, g.const("start", [j]), g.const("end", [j + 1]),
                              g.const("axis", [1])], f"x{j + 1}")

    uses = "".join(names)
    a = column(0) if "x1" in uses else None
    b = column(1) if "x2" in uses else None
    made = {"x1": lambda: a, "x2": lambda: b,
            "x1^2": lambda: g.op("Mul", [a, a], "x1_sq"),
            "x2^2": lambda: g.op("Mul", [b, b], "x2_sq"),
            "x1*x2": lambda: g.op("Mul", [a, b], "x1_x2"),
            "sin(x1)": lambda: g.op("Sin", [a], "sin_x1"),
            "sin(x2)": lambda: g.op("Sin", [b], "sin_x2")}
    columns = [made[n]() for n in names]
    return columns[0] if len(columns) == 1 else g.op("Concat", columns, "features", axis=1)


def _layer(g: _Graph, i: int, layer, x: str) -> str:
    kind, p = layer.kind, layer.params
    if kind == "features":
        return _features(g, x, layer.names)
    if kind == "dense":
        return g.op("Gemm", [x, g.const(f"dense{i}_W", p["W"]), g.const(f"dense{i}_b", p["b"])],
                    f"dense{i}")
    if kind == "conv2d":
        pad = layer.pad
        return g.op("Conv", [x, g.const(f"conv{i}_W", p["W"]), g.const(f"conv{i}_b", p["b"])],
                    f"conv{i}", kernel_shape=[layer.kh, layer.kw],
                    strides=[layer.stride, layer.stride], pads=[pad, pad, pad, pad])
    if kind in ("max-pool2d", "avg-pool2d"):
        return g.op("MaxPool" if kind == "max-pool2d" else "AveragePool", [x], f"pool{i}",
                    kernel_shape=[layer.size, layer.size], strides=[layer.stride, layer.stride])
    if kind == "batch-norm":
        b = layer.buffers
        return g.op("BatchNormalization",
                    [x, g.const(f"bn{i}_gamma", p["gamma"]), g.const(f"bn{i}_beta", p["beta"]),
                     g.const(f"bn{i}_mean", b["running_mean"]),
                     g.const(f"bn{i}_var", b["running_var"])],
                    f"bn{i}", epsilon=float(layer.eps))
    if kind == "flatten":
        return g.op("Flatten", [x], f"flatten{i}", axis=1)
    if kind in ("dropout", "identity"):
        return x
    simple = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh"}
    if kind in simple:
        return g.op(simple[kind], [x], f"{kind}{i}")
    if kind == "leaky-relu":
        return g.op("LeakyRelu", [x], f"leaky_relu{i}", alpha=float(layer.alpha))
    if kind == "elu":
        return g.op("Elu", [x], f"elu{i}", alpha=float(layer.alpha))
    if kind == "step":
        positive = g.op("Greater", [x, g.const("zero", np.float32(0))], f"step{i}_gt")
        return g.op("Cast", [positive], f"step{i}", to=1)  # 1: FLOAT
    raise unsupported(i, layer, "ONNX")


def _head(g: _Graph, kind: str, s: str) -> str:
    if kind == "softmax":
        return g.op("Softmax", [s], "softmax", axis=1)
    if kind == "sigmoid-pair":
        p = g.op("Sigmoid", [s], "sigmoid")
        return g.op("Concat", [g.op("Sub", [g.const("one", np.float32(1)), p], "not_p"), p],
                    "pair", axis=1)
    if kind == "sigmoid-normalised":
        p = g.op("Sigmoid", [s], "sigmoid")
    elif kind == "clip-normalised":
        clipped = g.op("Clip", [s, g.const("lo", np.float32(0)), g.const("hi", np.float32(1))])
        p = g.op("Add", [clipped, g.const("tiny", np.float32(1e-6))], "clip_eps")
    else:
        return s
    total = g.op("ReduceSum", [p, g.const("axes", np.array([1], np.int64))], "total",
                 keepdims=1)
    return g.op("Div", [p, total], "normalised")


def to_onnx(model, input_shape: tuple[int, ...] | None = None):
    """``model`` (an engine ``Sequential``) as an ``onnx.ModelProto`` that passes
    ``onnx.checker.check_model``. Input "input" (N, *input_shape), float32 (default shape:
    ``common.input_shape_of``); output "probabilities" (N, K) as ``predict_proba``, or
    "values" (N, 1) for a regression model. ``SpecError`` naming the first layer ONNX
    has no equivalent for."""
    onnx, helper, numpy_helper = require_onnx()
    shape = tuple(input_shape) if input_shape is not None else input_shape_of(model)
    kind = output_kind(model)
    g = _Graph(helper, numpy_helper)
    x = "input"
    for i, layer in enumerate(model.layers):
        x = _layer(g, i, layer, x)
    out = _head(g, kind, x)
    out_name = "values" if kind == "values" else "probabilities"
    if not g.nodes or g.nodes[-1].output[0] != out:  # e.g. a network of no-op layers
        out = g.op("Identity", [out])
    g.nodes[-1].output[0] = out_name
    g.nodes[-1].name = out_name
    f32 = onnx.TensorProto.FLOAT
    graph = helper.make_graph(
        g.nodes, "nn_playground_model",
        [helper.make_tensor_value_info("input", f32, ["N", *shape])],
        [helper.make_tensor_value_info(out_name, f32, ["N", None])], g.inits)
    proto = helper.make_model(graph, producer_name="nn-playground",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    proto.ir_version = IR_VERSION
    proto.doc_string = (f"{model!r}; output: {out_name} "
                        f"({'as predict_proba' if out_name == 'probabilities' else 'predict'})")
    helper.set_model_props(proto, {"loss": model.loss_fn.kind, "task": model.task,
                                   "output": kind})
    onnx.checker.check_model(proto)
    return proto


def save_onnx(model, path, input_shape: tuple[int, ...] | None = None) -> None:
    """Write ``to_onnx(model)`` to ``path`` atomically."""
    proto = to_onnx(model, input_shape)
    write_atomic(path, proto.SerializeToString())
