"""Save/load round trips architecture, weights, buffers and config; bad files are refused."""

import json

import numpy as np
import pytest

from engine import RunConfig, build_model, load
from engine.errors import DataError


def test_save_load_round_trip(tmp_path):
    cfg = RunConfig().with_changes(model={"hidden": (6, 5), "batchnorm": True, "dropout": 0.1,
                                          "features": ("x1", "x2", "sin(x1)")}, seed=5)
    model = build_model(cfg, (2,), 3)
    bn = model.layers[2]
    bn.buffers["running_mean"][:] = np.arange(6)
    path = tmp_path / "m.npz"
    model.save(path)
    back = load(path)
    x = np.random.default_rng(0).standard_normal((9, 2)).astype(np.float32)
    assert np.array_equal(back.predict(x), model.predict(x))
    assert back.config == cfg
    assert [type(l) for l in back.layers] == [type(l) for l in model.layers]
    assert np.array_equal(back.layers[2].buffers["running_mean"], np.arange(6))


def test_save_leaves_no_temporary_files(tmp_path):
    build_model(RunConfig(), (2,), 2).save(tmp_path / "a.npz")
    assert [p.name for p in tmp_path.iterdir()] == ["a.npz"]


def test_loading_garbage_or_missing_files_raises_data_error(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file at all")
    with pytest.raises(DataError, match="bad.npz"):
        load(bad)
    with pytest.raises(DataError, match="no such model file"):
        load(tmp_path / "missing.npz")
    np.savez(tmp_path / "plain.npz", a=np.ones(3))
    with pytest.raises(DataError, match="plain.npz"):
        load(tmp_path / "plain.npz")


def test_a_format_1_file_with_class_name_kinds_still_loads(tmp_path):
    # Written as the first format did: layer kinds were the class names.
    desc = {"format": 1, "dtype": "float32", "loss": "softmax-ce", "config": None,
            "layers": [{"kind": "Features", "names": ["x1", "x2"]},
                       {"kind": "Dense", "in_features": 2, "out_features": 3, "init": "he",
                        "std": 0.01},
                       {"kind": "BatchNorm", "num_features": 3, "momentum": 0.9, "eps": 1e-5},
                       {"kind": "LeakyReLU", "alpha": 0.2},
                       {"kind": "Dense", "in_features": 3, "out_features": 2, "init": "he",
                        "std": 0.01}]}
    rng = np.random.default_rng(3)
    arrays = {"param/1.W": rng.standard_normal((2, 3)).astype(np.float32),
              "param/1.b": rng.standard_normal(3).astype(np.float32),
              "param/2.gamma": np.full(3, 1.5, np.float32),
              "param/2.beta": np.zeros(3, np.float32),
              "buffer/2.running_mean": np.arange(3, dtype=np.float32),
              "buffer/2.running_var": np.ones(3, np.float32),
              "param/4.W": rng.standard_normal((3, 2)).astype(np.float32),
              "param/4.b": np.zeros(2, np.float32)}
    path = tmp_path / "old.npz"
    np.savez(path, spec=np.array(json.dumps(desc)), **arrays)
    model = load(path)
    assert [l.kind for l in model.layers] == ["features", "dense", "batch-norm", "leaky-relu",
                                              "dense"]
    assert model.layers[3].alpha == 0.2
    assert np.array_equal(model.layers[1].params["W"], arrays["param/1.W"])
    assert np.array_equal(model.layers[2].buffers["running_mean"], np.arange(3))
    x = rng.standard_normal((4, 2)).astype(np.float32)
    h = (x @ arrays["param/1.W"] + arrays["param/1.b"] - np.arange(3)) / np.sqrt(1 + 1e-5)
    h = 1.5 * h
    h = np.where(h > 0, h, 0.2 * h)
    np.testing.assert_allclose(model.predict(x), h @ arrays["param/4.W"], rtol=1e-5,
                               atol=1e-6)


def test_saved_files_use_lower_case_hyphenated_kinds(tmp_path):
    from engine.serialize import FORMAT

    cfg = RunConfig().with_changes(model={"batchnorm": True, "activation": "leaky-relu"})
    build_model(cfg, (2,), 2).save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as data:
        desc = json.loads(str(data["spec"]))
    assert desc["format"] == FORMAT
    for entry in desc["layers"]:
        assert entry["kind"] == entry["kind"].lower() and "_" not in entry["kind"]
    assert {"features", "dense", "batch-norm", "leaky-relu"} <= {e["kind"] for e in desc["layers"]}
