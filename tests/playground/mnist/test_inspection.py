"""Looking inside a network: first-layer filters and activations, the strip, the summary."""

import numpy as np

from engine.build import build_model
from playground.mnist.inspection import (
    first_layer_activations,
    first_layer_filters,
    model_summary,
    strip_indices,
)
from playground.mnist.sources import make_config


def _model(**values):
    config = make_config(**values)
    return build_model(config, (1, 28, 28), 10, rng=np.random.default_rng(0))


def test_a_conv_network_shows_its_kernels_and_their_maps():
    model = _model(preset="simple-cnn", filters=4, filter_size=5, hidden=8)
    kind, tiles = first_layer_filters(model, (28, 28))
    assert kind == "conv" and tiles.shape == (4, 5, 5) and tiles.dtype == np.float32
    x = np.random.default_rng(1).random((1, 1, 28, 28), dtype=np.float32)
    maps = first_layer_activations(model, x)
    assert maps.shape == (4, 24, 24) and maps.min() >= 0  # after the ReLU


def test_an_mlp_shows_its_weight_vectors_as_images():
    model = _model(preset="mlp", hidden=6)
    kind, tiles = first_layer_filters(model, (28, 28))
    assert kind == "dense" and tiles.shape == (6, 28, 28)
    assert first_layer_activations(model, np.zeros((1, 1, 28, 28), np.float32)).shape == (6,)
    assert model_summary(model, "mlp") == f"MLP · {model.num_parameters():,} parameters"


def test_strip_indices_cycle_through_the_classes():
    labels = np.array([3, 3, 1, 0, 1, 0, 3])
    np.testing.assert_array_equal(strip_indices(labels, 5), [3, 2, 0, 5, 4])
    assert len(strip_indices(labels, 20)) == len(labels)
