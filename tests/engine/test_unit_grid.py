"""Every unit's map over the plane (the network graph's thumbnails) and one activation per
hidden layer."""

import numpy as np
import pytest

from engine import RunConfig, build_model, decision_grid
from engine.errors import SpecError
from engine.grid import grid_points
from engine.presets import layer_specs
from engine.unit_grid import dense_layers, network_grid

BOUNDS = (-1.5, 1.5, -1.0, 2.0)


def _model(hidden=(4, 3), activation="tanh", features=("x1", "x2", "x1*x2"), classes=2):
    cfg = RunConfig().with_changes(model={"hidden": hidden, "activation": activation,
                                          "features": features})
    return build_model(cfg, (2,), classes, rng=np.random.default_rng(3))


def test_the_decision_grid_is_the_same_with_the_units_along():
    model = _model()
    grid = network_grid(model, BOUNDS, (40, 30), coarse=8)
    assert np.allclose(grid.probs, decision_grid(model, BOUNDS, (40, 30)), atol=1e-6)


def test_columns_are_features_then_hidden_units_then_outputs_over_the_coarse_grid():
    model = _model(classes=3)
    grid = network_grid(model, BOUNDS, (20, 20), coarse=6)
    assert [c.shape for c in grid.columns] == [(3, 6, 6), (4, 6, 6), (3, 6, 6), (3, 6, 6)]
    assert grid.kinds == ["features", "tanh", "tanh", "output"]
    pts = grid_points(BOUNDS, (6, 6)).reshape(6, 6, 2)
    x1, x2 = pts[..., 0], pts[..., 1]
    assert np.allclose(grid.columns[0], [x1, x2, x1 * x2], atol=1e-6)
    # Hidden layer 1 by hand from the dense layer's weights.
    w, b = dense_layers(model)[0].params["W"], dense_layers(model)[0].params["b"]
    by_hand = np.tanh(np.stack([x1, x2, x1 * x2], -1) @ w + b)
    assert np.allclose(grid.columns[1], np.moveaxis(by_hand, -1, 0), atol=1e-5)
    assert np.allclose(grid.columns[-1].sum(0), 1, atol=1e-5)
    assert [w.shape for w in grid.weights] == [(3, 4), (4, 3), (3, 3)]
    assert grid.weights[0] is not w and np.array_equal(grid.weights[0], w)  # a copy


def test_the_focused_unit_comes_at_full_resolution():
    model = _model()
    grid = network_grid(model, BOUNDS, (16, 12), coarse=4, focus=(2, 1))
    assert grid.focus.shape == (12, 16)
    assert network_grid(model, BOUNDS, (16, 12), coarse=4).focus is None
    # On a full grid as coarse as the units' grid, the focused unit is its coarse map.
    four = network_grid(model, BOUNDS, (4, 4), coarse=4, focus=(2, 1))
    assert np.allclose(four.focus, four.columns[2][1], atol=1e-6)


def test_one_activation_per_hidden_layer_builds_those_layers_and_inits():
    m = RunConfig().with_changes(model={"hidden": (4, 3), "activation": "relu, tanh"}).model
    assert m.layer_activations() == ("relu", "tanh")
    kinds = [s["kind"] for s in layer_specs(m, (2,), 2)]
    assert kinds == ["features", "dense", "relu", "dense", "tanh", "dense"]
    inits = [s["init"] for s in layer_specs(m, (2,), 2) if s["kind"] == "dense"]
    assert inits == ["he", "xavier", "xavier"]  # auto: per layer, by its activation
    model = _model(activation="relu,tanh")
    assert network_grid(model, BOUNDS, (8, 8), 4).kinds == ["features", "relu", "tanh", "output"]


def test_a_single_activation_still_means_every_layer():
    m = RunConfig().with_changes(model={"hidden": (5, 5, 5), "activation": "relu"}).model
    assert m.layer_activations() == ("relu",) * 3


@pytest.mark.parametrize("text, says", [("relu,tanh,relu", "3 activations"),
                                        ("relu,nope", "unknown activation 'nope'")])
def test_a_wrong_list_of_activations_is_one_sentence(text, says):
    with pytest.raises(SpecError, match=says):
        RunConfig().with_changes(model={"hidden": (4, 3), "activation": text}).validate()
