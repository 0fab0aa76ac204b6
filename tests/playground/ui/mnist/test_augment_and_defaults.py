"""The MNIST page's augmentation choice reaches the run, and the 8x8 digits switch to
their own defaults (which reach 95 % test accuracy) unless the user changed them."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from mnist_pages import find, open_pages
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QComboBox, QPushButton, QSpinBox

from engine import load
from engine.build import build_model, count_parameters
from engine.presets import build_optimizer
from engine.trainer import Trainer
from playground.mnist.sources import DataRequest, load_source, make_config
from playground.ui.mnist.controls import MnistControls

pg.setConfigOptions(imageAxisOrder="row-major")

#: a SimpleConvNet small enough for a test.
FAST = {"model": "simple-cnn", "filters": 4, "hidden": 32, "epochs": 1, "train_limit": 200}


@pytest.fixture
def open_page(qtbot, tmp_path):
    """A shown page on ``values`` with the sample and its first network ready."""
    yield from open_pages(qtbot, tmp_path, wait_filters=False)


def load_digits(qtbot, page) -> None:
    page.controller.choose_source("digits")
    qtbot.waitUntil(lambda: page.data_info["source"] == "digits", timeout=15000)


def test_choosing_augmentation_sets_the_runs_augment_option(open_page, qtbot, tmp_path):
    page = open_page(**FAST)
    combo = find(page, QComboBox, "mnistAugmentCombo")
    assert [combo.itemData(i) for i in range(combo.count())] == ["none", "shift",
                                                                  "shift-rotate"]
    assert combo.currentData() == "none" and "Test images are never" in combo.toolTip()
    combo.setCurrentIndex(combo.findData("shift"))
    assert page.controls.values()["augment"] == "shift"
    qtbot.mouseClick(find(page, QPushButton, "mnistTrainButton"), Qt.MouseButton.LeftButton)
    assert page.is_training and not combo.isEnabled()  # a run's data stays as it started
    qtbot.waitUntil(lambda: not page.is_training, timeout=30000)
    assert combo.isEnabled()
    path = tmp_path / "shifted.npz"
    page.save_model(str(path))
    qtbot.waitUntil(path.exists, timeout=5000)
    assert load(path).config.data.augment == "shift"
    assert page._settings.value("mnist/augment") == "shift"


def test_the_digits_switch_to_their_defaults_unless_changed(open_page, qtbot):
    page = open_page(**FAST)  # epochs 1: changed by the user; filter size and batch not
    spin = {name: find(page, QSpinBox, name) for name in
            ("mnistFilterSizeSpin", "mnistBatchSpin", "mnistEpochsSpin")}

    def shown():
        return tuple(s.value() for s in spin.values())

    assert shown() == (5, 100, 1)
    load_digits(qtbot, page)
    assert shown() == (3, 20, 1)
    assert page.controls.data_label.text().endswith("\nDefaults: 3×3 filters, batch 20")
    spin["mnistBatchSpin"].setValue(40)
    page.controller.choose_source("sample")
    qtbot.waitUntil(lambda: page.data_info["source"] == "sample", timeout=15000)
    assert shown() == (5, 40, 1)  # the batch size chosen on the digits stays
    spin["mnistFilterSizeSpin"].setValue(7)
    load_digits(qtbot, page)
    assert shown() == (7, 40, 1)
    # the preview after the data came is the network of the values shown, on 8x8 images
    config = make_config(source="digits", **page.controls.values())
    n = count_parameters(config, (1, 8, 8), 10)
    qtbot.waitUntil(lambda: f"{n:,} parameters" in page.controls.summary_label.text(),
                    timeout=5000)


def test_the_pages_digits_defaults_reach_95_percent(qtbot, tmp_path):
    """Trained as the page's worker trains (one generator for the weights and the batch
    order, running train metrics), on the config the page builds for the digits."""
    settings = QSettings(str(tmp_path / "fresh.ini"), QSettings.Format.IniFormat)
    controls = MnistControls(settings)
    qtbot.addWidget(controls)
    controls.use_source_defaults("digits")
    config = make_config(source="digits", **controls.values())
    assert (config.model.preset, config.model.conv_size) == ("simple-cnn", 3)
    assert (config.batch_size, config.epochs, config.optim.lr) == (20, 10, 1e-3)
    data = load_source(DataRequest("digits"))
    rng = np.random.default_rng(config.seed)
    model = build_model(config, data.input_shape, data.n_classes, rng=rng)
    trainer = Trainer(model, build_optimizer(config), data.x_train, data.y_train,
                      data.x_test, data.y_test, batch_size=config.batch_size, rng=rng,
                      train_metrics="running", augment=config.data.augment)
    history = trainer.fit(config.epochs)
    assert len(data.x_test) == 360
    assert history[-1]["test_acc"] >= 0.95
