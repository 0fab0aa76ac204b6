"""The run config: JSON round trip, validation messages, model building."""

import json

import numpy as np
import pytest

from engine import RunConfig, build_model
from engine.errors import SpecError
from engine.layers import BatchNorm, Dense, Dropout, Features, Tanh


def test_default_config_round_trips_through_json():
    cfg = RunConfig()
    assert RunConfig.from_json(cfg.to_json()) == cfg


def test_changed_config_round_trips_with_tuples():
    cfg = RunConfig().with_changes(model={"hidden": (4, 3, 2), "features": ("x1", "x1*x2")},
                                   optim={"name": "momentum", "lr": 0.1}, seed=7)
    back = RunConfig.from_json(cfg.to_json())
    assert back == cfg and back.model.hidden == (4, 3, 2)


@pytest.mark.parametrize("change,match", [
    ({"model": {"hidden": (0,)}}, "hidden layer sizes"),
    ({"model": {"hidden": (10_000,)}}, "hidden layer sizes"),
    ({"optim": {"lr": 0.0}}, "learning rate"),
    ({"optim": {"lr": 1e9}}, "learning rate"),
    ({"data": {"name": "swirl"}}, "unknown dataset 'swirl'"),
    ({"model": {"activation": "gelu"}}, "unknown activation 'gelu'"),
    ({"batch_size": -1}, "batch size"),
    ({"model": {"preset": "simple-cnn"}}, "needs an image dataset"),
])
def test_bad_values_raise_spec_error_naming_them(change, match):
    with pytest.raises(SpecError, match=match):
        RunConfig().with_changes(**change).validate()


def test_unknown_json_keys_are_refused():
    d = RunConfig().to_dict()
    d["optim"]["learning_rate"] = 1
    with pytest.raises(SpecError, match="learning_rate"):
        RunConfig.from_json(json.dumps(d))
    with pytest.raises(SpecError, match="not valid JSON"):
        RunConfig.from_json("{")


def test_build_mlp_follows_the_config():
    cfg = RunConfig().with_changes(model={"hidden": (5, 4), "features": ("x1", "x2", "x1^2"),
                                          "dropout": 0.2, "batchnorm": True})
    model = build_model(cfg, (2,), 3)
    kinds = [type(l) for l in model.layers]
    assert kinds == [Features, Dense, BatchNorm, Tanh, Dropout, Dense, BatchNorm, Tanh,
                     Dropout, Dense]
    assert model.layers[1].in_features == 3 and model.layers[-1].out_features == 3
    assert model.predict(np.zeros((7, 2))).shape == (7, 3)


def test_auto_init_is_xavier_for_tanh_and_he_for_relu():
    tanh = build_model(RunConfig().with_changes(model={"hidden": (400,)}), (2,), 2)
    relu = build_model(RunConfig().with_changes(model={"hidden": (400,),
                                                       "activation": "relu"}), (2,), 2)
    # Second Dense has 400 inputs: xavier std 0.05, he std ~0.0707.
    assert tanh.layers[-1].params["W"].std() == pytest.approx(np.sqrt(1 / 400), rel=0.1)
    assert relu.layers[-1].params["W"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.1)


def test_same_seed_builds_identical_weights():
    a = build_model(RunConfig().with_changes(seed=3), (2,), 2)
    b = build_model(RunConfig().with_changes(seed=3), (2,), 2)
    c = build_model(RunConfig().with_changes(seed=4), (2,), 2)
    for (_, pa, _), (_, pb, _) in zip(a.parameters(), b.parameters()):
        assert np.array_equal(pa, pb)
    assert not np.array_equal(next(a.parameters())[1], next(c.parameters())[1])


def test_float64_models_stay_float64():
    model = build_model(RunConfig().with_changes(model={"dtype": "float64"}), (2,), 2)
    assert model.predict(np.zeros((3, 2), np.float32)).dtype == np.float64
