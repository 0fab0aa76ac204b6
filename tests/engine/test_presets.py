"""The image presets: the book's SimpleConvNet and DeepConvNet shapes, and data loading."""

import numpy as np
import pytest

from engine import build_model
from engine.datasets.loader import load_dataset, load_eval_split
from engine.errors import DataError, SpecError
from engine.layers import Conv2D, Dense, Dropout, MaxPool2D, ReLU
from engine.spec import defaults_for


def _cfg(preset, **model):
    return defaults_for("mnist-sample").with_changes(model={"preset": preset, **model})


def test_simple_cnn_is_the_books_simpleconvnet():
    model = build_model(_cfg("simple-cnn"), (1, 28, 28), 10)
    conv = model.layers[0]
    assert isinstance(conv, Conv2D) and conv.params["W"].shape == (30, 1, 5, 5)
    assert isinstance(model.layers[1], ReLU) and isinstance(model.layers[2], MaxPool2D)
    dense = [l for l in model.layers if isinstance(l, Dense)]
    assert [(d.in_features, d.out_features) for d in dense] == [(30 * 12 * 12, 100), (100, 10)]
    # He init: std sqrt(2 / 25) for the conv filters.
    assert conv.params["W"].std() == pytest.approx(np.sqrt(2 / 25), rel=0.15)
    assert model.predict(np.zeros((3, 1, 28, 28), np.float32)).shape == (3, 10)


def test_simple_cnn_filter_count_and_size_are_configurable():
    model = build_model(_cfg("simple-cnn", conv_filters=8, conv_size=3), (1, 28, 28), 10)
    assert model.layers[0].params["W"].shape == (8, 1, 3, 3)
    assert model.layers[4].in_features == 8 * 13 * 13


def test_deep_cnn_is_the_books_deepconvnet():
    model = build_model(_cfg("deep-cnn"), (1, 28, 28), 10)
    convs = [l for l in model.layers if isinstance(l, Conv2D)]
    assert [c.out_channels for c in convs] == [16, 16, 32, 32, 64, 64]
    assert all(c.kh == 3 for c in convs)
    assert sum(isinstance(l, MaxPool2D) for l in model.layers) == 3
    dense = [l for l in model.layers if isinstance(l, Dense)]
    assert [(d.in_features, d.out_features) for d in dense] == [(64 * 4 * 4, 50), (50, 10)]
    assert any(isinstance(l, Dropout) and l.rate == 0.5 for l in model.layers)
    assert model.predict(np.zeros((2, 1, 28, 28), np.float32)).shape == (2, 10)


def test_mlp_preset_on_images_flattens_784_inputs():
    model = build_model(defaults_for("mnist-sample"), (1, 28, 28), 10)
    dense = [l for l in model.layers if isinstance(l, Dense)]
    assert [(d.in_features, d.out_features) for d in dense] == [(784, 100), (100, 10)]


def test_filters_larger_than_the_images_are_refused():
    with pytest.raises(SpecError, match="larger than"):
        build_model(_cfg("simple-cnn", conv_size=9), (1, 8, 8), 10)


def test_the_bundled_sample_loads_as_float_images():
    data = load_dataset(defaults_for("mnist-sample"))
    assert data.x_train.shape == (4000, 1, 28, 28) and data.x_test.shape == (1000, 1, 28, 28)
    assert data.x_train.dtype == np.float32
    assert 0.0 == data.x_train.min() and data.x_train.max() == 1.0
    assert np.bincount(data.y_test).tolist() == [100] * 10 and data.n_classes == 10


def test_digits_and_train_limit():
    cfg = defaults_for("digits").with_changes(data={"train_limit": 300})
    data = load_dataset(cfg)
    assert data.x_train.shape == (300, 1, 8, 8)
    x, y = load_eval_split(defaults_for("digits"), "test")
    assert len(x) == len(y) > 300


def test_missing_downloadable_set_says_how_to_get_it(tmp_path, monkeypatch):
    from engine.datasets import download

    monkeypatch.setattr(download, "default_cache_dir", lambda: tmp_path)
    with pytest.raises(DataError, match="--download"):
        load_dataset(defaults_for("fashion-mnist"))
