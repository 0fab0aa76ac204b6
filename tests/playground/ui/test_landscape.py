"""The loss landscape window: its centre is the current loss, the PCA path ends at the
current weights, Cancel stops it and leaves training's weights alone, and training goes
on while it computes; the MNIST page's landscape of a small MLP."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
)

from engine.build import build_from_description
from engine.serialize import copy_state_into
from playground.landscape.sources import mnist_source
from playground.ui.landscape.panel import LandscapePanel
from playground.ui.mnist.page import MnistPage


def child(parent, cls, name):
    w = parent.findChild(cls, name)
    assert w is not None, name
    return w


def model_of(spec, weights):
    model = build_from_description(spec)
    copy_state_into(model, weights, "test")
    return model


def train_epochs(window, qtbot, epochs: int, wait_idle) -> None:
    window.controller.play()
    qtbot.waitUntil(lambda: window.controller.epoch >= epochs, timeout=10000)
    wait_idle(window)


def open_landscape(window):
    action = child(window, QAction, "landscapeAction")
    view_menu = next(m for t, m in window._menus.items() if t == "&View")
    assert action in view_menu.actions() and action.isVisible()
    assert action.text() == "Loss &landscape…"
    action.trigger()
    dialog = child(window, QDialog, "landscapeWindow")
    assert dialog.isVisible() and not dialog.isModal() and dialog.parent() is window
    return dialog, window.page.landscape.panel


def set_up(dialog, directions: str, resolution: int, span: float = 1.0) -> None:
    combo = child(dialog, QComboBox, "landscapeDirectionsCombo")
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Random (filter-normalised)", "PCA of the trajectory"]
    combo.setCurrentIndex(0 if directions == "random" else 1)
    spin = child(dialog, QSpinBox, "landscapeResolutionSpin")
    spin.setValue(resolution)
    child(dialog, QDoubleSpinBox, "landscapeSpanSpin").setValue(span)


def compute(dialog, panel, qtbot, timeout=20000) -> None:
    child(dialog, QPushButton, "landscapeComputeButton").click()
    qtbot.waitUntil(lambda: panel.state in ("done", "failed"), timeout=timeout)
    assert panel.state == "done", panel.status_label.text()


def test_the_centre_of_the_landscape_is_the_current_loss(window, qtbot, wait_idle):
    train_epochs(window, qtbot, 5, wait_idle)
    dialog, panel = open_landscape(window)
    assert child(dialog, QSpinBox, "landscapeResolutionSpin").value() == 25
    set_up(dialog, "random", 7, 0.5)
    rows: list[int] = []
    panel.controller.rowReady.connect(lambda p: rows.append(p["index"]))
    compute(dialog, panel, qtbot)
    assert rows == list(range(7))                     # streamed, row by row
    bar = child(dialog, QProgressBar, "landscapeProgress")
    assert bar.value() == bar.maximum() == 49
    grid = panel.values()
    assert grid.shape == (7, 7) and np.isfinite(grid).all()
    state = window.controller.request_state(2.0)
    ds = window.controller.dataset
    expected = model_of(state.spec, state.weights).loss(ds.x_train, ds.y_train, train=False)
    assert grid[3, 3] == pytest.approx(expected, rel=1e-5)
    assert grid.min() >= grid[3, 3] * 0.5 and np.ptp(grid) > 0
    assert "At the current weights" in panel.status_label.text()
    assert panel.plot.current.getData()[0].tolist() == [0.0]


def test_pca_directions_draw_the_path_ending_at_the_current_weights(window, qtbot,
                                                                   wait_idle):
    train_epochs(window, qtbot, 30, wait_idle)
    dialog, panel = open_landscape(window)
    set_up(dialog, "pca", 5)
    compute(dialog, panel, qtbot)
    xs, ys = panel.plot.path.getData()
    assert len(xs) >= 10
    assert (xs[-1], ys[-1]) == pytest.approx((0.0, 0.0), abs=1e-9)
    assert xs[0] > 0 and ys[0] >= 0                      # started away from it
    assert "PC 1" in panel.plot.getPlotItem().getAxis("bottom").labelText
    alphas = panel.plot.alphas
    assert alphas[-1] == pytest.approx(np.abs(np.c_[xs, ys]).max())  # span 1: path fits


def test_pca_before_two_epochs_says_what_is_missing(window, qtbot):
    window.controller.reset()
    qtbot.waitUntil(lambda: window.controller.epoch == 0, timeout=3000)
    dialog, panel = open_landscape(window)
    set_up(dialog, "pca", 5)
    child(dialog, QPushButton, "landscapeComputeButton").click()
    qtbot.waitUntil(lambda: panel.state == "failed", timeout=5000)
    assert "at least two epochs" in panel.status_label.text()
    assert child(dialog, QPushButton, "landscapeComputeButton").isEnabled()


def test_cancel_stops_the_rows_and_leaves_training_s_weights_alone(window, qtbot,
                                                                  wait_idle):
    train_epochs(window, qtbot, 3, wait_idle)
    before = window.controller.request_state(2.0)
    dialog, panel = open_landscape(window)
    set_up(dialog, "random", 101, 2.0)
    child(dialog, QPushButton, "landscapeComputeButton").click()
    qtbot.waitUntil(lambda: panel.controller.rows >= 2, timeout=20000)
    cancel = child(dialog, QPushButton, "landscapeCancelButton")
    assert cancel.isEnabled()
    cancel.click()
    assert panel.state == "cancelled" and "Cancelled after" in panel.status_label.text()
    rows = panel.controller.rows
    worker = panel.controller.host.worker
    qtbot.waitUntil(lambda: worker._job is None, timeout=3000)   # it stopped too
    qtbot.wait(300)
    assert panel.controller.rows == rows < 101
    assert np.isnan(panel.values()[rows + 1:]).all()
    assert child(dialog, QPushButton, "landscapeComputeButton").isEnabled()
    after = window.controller.request_state(2.0)
    assert after.epoch == before.epoch
    assert after.weights.keys() == before.weights.keys()
    for key, value in before.weights.items():
        np.testing.assert_array_equal(after.weights[key], value)


def test_computing_while_training_does_not_stop_training(window, qtbot):
    window.controller.play()
    qtbot.waitUntil(lambda: window.controller.epoch >= 3, timeout=10000)
    dialog, panel = open_landscape(window)
    set_up(dialog, "random", 101)  # long enough to span epochs on a fast machine
    epochs: list[int] = []
    panel.controller.started.connect(lambda _p: epochs.append(window.controller.epoch))
    panel.controller.finished.connect(lambda _p: epochs.append(window.controller.epoch))
    compute(dialog, panel, qtbot, timeout=60000)
    assert len(epochs) == 2 and epochs[1] > epochs[0]
    assert window.controller.is_running
    at = window.controller.epoch
    qtbot.waitUntil(lambda: window.controller.epoch > at, timeout=5000)
    window.controller.pause()


def test_closing_the_window_cancels_and_the_action_opens_it_again(window, qtbot, wait_idle):
    train_epochs(window, qtbot, 3, wait_idle)
    dialog, panel = open_landscape(window)
    set_up(dialog, "random", 101)
    child(dialog, QPushButton, "landscapeComputeButton").click()
    qtbot.waitUntil(lambda: panel.plot.grid.shape == (101, 101), timeout=5000)
    dialog.close()
    assert panel.state == "cancelled"
    again, same = open_landscape(window)
    assert again is dialog and same is panel


@pytest.fixture
def mnist_page(qtbot, tmp_path):
    s = QSettings(str(tmp_path / "mnist.ini"), QSettings.Format.IniFormat)
    for key, value in {"model": "mlp", "hidden": 16, "epochs": 2, "train_limit": 200,
                       "batch_size": 50}.items():
        s.setValue(f"mnist/{key}", value)
    s.sync()
    page = MnistPage(settings=s)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.data_info is not None and page.run_id > 0, timeout=10000)
    yield page
    assert page.shutdown()


def test_the_mnist_page_s_landscape_of_a_small_mlp(mnist_page, qtbot):
    page = mnist_page
    assert "mnistLandscapeAction" in [a.objectName() for a in page.actions()["&View"]]
    page.start_training()
    qtbot.waitUntil(lambda: page.is_training, timeout=5000)
    qtbot.waitUntil(lambda: not page.is_training, timeout=20000)
    panel = LandscapePanel(lambda: mnist_source(page.controller, images=60))
    qtbot.addWidget(panel)
    panel.resolution_spin.setValue(3)
    panel.compute()
    qtbot.waitUntil(lambda: panel.state in ("done", "failed"), timeout=10000)
    assert panel.state == "done", panel.status_label.text()
    assert "first 60 training images" in panel.status_label.text()
    snap = page.controller.request_snapshot(60, 2.0)
    assert snap["x"].shape == (60, 1, 28, 28) and snap["epoch"] == 2
    expected = model_of(snap["spec"], snap["weights"]).loss(snap["x"], snap["targets"],
                                                            train=False)
    assert panel.values()[1, 1] == pytest.approx(expected, rel=1e-5)
    assert len(snap["trajectory"]) == 3                  # the start and two epochs
    panel.directions_combo.setCurrentIndex(1)
    panel.compute()
    qtbot.waitUntil(lambda: panel.state in ("done", "failed"), timeout=10000)
    assert panel.state == "done", panel.status_label.text()
    xs, ys = panel.plot.path.getData()
    assert len(xs) == 4 and (xs[-1], ys[-1]) == pytest.approx((0.0, 0.0), abs=1e-9)
    assert panel.shutdown()
