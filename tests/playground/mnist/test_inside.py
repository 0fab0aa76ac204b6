"""The MNIST page's inside statistics: which layers get a histogram for each of the
page's models, conv outputs counted over all their values, the probe batch fixed, the
model left as it was, and the gradient check of a copy."""

from __future__ import annotations

import numpy as np
import pytest

from engine.build import build_model
from engine.serialize import model_state
from playground.mnist import inside
from playground.mnist.sources import make_config

SHOWN = {
    "mlp": ["layer 2 ReLU", "layer 3 Dense"],
    "simple-cnn": ["layer 1 ReLU", "layer 5 ReLU", "layer 6 Dense"],
    "deep-cnn": ["layer 1 ReLU", "layer 3 ReLU", "layer 6 ReLU", "layer 8 ReLU",
                 "layer 11 ReLU", "layer 13 ReLU", "layer 17 ReLU", "layer 19 Dense"],
}


def model_of(preset: str, **values):
    config = make_config(preset=preset, **values)
    return build_model(config, (1, 28, 28), 10, rng=np.random.default_rng(0))


def images(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, n)


@pytest.mark.parametrize("preset", sorted(SHOWN))
def test_every_model_of_the_page_shows_its_activations_and_output(preset):
    model = model_of(preset, filters=4, hidden=16)
    x, y = images(6)
    before = [p.copy() for _, p, _ in model.parameters()]
    payload = inside.stats_payload(model, x, y)
    assert [layer["name"] for layer in payload["layers"]] == SHOWN[preset]
    for layer in payload["layers"]:
        # every value of every image: a conv layer's over channels and positions
        assert layer["counts"].sum() == 6 * layer["units"]
        assert layer["grad_counts"] is not None
        assert (layer["dead"] is not None) == ("ReLU" in layer["name"])
    assert len(payload["grad_norms"]) == sum(1 for layer in model.layers if layer.params)
    assert all(np.isfinite(g["norm"]) and g["norm"] > 0 for g in payload["grad_norms"])
    assert all(np.array_equal(a, p) for a, (_, p, _) in zip(before, model.parameters()))


def test_the_probe_batch_is_fixed_and_copied():
    x, y = images(500)
    (a, la), (b, lb) = inside.probe_batch(x, y), inside.probe_batch(x, y)
    assert a.shape == (inside.PROBE_SIZE, 1, 28, 28) and np.array_equal(a, b)
    assert np.array_equal(la, lb) and not np.shares_memory(a, x)
    small, _ = inside.probe_batch(x[:40], y[:40])
    assert len(small) == 40


def test_a_deep_network_is_measured_on_fewer_images():
    assert inside.probe_size(model_of("mlp")) == inside.PROBE_SIZE == 128
    assert inside.probe_size(model_of("simple-cnn", filters=4)) == 128
    deep = model_of("deep-cnn")
    assert inside.probe_size(deep) == inside.DEEP_PROBE_SIZE == 32
    x, y = images(inside.probe_size(deep))
    assert inside.stats_payload(deep, x, y)["probe_size"] == 32


def test_the_empty_payload_says_why():
    payload = inside.empty_payload()
    assert payload["layers"] == [] and payload["grad_norms"] == []
    assert payload["note"].startswith("There is no network yet")


def test_the_gradient_check_of_a_small_convnet_passes_on_a_copy():
    model = model_of("simple-cnn", filters=4, hidden=16)
    spec, weights = model_state(model)
    x, y = images(inside.CHECK_SAMPLES)
    result = inside.gradient_check(spec, weights, x, y)
    assert [r["name"] for r in result["rows"]] == [
        f"layer {i} {kind} {k}" for i, kind in ((0, "Conv2D"), (4, "Dense"), (6, "Dense"))
        for k in ("W", "b")]
    assert result["passed"] and all(r["checked"] > 0 for r in result["rows"])
    assert all(np.array_equal(weights[k], v) for k, v in model_state(model)[1].items())
