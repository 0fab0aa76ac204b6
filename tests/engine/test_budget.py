"""The memory estimate matches the networks ``build_model`` makes, and the budget refuses
oversized ones with the numbers."""

from __future__ import annotations

import numpy as np
import pytest

from engine.budget import MEMORY_BUDGET, check_memory, estimate_memory, format_bytes
from engine.build import build_model
from engine.errors import SpecError
from engine.spec import RunConfig, defaults_for

CASES = [
    (RunConfig(), (2,), 2),
    (RunConfig().with_changes(model={"hidden": (64,) * 8, "batchnorm": True, "dropout": 0.2,
                                     "features": ("x1", "x2", "sin(x1)")}), (2,), 5),
    (RunConfig().with_changes(model={"loss": "sigmoid-bce", "hidden": ()}), (2,), 2),
    (defaults_for("mnist-sample"), (1, 28, 28), 10),
    (defaults_for("mnist-sample").with_changes(model={"preset": "simple-cnn",
                                                      "batchnorm": True}), (1, 28, 28), 10),
    (defaults_for("mnist-sample").with_changes(model={"preset": "deep-cnn"}), (1, 28, 28), 10),
    (defaults_for("digits").with_changes(model={"preset": "simple-cnn", "conv_size": 3}),
     (1, 8, 8), 10),
]


@pytest.mark.parametrize("config, shape, n_classes", CASES)
def test_estimate_counts_the_parameters_and_outputs_build_model_makes(config, shape,
                                                                      n_classes):
    model = build_model(config, shape, n_classes, np.random.default_rng(0))
    x = np.zeros((2, *shape), np.float32)
    outputs = 0
    for layer in model.layers:
        x = layer.forward(x, train=True)
        outputs += x[0].size
    est = estimate_memory(config, shape, n_classes, batch_rows=10)
    assert est.parameters == model.num_parameters()
    # the estimate also counts the input features of a 2-D MLP and flattened images
    assert outputs <= est.per_sample <= outputs + int(np.prod(shape)) + len(
        config.model.features)


def test_small_networks_pass_and_huge_ones_are_refused_with_the_numbers():
    check_memory(RunConfig(), (2,), 2, 32, 25_600)
    wide = RunConfig().with_changes(model={"hidden": (4096,) * 8})
    with pytest.raises(SpecError) as info:
        check_memory(wide, (2,), 2, 32, 25_600)
    text = str(info.value)
    assert "117,489,666 parameters" in text and "GB" in text
    assert format_bytes(MEMORY_BUDGET) in text and "smaller" in text
    too_many = RunConfig().with_changes(model={"hidden": (4096,) * 16})
    with pytest.raises(SpecError, match="more than the 250,000,000 allowed"):
        check_memory(too_many, (2,), 2, 32)


def test_activations_alone_can_exceed_the_budget():
    config = defaults_for("mnist-sample").with_changes(model={"preset": "deep-cnn"})
    check_memory(config, (1, 28, 28), 10, batch_rows=100)
    with pytest.raises(SpecError, match="activations for batches of 20,000"):
        check_memory(config, (1, 28, 28), 10, batch_rows=20_000)


def test_format_bytes():
    assert format_bytes(512) == "512 B"
    assert format_bytes(1536) == "1.5 KB"
    assert format_bytes(3 * 1024**3) == "3.0 GB"
