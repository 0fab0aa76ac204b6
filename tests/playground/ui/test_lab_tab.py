"""The Lab tab: optimiser paths over 2-D surfaces (the book's fig. 6-8), stepped by the
engine's own optimisers on the GUI thread's timer."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QPushButton,
    QTabWidget,
)

from engine.optimizer_paths import BOOK_RATES, SURFACES, optimizer_path
from playground.lab.paths import DEFAULT_RATES, OPTIMIZER_NAMES
from playground.ui.main_window import MainWindow

README = Path(__file__).resolve().parents[3] / "README.md"
#: the final points after 30 steps from (-7, 2) behind README's "Optimiser paths" table
#: (as tests/engine/test_examples.py holds the example that prints it).
BOOK_FINALS = {
    "sgd": (-0.3503929957523197, 0.0847823165504322),
    "momentum": (0.896413858493733, 0.08808560171506971),
    "adagrad": (-0.12016232231416045, 2.486389893984459e-17),
    "adam": (0.13600685239498256, 0.31824537553721943),
}


@pytest.fixture
def lab(window, wait_idle):
    """The window's Lab tab, shown, with the 2-D page idle."""
    wait_idle(window)
    window.tabs.setCurrentIndex(3)
    page = window.lab_page
    assert window.tabs.tabText(3) == "Lab"
    return page


def _find(page, kind, name):
    w = page.findChild(kind, name)
    assert w is not None, name
    return w


def _steps(page, n: int) -> None:
    button = _find(page, QPushButton, "labStepButton")
    for _ in range(n):
        button.click()


def _path(page, name: str) -> np.ndarray:
    """The points the plot draws for ``name``, (k, 2)."""
    x, y = page.plot.path_items[name].getData()
    return np.column_stack([x, y])


def _readme_finals() -> dict[str, tuple[float, float]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Optimiser paths"):]
    rows = re.findall(r"^\| (\w+) \| [\d.]+ \| (-?[\d.]+) \| (-?[\d.]+) \|", section, re.M)
    labels = {v: k for k, v in OPTIMIZER_NAMES.items()}
    return {labels[name]: (float(x), float(y)) for name, x, y in rows[:4]}


def test_the_lab_is_the_fourth_tab_with_the_books_setup(window, lab):
    tabs = window.findChild(QTabWidget, "mainTabs")
    assert tabs.widget(3).objectName() == "labTab"
    assert tabs.widget(3) is lab
    combo = _find(lab, QComboBox, "labSurfaceCombo")
    assert [combo.itemData(i) for i in range(combo.count())] == list(SURFACES)
    assert combo.currentData() == "book"
    assert lab.plot.objectName() == "optimizerPathPlot"
    assert {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"} <= set(OPTIMIZER_NAMES)
    for name, label in OPTIMIZER_NAMES.items():
        check = _find(lab, QCheckBox, f"labOptimizer{label}Check")
        spin = _find(lab, QDoubleSpinBox, f"labLr{label}Spin")
        assert check.isChecked() == (name in BOOK_RATES)
        assert spin.value() == pytest.approx(DEFAULT_RATES["book"][name])
    assert _find(lab, QDoubleSpinBox, "labLrSGDSpin").value() == 0.95
    assert _find(lab, QLabel, "labStepLabel").text() == "Step 0"
    assert lab.model.start == (-7.0, 2.0)
    # the ring at the start, the + at the minimum (0, 0)
    np.testing.assert_array_equal(np.column_stack(lab.plot.start.getData()), [[-7, 2]])
    np.testing.assert_array_equal(np.column_stack(lab.plot.minima.getData()), [[0, 0]])


def test_thirty_steps_are_the_readmes_table_of_the_book(lab):
    _steps(lab, 30)
    assert _find(lab, QLabel, "labStepLabel").text() == "Step 30"
    readme = _readme_finals()
    assert set(readme) == set(BOOK_FINALS)
    for name, (x, y) in BOOK_FINALS.items():
        drawn = _path(lab, name)
        assert drawn.shape == (31, 2)
        np.testing.assert_array_equal(drawn[0], [-7, 2])
        np.testing.assert_allclose(drawn[-1], [x, y], rtol=0, atol=1e-6)
        np.testing.assert_allclose(drawn[-1], readme[name], rtol=0, atol=5e-5 + 1e-12)
        np.testing.assert_array_equal(lab.model.final_points()[name], drawn[-1])
        # the engine's own optimiser through its stepper, to the last bit
        np.testing.assert_array_equal(drawn, optimizer_path(name, BOOK_RATES[name], 30))
    assert [item[1].text for item in lab.plot.legend.items] == [
        "SGD  lr 0.95", "Momentum  lr 0.1", "AdaGrad  lr 1.5", "Adam  lr 0.3"]


def test_a_click_on_the_plot_moves_the_start_and_resets_the_paths(lab, qtbot):
    _steps(lab, 5)
    plot = lab.plot
    scene = plot.scene_pos_of(2.0, -3.0)
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton,
                     pos=plot.mapFromScene(scene))
    x, y = lab.model.start
    assert (x, y) == pytest.approx((2.0, -3.0), abs=0.1)  # a pixel is ~0.02 wide here
    assert _find(lab, QLabel, "labStepLabel").text() == "Step 0"
    np.testing.assert_array_equal(np.column_stack(plot.start.getData()), [[x, y]])
    for name in BOOK_FINALS:
        np.testing.assert_array_equal(_path(lab, name), [[x, y]])
    _steps(lab, 3)
    np.testing.assert_array_equal(_path(lab, "adam"),
                                  optimizer_path("adam", 0.3, 3, start=(x, y)))
    # the page's own mapping does the same; off the data area (an axis) it does nothing
    assert plot.start_at_scene(plot.scene_pos_of(-5.0, 1.0))
    assert lab.model.start == pytest.approx((-5.0, 1.0))
    assert not plot.start_at_scene(QPointF(1, 1))
    assert lab.model.start == pytest.approx((-5.0, 1.0))


def test_unticking_an_optimiser_removes_its_path_and_ticking_catches_up(lab):
    _steps(lab, 10)
    check = _find(lab, QCheckBox, "labOptimizerMomentumCheck")
    check.setChecked(False)
    assert "momentum" not in lab.model.paths
    item = lab.plot.path_items["momentum"]
    xs = item.getData()[0]
    assert not item.isVisible() and (xs is None or len(xs) == 0)
    assert [i[1].text for i in lab.plot.legend.items] == [
        "SGD  lr 0.95", "AdaGrad  lr 1.5", "Adam  lr 0.3"]
    assert len(lab.plot.heads.getData()[0]) == 3
    _steps(lab, 2)
    _find(lab, QCheckBox, "labOptimizerNesterovCheck").setChecked(True)
    nesterov = _path(lab, "nesterov")
    assert nesterov.shape == (13, 2)
    np.testing.assert_array_equal(nesterov, optimizer_path("nesterov", 0.1, 12))
    # a new rate redoes that path (only) to the current step
    sgd_before = _path(lab, "sgd")
    _find(lab, QDoubleSpinBox, "labLrAdamSpin").setValue(0.1)
    np.testing.assert_array_equal(_path(lab, "adam"), optimizer_path("adam", 0.1, 12))
    np.testing.assert_array_equal(_path(lab, "sgd"), sgd_before)


def test_play_advances_the_steps_and_pause_stops_them(lab, qtbot):
    play = _find(lab, QPushButton, "labPlayButton")
    label = _find(lab, QLabel, "labStepLabel")
    play.click()
    assert play.text() == "Pause" and lab.controller.playing
    qtbot.waitUntil(lambda: lab.controller.steps >= 3, timeout=5000)
    play.click()
    assert play.text() == "Play" and not lab.controller.playing
    steps = lab.controller.steps
    assert label.text() == f"Step {steps}"
    assert _path(lab, "sgd").shape == (steps + 1, 2)
    qtbot.wait(2 * 125 + 100)
    assert lab.controller.steps == steps


def test_space_plays_and_pauses_while_the_lab_is_shown(window, lab, qtbot):
    spin = _find(lab, QDoubleSpinBox, "labLrSGDSpin")
    window.activateWindow()
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=2000)
    qtbot.keyClick(spin, Qt.Key.Key_Space)
    assert lab.controller.playing and spin.value() == 0.95
    assert not window.controller.is_running  # the 2-D page's Space is off here
    qtbot.keyClick(spin, Qt.Key.Key_Space)
    assert not lab.controller.playing
    lab.controller.play()
    window.tabs.setCurrentIndex(0)  # leaving the tab pauses the paths
    assert not lab.controller.playing


def test_another_surface_redraws_the_contours_and_resets(lab):
    _steps(lab, 5)
    before = [c.getData()[0].copy() for c in lab.plot.contours]
    image = lab.plot.image.image.copy()
    combo = _find(lab, QComboBox, "labSurfaceCombo")
    combo.setCurrentIndex(combo.findData("rosenbrock"))
    assert lab.model.surface.key == "rosenbrock"
    assert _find(lab, QLabel, "labStepLabel").text() == "Step 0"
    assert lab.model.start == SURFACES["rosenbrock"].start
    after = [c.getData()[0] for c in lab.plot.contours]
    assert all(len(a) > 0 for a in after)
    assert any(len(a) != len(b) or not np.allclose(a, b) for a, b in zip(after, before))
    assert not np.array_equal(lab.plot.image.image, image)
    np.testing.assert_array_equal(np.column_stack(lab.plot.minima.getData()), [[1, 1]])
    assert _find(lab, QDoubleSpinBox, "labLrSGDSpin").value() == \
        DEFAULT_RATES["rosenbrock"]["sgd"]
    for name in BOOK_FINALS:
        np.testing.assert_array_equal(_path(lab, name), [SURFACES["rosenbrock"].start])
    x0, x1, y0, y1 = SURFACES["rosenbrock"].bounds
    (vx0, vx1), (vy0, vy1) = lab.plot.getPlotItem().getViewBox().viewRange()
    assert (vx0, vx1, vy0, vy1) == pytest.approx((x0, x1, y0, y1))
    # Rosenbrock's floor needs log-spaced levels: most lie in the lowest tenth
    levels = lab.plot.levels
    assert np.sum(levels < levels[0] + (levels[-1] - levels[0]) / 10) > len(levels) / 2


def test_a_diverging_rate_stops_its_path_with_a_message_and_the_others_go_on(window, lab):
    combo = _find(lab, QComboBox, "labSurfaceCombo")
    combo.setCurrentIndex(combo.findData("saddle"))
    _find(lab, QDoubleSpinBox, "labLrSGDSpin").setValue(10)
    _steps(lab, 5)
    sgd = lab.model.paths["sgd"]
    assert sgd.stopped_at is not None and sgd.stopped_at <= 5
    message = _find(lab, QLabel, "labMessage")
    assert message.isVisible()
    assert message.text().startswith(f"SGD (lr 10) diverged at step {sgd.stopped_at}")
    assert message.text().count("\n") == 0  # only SGD
    assert window.statusBar().currentMessage() == sgd.reason
    assert "SGD  lr 10  (stopped)" in [i[1].text for i in lab.plot.legend.items]
    length = len(_path(lab, "sgd"))
    assert sorted(lab.model.going) == ["adagrad", "adam", "momentum"]
    _steps(lab, 3)
    assert len(_path(lab, "sgd")) == length
    for name in ("momentum", "adagrad", "adam"):
        assert len(_path(lab, name)) == 9
    # back to a sane rate: the path is redone, the message goes
    _find(lab, QDoubleSpinBox, "labLrSGDSpin").setValue(0.05)
    assert lab.model.paths["sgd"].stopped_at is None
    assert not message.isVisible()


def test_the_surface_and_the_rates_are_remembered(open_window, settings, qtbot):
    w = open_window(settings)
    page = w.lab_page
    _find(page, QDoubleSpinBox, "labLrAdamSpin").setValue(0.2)
    combo = _find(page, QComboBox, "labSurfaceCombo")
    combo.setCurrentIndex(combo.findData("beale"))
    _find(page, QDoubleSpinBox, "labLrSGDSpin").setValue(0.003)
    _find(page, QCheckBox, "labOptimizerRMSPropCheck").setChecked(True)
    w.save_settings()
    assert settings.value("lab/surface") == "beale"
    again = MainWindow(settings)
    qtbot.addWidget(again)
    page = again.lab_page
    assert page.model.surface.key == "beale"
    assert _find(page, QComboBox, "labSurfaceCombo").currentData() == "beale"
    assert _find(page, QDoubleSpinBox, "labLrSGDSpin").value() == 0.003
    assert _find(page, QDoubleSpinBox, "labLrAdamSpin").value() == DEFAULT_RATES["beale"]["adam"]
    assert _find(page, QCheckBox, "labOptimizerRMSPropCheck").isChecked()
    assert "rmsprop" in page.model.paths
    combo = _find(page, QComboBox, "labSurfaceCombo")
    combo.setCurrentIndex(combo.findData("book"))
    assert _find(page, QDoubleSpinBox, "labLrAdamSpin").value() == 0.2
    assert _find(page, QDoubleSpinBox, "labLrSGDSpin").value() == 0.95
