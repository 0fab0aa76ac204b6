"""What a newcomer meets first: the pace, the read-outs at 1024x700, the window on a
small screen, auto-stop."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QComboBox, QLabel

from playground.ui.main_window import MainWindow


def test_a_fresh_window_trains_at_a_pace_one_can_watch(window):
    combo = window.findChild(QComboBox, "speedCombo")
    assert combo.currentData() == 1 and "1 epoch/frame" in combo.currentText()


def test_the_metrics_stay_visible_at_1024x700(window, qtbot):
    window.resize(1024, 700)
    qtbot.wait(100)
    with qtbot.waitSignal(window.controller.epochFinished, timeout=5000):
        window.controller.step()
    qtbot.waitUntil(lambda: "loss" in window.page.test_label.text(), timeout=3000)
    for name in ("epochLabel", "trainMetricsLabel", "testMetricsLabel"):
        label = window.findChild(QLabel, name)
        assert label.isVisible() and not label.visibleRegion().isEmpty(), name
        assert label.visibleRegion().boundingRect().width() >= label.sizeHint().width() - 2
    assert window.page.decision_plot.width() >= 300   # not a narrow column


def test_at_1024x700_the_graph_caption_ends_in_an_ellipsis_not_mid_word(window, qtbot):
    window.resize(1024, 700)
    qtbot.wait(100)
    caption = window.page.graph_panel.caption
    assert caption.text().startswith("orange −, white 0, blue +")
    shown = caption.shown_text()
    assert caption.fontMetrics().horizontalAdvance(shown) <= caption.contentsRect().width()
    assert shown.endswith("…") and caption.text().startswith(shown[:-1])  # cut, and says so
    window.resize(1600, 900)
    qtbot.waitUntil(lambda: caption.shown_text() == caption.text(), timeout=2000)


def test_at_1024x700_the_region_covers_the_view_and_the_view_settles(window, qtbot):
    import numpy as np

    plot = window.page.decision_plot
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: np.allclose(plot._bounds, plot.view_bounds()), timeout=5000)
    settled = plot.view_bounds()
    qtbot.wait(300)
    assert plot.view_bounds() == settled and np.allclose(plot._bounds, settled)


class _SmallScreen:
    def __init__(self, w: int, h: int) -> None:
        self._area = QRect(0, 0, w, h)

    def availableGeometry(self) -> QRect:  # noqa: N802 (Qt's naming)
        return self._area


def test_a_new_window_opens_within_a_1366x768_screen(qtbot, settings, monkeypatch):
    monkeypatch.setattr(MainWindow, "screen", lambda self: _SmallScreen(1366, 728))
    w = MainWindow(settings)
    qtbot.addWidget(w)
    assert w.width() <= 1366 and w.height() + 48 <= 728
    assert w.x() >= 0 and w.y() >= 0 and w.y() + w.height() + 48 <= 728
    w.close()


def test_auto_stop_pauses_at_the_chosen_epoch_and_says_so(window, qtbot):
    combo = window.findChild(QComboBox, "autoStopCombo")
    window.controller.set_speed(0)
    combo.setCurrentIndex(combo.findText("at epoch 100"))
    window.controller.play()
    qtbot.waitUntil(lambda: not window.controller.is_running, timeout=20000)
    assert window.controller.epoch == 100              # exactly, even at full speed
    assert "auto-stop" in window.statusBar().currentMessage()


def test_epoch_counts_have_separators(window):
    window.page.run.show_metrics({"epoch": 12345, "train_loss": 0.1, "train_acc": 0.9,
                                  "test_loss": None, "test_acc": None})
    assert window.page.epoch_label.text() == "Epoch 12,345"


def test_after_clear_the_old_region_goes(window, qtbot):
    plot = window.page.decision_plot
    assert plot.image.image is not None
    window.controller.clear_points()
    qtbot.waitUntil(lambda: plot.image.image is None, timeout=3000)
    assert plot.boundary.getData()[0] is None or len(plot.boundary.getData()[0]) == 0


def test_a_drawing_problem_gives_way_once_the_drawing_is_trainable(window, qtbot):
    c = window.controller
    c.clear_points()
    c.add_points([0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.1, 0.2], 0)
    c.play()                                   # explains instead of training
    assert "one class" in window.statusBar().currentMessage()
    c.add_points([-0.5, -0.6, -0.7], [0.5, 0.6, 0.7], 1)
    assert c.dataset is not None
    assert "one class" not in window.statusBar().currentMessage()
    assert "2 classes" in window.statusBar().currentMessage()


def test_a_two_class_generator_shows_two_classes(window):
    from PySide6.QtWidgets import QSpinBox

    c = window.controller
    assert c.edit({"data": {"name": "blobs", "classes": 3}})
    assert c.edit({"data": {"name": "circles"}})
    spin = window.findChild(QSpinBox, "classesSpin") or window.page.data_panel.classes_spin
    assert spin.value() == 2 and not spin.isEnabled()


def test_leaving_the_tab_mid_run_is_said_on_return(window, qtbot):
    from PySide6.QtWidgets import QTabWidget

    tabs = window.findChild(QTabWidget, "mainTabs")
    window.controller.play()
    tabs.setCurrentIndex(1)
    assert not window.controller.is_running
    tabs.setCurrentIndex(0)
    assert "paused while another tab" in window.statusBar().currentMessage()


def test_about_names_the_versions_in_use(window, qtbot):
    import platform

    import numpy
    from PySide6.QtWidgets import QMessageBox

    window.about_action.trigger()
    qtbot.waitUntil(lambda: any(b.isVisible() for b in window.findChildren(QMessageBox)))
    text = next(b for b in window.findChildren(QMessageBox) if b.isVisible()).text()
    for name, version in (("Python", platform.python_version()),
                          ("NumPy", numpy.__version__)):
        assert name in text and version in text
    assert "Qt" in text and "BLAS" in text and "unknown" not in text


def test_the_region_is_scaled_smoothly_not_in_blocks(qtbot):
    """A 2x2 grid drawn over the whole plot: nearest-neighbour scaling gives two flat
    colours, smooth scaling a ramp between them."""
    import numpy as np
    from PySide6.QtGui import QImage, QPainter

    from playground.ui.main_window import setup_pyqtgraph
    from playground.ui.plots.decision import DecisionRegionPlot

    setup_pyqtgraph()
    plot = DecisionRegionPlot()
    qtbot.addWidget(plot)
    plot.resize(400, 400)
    plot.show_range((-1.0, 1.0, -1.0, 1.0))
    probs = np.array([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]], np.float32)
    plot.set_probabilities(probs, (-1.0, 1.0, -1.0, 1.0))
    image = QImage(400, 400, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    plot.render(painter)
    painter.end()
    row = [image.pixelColor(x, 200).red() for x in range(60, 380)]
    assert len(set(row)) > 10


def test_another_pages_status_does_not_stay_after_a_tab_switch(window, qtbot):
    from PySide6.QtWidgets import QTabWidget

    tabs = window.findChild(QTabWidget, "mainTabs")
    tabs.setCurrentIndex(1)
    window.mnist_page.statusMessage.emit("Epoch 4/5 · 2,172 samples/s · ETA 0:03")
    assert "Epoch 4/5" in window.statusBar().currentMessage()
    tabs.setCurrentIndex(0)
    assert "Epoch 4/5" not in window.statusBar().currentMessage()


def test_the_press_play_hint_goes_when_training_starts(window, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from playground.ui.two_d.page import START_HINT

    bar = window.statusBar()
    bar.showMessage(START_HINT, 8000)
    qtbot.mouseClick(window.findChild(QPushButton, "playButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.currentMessage() != START_HINT, timeout=3000)
    assert bar.currentMessage() == ""


def test_at_1024x700_the_mnist_controls_fit_without_scrolling(window, qtbot):
    from PySide6.QtWidgets import QPushButton, QScrollArea, QTabWidget

    window.resize(1024, 700)
    window.findChild(QTabWidget, "mainTabs").setCurrentIndex(1)
    page = window.mnist_page
    qtbot.waitUntil(lambda: "test images" in page.controls.data_label.text(), timeout=20000)
    qtbot.wait(100)
    load = page.findChild(QPushButton, "mnistLoadButton") or page.controls.load_button
    area = next(a for a in page.findChildren(QScrollArea) if a.isAncestorOf(load))
    assert area.verticalScrollBar().maximum() == 0  # the last button is in view
    assert not load.visibleRegion().isEmpty()
