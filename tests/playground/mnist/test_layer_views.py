"""What the filter and feature-map views show of any layer: which layers, the tiles of
each filter, how far each moved from the start, the gradient, any layer's output."""

import numpy as np
import pytest

from engine.build import build_model
from playground.mnist.layer_views import (
    MAX_CHANNELS,
    FilterViews,
    change_norms,
    default_map_layer,
    filter_layers,
    filter_tiles,
    filter_view,
    initial_weights,
    layer_output,
    layer_shapes,
    map_layers,
    most_changed_first,
)
from playground.mnist.sources import make_config

SHAPE = (28, 28)


def _model(**values):
    config = make_config(**values)
    return build_model(config, (1, *SHAPE), 10, rng=np.random.default_rng(0))


def _train_step(model, rng) -> None:
    x = rng.random((4, 1, *SHAPE), dtype=np.float32)
    model.loss(x, np.arange(4) % 10)
    model.backward()


def test_every_conv_layer_of_deep_cnn_is_offered_with_its_size():
    model = _model(preset="deep-cnn")
    layers = filter_layers(model, SHAPE)
    convs = [i for i, layer in enumerate(model.layers) if layer.kind == "conv2d"]
    assert [e["index"] for e in layers] == convs and len(convs) == 6
    assert [e["count"] for e in layers] == [16, 16, 32, 32, 64, 64]
    assert [e["in_channels"] for e in layers] == [1, 16, 16, 32, 32, 64]
    assert [e["label"] for e in layers] == [
        f"Conv {k} · {n} filters 3×3" for k, n in enumerate([16, 16, 32, 32, 64, 64], 1)]
    assert all(e["kind"] == "conv" and e["kernel"] == (3, 3) for e in layers)


def test_an_mlp_offers_its_first_layer_and_a_simple_cnn_its_one_conv():
    mlp = _model(preset="mlp", hidden=6)
    (entry,) = filter_layers(mlp, SHAPE)
    assert (entry["kind"], entry["count"], entry["kernel"]) == ("dense", 6, SHAPE)
    assert entry["label"] == "Dense 1 · 6 units"
    (conv,) = filter_layers(_model(preset="simple-cnn", filters=4), SHAPE)
    assert conv["label"] == "Conv 1 · 4 filters 5×5" and conv["index"] == 0


def test_first_layer_tiles_are_the_kernels_and_mlp_tiles_the_weight_images():
    conv = _model(preset="simple-cnn", filters=4, filter_size=5, hidden=8)
    w = conv.layers[0].params["W"]
    tiles = filter_tiles(w, SHAPE)
    assert tiles.shape == (4, 5, 5) and tiles.dtype == np.float32
    np.testing.assert_array_equal(tiles, w[:, 0])
    mlp = _model(preset="mlp", hidden=6)
    dense = next(layer for layer in mlp.layers if layer.kind == "dense").params["W"]
    images = filter_tiles(dense, SHAPE)
    assert images.shape == (6, 28, 28)
    np.testing.assert_array_equal(images[2], dense[:, 2].reshape(SHAPE))


def test_a_deeper_filter_tile_holds_its_first_channels_in_two_rows_of_four():
    w = np.random.default_rng(1).standard_normal((5, 32, 3, 3)).astype(np.float32)
    tiles = filter_tiles(w, SHAPE)
    assert tiles.shape == (5, 2 * 4 - 1, 4 * 4 - 1)  # 2 x 4 kernels, 1 px apart
    for j in range(MAX_CHANNELS):
        r, q = divmod(j, 4)
        np.testing.assert_array_equal(tiles[:, 4 * r:4 * r + 3, 4 * q:4 * q + 3], w[:, j])
    assert np.isnan(tiles[:, 3, :]).all() and np.isnan(tiles[:, :, 3]).all()
    assert np.isfinite(tiles).sum() == 5 * MAX_CHANNELS * 9
    few = filter_tiles(w[:, :3], SHAPE)  # three channels: one row
    assert few.shape == (5, 3, 11)


def test_change_norms_and_the_most_changed_order():
    rng = np.random.default_rng(2)
    w0 = rng.standard_normal((4, 2, 3, 3)).astype(np.float32)
    w = w0.copy()
    w[2] += 0.5                 # filter 2 moved most (every weight, both channels)
    w[0, 1, 0, 0] += 1.0        # filter 0 a little: one weight of its second channel
    norms = change_norms(w, w0)
    np.testing.assert_allclose(norms, [1.0, 0.0, 0.5 * np.sqrt(18), 0.0], rtol=1e-6)
    np.testing.assert_array_equal(most_changed_first(norms), [2, 0, 1, 3])


def test_the_view_of_a_layer_is_zero_change_before_a_step_and_moves_after():
    rng = np.random.default_rng(3)
    model = _model(preset="deep-cnn")
    start = initial_weights(model, SHAPE)
    index = filter_layers(model, SHAPE)[2]["index"]  # conv 3: 32 filters, 16 inputs
    v = filter_view(model, index, start[index], SHAPE, steps=0)
    assert v["layer"] == index and v["kind"] == "conv" and v["channels"] == 8
    assert v["filters"].shape == v["change"].shape == v["gradient"].shape == (32, 7, 15)
    np.testing.assert_array_equal(v["filters"], v["initial"])
    assert np.all(np.nan_to_num(v["change"]) == 0) and np.all(v["change_norms"] == 0)
    assert np.all(np.nan_to_num(v["gradient"]) == 0)  # no backward pass yet
    _train_step(model, rng)
    layer = model.layers[index]
    grad = layer.grads["W"].copy()
    layer.params["W"] -= 0.1 * grad  # one plain SGD step
    v = filter_view(model, index, start[index], SHAPE, steps=1)
    np.testing.assert_array_equal(v["gradient"], filter_tiles(grad, SHAPE))
    assert np.nanmax(np.abs(v["gradient"])) > 0 and np.all(v["change_norms"] >= 0)
    np.testing.assert_allclose(v["change_norms"], 0.1 * np.linalg.norm(
        grad.reshape(32, -1), axis=1), rtol=1e-4)
    norms = v["change_norms"]
    assert norms[v["order"][0]] == norms.max()
    assert np.all(np.diff(norms[v["order"]]) <= 0)


def test_filter_views_keep_the_start_and_fall_back_to_the_first_layer():
    model = _model(preset="deep-cnn")
    views = FilterViews()
    views.start(model, SHAPE)
    layers = filter_layers(model, SHAPE)
    views.layer = 999  # not a layer of this model
    assert views.view(model, SHAPE, 0)["layer"] == layers[0]["index"]
    views.layer = layers[4]["index"]
    before = views.view(model, SHAPE, 0)
    model.layers[views.layer].params["W"][:] += 1.0
    after = views.view(model, SHAPE, 1)
    np.testing.assert_array_equal(after["initial"], before["filters"])
    assert np.allclose(np.nan_to_num(after["change"]), np.where(
        np.isnan(after["change"]), 0, 1.0))
    assert FilterViews().view(_model(preset="mlp", hidden=4), (8, 8), 0) is None


@pytest.mark.parametrize("preset,default_kind", [("simple-cnn", "relu"), ("mlp", "relu"),
                                                 ("deep-cnn", "relu")])
def test_every_layer_but_flatten_and_dropout_offers_its_output(preset, default_kind):
    model = _model(preset=preset, filters=4, hidden=8)
    offered = map_layers(model, (1, *SHAPE))
    kinds = [model.layers[e["index"]].kind for e in offered]
    assert "flatten" not in kinds and "dropout" not in kinds
    assert len(offered) == sum(1 for layer in model.layers
                               if layer.kind not in ("flatten", "dropout"))
    default = default_map_layer(model)
    assert model.layers[default].kind == default_kind
    assert default == [i for i, layer in enumerate(model.layers) if layer.params][0] + 1
    x = np.random.default_rng(4).random((1, 1, *SHAPE), dtype=np.float32)
    shapes = layer_shapes(model, (1, *SHAPE))
    for e in offered:
        out = layer_output(model, x, e["index"])
        assert out.shape == shapes[e["index"]] == e["shape"] and out.dtype == np.float32
        assert e["label"].startswith(f"{e['index'] + 1}: ")
    assert layer_output(model, x, default).min() >= 0  # after the ReLU


def test_deep_cnn_map_labels_name_the_layers_and_their_shapes():
    labels = [e["label"] for e in map_layers(_model(preset="deep-cnn"), (1, *SHAPE))]
    assert labels[:5] == ["1: conv 1 · 16×28×28", "2: ReLU · 16×28×28",
                          "3: conv 2 · 16×28×28", "4: ReLU · 16×28×28",
                          "5: max-pool · 16×14×14"]
    assert labels[-1].endswith("dense 2 · 10")


@pytest.mark.parametrize("preset,hidden", [("mlp", 1), ("mlp", 5), ("simple-cnn", 8),
                                           ("deep-cnn", 8)])
def test_the_views_are_copies_never_the_live_weights(preset, hidden):
    model = _model(preset=preset, filters=3, hidden=hidden)
    start = initial_weights(model, SHAPE)
    for entry in filter_layers(model, SHAPE):
        layer = model.layers[entry["index"]]
        assert not np.shares_memory(start[entry["index"]], layer.params["W"])
        v = filter_view(model, entry["index"], start[entry["index"]], SHAPE, 0)
        for key in ("filters", "initial", "change", "gradient"):
            for live in (layer.params["W"], layer.grads["W"], start[entry["index"]]):
                assert not np.shares_memory(v[key], live), key
