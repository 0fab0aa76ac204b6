"""The MNIST page's filter view, through object names: the layer combo lists every conv
layer, "Change since start" is zero until a step, sorting, gradients, MLP weight images,
feature maps of any layer."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from mnist_pages import find, open_pages
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton

pg.setConfigOptions(imageAxisOrder="row-major")

#: DeepConvNet on two mini-batches of 50 images.
DEEP = {"model": "deep-cnn", "epochs": 1, "train_limit": 100, "batch_size": 50}


@pytest.fixture
def open_page(qtbot, tmp_path):
    """A shown page on ``values`` with the sample and its first network ready."""
    yield from open_pages(qtbot, tmp_path)


def click(qtbot, page, name: str) -> None:
    qtbot.mouseClick(find(page, QPushButton, name), Qt.MouseButton.LeftButton)


def train(qtbot, page) -> None:
    click(qtbot, page, "mnistTrainButton")
    assert page.is_training
    qtbot.waitUntil(lambda: not page.is_training, timeout=60000)


def finite(page) -> np.ndarray:
    """The values drawn in the filter view (the gaps left out)."""
    mosaic = page.views.filter_grid.mosaic
    return mosaic[np.isfinite(mosaic)]


def choose_layer(qtbot, page, position: int) -> int:
    combo = find(page, QComboBox, "mnistLayerCombo")
    combo.setCurrentIndex(position)
    layer = combo.currentData()
    panel = page.views.filter_panel
    qtbot.waitUntil(lambda: panel.view is not None and panel.view["layer"] == layer,
                    timeout=5000)
    return layer


def test_the_layer_combo_lists_each_conv_layer_and_shows_the_chosen_one(open_page, qtbot):
    page = open_page(**DEEP)
    combo = find(page, QComboBox, "mnistLayerCombo")
    assert [combo.itemText(i) for i in range(combo.count())] == [
        f"Conv {k} · {n} filters 3×3" for k, n in enumerate([16, 16, 32, 32, 64, 64], 1)]
    assert combo.isEnabled() and "first 8 input channels" in combo.toolTip()
    # the first layer: 16 kernels of 3x3 in a 4x4 grid, 1 px apart
    assert page.views.filter_grid.mosaic.shape == (4 * 3 + 3, 4 * 3 + 3)
    assert finite(page).size == 16 * 9
    for position, (filters, channels) in enumerate([(16, 16), (32, 16), (32, 32),
                                                    (64, 32), (64, 64)], 1):
        choose_layer(qtbot, page, position)
        view = page.views.filter_panel.view
        assert view["filters"].shape == (filters, 7, 15) and view["in_channels"] == channels
        assert finite(page).size == filters * 8 * 9  # 8 channels of 3x3 per filter
        assert f"input channels 1–8 of {channels}" in page.views.filter_panel.hint.text()


def test_change_since_start_is_zero_before_training_and_not_after(open_page, qtbot):
    page = open_page(**DEEP)
    choose_layer(qtbot, page, 2)
    learned = finite(page)
    assert np.abs(learned).max() > 0
    click(qtbot, page, "mnistChangeToggle")
    toggle = find(page, QPushButton, "mnistChangeToggle")
    assert toggle.isCheckable() and toggle.isChecked()
    assert not find(page, QPushButton, "filterLearnedButton").isChecked()
    assert page.views.filter_mode == "change"
    assert np.all(finite(page) == 0)  # exactly: nothing has moved yet
    assert "nothing has changed" in page.views.filter_panel.hint.text()
    low, high = page.views.filter_grid.levels
    assert low == -high  # symmetric around zero
    train(qtbot, page)
    assert page.views.filter_mode == "change"  # training keeps the view chosen
    qtbot.waitUntil(lambda: page.views.filter_panel.view["steps"] == 2, timeout=5000)
    change = finite(page)
    assert np.abs(change).max() > 0 and change.min() < 0 < change.max()
    low, high = page.views.filter_grid.levels
    assert low == -high
    # off again: the weights now
    click(qtbot, page, "mnistChangeToggle")
    assert page.views.filter_mode == "learned" and not toggle.isChecked()
    assert find(page, QPushButton, "filterLearnedButton").isChecked()


def test_most_changed_first_puts_the_largest_change_first(open_page, qtbot):
    page = open_page(model="simple-cnn", filters=6, filter_size=5, hidden=16, epochs=1,
                     train_limit=200, batch_size=50)
    train(qtbot, page)
    panel = page.views.filter_panel
    qtbot.waitUntil(lambda: panel.view["steps"] == 4, timeout=5000)
    sort = find(page, QComboBox, "mnistSortCombo")
    assert [sort.itemText(i) for i in range(sort.count())] == ["Order", "Most changed first"]
    click(qtbot, page, "mnistChangeToggle")
    in_order = page.views.filter_grid.mosaic
    norms = panel.view["change_norms"]
    sort.setCurrentIndex(1)
    sorted_mosaic = page.views.filter_grid.mosaic
    shown = panel.shown_tiles()
    shown_norms = np.linalg.norm(shown.reshape(len(shown), -1), axis=1)
    np.testing.assert_allclose(shown_norms, np.sort(norms)[::-1], rtol=1e-5)
    # the top-left tile is the most changed filter (each tile on its own scale)
    top = sorted_mosaic[:5, :5]
    best = panel.view["change"][int(np.argmax(norms))]
    np.testing.assert_allclose(top, best / np.abs(best).max(), rtol=1e-5)
    if int(np.argmax(norms)) != 0:
        assert not np.array_equal(in_order, sorted_mosaic)
    # back in order: filter 1 first again
    sort.setCurrentIndex(0)
    np.testing.assert_array_equal(page.views.filter_grid.mosaic, in_order)


def test_the_gradient_view_is_zero_before_a_step_and_live_after(open_page, qtbot):
    page = open_page(**DEEP)
    click(qtbot, page, "mnistGradientToggle")
    assert page.views.filter_mode == "gradient"
    assert find(page, QPushButton, "mnistGradientToggle").isChecked()
    assert np.all(finite(page) == 0)
    assert "No training step yet" in page.views.filter_panel.hint.text()
    seen: list[float] = []
    page.controller.filtersReady.connect(
        lambda p: seen.append(float(np.nanmax(np.abs(p["gradient"])))))
    train(qtbot, page)
    qtbot.waitUntil(lambda: page.views.filter_panel.view["steps"] == 2, timeout=5000)
    assert np.abs(finite(page)).max() > 0
    assert "last step's gradient" in page.views.filter_panel.hint.text()
    assert seen and max(seen) > 0
    # the change toggle takes over: one mode at a time
    click(qtbot, page, "mnistChangeToggle")
    assert page.views.filter_mode == "change"
    assert not find(page, QPushButton, "mnistGradientToggle").isChecked()


def test_an_mlp_shows_28_by_28_weight_images(open_page, qtbot):
    page = open_page(model="mlp", hidden=9, epochs=1, train_limit=100, batch_size=50)
    combo = find(page, QComboBox, "mnistLayerCombo")
    assert [combo.itemText(i) for i in range(combo.count())] == ["Dense 1 · 9 units"]
    view = page.views.filter_panel.view
    assert view["kind"] == "dense" and view["filters"].shape == (9, 28, 28)
    # nine 28x28 images in a 3x3 grid, 2 px apart
    assert page.views.filter_grid.mosaic.shape == (3 * 28 + 4, 3 * 28 + 4)
    assert "every pixel" in page.views.filter_panel.hint.text()


def test_feature_maps_of_a_deeper_layer(open_page, qtbot):
    page = open_page(**DEEP)
    views = page.views
    views.tabs.setCurrentIndex(2)
    combo = find(page, QComboBox, "featureMapLayerCombo")
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert combo.currentText() == "2: ReLU · 16×28×28" and labels[0] == "1: conv 1 · 16×28×28"
    grid = views.map_grid
    qtbot.waitUntil(lambda: np.isfinite(grid.mosaic).sum() == 16 * 28 * 28, timeout=5000)
    pool = labels.index("10: max-pool · 32×8×8")  # conv 4 pads by 2: 16 -> 8
    combo.setCurrentIndex(pool)
    qtbot.waitUntil(lambda: np.isfinite(grid.mosaic).sum() == 32 * 8 * 8, timeout=5000)
    assert "32 output maps of layer" in views.map_hint.text()
    conv = next(i for i, text in enumerate(labels) if text.startswith("1: conv"))
    combo.setCurrentIndex(conv)  # before the ReLU: signed, shown around grey = 0
    qtbot.waitUntil(lambda: np.isfinite(grid.mosaic).sum() == 16 * 28 * 28
                    and grid.symmetric, timeout=5000)
    low, high = grid.levels
    assert low == -high and "grey = 0" in views.map_hint.text()


def _fake_view(layer: int, value: float, n: int = 4) -> dict:
    tiles = np.full((n, 3, 3), value, np.float32)
    return {"layer": layer, "kind": "conv", "label": "", "in_channels": 1, "channels": 1,
            "filters": tiles, "initial": tiles, "change": tiles * 0, "gradient": tiles * 0,
            "change_norms": np.zeros(n), "order": np.arange(n), "steps": 0}


def test_tiles_of_a_layer_no_longer_chosen_are_dropped(qtbot):
    from playground.ui.mnist.filter_panel import FilterPanel

    panel = FilterPanel()
    qtbot.addWidget(panel)
    chosen: list[int] = []
    panel.layerChosen.connect(chosen.append)
    layers = [{"index": 0, "label": "Conv 1"}, {"index": 2, "label": "Conv 2"}]
    panel.set_model(layers, _fake_view(0, 1.0))
    assert chosen == [] and panel.layer == 0  # filling the combo asks for nothing
    panel.layer_combo.setCurrentIndex(1)
    assert chosen == [2] and panel.layer == 2
    panel.set_view(_fake_view(0, 0.5))   # sent before the change arrived: dropped
    assert panel.view["filters"][0, 0, 0] == 1.0
    panel.set_view(_fake_view(2, 0.25))
    assert panel.view["layer"] == 2 and panel.view["filters"][0, 0, 0] == 0.25
    with pytest.raises(ValueError, match="unknown filter mode"):
        panel.set_mode("sideways")
