"""``python -m engine`` on configs, model files and data of the wrong types: every case
is exit 2 and one sentence naming the key or file, never Python's words or a traceback."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.build import build_model
from engine.cli import main
from engine.datasets.csvio import save_csv
from engine.serialize import model_state, write_state
from engine.spec import RunConfig

QUICK = ["--dataset", "xor", "--samples", "40", "--hidden", "4", "--epochs", "1",
         "--seed", "1", "--json"]
PYTHON_WORDS = ("Traceback", "object of type", "not supported between", "unexpected keyword",
                "invalid literal", "NoneType", "codec can't", "index ", "Errno")

CONFIGS = {  # id -> (config text, words the message must hold)
    "seed-string": ('{"seed": "3"}', "'seed'"),
    "lr-string": ('{"optim": {"lr": "0.1"}}', "'optim.lr'"),
    "hidden-string": ('{"model": {"hidden": "8"}}', "'model.hidden'"),
    "dropout-string": ('{"model": {"dropout": "0.1"}}', "'model.dropout'"),
    "float-width": ('{"model": {"hidden": [8.5]}}', "'model.hidden'"),
    "float-epochs": ('{"epochs": 2.5}', "'epochs'"),
    "whole-float-epochs": ('{"epochs": 2.0}', "'epochs'"),
    "bool-epochs": ('{"epochs": true}', "'epochs'"),
    "float-batch": ('{"batch_size": 16.0}', "'batch_size'"),
    "object-activation": ('{"model": {"activation": {"a": 1}}}', "'model.activation'"),
    "list-noise": ('{"data": {"noise": [0.1]}}', "'data.noise'"),
    "number-features": ('{"model": {"features": 3}}', "'model.features'"),
    "nan-l1": ('{"optim": {"l1": NaN}}', "'optim.l1'"),
    "inf-l2": ('{"optim": {"l2": Infinity}}', "'optim.l2'"),
    "nan-decay": ('{"schedule": {"name": "inverse-time", "decay": NaN}}', "'schedule.decay'"),
    "inf-init-std": ('{"model": {"init": "std", "init_std": Infinity}}', "'model.init_std'"),
    "string-schedule-step": ('{"schedule": {"step_size": "5"}}', "'schedule.step_size'"),
    "deep-nesting": ("[" * 100_000 + "]" * 100_000, "nests"),
    "endless-integer": ('{"seed": ' + "9" * 5000 + "}", "too long"),
}


def call(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_sentence(code: int, out: str, err: str, *words: str) -> None:
    assert code == 2, err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for w in words:
        assert w in lines[0], lines[0]
    for w in PYTHON_WORDS:
        assert w not in lines[0], lines[0]


@pytest.mark.parametrize("name", list(CONFIGS))
def test_a_config_value_of_the_wrong_type_is_one_sentence(capsys, tmp_path, name):
    text, words = CONFIGS[name]
    path = tmp_path / "run.json"
    path.write_text(text)
    code, out, err = call(capsys, "train", "--config", str(path), "--json")
    assert_one_sentence(code, out, err, words)


def test_a_config_that_is_not_utf8_is_one_sentence(capsys, tmp_path):
    path = tmp_path / "run.json"
    path.write_bytes(b'{"seed": "\xff\xfe"}')
    code, out, err = call(capsys, "train", "--config", str(path))
    assert_one_sentence(code, out, err, "run.json", "UTF-8")


def _model_file(tmp_path, change) -> str:
    model = build_model(RunConfig().with_changes(data={"name": "xor"}, model={"hidden": (4,)}),
                        (2,), 2)
    desc, arrays = model_state(model)
    desc, arrays = change(desc, arrays)
    path = tmp_path / "m.npz"
    with open(path, "wb") as f:
        if desc is None:
            np.savez(f, **arrays)
        else:
            write_state(f, desc, arrays)
    return str(path)


def _spec_only(value):
    def change(desc, arrays):
        return None, {"spec": np.array(json.dumps(value)), **arrays}
    return change


def _with_layer_arg(desc, arrays):
    desc["layers"][1]["bogus"] = 1
    return desc, arrays


def _with_array(dtype):
    def change(desc, arrays):
        key = next(k for k in arrays if k.startswith("param/"))
        arrays[key] = np.array(["a"] * arrays[key].size, dtype=dtype).reshape(
            arrays[key].shape)
        return desc, arrays
    return change


MODELS = {
    "description-list": _spec_only([1, 2]),
    "description-number": _spec_only(3),
    "layer-not-object": _spec_only({"format": 2, "dtype": "float32", "loss": "softmax-ce",
                                    "layers": [7], "config": None}),
    "layers-not-list": _spec_only({"format": 2, "dtype": "float32", "loss": "softmax-ce",
                                   "layers": 7, "config": None}),
    "object-dtype-model": _spec_only({"format": 2, "dtype": "object", "loss": "softmax-ce",
                                      "layers": [], "config": None}),
    "unknown-layer-argument": _with_layer_arg,
    "str-array": _with_array("U1"),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_a_model_file_of_the_wrong_shape_is_one_sentence(capsys, tmp_path, name):
    path = _model_file(tmp_path, MODELS[name])
    code, out, err = call(capsys, "evaluate", path, "--dataset", "xor")
    assert_one_sentence(code, out, err, "m.npz")


def test_an_object_array_in_a_model_file_is_one_sentence(capsys, tmp_path):
    model = build_model(RunConfig(), (2,), 2)
    desc, arrays = model_state(model)
    key = next(iter(arrays))
    arrays[key] = np.empty(arrays[key].shape, dtype=object)
    path = tmp_path / "m.npz"
    np.savez(path, spec=np.array(json.dumps(desc)), **arrays)
    code, out, err = call(capsys, "evaluate", str(path), "--dataset", "xor")
    assert_one_sentence(code, out, err, "m.npz")


def test_an_idx_file_with_255_dimensions_is_one_sentence(capsys, tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    header = bytes([0, 0, 0x08, 255]) + (1).to_bytes(4, "big") * 255
    (folder / "train-images-idx3-ubyte").write_bytes(header + b"\x00")
    (folder / "train-labels-idx1-ubyte").write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 1, 0]))
    code, out, err = call(capsys, "train", "--dataset", "mnist", "--data-dir", str(folder),
                          "--epochs", "1", "--json")
    assert_one_sentence(code, out, err, "train-images-idx3-ubyte", "255 dimensions")


def test_a_two_class_model_on_five_class_points_is_one_sentence(capsys, tmp_path):
    model_path = tmp_path / "m.npz"
    code, _, err = call(capsys, "train", *QUICK, "--save", str(model_path))
    assert code == 0, err
    csv = tmp_path / "five.csv"
    save_csv(csv, np.arange(20, dtype=float).reshape(10, 2), np.arange(10) % 5)
    code, out, err = call(capsys, "evaluate", str(model_path), "--data", str(csv))
    assert_one_sentence(code, out, err, "five.csv")


def test_an_image_model_on_points_is_one_sentence(capsys, tmp_path):
    from engine.spec import defaults_for

    model = build_model(defaults_for("mnist"), (1, 28, 28), 10)
    model.save(tmp_path / "m.npz")
    csv = tmp_path / "points.csv"
    save_csv(csv, np.arange(20, dtype=float).reshape(10, 2), np.arange(10) % 2)
    code, out, err = call(capsys, "evaluate", str(tmp_path / "m.npz"), "--data", str(csv),
                          "--split", "train")
    assert_one_sentence(code, out, err, "points.csv")


def test_coordinates_beyond_float32_are_refused_when_read_not_reported_as_divergence(
        capsys, tmp_path):
    csv = tmp_path / "huge.csv"
    csv.write_text("x1,x2,label\n1e308,0,0\n0,1,1\n1,1,0\n")
    code, out, err = call(capsys, "train", *QUICK[6:], "--data", str(csv))
    assert_one_sentence(code, out, err, "huge.csv", "1e308", "line 2")
    assert "diverged" not in err


def _model_trained_on(tmp_path, data: dict) -> str:
    config = RunConfig().with_changes(data=data, model={"hidden": (4,)})
    model = build_model(config, (2,), 2)
    path = tmp_path / "m.npz"
    model.save(path)
    return str(path)


def test_a_model_file_never_chooses_the_local_file_evaluate_reads(capsys, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("SECRET-FIRST-LINE,hunter2\n1,2\n")
    path = _model_trained_on(tmp_path, {"name": "csv", "path": str(secret),
                                        "test_path": str(secret)})
    code, out, err = call(capsys, "evaluate", path)
    assert_one_sentence(code, out, err, "m.npz", "--data")
    assert "SECRET" not in err and "secret.csv" not in err
    good = tmp_path / "good.csv"
    save_csv(good, np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([0, 1, 0]))
    code, out, err = call(capsys, "evaluate", path, "--data", str(good), "--json",
                          "--split", "train")
    assert code == 0, err
    assert json.loads(out)["dataset"] == "csv"


def test_a_model_trained_on_drawn_points_asks_for_a_file(capsys, tmp_path):
    path = _model_trained_on(tmp_path, {"name": "drawn"})
    code, out, err = call(capsys, "evaluate", path)
    assert_one_sentence(code, out, err, "drawn in the app", "--data FILE.csv")


def test_a_model_file_never_makes_evaluate_download(capsys, tmp_path, monkeypatch):
    import engine.datasets.mnist as mnist

    def no_download(*a, **k):
        raise AssertionError("a download was started")

    monkeypatch.setattr(mnist, "download", no_download)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path))
    path = _model_trained_on(tmp_path, {"name": "fashion-mnist", "download": True,
                                        "path": str(tmp_path / "elsewhere")})
    code, out, err = call(capsys, "evaluate", path)
    assert_one_sentence(code, out, err, "--download")
    assert "elsewhere" not in err


def _strict_json(line: str):
    def refuse(name):
        raise AssertionError(f"{name} is not JSON")
    return json.loads(line, parse_constant=refuse)


def test_a_model_with_non_finite_weights_is_refused_in_one_sentence(capsys, tmp_path):
    def nan(desc, arrays):
        key = next(k for k in arrays if k.startswith("param/"))
        arrays[key] = np.full_like(arrays[key], np.nan)
        return desc, arrays

    path = _model_file(tmp_path, nan)
    code, out, err = call(capsys, "evaluate", path, "--dataset", "xor", "--json")
    assert_one_sentence(code, out, err, "m.npz", "not finite")


def test_evaluate_json_prints_null_for_a_loss_that_overflows(capsys, tmp_path):
    def huge(desc, arrays):
        for key in arrays:
            if key.startswith("param/"):
                arrays[key] = np.full_like(arrays[key], 3e38)
        return desc, arrays

    path = _model_file(tmp_path, huge)
    code, out, err = call(capsys, "evaluate", path, "--dataset", "xor", "--json")
    assert code == 0, err
    result = _strict_json(out)
    assert result["loss"] is None


def test_json_lines_have_no_nan_or_inf():
    from engine.cli import json_line

    line = json_line({"a": float("nan"), "b": [float("inf"), 1.5], "c": {"d": -float("inf")}})
    assert _strict_json(line) == {"a": None, "b": [None, 1.5], "c": {"d": None}}


def test_a_file_name_with_a_line_break_stays_on_one_line(capsys, tmp_path):
    code, out, err = call(capsys, "evaluate", str(tmp_path / "two\nlines.npz"),
                          "--dataset", "xor")
    assert_one_sentence(code, out, err, "two\\nlines.npz")


@pytest.mark.parametrize("args", [
    ["evaluate", "x\x00y.npz"],
    ["train", "--config", "x\x00y.json"],
    ["train", "--dataset", "xor", "--save", "x\x00y.npz"],
    ["train", "--dataset", "xor", "--save-config", "x\x00y.json"],
], ids=["model", "config", "save", "save-config"])
def test_a_file_name_with_a_nul_byte_is_one_sentence(capsys, args):
    code, out, err = call(capsys, *args)
    assert_one_sentence(code, out, err, "NUL byte")
