"""The MNIST page's "Inside the network" window: opened from View (Ctrl+I on its tab),
its histograms follow training while shown and stop with it, nothing is computed while
it is closed, a page with no network says so, and the gradient check of a copy of the
network lists every parameter array and names a broken one."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QTableWidget, QTabWidget, QWidget

from playground.ui.mnist.page import MnistPage

#: a small MLP on the built-in sample: the statistics are cheap, an epoch is a few steps.
#: The tests stop it: 100 epochs (the Epochs box's most) keep it training that long on
#: a fast machine (30 were over before the statistics had been drawn three times).
SMALL_MLP = {"model": "mlp", "hidden": 16, "epochs": 100, "train_limit": 4000,
             "batch_size": 50}
#: a SimpleConvNet small enough for a quick check: 4 filters of 5x5, 32 hidden units.
SMALL_CNN = {"model": "simple-cnn", "filters": 4, "filter_size": 5, "hidden": 32,
             "epochs": 1, "train_limit": 200, "batch_size": 50}


@pytest.fixture
def make_page(qtbot, tmp_path):
    pages: list[MnistPage] = []
    errors: list[str] = []

    def _make(values: dict | None = None, autoload: bool = True) -> MnistPage:
        s = QSettings(str(tmp_path / f"mnist{len(pages)}.ini"), QSettings.Format.IniFormat)
        for key, value in (values or {}).items():
            s.setValue(f"mnist/{key}", value)
        s.sync()
        page = MnistPage(settings=s, autoload=autoload)
        qtbot.addWidget(page)
        page.controller.worker.failed.connect(errors.append)
        pages.append(page)
        if autoload:
            qtbot.waitUntil(lambda: page.data_info is not None and page.run_id > 0,
                            timeout=10000)
        return page

    yield _make
    for page in pages:
        assert page.shutdown(), "the worker thread did not end"
    assert not errors, errors


def open_inside(page, qtbot, drawn: int = 1):
    page.inside_action.trigger()
    inside = page.inside_window
    assert inside is not None and inside.objectName() == "mnistInsideWindow"
    qtbot.waitUntil(inside.isVisible, timeout=3000)
    assert not inside.isModal()
    qtbot.waitUntil(lambda: inside.stats_drawn >= drawn, timeout=10000)
    return inside


def histogram(inside, name: str = "activationHistogram0") -> np.ndarray:
    plot = inside.findChild(pg.PlotWidget, name)
    assert plot is not None, name
    (curve,) = [i for i in plot.getPlotItem().items if isinstance(i, pg.PlotDataItem)]
    return np.array(curve.getData()[1], copy=True)


def titles(inside, name: str) -> list[str]:
    out, i = [], 0
    while (label := inside.findChild(QLabel, f"{name}{i}Title")) is not None:
        out.append(label.text())
        i += 1
    return out


def wait_stopped(page, qtbot) -> None:
    """Stop the run and let the worker's last replies arrive."""
    page.controller.stop()
    qtbot.waitUntil(lambda: not page.is_training, timeout=10000)
    qtbot.wait(400)


def test_ctrl_i_opens_the_mnist_window_on_its_tab(window, qtbot):
    tabs = window.findChild(QTabWidget, "mainTabs")
    two_d = window.findChild(QAction, "insideAction")
    tabs.setCurrentIndex(1)
    page = window.mnist_page
    qtbot.waitUntil(lambda: page.data_info is not None and page.run_id > 0, timeout=10000)
    action = window.findChild(QAction, "mnistInsideAction")
    assert action is not None and action.shortcut().toString() == "Ctrl+I"
    assert action in page.actions()["&View"]
    # one Ctrl+I at a time: only the shown page's action is on
    assert action.isVisible() and not two_d.isVisible()
    tabs.setCurrentIndex(0)
    assert two_d.isVisible() and not action.isVisible()
    tabs.setCurrentIndex(1)
    inside = open_inside(page, qtbot)
    assert window.findChild(QDialog, "insideWindow") is None     # not the 2-D page's
    tabs_widget = inside.findChild(QTabWidget, "insideTabs")
    assert [tabs_widget.tabText(i) for i in range(tabs_widget.count())] == ["Histograms"]
    for name in ("activationHistograms", "gradientHistograms"):
        assert inside.findChild(QWidget, name) is not None
    assert inside.findChild(pg.PlotWidget, "gradientNormPlot") is not None
    assert inside.findChild(pg.PlotWidget, "layerViewPlot") is None
    assert inside.findChild(QPushButton, "gradientCheckButton") is not None
    # the default SimpleConvNet: the conv layer's ReLU, the dense ReLU and the logits
    shown = titles(inside, "activationHistogram")
    assert len(shown) == 3
    assert "layer 1 ReLU" in shown[0] and "dead" in shown[0]
    assert "layer 5 ReLU" in shown[1] and "layer 6 Dense" in shown[2]
    assert len(titles(inside, "gradientHistogram")) == 3
    assert "a fixed batch of 128 training images" in inside.status.text()
    payload = inside.last_stats["layers"][0]
    # the conv layer's outputs are histogrammed over all their values: 128 images x
    # 30 channels x 24 x 24 positions
    assert payload["units"] == 30 * 24 * 24 and payload["counts"].sum() == 128 * 30 * 24 * 24
    assert {g["name"] for g in inside.last_stats["grad_norms"]} == {
        "layer 0 Conv2D", "layer 4 Dense", "layer 6 Dense"}
    # opened again: the same window
    action.trigger()
    assert window.findChildren(QDialog, "mnistInsideWindow") == [inside]


def test_histograms_follow_training_and_stop_with_it(make_page, qtbot):
    page = make_page(SMALL_MLP)
    inside = open_inside(page, qtbot)
    worker = page.controller.worker
    assert [t.split("<br>")[0] for t in titles(inside, "activationHistogram")] == [
        "<b>layer 2 ReLU</b>", "<b>layer 3 Dense</b>"]
    before, grads = histogram(inside), histogram(inside, "gradientHistogram0")
    drawn = inside.stats_drawn
    page.start_training()
    qtbot.waitUntil(lambda: inside.stats_drawn >= drawn + 3, timeout=20000)
    assert page.is_training
    after = histogram(inside)
    assert before.shape == after.shape and not np.array_equal(before, after)
    assert not np.array_equal(grads, histogram(inside, "gradientHistogram0"))
    norms = inside.norms
    assert len(norms.lines) == 2 and all(len(v) >= 2 for v in norms.steps.values())
    assert max(max(v) for v in norms.steps.values()) > 0       # against the step count
    wait_stopped(page, qtbot)
    drawn, computed = inside.stats_drawn, worker.stats_computed
    shown = histogram(inside)
    qtbot.wait(800)
    assert inside.stats_drawn == drawn and worker.stats_computed == computed
    assert np.array_equal(shown, histogram(inside))


def test_nothing_is_computed_while_the_window_is_closed(make_page, qtbot):
    page = make_page(SMALL_MLP)
    worker = page.controller.worker
    page.start_training()
    qtbot.waitUntil(lambda: page.views.curves.column("steps", "loss").size >= 10,
                    timeout=20000)
    assert worker.stats_computed == 0
    wait_stopped(page, qtbot)
    assert worker.stats_computed == 0
    inside = open_inside(page, qtbot)
    inside.close()
    qtbot.waitUntil(lambda: not inside.isVisible(), timeout=3000)
    qtbot.wait(200)
    computed = worker.stats_computed
    assert computed >= 1
    steps = page.views.curves.column("steps", "loss").size
    page.start_training()
    qtbot.waitUntil(lambda: page.views.curves.column("steps", "loss").size >= steps + 10,
                    timeout=20000)
    wait_stopped(page, qtbot)
    assert worker.stats_computed == computed


def test_without_a_network_the_window_says_so(make_page, qtbot):
    page = make_page(autoload=False)
    inside = open_inside(page, qtbot)
    assert "There is no network yet" in inside.status.text()
    assert inside.activations.plots == [] and inside.norms.lines == {}
    assert page.controller.worker.stats_computed == 0
    qtbot.mouseClick(inside.findChild(QPushButton, "gradientCheckButton"),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "no network to check" in inside.status.text(), timeout=5000)
    assert inside.check_dialog is None and inside.check_button.isEnabled()


def run_check(qtbot, inside):
    button = inside.findChild(QPushButton, "gradientCheckButton")
    old = inside.check_dialog
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: inside.check_dialog is not None and inside.check_dialog is not old
                    and inside.check_dialog.isVisible(), timeout=120000)
    assert button.isEnabled()
    dialog = inside.findChild(QDialog, "gradientCheckDialog")
    table = dialog.findChild(QTableWidget, "gradientCheckTable")
    rows = [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]
    return dialog, rows, dialog.findChild(QLabel, "gradientCheckVerdict").text()


def live_weights(page) -> dict[str, np.ndarray]:
    return page.controller.request_snapshot(1, 5.0)["weights"]


def test_the_gradient_check_of_the_default_convnet_passes(make_page, qtbot):
    page = make_page()                  # the default SimpleConvNet: 30 filters of 5x5
    inside = open_inside(page, qtbot)
    before = live_weights(page)
    dialog, rows, verdict = run_check(qtbot, inside)
    assert [r[0] for r in rows] == [f"layer {i} {kind} {k}" for i, kind in
                                    ((0, "Conv2D"), (4, "Dense"), (6, "Dense"))
                                    for k in ("W", "b")]
    assert [r[1] for r in rows] == ["30 × 1 × 5 × 5", "30", "4320 × 100", "100",
                                    "100 × 10", "10"]
    assert all(r[4] == "pass" and float(r[2]) <= 1e-5 for r in rows)
    assert verdict.startswith("All 6 parameter arrays pass")
    after = live_weights(page)          # the live network was not touched
    assert before.keys() == after.keys()
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_a_broken_conv_backward_fails_the_check_and_names_the_array(make_page, qtbot,
                                                                    monkeypatch):
    from engine.conv import Conv2D

    original = Conv2D.backward

    def broken(self, dy):
        dx = original(self, dy)
        self.grads["W"] *= 1.5        # a wrong filter gradient, right bias and input ones
        return dx

    page = make_page(SMALL_CNN)
    inside = open_inside(page, qtbot)
    monkeypatch.setattr(Conv2D, "backward", broken)
    dialog, rows, verdict = run_check(qtbot, inside)
    results = {r[0]: r[4] for r in rows}
    assert results == {"layer 0 Conv2D W": "FAIL", "layer 0 Conv2D b": "pass",
                       "layer 4 Dense W": "pass", "layer 4 Dense b": "pass",
                       "layer 6 Dense W": "pass", "layer 6 Dense b": "pass"}
    assert "1 of 6 parameter arrays fail" in verdict and "layer 0 Conv2D W" in verdict
    brush = dialog.findChild(QTableWidget, "gradientCheckTable").item(0, 4).background()
    assert brush.color().red() > brush.color().green()


def test_a_deep_convnet_shows_every_activation_layer(make_page, qtbot):
    page = make_page({"model": "deep-cnn", "epochs": 1, "train_limit": 100})
    inside = open_inside(page, qtbot)
    shown = [t.split("<br>")[0] for t in titles(inside, "activationHistogram")]
    assert shown == [f"<b>layer {i} ReLU</b>" for i in (1, 3, 6, 8, 11, 13, 17)] + [
        "<b>layer 19 Dense</b>"]
    assert "a fixed batch of 32 training images" in inside.status.text()
    assert len(inside.last_stats["grad_norms"]) == 8          # six convolutions, two dense
