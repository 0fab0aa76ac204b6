"""engine.build: one description per preset, counted without allocating, and one strict
load path for model files."""

from __future__ import annotations

import json

import numpy as np
import pytest

import engine
from engine import RunConfig, build_model, count_parameters
from engine.build import build_from_description, describe_config
from engine.errors import DataError
from engine.serialize import model_state, write_state
from engine.spec import defaults_for

CASES = [
    (RunConfig(), (2,), 2),
    (RunConfig().with_changes(model={"hidden": (16, 4), "batchnorm": True, "dropout": 0.2}),
     (2,), 3),
    (defaults_for("mnist-sample"), (1, 28, 28), 10),
    (defaults_for("mnist-sample").with_changes(model={"preset": "simple-cnn"}), (1, 28, 28), 10),
    (defaults_for("mnist-sample").with_changes(model={"preset": "deep-cnn",
                                                      "batchnorm": True}), (1, 28, 28), 10),
]


@pytest.mark.parametrize("config, shape, n_classes", CASES)
def test_count_parameters_matches_the_built_model(config, shape, n_classes):
    model = build_model(config, shape, n_classes)
    assert count_parameters(config, shape, n_classes) == model.num_parameters()


def test_count_parameters_allocates_no_layer(monkeypatch):
    from engine import layers

    def refuse(*args, **kwargs):
        raise AssertionError("a layer was built")

    for cls in set(layers.LAYERS.values()):
        monkeypatch.setattr(cls, "__init__", refuse)
    cfg = defaults_for("mnist-sample").with_changes(model={"preset": "deep-cnn"})
    assert count_parameters(cfg, (1, 28, 28), 10) > 0


@pytest.mark.parametrize("config, shape, n_classes", CASES)
def test_the_model_is_its_description_built(config, shape, n_classes):
    desc = describe_config(config, shape, n_classes)
    model = build_model(config, shape, n_classes)
    assert [l.kind for l in model.layers] == [e["kind"] for e in desc["layers"]]
    rebuilt = build_from_description(desc, np.random.default_rng(config.seed))
    for (_, a, _), (_, b, _) in zip(model.parameters(), rebuilt.parameters()):
        assert np.array_equal(a, b)


def test_engine_save_and_load_round_trip(tmp_path):
    cfg = RunConfig().with_changes(model={"batchnorm": True}, seed=2)
    model = build_model(cfg, (2,), 2)
    model.layers[2].buffers["running_var"][:] = 3.0
    engine.save(model, tmp_path / "m.npz")
    back = engine.load(tmp_path / "m.npz")
    x = np.random.default_rng(0).standard_normal((5, 2)).astype(np.float32)
    assert np.array_equal(back.predict(x), model.predict(x))
    assert back.config == cfg


def _rewrite(path, change):
    desc, arrays = model_state(build_model(RunConfig(), (2,), 2))
    change(desc, arrays)
    write_state(path, desc, arrays)


@pytest.mark.parametrize("change, message", [
    (lambda d, a: a.update({"param/9.W": np.zeros(2, np.float32)}), "different network"),
    (lambda d, a: a.pop("param/1.b"), "different network"),
    (lambda d, a: a.update({"param/1.W": a["param/1.W"].astype(np.float64)}), "float64"),
    (lambda d, a: a.update({"param/1.W": a["param/1.W"][:1]}), "shape"),
    (lambda d, a: d.update({"format": 99}), "newer version"),
    (lambda d, a: d["layers"].append({"kind": "wormhole"}), "unknown layer kind"),
])
def test_load_is_strict_about_names_shapes_and_types(tmp_path, change, message):
    path = tmp_path / "m.npz"
    _rewrite(path, change)
    with pytest.raises(DataError, match=message):
        engine.load(path)


def test_a_description_without_layers_is_not_a_model_file(tmp_path):
    np.savez(tmp_path / "m.npz", spec=np.array(json.dumps({"format": 2})))
    with pytest.raises(DataError, match="not a model file"):
        engine.load(tmp_path / "m.npz")

def test_serialize_imports_neither_the_network_nor_the_builder():
    import ast
    from pathlib import Path

    import engine.serialize

    tree = ast.parse(Path(engine.serialize.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not imported & {"network", "build", "presets", "layers"}
