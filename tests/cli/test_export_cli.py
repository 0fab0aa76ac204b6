"""``python -m engine export MODEL.npz OUT``: ONNX or a PyTorch script by OUT's suffix (or
--format), exit 0 and a line per file written; exit 2 with one line on stderr for a bad
name, a missing model or a layer with no equivalent."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import engine.build
from engine import build_model
from engine.base import Layer
from engine.cli import main
from engine.layers import Dense
from engine.losses import make_loss
from engine.network import Sequential
from engine.spec import defaults_for


@pytest.fixture
def saved(tmp_path):
    config = defaults_for("moons").with_changes(
        model={"hidden": (5,), "features": ("x1", "x2", "x1*x2"), "batchnorm": True})
    model = build_model(config, (2,), 2)
    path = tmp_path / "moons.npz"
    model.save(path)
    return model, path


def test_onnx_by_suffix_runs_in_onnxruntime(saved, tmp_path, capsys):
    ort = pytest.importorskip("onnxruntime")
    model, path = saved
    out = tmp_path / "moons.onnx"
    assert main(["export", str(path), str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and "onnx: 5 layers, 42 parameters" in printed
    sess = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).normal(size=(9, 2)).astype(np.float32)
    assert np.abs(sess.run(None, {"input": x})[0] - model.predict_proba(x)).max() <= 1e-5


def test_pytorch_by_suffix_writes_the_script_and_its_weights(saved, tmp_path, capsys):
    _, path = saved
    out = tmp_path / "net.py"
    assert main(["export", str(path), str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith(f"wrote {out}")
    assert printed[1].startswith(f"wrote {tmp_path / 'net_weights.npz'}")
    compile(out.read_text(encoding="utf-8"), str(out), "exec")


def test_format_flag_overrides_the_suffix(saved, tmp_path):
    pytest.importorskip("onnx")
    _, path = saved
    out = tmp_path / "model.bin"
    assert main(["export", str(path), str(out), "--format", "onnx"]) == 0
    import onnx

    onnx.checker.check_model(onnx.load(str(out)))


@pytest.mark.parametrize("args, message", [
    (["{model}", "{tmp}/out.txt"], "cannot tell the export format from 'out.txt'"),
    (["{tmp}/missing.npz", "{tmp}/out.onnx"], "no such model file"),
    (["{model}", "{tmp}/no/such/folder/out.onnx"], "cannot save the export"),
    (["{model}", "{tmp}/out.onnx", "--format", "tflite"], "invalid choice"),
])
def test_bad_input_exits_2_with_one_line(saved, tmp_path, capsys, args, message):
    _, path = saved
    argv = [a.format(model=path, tmp=tmp_path) for a in args]
    assert main(["export", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err


class Mystery(Layer):
    kind = "mystery"

    def forward(self, x, train=False):
        return x


def test_a_layer_with_no_equivalent_exits_2(monkeypatch, tmp_path, capsys):
    rng = np.random.default_rng(0)
    model = Sequential([Dense(2, 3, rng=rng), Mystery(), Dense(3, 2, rng=rng)],
                       make_loss("softmax-ce"))
    monkeypatch.setattr(engine.build, "load", lambda path: model)
    for out in ("m.onnx", "m.py"):
        assert main(["export", "any.npz", str(tmp_path / out)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "layer 1 (mystery) has no" in err
        assert not (tmp_path / out).exists()
        assert not (tmp_path / "m_weights.npz").exists()


def test_the_command_line_exits_0_and_2(saved, tmp_path):
    _, path = saved
    ok = subprocess.run([sys.executable, "-m", "engine", "export", str(path),
                         str(tmp_path / "m.py")], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([sys.executable, "-m", "engine", "export", str(path),
                          str(tmp_path / "m.zip")], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def test_without_onnx_exits_2_before_reading_the_model(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx raises ImportError
    assert main(["export", str(tmp_path / "missing.npz"), str(tmp_path / "m.onnx")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'nn-playground[onnx]'" in err
