"""The 2-D page on a regression problem: Problem combo, training, the heat map, valued
drawing, the linear baseline, CSV files and sessions."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton

from playground.ui.two_d.problem_view import value_scale


def choose_regression(window, qtbot, dataset: str | None = None) -> None:
    combo = window.findChild(QComboBox, "problemCombo")
    combo.setCurrentIndex(combo.findData("regression"))
    c = window.controller
    qtbot.waitUntil(lambda: c.task == "regression" and c.dataset is not None, timeout=5000)
    if dataset is not None:
        ds = window.findChild(QComboBox, "datasetCombo")
        ds.setCurrentIndex(ds.findData(dataset))
        qtbot.waitUntil(lambda: c.config.data.name == dataset, timeout=5000)


def test_regression_trains_loss_falls_r2_rises_and_the_map_is_a_continuous_field(
        window, qtbot, wait_idle):
    choose_regression(window, qtbot)
    c, page = window.controller, window.page
    assert c.config.data.name == "gaussians" and c.config.model.loss == "mse"
    # the dataset combo now offers the regression sets only
    ds = window.findChild(QComboBox, "datasetCombo")
    names = [ds.itemData(i) for i in range(ds.count())]
    assert "gaussians" in names and "plane" in names and "moons" not in names
    loss_combo = window.findChild(QComboBox, "lossCombo")
    assert [loss_combo.itemData(i) for i in range(loss_combo.count())] == ["mse", "huber"]
    c.edit({"data": {"name": "plane"}})
    qtbot.mouseClick(window.findChild(QPushButton, "playButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.curves.epochs >= 30, timeout=20000)
    wait_idle(window)
    page.render_frame()
    page.render_frame()
    loss = page.curves.column("train_loss")
    r2 = page.curves.column("train_r2")
    assert loss[-3:].mean() < 0.5 * loss[:2].mean()
    assert r2[-1] > 0.9 and r2[-1] > r2[0]
    assert np.isnan(page.curves.column("train_acc")).all()  # no accuracy in regression
    assert "R²" in page.train_label.text() and "acc" not in page.train_label.text()
    # the R² curve is what the lower plot draws
    _, ys = page.curves.train_acc.getData()
    assert np.allclose(ys, r2, equal_nan=True)
    # a continuous field, not a few class colours
    image = np.array(page.decision_plot.image.image)
    colours = np.unique(image.reshape(-1, image.shape[-1]), axis=0)
    assert len(colours) > 50
    assert page.decision_plot.color_bar.isVisible()
    # the plane y = 0.6 x1 - 0.4 x2: blue (positive) at the right, orange on the left
    mid = image.shape[0] // 2
    right, left = image[mid, -5, :3].astype(int), image[mid, 4, :3].astype(int)
    assert right[2] > right[0] and left[0] > left[2]


def test_drawing_adds_a_point_with_the_slider_value_and_the_wheel_changes_it(
        window, qtbot):
    choose_regression(window, qtbot)
    c, page, dp = window.controller, window.page, window.page.data_panel
    slider = window.findChild(type(dp.value_slider), "drawValueSlider")
    assert slider.isVisibleTo(window) and not dp.class_buttons[0].isVisibleTo(window)
    slider.setValue(-15)  # y = -0.75
    assert "-0.75" in window.findChild(QLabel, "drawValueLabel").text()
    page.decision_plot.drawValueStep.emit(2)  # two wheel notches up: +0.2
    assert abs(dp.draw_value - (-0.55)) < 1e-9
    shown = len(c.dataset.y_train) + len(c.dataset.y_test)
    page._draw(np.array([0.25]), np.array([-0.5]))
    # the first point turns the points on screen into a drawing, then adds itself
    assert c.config.data.name == "drawn" and c.task == "regression"
    before = shown
    assert len(c.drawn) == before + 1
    assert c.drawn.y[-1] == -0.55 and np.allclose(c.drawn.X[-1], [0.25, -0.5])
    # back to classification: that drawing keeps its classes, the valued one waits
    combo = window.findChild(QComboBox, "problemCombo")
    combo.setCurrentIndex(combo.findData("classification"))
    qtbot.waitUntil(lambda: c.task == "classification", timeout=5000)
    assert c.config.data.name == "moons" and c.drawn.y.dtype.kind == "i"
    assert len(c.drawing("regression")) == before + 1


def test_linear_baseline_reports_r2_and_draws_contours(window, qtbot):
    choose_regression(window, qtbot)
    c, page = window.controller, window.page
    c.edit({"data": {"name": "plane"}})
    page.data_panel.baseline_check.setChecked(True)
    label = window.findChild(QLabel, "baselineLabel")
    qtbot.waitUntil(lambda: "R²" in label.text(), timeout=5000)
    # a linear regression fits a plane almost perfectly (noise is all it misses)
    train_r2 = float(label.text().split("train R² ")[1].split(",")[0])
    assert train_r2 > 0.9
    x, _ = page.decision_plot.value_layer.baseline.getData()
    assert x is not None and len(x) > 10


def test_sine_shows_the_curve_view_with_the_fitted_curve(window, qtbot, wait_idle):
    choose_regression(window, qtbot, "sine")
    page = window.page
    assert not page.curve_view.isHidden()
    page.controller.step()
    qtbot.waitUntil(lambda: page.controller.epoch == 1, timeout=5000)
    wait_idle(window)
    page.render_frame()
    xs, ys = page.curve_view.curve.getData()
    assert xs is not None and len(xs) == 400 and np.isfinite(ys).all()
    # another regression set hides it again
    page.controller.edit({"data": {"name": "ripple"}})
    assert page.curve_view.isHidden()


def test_a_regression_session_saves_and_reopens_bit_for_bit(window, qtbot, wait_idle,
                                                            tmp_path):
    choose_regression(window, qtbot, "ripple")
    c, page = window.controller, window.page
    for _ in range(3):
        c.step()
    qtbot.waitUntil(lambda: c.epoch == 3, timeout=10000)
    wait_idle(window)
    before = c.sessions.snapshot()
    path = str(tmp_path / "ripple.nnplay")
    assert page.files.save_session_as(path)
    c.edit({"data": {"task": "classification", "name": "moons"}})
    qtbot.waitUntil(lambda: c.task == "classification", timeout=5000)
    assert page.files.open_session(path)
    qtbot.waitUntil(lambda: c.task == "regression" and c.epoch == 3, timeout=5000)
    wait_idle(window)
    after = c.sessions.snapshot()
    assert after.config == before.config and after.y.dtype == np.float64
    assert np.array_equal(after.X, before.X) and np.array_equal(after.y, before.y)
    assert np.array_equal(after.history, before.history, equal_nan=True)
    assert set(after.weights) == set(before.weights)
    for key in before.weights:
        assert np.array_equal(after.weights[key], before.weights[key]), key
    # and it trains on from there exactly as the original would have
    assert np.isfinite(after.history[:, -1]).all()  # the test R² column is filled


def test_a_csv_with_a_y_column_opens_as_a_regression_drawing_and_nan_is_refused(
        window, qtbot, tmp_path):
    c, page = window.controller, window.page
    good = tmp_path / "values.csv"
    good.write_text("x1,x2,y\n0.1,0.2,0.5\n-0.3,0.4,-1.25\n0.5,-0.5,0.0\n0.9,0.1,2.0\n")
    assert page.files.open_data(str(good))
    qtbot.waitUntil(lambda: c.task == "regression", timeout=5000)
    assert c.config.data.name == "drawn" and np.allclose(
        np.sort(c.drawn.y), [-1.25, 0.0, 0.5, 2.0])
    assert page.problem_view.scale == (-2.0, 2.0)
    bad = tmp_path / "nan.csv"
    bad.write_text("x1,x2,y\n0.1,0.2,nan\n0.3,0.4,1.0\n")
    problems = []
    page.files.error.connect(lambda title, text: problems.append(text))
    page.files.problem.connect(problems.append)
    assert not page.files.open_data(str(bad))
    assert problems and "nan" in problems[-1].lower()
    assert len(c.drawn) == 4  # nothing changed


def test_value_scale_is_symmetric_rounded_up_and_never_tiny():
    assert value_scale(np.array([0.2, -0.93]), np.array([0.5])) == (-1.0, 1.0)
    assert value_scale(np.array([1.04])) == (-1.1, 1.1)
    assert value_scale(np.array([0.0, 0.001])) == (-0.1, 0.1)
    assert value_scale(np.zeros(0)) == (-1.0, 1.0)
    assert value_scale(np.array([np.nan, 0.3])) == (-0.3, 0.3)


def test_undo_takes_a_problem_switch_back_with_its_drawing(window, qtbot):
    choose_regression(window, qtbot)
    c, page = window.controller, window.page
    page.data_panel.value_slider.setValue(10)  # y = 0.5
    page._draw(np.array([0.1]), np.array([0.1]))
    n = len(c.drawn)
    combo = window.findChild(QComboBox, "problemCombo")
    combo.setCurrentIndex(combo.findData("classification"))
    qtbot.waitUntil(lambda: c.task == "classification", timeout=5000)
    page.edits.stack.undo()
    qtbot.waitUntil(lambda: c.task == "regression", timeout=5000)
    assert c.config.data.name == "drawn" and len(c.drawn) == n and c.drawn.y[-1] == 0.5
    assert combo.currentData() == "regression"
