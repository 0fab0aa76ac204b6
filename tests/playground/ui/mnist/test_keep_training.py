"""Keep training on the MNIST page, through object names: Train, Train again is one run of
2N epochs (the same numbers as training 2N epochs at once), New network starts again,
and changing the architecture or the data asks before a trained network goes."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
import pytest
from mnist_pages import find, open_pages
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton, QSpinBox

from engine.build import build_model
from engine.presets import build_optimizer
from engine.trainer import Trainer
from playground.mnist.run_state import make_trainer
from playground.mnist.sources import DataRequest, load_source
from playground.runtime import BLAS

pg.setConfigOptions(imageAxisOrder="row-major")

#: a SimpleConvNet small enough for a test: 4 filters, 300 images, 2 epochs per Train.
FAST = {"model": "simple-cnn", "filters": 4, "filter_size": 5, "hidden": 16,
        "epochs": 2, "train_limit": 300, "batch_size": 100}


@pytest.fixture
def open_page(qtbot, tmp_path):
    """A shown page on ``values`` with the sample and its first network ready; the
    discard question is answered by ``page.answer`` (True unless a test says otherwise)."""
    yield from open_pages(qtbot, tmp_path, FAST)


def train(qtbot, page, timeout=30000) -> None:
    qtbot.mouseClick(find(page, QPushButton, "mnistTrainButton"), Qt.MouseButton.LeftButton)
    assert page.is_training
    qtbot.waitUntil(lambda: not page.is_training, timeout=timeout)
    n_test = page.data_info["n_test"]
    qtbot.waitUntil(lambda: page.views.confusion.counts.sum() == n_test, timeout=10000)


def weights(page) -> dict[str, np.ndarray]:
    return page.controller.session_snapshot().weights


def trained_at_once(config, epochs: int, blas_threads: int) -> dict[str, np.ndarray]:
    """The weights after ``epochs`` epochs of ``config`` in one go, as the worker trains
    (on its number of BLAS threads: OpenBLAS on some CPUs sums in another order with
    another thread count, and the last bits differ)."""
    data = load_source(DataRequest("sample"))
    rng = np.random.default_rng(config.seed)
    model = build_model(config, data.input_shape, data.n_classes, rng=rng)
    trainer = make_trainer(model, build_optimizer(config), config, data, rng)
    with BLAS.scoped(blas_threads):
        while trainer.epoch < epochs:
            trainer.step()
    return {f"param/{n}": p.copy() for n, p, _ in model.parameters()}


def test_train_then_train_again_is_one_run_of_twice_the_epochs(open_page, qtbot):
    page = open_page()
    panel = page.views.filter_panel
    train(qtbot, page)
    run_id = page.run_id
    first = page.controller.session_snapshot()
    assert first.epoch == 2 and len(first.history) == 2
    learned, start = panel.view["filters"].copy(), panel.view["initial"].copy()
    train(qtbot, page)
    second = page.controller.session_snapshot()
    assert page.run_id == run_id  # the same run, not a new one
    assert second.epoch == 4 and second.steps == 4 * 3
    np.testing.assert_array_equal(second.history[:2], first.history)  # it carried on
    np.testing.assert_array_equal(second.history[:, 0], [1, 2, 3, 4])
    np.testing.assert_array_equal(page.views.curves.column("epochs", "x"), [1, 2, 3, 4])
    # the start stays the first run's; the filters moved on from where they were
    np.testing.assert_array_equal(panel.view["initial"], start)
    assert not np.array_equal(panel.view["filters"], learned)
    # the second run started from the first one's weights and moments: four epochs at
    # once give the same numbers, bit for bit
    expected = trained_at_once(second.config, 4, page.controller.worker.blas_threads)
    for key, value in expected.items():
        np.testing.assert_array_equal(second.weights[key], value, err_msg=key)
    bar = find(page, type(page.controls.progress), "mnistProgress")
    assert bar.value() == bar.maximum() == 2 * 300  # the second run's own progress


def test_stop_then_train_goes_on_mid_epoch(open_page, qtbot, monkeypatch):
    # Each step held up 5 ms, so the epoch's 80 steps take at least 0.4 s: on a fast
    # machine this network trains them before Stop is pressed otherwise.
    step = Trainer.step

    def slow_step(self):
        time.sleep(0.005)
        return step(self)
    monkeypatch.setattr(Trainer, "step", slow_step)
    page = open_page(train_limit=0, batch_size=50, epochs=1)
    button = find(page, QPushButton, "mnistTrainButton")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.controls.progress.value() > 0, timeout=10000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.is_training, timeout=5000)
    stopped = page.controller.session_snapshot()
    assert stopped.epoch == 0 and 0 < stopped.steps < 80
    find(page, QSpinBox, "mnistTrainLimitSpin").setValue(300)  # no question: not the data
    find(page, QSpinBox, "mnistBatchSpin").setValue(100)
    train(qtbot, page)
    after = page.controller.session_snapshot()
    assert page.questions == []
    assert after.epoch == 1 and after.steps == stopped.steps + 3
    assert not np.array_equal(after.weights["param/0.W"], stopped.weights["param/0.W"])


def test_new_network_starts_again(open_page, qtbot):
    page = open_page()
    fresh = weights(page)
    train(qtbot, page)
    trained = weights(page)
    run_id = page.run_id
    qtbot.mouseClick(find(page, QPushButton, "mnistNewButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.run_id == run_id + 1 and page.controller.network == "fresh",
                    timeout=5000)
    new = page.controller.session_snapshot()
    assert new.epoch == 0 and new.steps == 0 and len(new.history) == 0
    assert page.questions == []  # asked for: no question
    assert not np.array_equal(new.weights["param/0.W"], trained["param/0.W"])
    np.testing.assert_array_equal(new.weights["param/0.W"], fresh["param/0.W"])  # the seed's
    assert len(page.views.curves.column("epochs", "x")) == 0
    assert page.views.confusion.counts.sum() == 0
    np.testing.assert_array_equal(page.views.filter_panel.view["change"], 0)
    train(qtbot, page)
    assert page.controller.session_snapshot().epoch == 2  # a new count, from 0


def test_changing_the_model_after_training_asks_and_no_keeps_the_network(open_page, qtbot):
    page = open_page()
    filters = find(page, QSpinBox, "mnistFiltersSpin")
    filters.setValue(6)  # untrained: no question, a fresh network of 6 filters
    qtbot.waitUntil(lambda: page.views.filter_panel.view is not None
                    and len(page.views.filter_panel.view["filters"]) == 6, timeout=5000)
    assert page.questions == []
    train(qtbot, page)
    trained, run_id = weights(page), page.run_id
    page.answer = False
    filters.setValue(8)
    assert len(page.questions) == 1 and "thrown away" in page.questions[0]
    assert filters.value() == 6  # the network's own value is shown again
    combo = find(page, QComboBox, "mnistModelCombo")
    combo.setCurrentIndex(combo.findData("mlp"))
    assert len(page.questions) == 2 and combo.currentData() == "simple-cnn"
    source = find(page, QComboBox, "mnistSourceCombo")
    source.setCurrentIndex(source.findData("digits"))
    source.activated.emit(source.currentIndex())  # as a user's choice does
    assert len(page.questions) == 3 and source.currentData() == "sample"
    qtbot.wait(300)
    kept = page.controller.session_snapshot()
    assert page.run_id == run_id and page.controller.network == "trained"
    assert page.data_info["source"] == "sample"
    for key, value in trained.items():
        np.testing.assert_array_equal(kept.weights[key], value)
    train(qtbot, page)  # and it trains on
    assert page.controller.session_snapshot().epoch == 4
    page.answer = True
    filters.setValue(8)
    assert len(page.questions) == 4
    qtbot.waitUntil(lambda: page.run_id == run_id + 1 and page.controller.network == "fresh",
                    timeout=5000)
    assert len(page.views.filter_panel.view["filters"]) == 8
    assert page.controller.session_snapshot().epoch == 0


def test_the_new_button_is_locked_while_training_and_fits_the_column(open_page, qtbot,
                                                                      tmp_path):
    page = open_page(train_limit=0, batch_size=50)
    new = find(page, QPushButton, "mnistNewButton")
    train_button = find(page, QPushButton, "mnistTrainButton")
    assert new.isEnabled() and new.toolTip()
    qtbot.mouseClick(train_button, Qt.MouseButton.LeftButton)
    assert not new.isEnabled()
    qtbot.mouseClick(train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.is_training, timeout=5000)
    assert new.isEnabled()
    # side by side with Train, inside the 300-pixel column, at 1024x700
    assert new.geometry().top() == train_button.geometry().top()
    assert new.mapTo(page, new.rect().topRight()).x() <= 300
    page.grab().save(str(tmp_path / "page.png"))
