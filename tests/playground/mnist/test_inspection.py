"""The strip of test images and the one-line model summary (``test_layer_views`` covers
the filters and feature maps)."""

import numpy as np

from engine.build import build_model
from playground.mnist.inspection import model_summary, strip_indices
from playground.mnist.sources import make_config


def _model(**values):
    config = make_config(**values)
    return build_model(config, (1, 28, 28), 10, rng=np.random.default_rng(0))


def test_the_summary_names_the_model_and_counts_its_parameters():
    model = _model(preset="mlp", hidden=6)
    assert model_summary(model, "mlp") == f"MLP · {model.num_parameters():,} parameters"


def test_strip_indices_cycle_through_the_classes():
    labels = np.array([3, 3, 1, 0, 1, 0, 3])
    np.testing.assert_array_equal(strip_indices(labels, 5), [3, 2, 0, 5, 4])
    assert len(strip_indices(labels, 20)) == len(labels)
