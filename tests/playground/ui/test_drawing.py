"""Drawing points on the decision plot with the mouse."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QPushButton


def draw_mode(window, qtbot, label: int = 0) -> None:
    dp = window.page.data_panel
    qtbot.mouseClick(window.findChild(QPushButton, "drawModeButton"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dp.class_buttons[label], Qt.MouseButton.LeftButton)
    assert window.page.decision_plot.draw_mode and dp.draw_class == label


def click_at(qtbot, window, x: float, y: float, button=Qt.MouseButton.LeftButton,
             modifier=Qt.KeyboardModifier.NoModifier) -> None:
    plot = window.page.decision_plot
    qtbot.mouseClick(plot.viewport(), button, modifier, plot.data_to_widget(x, y))


def pixel(window) -> float:
    return window.page.decision_plot.getViewBox().viewPixelSize()[0]


def test_click_adds_a_point_of_the_chosen_class_where_clicked(window, qtbot):
    c = window.controller
    draw_mode(window, qtbot, label=1)
    click_at(qtbot, window, 0.3, -0.2)
    assert c.config.data.name == "drawn"
    assert len(c.drawn) == 301            # the moons on screen, plus the new point
    X, y = c.drawn.X, c.drawn.y
    assert y[-1] == 1
    assert np.allclose(X[-1], (0.3, -0.2), atol=2 * pixel(window))
    plot = window.page.decision_plot
    assert len(plot.train_points.data) + len(plot.test_points.data) == 301
    draw_mode_off = window.findChild(QPushButton, "drawModeButton")
    draw_mode_off.click()
    click_at(qtbot, window, 0.0, 0.0)     # out of draw mode a click adds nothing
    assert len(c.drawn) == 301


def test_shift_click_and_right_click_erase_nearby_points(window, qtbot):
    c = window.controller
    c.clear_points()
    draw_mode(window, qtbot, label=0)
    for x in (-0.8, 0.0, 0.8):
        click_at(qtbot, window, x, 0.5)
    assert len(c.drawn) == 3
    click_at(qtbot, window, 0.0, 0.5, modifier=Qt.KeyboardModifier.ShiftModifier)
    assert sorted(np.round(c.drawn.X[:, 0], 1)) == [-0.8, 0.8]
    click_at(qtbot, window, 0.8, 0.5, button=Qt.MouseButton.RightButton)
    assert np.round(c.drawn.X[:, 0], 1).tolist() == [-0.8]
    assert len(window.page.decision_plot.train_points.data) == 1


def test_dragging_sprays_points_instead_of_panning(window, qtbot):
    c = window.controller
    c.clear_points()
    draw_mode(window, qtbot, label=1)
    plot = window.page.decision_plot
    view_before = plot.view_bounds()
    vp = plot.viewport()
    start, end = plot.data_to_widget(-0.5, 0.0), plot.data_to_widget(0.5, 0.0)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    for i in range(1, 11):
        p = start + (end - start) * (i / 10)
        ev = QMouseEvent(QMouseEvent.Type.MouseMove, p, vp.mapToGlobal(p),
                         Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(vp, ev)
        qtbot.wait(25)  # pyqtgraph drops mouse moves that come faster than the screen's
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=end)
    assert len(c.drawn) >= 10 and set(c.drawn.y.tolist()) == {1}
    xs = c.drawn.X[:, 0]
    assert xs.min() < -0.2 and xs.max() > 0.2
    assert np.allclose(plot.view_bounds(), view_before)


def test_drawn_points_train_and_the_split_stays_put(window, qtbot, wait_idle):
    c = window.controller
    c.clear_points()
    rng = np.random.default_rng(1)
    c.add_points(rng.normal(-0.6, 0.15, 30), rng.normal(0, 0.15, 30), 0)
    c.add_points(rng.normal(0.6, 0.15, 30), rng.normal(0, 0.15, 30), 1)
    mask = c.drawn.test_mask
    assert 0 < mask.sum() < 60
    c.add_points([0.0], [0.9], 1)
    assert np.array_equal(c.drawn.test_mask[:60], mask)   # earlier points keep their set
    c.step()
    qtbot.waitUntil(lambda: c.epoch == 1, timeout=5000)
    wait_idle(window)
    assert window.page.curves.column("test_loss")[-1] >= 0


def test_clear_empties_the_drawing(window, qtbot):
    qtbot.mouseClick(window.findChild(QPushButton, "clearPointsButton"),
                     Qt.MouseButton.LeftButton)
    c = window.controller
    assert c.config.data.name == "drawn" and len(c.drawn) == 0
    assert c.dataset is None
    plot = window.page.decision_plot
    assert len(plot.train_points.data) == 0 and len(plot.test_points.data) == 0


def test_choosing_drawn_starts_from_the_points_on_screen(window):
    c = window.controller
    X0, y0 = c.all_points()
    window.page.data_panel.dataset_combo.setCurrentText("drawn")
    assert c.config.data.name == "drawn"
    assert len(c.drawn) == len(y0) and np.array_equal(np.sort(c.drawn.y), np.sort(y0))
    assert c.dataset is not None and c.dataset.name == "drawn"


def test_drawn_points_are_remembered(open_window, settings, qtbot):
    w = open_window(settings)
    w.controller.clear_points()
    w.controller.add_points([0.1, 0.2], [0.3, 0.4], 0)
    w.controller.add_points([-0.5], [-0.5], 1)
    w.close()
    again = open_window(settings)
    assert again.controller.config.data.name == "drawn"
    assert again.controller.drawn.y.tolist() == [0, 0, 1]
    assert np.allclose(again.controller.drawn.X[:, 0], [0.1, 0.2, -0.5])
