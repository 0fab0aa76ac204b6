"""The "Inside the network" window of the 2-D page: opened from View, its histograms,
gradient-norm plot and layer view follow training while shown and stop with it; the
gradient check's dialog lists every parameter array and names a broken one."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QWidget,
)


def open_inside(window, qtbot):
    action = window.findChild(QAction, "insideAction")
    assert action is not None and action.shortcut().toString() == "Ctrl+I"
    action.trigger()
    inside = window.findChild(QDialog, "insideWindow")
    assert inside is not None
    qtbot.waitUntil(inside.isVisible, timeout=3000)
    assert not inside.isModal()
    qtbot.waitUntil(lambda: inside.stats_drawn >= 1, timeout=5000)
    return inside


def histogram_data(inside, name: str = "activationHistogram0") -> np.ndarray:
    plot = inside.findChild(pg.PlotWidget, name)
    assert plot is not None
    (curve,) = [i for i in plot.getPlotItem().items if isinstance(i, pg.PlotDataItem)]
    x, y = curve.getData()
    return np.array(y, copy=True)


def test_the_view_menu_opens_the_window_with_its_views(window, qtbot):
    assert window.page.inside_action in window.page.actions()["&View"]
    inside = open_inside(window, qtbot)
    tabs = inside.findChild(QTabWidget, "insideTabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Histograms", "Layer view"]
    for name in ("activationHistograms", "gradientHistograms"):
        assert inside.findChild(QWidget, name) is not None
    assert inside.findChild(pg.PlotWidget, "gradientNormPlot") is not None
    assert inside.findChild(pg.PlotWidget, "layerViewPlot") is not None
    assert inside.findChild(QPushButton, "gradientCheckButton") is not None
    for name in ("layerViewLayerCombo",):
        assert inside.findChild(QComboBox, name) is not None
    for name in ("layerViewUnitXSpin", "layerViewUnitYSpin"):
        assert inside.findChild(QSpinBox, name) is not None
    # the default 2-8-8-2 tanh network: two hidden layers, their titles with the shares
    titles = [inside.findChild(QLabel, f"activationHistogram{i}Title").text()
              for i in range(2)]
    assert "layer 2 Tanh" in titles[0] and "saturated" in titles[0]
    assert inside.findChild(QLabel, "activationHistogram2Title") is None
    # another view can be added as a tab of its own
    extra = QLabel("more")
    index = inside.add_tab(extra, "Loss landscape")
    assert tabs.tabText(index) == "Loss landscape" and tabs.widget(index) is extra
    # opened again: the same window
    window.findChild(QAction, "insideAction").trigger()
    assert window.findChildren(QDialog, "insideWindow") == [inside]


def test_histograms_follow_training_and_stop_when_paused(window, qtbot, wait_idle):
    inside = open_inside(window, qtbot)
    worker = window.controller.worker
    before = histogram_data(inside)
    grads_before = histogram_data(inside, "gradientHistogram0")
    window.controller.play()
    qtbot.waitUntil(lambda: inside.stats_drawn >= 4 and window.controller.epoch >= 30,
                    timeout=15000)
    after = histogram_data(inside)
    assert before.shape == after.shape and not np.array_equal(before, after)
    assert not np.array_equal(grads_before, histogram_data(inside, "gradientHistogram0"))
    norms = inside.norms
    assert len(norms.lines) == 3 and all(len(v) >= 3 for v in norms.steps.values())
    assert norms.plot.getPlotItem().getAxis("left").logMode
    # the key is above the plot, one coloured entry per layer, not a legend on the lines
    assert norms.plot.getPlotItem().legend is None
    assert norms.key.text().count("━━") == 3 and "layer 1 Dense" in norms.key.text()
    wait_idle(window)
    qtbot.wait(300)
    drawn, computed = inside.stats_drawn, worker.stats_computed
    shown = histogram_data(inside)
    qtbot.wait(700)
    assert inside.stats_drawn == drawn and worker.stats_computed == computed
    assert np.array_equal(shown, histogram_data(inside))


def test_nothing_is_computed_while_the_window_is_closed(window, qtbot, wait_idle):
    worker = window.controller.worker
    window.controller.play()
    qtbot.waitUntil(lambda: window.controller.epoch >= 20, timeout=10000)
    wait_idle(window)
    assert worker.stats_computed == 0 and worker.views_computed == 0
    inside = open_inside(window, qtbot)
    inside.close()
    qtbot.waitUntil(lambda: not inside.isVisible(), timeout=3000)
    wait_idle(window)
    computed = worker.stats_computed
    assert computed >= 1
    epoch = window.controller.epoch
    window.controller.play()
    qtbot.waitUntil(lambda: window.controller.epoch >= epoch + 30, timeout=10000)
    wait_idle(window)
    assert worker.stats_computed == computed and worker.views_computed == 0


def test_the_layer_view_follows_training_while_its_tab_is_shown(window, qtbot, wait_idle):
    inside = open_inside(window, qtbot)
    worker = window.controller.worker
    assert worker.views_computed == 0           # not shown yet
    inside.findChild(QTabWidget, "insideTabs").setCurrentIndex(1)
    qtbot.waitUntil(lambda: inside.views_drawn >= 1, timeout=5000)
    combo = inside.findChild(QComboBox, "layerViewLayerCombo")
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "layer 2 Tanh (8 units)", "layer 4 Tanh (8 units)"]
    assert inside.findChild(QSpinBox, "layerViewUnitYSpin").maximum() == 7
    plot = inside.findChild(pg.PlotWidget, "layerViewPlot")
    first = plot.points.copy()
    assert first.shape[1] == 2 and len(first) == len(window.controller.dataset.x_train)
    window.controller.play()
    qtbot.waitUntil(lambda: inside.views_drawn >= 4 and window.controller.epoch >= 30,
                    timeout=15000)
    assert not np.array_equal(first, plot.points)
    wait_idle(window)
    qtbot.wait(300)
    drawn = inside.views_drawn
    qtbot.wait(600)
    assert inside.views_drawn == drawn
    # another layer and units: the next view is of them
    combo.setCurrentIndex(1)
    combo.activated.emit(1)
    inside.findChild(QSpinBox, "layerViewUnitXSpin").setValue(5)
    qtbot.waitUntil(lambda: inside.last_view["choice"] == 1
                    and inside.last_view["units"] == (5, 1), timeout=5000)
    # back on the histograms: no more layer views
    inside.findChild(QTabWidget, "insideTabs").setCurrentIndex(0)
    wait_idle(window)
    computed = worker.views_computed
    window.controller.play()
    qtbot.waitUntil(lambda: window.controller.epoch >= 80, timeout=15000)
    wait_idle(window)
    assert worker.views_computed == computed


def run_check(window, qtbot, inside):
    button = inside.findChild(QPushButton, "gradientCheckButton")
    old = inside.check_dialog
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: inside.check_dialog is not None and inside.check_dialog is not old
                    and inside.check_dialog.isVisible(), timeout=10000)
    assert button.isEnabled()
    dialog = inside.findChild(QDialog, "gradientCheckDialog")
    table = dialog.findChild(QTableWidget, "gradientCheckTable")
    rows = [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]
    return dialog, rows, dialog.findChild(QLabel, "gradientCheckVerdict").text()


def test_the_gradient_check_lists_every_array_and_passes(window, qtbot, wait_idle):
    window.controller.play()
    qtbot.waitUntil(lambda: window.controller.epoch >= 10, timeout=10000)
    inside = open_inside(window, qtbot)
    epoch = window.controller.epoch
    dialog, rows, verdict = run_check(window, qtbot, inside)
    assert window.controller.is_running or window.controller.epoch >= epoch  # untouched
    assert [r[0] for r in rows] == [f"layer {i} Dense {k}" for i in (1, 3, 5)
                                    for k in ("W", "b")]
    assert [r[1] for r in rows] == ["2 × 8", "8", "8 × 8", "8", "8 × 2", "2"]
    assert all(r[4] == "pass" and float(r[2]) <= 1e-5 for r in rows)
    assert verdict.startswith("All 6 parameter arrays pass")
    wait_idle(window)


def test_a_broken_backward_fails_the_check_and_names_the_array(window, qtbot,
                                                               monkeypatch):
    from engine.layers import Dense

    original = Dense.backward

    def broken(self, dy):
        dx = original(self, dy)
        self.grads["W"] *= 1.5        # a wrong weight gradient, right bias and input ones
        return dx

    monkeypatch.setattr(Dense, "backward", broken)
    inside = open_inside(window, qtbot)
    dialog, rows, verdict = run_check(window, qtbot, inside)
    results = {r[0]: r[4] for r in rows}
    assert results == {f"layer {i} Dense {k}": ("FAIL" if k == "W" else "pass")
                       for i in (1, 3, 5) for k in ("W", "b")}
    assert "3 of 6 parameter arrays fail" in verdict and "layer 1 Dense W" in verdict
    brush = dialog.findChild(QTableWidget, "gradientCheckTable").item(0, 4).background()
    assert brush.color().red() > brush.color().green()     # the failing row is red


@pytest.mark.parametrize("init,collapses", [("std", True), ("he", False)])
def test_the_init_combo_changes_the_picture(window, qtbot, init, collapses):
    inside = open_inside(window, qtbot)
    window.controller.edit({"model": {"hidden": [100, 100, 100, 100],
                                      "activation": "relu"}})
    combo = window.findChild(QComboBox, "initCombo")
    index = combo.findData(init)
    assert index >= 0
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    qtbot.waitUntil(lambda: inside.last_stats is not None
                    and inside.last_stats["run_id"] == window.controller.run_id
                    and len(inside.last_stats["layers"]) == 4
                    and window.controller.config.model.init == init, timeout=5000)
    stds = [layer["std"] for layer in inside.last_stats["layers"]]
    assert (stds[-1] < 0.01) == collapses
    title = inside.findChild(QLabel, "activationHistogram3Title").text()
    assert "layer 8 ReLU" in title and "dead" in title
