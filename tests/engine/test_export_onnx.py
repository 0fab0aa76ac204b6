"""ONNX and PyTorch export (engine.export): onnxruntime's output on random input equals
the engine model's ``predict_proba`` (or values) for every layer, activation, output head
and preset; the batch dimension is symbolic; a layer with no equivalent is one error."""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import build_model
from engine.base import Layer
from engine.compare import make_run
from engine.datasets.loader import load_dataset
from engine.errors import EngineError, SpecError
from engine.export import format_for, input_shape_of, pytorch_script, save_pytorch, to_onnx
from engine.export.pytorch import weight_arrays
from engine.layers import (
    ELU,
    AvgPool2D,
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Features,
    Flatten,
    Identity,
    LeakyReLU,
    MaxPool2D,
    ReLU,
    Sigmoid,
    Step,
    Tanh,
)
from engine.losses import make_loss
from engine.network import Sequential
from engine.spec import defaults_for

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

TOL = 1e-5
ROOT = Path(__file__).resolve().parents[2]


def session(model, **kw):
    proto = to_onnx(model, **kw)
    onnx.checker.check_model(proto)
    return proto, ort.InferenceSession(proto.SerializeToString(),
                                       providers=["CPUExecutionProvider"])


def engine_output(model, x):
    return model.predict(x) if model.task == "regression" else model.predict_proba(x)


def max_diff(model, x) -> float:
    _, sess = session(model)
    got = sess.run(None, {"input": x.astype(np.float32)})[0]
    want = engine_output(model, x)
    assert got.shape == want.shape
    return float(np.abs(got - want).max())


def randomise_bn(model, rng):
    for layer in model.layers:
        if isinstance(layer, BatchNorm):
            n = layer.num_features
            layer.params["gamma"][...] = rng.uniform(0.5, 1.5, n)
            layer.params["beta"][...] = rng.normal(0, 0.3, n)
            layer.buffers["running_mean"][...] = rng.normal(0, 0.5, n)
            layer.buffers["running_var"][...] = rng.uniform(0.5, 2.0, n)


def points(n=7, seed=0):
    return np.random.default_rng(seed).normal(0, 1.5, (n, 2)).astype(np.float32)


ACTIVATIONS = [ReLU, Tanh, Sigmoid, lambda: LeakyReLU(alpha=0.1), lambda: ELU(alpha=0.7),
               Identity, Step]


@pytest.mark.parametrize("make_act", ACTIVATIONS,
                         ids=["relu", "tanh", "sigmoid", "leaky-relu", "elu", "identity",
                              "step"])
def test_every_activation_matches_the_engine(make_act):
    rng = np.random.default_rng(1)
    model = Sequential([Features(("x1", "x2")), Dense(2, 9, rng=rng), make_act(),
                        Dense(9, 3, rng=rng)], make_loss("softmax-ce"))
    assert max_diff(model, points(50)) <= TOL


def test_every_input_feature_becomes_onnx_ops_in_front():
    names = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
    rng = np.random.default_rng(2)
    model = Sequential([Features(names), Dense(7, 6, rng=rng), BatchNorm(6), Tanh(),
                        Dropout(0.3, rng=rng), Dense(6, 2, rng=rng)], make_loss("softmax-ce"))
    randomise_bn(model, rng)
    proto, _ = session(model)
    ops = {n.op_type for n in proto.graph.node}
    assert {"Sin", "Mul", "Concat", "Gemm", "BatchNormalization"} <= ops
    assert "Dropout" not in ops
    assert proto.graph.input[0].type.tensor_type.shape.dim[1].dim_value == 2
    assert max_diff(model, points(40)) <= TOL


@pytest.mark.parametrize("layers", [[Features(("x1",))], [Identity(), Dropout(0.5)],
                                    [Features(("x2", "x1")), Step()]],
                         ids=["one-feature", "no-ops", "swapped"])
def test_degenerate_networks_still_export(layers):
    model = Sequential(layers, make_loss("mse"))
    shape = (2,)
    _, sess = session(model, input_shape=shape)
    x = points(5)
    got = sess.run(None, {"input": x})[0]
    assert np.abs(got - model.predict_proba(x)).max() <= TOL


def test_a_single_feature_needs_no_concat():
    model = Sequential([Features(("sin(x2)",)), Dense(1, 2, rng=np.random.default_rng(0))],
                       make_loss("softmax-ce"))
    assert max_diff(model, points()) <= TOL


@pytest.mark.parametrize("loss, width", [("softmax-ce", 4), ("sigmoid-bce", 1),
                                         ("sigmoid-bce", 3), ("mse", 3), ("mse", 1),
                                         ("huber", 1)])
def test_the_output_is_what_the_engine_gives(loss, width):
    rng = np.random.default_rng(3)
    model = Sequential([Features(("x1", "x2", "x1*x2")), Dense(3, 8, rng=rng), ReLU(),
                        Dense(8, width, rng=rng)], make_loss(loss))
    proto, _ = session(model)
    expected = "values" if model.task == "regression" else "probabilities"
    assert proto.graph.output[0].name == expected
    assert max_diff(model, points(60)) <= TOL


def test_convolution_pooling_batchnorm_and_flatten_match():
    rng = np.random.default_rng(4)
    model = Sequential([
        Conv2D(2, 4, 3, stride=1, pad=1, rng=rng), BatchNorm(4), ReLU(),
        MaxPool2D(2, 2),
        Conv2D(4, 5, (3, 2), stride=2, pad=0, rng=rng), ELU(),
        AvgPool2D(2, 1), MaxPool2D(3, 2), Flatten(), Dense(5, 8, rng=rng), LeakyReLU(0.2),
        Dropout(0.5, rng=rng), Dense(8, 3, rng=rng)], make_loss("softmax-ce"))
    randomise_bn(model, rng)
    x = rng.random((5, 2, 20, 20), dtype=np.float32)
    assert input_shape_of(model)[0] == 2
    _, sess = session(model, input_shape=(2, 20, 20))
    got = sess.run(None, {"input": x})[0]
    assert np.abs(got - model.predict_proba(x)).max() <= TOL


def small_image_config(preset):
    return defaults_for("mnist-sample").with_changes(
        model={"preset": preset, "conv_filters": 3, "conv_size": 3, "hidden": (12,),
               "batchnorm": True})


@pytest.mark.parametrize("preset, shape", [("mlp", (2,)), ("mlp", (1, 8, 8)),
                                           ("simple-cnn", (1, 12, 12)),
                                           ("deep-cnn", (1, 28, 28))])
def test_the_presets_match(preset, shape):
    if shape == (2,):
        config = defaults_for("moons").with_changes(
            model={"hidden": (5, 4), "activation": "relu,tanh", "features": ("x1", "x2^2"),
                   "batchnorm": True, "dropout": 0.1})
    else:
        config = small_image_config(preset)
    model = build_model(config, shape, 10 if len(shape) == 3 else 2)
    rng = np.random.default_rng(5)
    randomise_bn(model, rng)
    x = rng.random((6, *shape), dtype=np.float32)
    _, sess = session(model, input_shape=shape)
    got = sess.run(None, {"input": x})[0]
    assert np.abs(got - model.predict_proba(x)).max() <= TOL


def test_the_batch_dimension_is_symbolic():
    model = build_model(small_image_config("simple-cnn"), (1, 28, 28), 10)
    proto, sess = session(model)
    dim = proto.graph.input[0].type.tensor_type.shape.dim
    assert dim[0].dim_param == "N" and [d.dim_value for d in dim[1:]] == [1, 28, 28]
    rng = np.random.default_rng(6)
    for n in (1, 7):
        x = rng.random((n, 1, 28, 28), dtype=np.float32)
        got = sess.run(None, {"input": x})[0]
        assert got.shape == (n, 10)
        assert np.abs(got - model.predict_proba(x)).max() <= TOL


def test_the_image_size_comes_from_the_config_or_the_layers():
    config = small_image_config("simple-cnn")
    assert input_shape_of(build_model(config, (1, 28, 28), 10)) == (1, 28, 28)
    model = build_model(config.with_changes(data={"name": "digits"}), (1, 8, 8), 10)
    assert input_shape_of(model) == (1, 8, 8)
    model.config = None
    assert input_shape_of(model) in ((1, 8, 8), (1, 9, 9))  # the smallest that fits
    assert input_shape_of(model) == (1, 8, 8)


def test_exported_mnist_model_scores_the_engine_accuracy():
    config = small_image_config("simple-cnn").with_changes(
        data={"train_limit": 400}, model={"batchnorm": False, "conv_filters": 4,
                                          "conv_size": 5},
        optim={"name": "adam", "lr": 0.01}, batch_size=20, epochs=1)
    data = load_dataset(config)
    model, trainer = make_run(config, data)
    trainer.run_epoch()
    _, sess = session(model)
    got = np.concatenate([sess.run(None, {"input": data.x_test[i:i + 250]})[0]
                          for i in range(0, len(data.x_test), 250)])
    want = model.predict_proba(data.x_test)
    assert np.abs(got - want).max() <= TOL
    acc_onnx = float((got.argmax(1) == data.y_test).mean())
    acc_engine = float((want.argmax(1) == data.y_test).mean())
    assert acc_onnx == acc_engine > 0.3  # one epoch on 400 images is far above chance


class Mystery(Layer):
    kind = "mystery"

    def forward(self, x, train=False):
        return x


def test_a_layer_with_no_equivalent_is_one_clear_error():
    rng = np.random.default_rng(0)
    model = Sequential([Dense(2, 3, rng=rng), Mystery(), Dense(3, 2, rng=rng)],
                       make_loss("softmax-ce"))
    with pytest.raises(SpecError, match=r"^layer 1 \(mystery\) has no ONNX equivalent"):
        to_onnx(model)
    with pytest.raises(SpecError, match=r"^layer 1 \(mystery\) has no PyTorch equivalent"):
        pytorch_script(model)


def test_a_float64_model_exports_as_float32():
    model = build_model(defaults_for("moons").with_changes(
        model={"dtype": "float64", "hidden": (4,)}), (2,), 2)
    proto, _ = session(model)
    assert {i.data_type for i in proto.graph.initializer} == {onnx.TensorProto.FLOAT}
    assert max_diff(model, points(20)) <= TOL


def test_the_format_follows_the_suffix():
    assert format_for("m.onnx") == "onnx" and format_for("dir/M.PY") == "pytorch"
    assert format_for("m.bin", "onnx") == "onnx"
    with pytest.raises(SpecError, match="cannot tell the export format"):
        format_for("m.bin")


# ------------------------------------------------------------------------------ PyTorch


def every_layer_models():
    rng = np.random.default_rng(7)
    dense = Sequential([Features(("x1", "x2", "x1^2", "sin(x2)")), Dense(4, 6, rng=rng),
                        BatchNorm(6), LeakyReLU(0.1), Dropout(0.2, rng=rng), Dense(6, 5, rng=rng),
                        ELU(0.5), Dense(5, 4, rng=rng), Sigmoid(), Dense(4, 4, rng=rng),
                        Step(), Identity(), Dense(4, 3, rng=rng), Tanh(), Dense(3, 1, rng=rng)],
                       make_loss("sigmoid-bce"))
    conv = Sequential([Conv2D(1, 3, 3, pad=1, rng=rng), BatchNorm(3), ReLU(), MaxPool2D(2, 2),
                       Conv2D(3, 4, 3, stride=2, rng=rng), AvgPool2D(2, 2), Flatten(),
                       Dense(4, 10, rng=rng)], make_loss("softmax-ce"))
    conv.config = None
    regression = Sequential([Features(("x1", "x2")), Dense(2, 5, rng=rng), Tanh(),
                             Dense(5, 1, rng=rng)], make_loss("mse"))
    for m in (dense, conv):
        randomise_bn(m, rng)
    return {"dense": (dense, (2,)), "conv": (conv, (1, 12, 12)), "regression": (regression, (2,))}


@pytest.mark.parametrize("name", ["dense", "conv", "regression"])
def test_the_pytorch_script_is_python_and_names_every_array(tmp_path, name):
    model, _ = every_layer_models()[name]
    script, weights = save_pytorch(model, tmp_path / "model.py")
    assert weights.name == "model_weights.npz"
    text = script.read_text(encoding="utf-8")
    tree = ast.parse(text)
    compile(tree, str(script), "exec")
    assert "import torch" in text
    assert "import engine" not in text and "from engine" not in text  # torch and NumPy only
    with np.load(weights) as arrays:
        names = set(arrays.files)
        assert all(arrays[n].dtype == np.float32 for n in names)
    assert names == set(weight_arrays(model))
    for n in names:
        assert f'array("{n}")' in text
    defined = {f.name for f in tree.body if isinstance(f, ast.FunctionDef)}
    assert {"build", "load_model"} <= defined
    assert ("predict" if name == "regression" else "predict_proba") in defined


def test_the_exporter_does_not_import_torch(tmp_path):
    code = ("import sys\n"
            "from engine import build_model\n"
            "from engine.export import save_pytorch, to_onnx\n"
            "from engine.spec import defaults_for\n"
            "m = build_model(defaults_for('moons'), (2,), 2)\n"
            f"save_pytorch(m, {str(tmp_path / 'm.py')!r}); to_onnx(m)\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr


def test_without_onnx_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx raises ImportError
    model, _ = every_layer_models()["dense"]
    with pytest.raises(EngineError, match=r"needs the onnx package: pip install "
                                          r"'nn-playground\[onnx\]'"):
        to_onnx(model)


@pytest.mark.parametrize("name", ["dense", "conv", "regression"])
def test_the_pytorch_script_gives_the_engine_output(tmp_path, monkeypatch, name):
    pytest.importorskip("torch")
    model, shape = every_layer_models()[name]
    script, _ = save_pytorch(model, tmp_path / "model.py")
    spec = importlib.util.spec_from_file_location(f"exported_{name}", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    x = np.random.default_rng(8).normal(0, 1, (7, *shape)).astype(np.float32)
    net = module.load_model()
    if name == "regression":
        got = module.predict(x, net)
    else:
        got = module.predict_proba(x, net)
    assert np.abs(got - engine_output(model, x)).max() <= TOL
