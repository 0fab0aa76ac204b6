"""The Compare tab beyond one setting on 2-D data: the book's experiments on the MNIST
sample, a comparison of your own on the sample, three optimisers side by side, and a
run opened in the playground with its settings and weights."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from engine.book_experiments import BOOK_EXPERIMENTS


@pytest.fixture
def compare(window, wait_idle):
    wait_idle(window)
    window.tabs.setCurrentIndex(2)
    return window.compare_page


def _epochs(page) -> list[int]:
    return [len(h["epoch"]) for h in page.history]


def _finished(page, n: int, epochs: int):
    return lambda: _epochs(page) == [epochs] * n and not page.is_running


def test_the_init_experiment_shows_std_001_learning_nothing(compare, qtbot):
    compare.controls.choose_preset("init")
    experiment = BOOK_EXPERIMENTS["init"]
    assert compare.message.text() == experiment.look_for
    assert not compare.vary_combo.isEnabled() and compare.values_edit.isReadOnly()
    assert compare.data_combo.currentData() == "mnist"
    assert compare.epochs_spin.value() == experiment.epochs == 64
    compare.epochs_spin.setValue(2)
    compare.run_button.click()
    assert not compare.preset_combo.isEnabled()  # locked while its runs train
    qtbot.waitUntil(_finished(compare, 3, 2), timeout=60000)
    compare.refresh()
    assert [compare.table.item(i, 0).text() for i in range(3)] == ["std 0.01", "Xavier", "He"]
    std, xavier, he = (h["train_loss"][-1] for h in compare.history)
    assert abs(std - math.log(10)) < 0.02 and he < xavier < std
    assert compare._region_box.isHidden()  # no 2-D regions for images
    assert not compare.open_button.isEnabled()
    assert compare.message.text() == experiment.look_for  # still there after the runs
    assert compare.preset_combo.isEnabled()


def test_leaving_an_experiment_gives_back_your_own_comparison(compare, window, settings):
    compare.vary_combo.setCurrentText("optim.lr")
    compare.values_edit.setText("0.5, 0.05")
    compare.epochs_spin.setValue(33)
    compare.controls.choose_preset("batchnorm")
    assert compare.values_edit.text() == ", ".join(BOOK_EXPERIMENTS["batchnorm"].labels)
    compare.controls.choose_preset("")
    assert compare.vary_combo.isEnabled() and not compare.values_edit.isReadOnly()
    assert (compare.vary_combo.currentText(), compare.values_edit.text(),
            compare.epochs_spin.value()) == ("optim.lr", "0.5, 0.05", 33)
    assert compare.data_combo.currentData() == "two-d"
    compare.controls.choose_preset("overfitting")
    compare.save_settings(settings)
    settings.sync()
    copy = QSettings(settings.fileName(), QSettings.Format.IniFormat)
    assert copy.value("compare/preset") == "overfitting"
    assert copy.value("compare/values") == "0.5, 0.05"  # your own, kept for later
    assert copy.value("compare/data") == "two-d"


def test_your_own_comparison_on_the_mnist_sample_uses_the_mnist_pages_network(
        compare, window, qtbot):
    controls = window.mnist_page.controls
    controls.model_combo.setCurrentIndex(controls.model_combo.findData("mlp"))
    controls.spins["hidden"].setValue(20)
    controls.spins["train_limit"].setValue(400)
    compare.data_combo.setCurrentIndex(compare.data_combo.findData("mnist"))
    compare.vary_combo.setCurrentText("optim.lr")
    compare.values_edit.setText("0.01, 0.0001")
    compare.epochs_spin.setValue(2)
    compare.run_button.click()
    qtbot.waitUntil(_finished(compare, 2, 2), timeout=60000)
    fast, slow = (h["train_loss"][-1] for h in compare.history)
    assert fast < slow
    config = compare.run.runs[0].config
    assert config.data.name == "mnist-sample" and config.model.hidden == (20,)
    assert config.data.train_limit == 400


def test_three_optimisers_draw_three_regions_and_curves_that_change(compare, qtbot):
    compare.vary_combo.setCurrentText("optim.name")
    compare.values_edit.setText("sgd, momentum, adam")
    compare.epochs_spin.setValue(100_000)
    compare.run_button.click()
    qtbot.waitUntil(lambda: min(_epochs(compare) or [0]) >= 2
                    and all(r.image.image is not None for r in compare.regions[:3]),
                    timeout=10000)
    assert [r.isVisible() for r in compare.regions] == [True, True, True, False]
    first = [np.array(r.image.image, copy=True) for r in compare.regions[:3]]
    qtbot.waitUntil(lambda: min(_epochs(compare)) >= 40, timeout=20000)
    compare.refresh()
    assert len(compare.loss_plot.getPlotItem().listDataItems()) == 6  # train + test each
    assert len(compare.loss_legend.items) == len(compare.acc_legend.items) == 3
    for (train, _), history in zip(compare.loss_curves, compare.history):
        assert np.array_equal(train.getData()[1], history["train_loss"])
    qtbot.waitUntil(lambda: all(not np.array_equal(a, r.image.image)
                                for a, r in zip(first, compare.regions)), timeout=5000)
    # Stop: the worker pauses at its next tick; afterwards nothing more arrives
    compare.run_button.click()
    qtbot.waitUntil(lambda: not compare.run.worker._running, timeout=1000)
    qtbot.wait(150)
    stopped = _epochs(compare)
    qtbot.wait(300)
    assert _epochs(compare) == stopped


def test_open_in_playground_carries_the_runs_settings_and_weights(compare, window, qtbot):
    opened = []
    compare.openRequested.connect(lambda session, title: opened.append((session, title)))
    compare.vary_combo.setCurrentText("optim.name")
    compare.values_edit.setText("sgd, adam")
    compare.epochs_spin.setValue(15)
    compare.run_button.click()
    qtbot.waitUntil(_finished(compare, 2, 15), timeout=20000)
    compare.table.selectRow(1)
    compare.open_button.click()
    qtbot.waitUntil(lambda: bool(opened) and window.tabs.currentIndex() == 0, timeout=5000)
    session, title = opened[0]
    assert title == "run 2 (optim.name = adam)"
    ctl = window.controller
    assert ctl.config.optim.name == "adam" and ctl.config == compare.run.runs[1].config
    assert ctl.epoch == 15
    state = ctl.request_state(2.0)
    assert state.epoch == 15 and len(state.history) == 15
    assert state.history[-1, 1] == compare.history[1]["train_loss"][-1]
    for key, array in session.weights.items():
        assert np.array_equal(state.weights[key], array), key
    assert "Opened run 2" in window.statusBar().currentMessage()
    # and it trains on from there
    ctl.play()
    qtbot.waitUntil(lambda: ctl.epoch >= 17, timeout=5000)
