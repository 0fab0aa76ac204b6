"""The worker's filter and feature-map views through the controller, with no window:
any conv layer on request, W - W0 exactly zero until a step, the last step's gradient."""

from __future__ import annotations

import numpy as np
import pytest

from playground.mnist.controller import MnistController

#: a DeepConvNet run of two mini-batches of 50 images.
DEEP = {"preset": "deep-cnn", "filters": 4, "filter_size": 5, "hidden": 8, "epochs": 1,
        "train_limit": 100, "batch_size": 50}


@pytest.fixture
def controller(qtbot):
    made: list[MnistController] = []

    def _make(**values) -> MnistController:
        values = dict(DEEP, **values)
        c = MnistController(values=lambda: dict(values))
        c.errors = []
        c.errorReported.connect(c.errors.append)
        made.append(c)
        models: list[dict] = []
        c.modelReady.connect(models.append)
        with qtbot.waitSignals([c.dataLoaded, c.modelReady], timeout=15000,
                               order="strict"):
            c.load_source("sample")
        c.ready = models[0]
        return c

    yield _make
    for c in made:
        assert c.shutdown(), "the worker thread did not end"
        assert c.errors == []


def _filters(qtbot, c: MnistController, layer: int) -> dict:
    with qtbot.waitSignal(c.filtersReady, timeout=5000,
                          check_params_cb=lambda p: p["layer"] == layer) as got:
        c.show_filter_layer(layer)
    return got.args[0]


def test_any_conv_layer_of_deep_cnn_comes_on_request(controller, qtbot):
    c = controller()
    p = c.ready
    layers = p["filter_layers"]
    assert [e["count"] for e in layers] == [16, 16, 32, 32, 64, 64]
    assert p["view"]["layer"] == layers[0]["index"]  # the first layer is shown first
    assert p["filters"].shape == (16, 3, 3) and p["kind"] == "conv"
    v = _filters(qtbot, c, layers[4]["index"])  # conv 5: 64 filters on 32 channels
    assert v["run_id"] == c.run_id and v["filters"].shape == (64, 7, 15)
    assert (v["in_channels"], v["channels"]) == (32, 8)
    assert np.all(np.nan_to_num(v["change"]) == 0) and np.all(v["change_norms"] == 0)
    assert v["steps"] == 0 and np.all(np.nan_to_num(v["gradient"]) == 0)
    # a new network of the same kind keeps the layer chosen
    with qtbot.waitSignal(c.modelReady, timeout=10000) as again:
        c.preview()
    assert again.args[0]["view"]["layer"] == layers[4]["index"]


def test_after_training_the_change_and_the_gradient_are_there(controller, qtbot):
    c = controller()
    layer = c.ready["filter_layers"][2]["index"]
    _filters(qtbot, c, layer)
    last: list[dict] = []
    c.filtersReady.connect(last.append)
    with qtbot.waitSignal(c.finished, timeout=60000):
        c.train()
    qtbot.waitUntil(lambda: last and last[-1]["steps"] == 2, timeout=5000)
    v = last[-1]
    assert v["layer"] == layer
    assert np.all(v["change_norms"] > 0)
    assert np.nanmax(np.abs(v["change"])) > 0 and np.nanmax(np.abs(v["gradient"])) > 0
    np.testing.assert_allclose(np.nan_to_num(v["change"]),
                               np.nan_to_num(v["filters"] - v["initial"]), atol=1e-6)
    norms = v["change_norms"]
    assert norms[v["order"][0]] == norms.max() and np.all(np.diff(norms[v["order"]]) <= 0)
    # the gradient is the last training step's: what the worker's model holds now
    grad = c.worker._model.layers[layer].grads["W"]
    np.testing.assert_array_equal(v["gradient"][:, :3, :3], grad[:, 0])


def test_feature_maps_of_any_layer(controller, qtbot):
    c = controller(preset="simple-cnn")
    offered = {e["index"]: e for e in c.ready["map_layers"]}
    assert c.ready["map_layer"] == 1  # conv, then its ReLU
    for layer, entry in offered.items():
        with qtbot.waitSignal(c.featureMapsReady, timeout=5000) as got:
            c.request_feature_maps(3, layer)
        p = got.args[0]
        assert (p["index"], p["layer"]) == (3, layer)
        assert p["maps"].shape == entry["shape"]
        assert p["kind"] == ("conv" if len(entry["shape"]) == 3 else "dense")
    with qtbot.waitSignal(c.featureMapsReady, timeout=5000) as got:
        c.request_feature_maps(3)  # no layer: the first layer's after its ReLU
    assert got.args[0]["layer"] == 1 and got.args[0]["maps"].min() >= 0


def test_an_mlp_shows_its_first_layer_weights_as_images(controller, qtbot):
    c = controller(preset="mlp", hidden=12)
    (entry,) = c.ready["filter_layers"]
    v = c.ready["view"]
    assert entry["kind"] == v["kind"] == "dense"
    assert v["filters"].shape == (12, 28, 28)
    w = c.worker._model.layers[entry["index"]].params["W"]
    np.testing.assert_array_equal(v["filters"][5], w[:, 5].reshape(28, 28))
