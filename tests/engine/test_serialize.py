"""Save/load round trips architecture, weights, buffers and config; bad files are refused."""

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
