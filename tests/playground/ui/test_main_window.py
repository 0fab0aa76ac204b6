"""The window as a user first sees it: layout, names, tooltips, settings, menus."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTabWidget,
)

from engine.spec import RunConfig
from playground.mnist.controller import MnistController
from playground.ui.main_window import MainWindow
from playground.ui.mnist.page import MnistPage
from playground.ui.page import Page

NAMES = {
    "mainTabs": QTabWidget, "datasetCombo": QComboBox, "regenerateButton": QPushButton,
    "playButton": QPushButton, "stepButton": QPushButton, "resetButton": QPushButton,
    "activationCombo": QComboBox, "optimizerCombo": QComboBox,
    "learningRateSpin": QAbstractSpinBox, "batchSizeSpin": QAbstractSpinBox,
    "hiddenLayersEdit": QLineEdit, "decisionPlot": pg.PlotWidget, "lossPlot": pg.PlotWidget,
    "epochLabel": QLabel,
}


def test_default_window_opens_on_moons_and_a_small_network(window):
    for name, kind in NAMES.items():
        assert window.findChild(kind, name) is not None, name
    assert window.findChild(QComboBox, "datasetCombo").currentText() == "moons"
    assert window.findChild(QLineEdit, "hiddenLayersEdit").text() == "8, 8"
    assert window.findChild(QLabel, "epochLabel").text() == "Epoch 0"
    assert window.controller.config == RunConfig()
    tabs = window.findChild(QTabWidget, "mainTabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["2-D Playground", "MNIST",
                                                                "Compare", "Lab", "Sweep"]
    image = window.page.decision_plot.image.image
    assert image.shape[0] >= 100 and image.shape[1] >= 100 and image.dtype.name == "uint8"
    n_train = len(window.page.decision_plot.train_points.data)
    n_test = len(window.page.decision_plot.test_points.data)
    assert (n_train, n_test) == (210, 90)
    assert "114 parameters" in window.page.network_panel.summary_label.text()


def test_every_control_says_what_it_does(window):
    page = window.page
    controls = []
    for kind in (QAbstractButton, QComboBox, QAbstractSpinBox, QLineEdit):
        controls += page.findChildren(kind) + window.toolbar.findChildren(kind)
    controls = [w for w in controls if not isinstance(w.parent(), QAbstractSpinBox)
                and not isinstance(w.parent(), QComboBox)
                and w.objectName() and not w.objectName().startswith("qt_")]
    assert len(controls) > 30
    missing = [w.objectName() for w in controls if not w.toolTip().strip()]
    assert missing == []


def test_layout_fits_1280x800_without_clipping(window):
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 800
    assert window.width() == 1280 and window.height() == 800
    plot = window.page.decision_plot
    assert plot.width() >= 450 and plot.height() >= 450
    for area in window.page.findChildren(QScrollArea):
        # nothing wider than its column (horizontal scrolling is off)
        assert area.widget().minimumSizeHint().width() <= area.viewport().width() + 1
    window.resize(1000, 700)
    window.resize(1600, 1000)
    assert plot.width() > 600


def test_configuration_and_view_options_are_remembered(qtbot, open_window, settings):
    w = open_window(settings)
    w.findChild(QComboBox, "activationCombo").setCurrentText("relu")
    w.findChild(QAbstractSpinBox, "learningRateSpin").setValue(0.1)
    w.page.data_panel.discretize_check.setChecked(True)
    w.page.set_speed(5)
    w.close()
    again = open_window(settings)
    cfg = again.controller.config
    assert (cfg.model.activation, cfg.optim.lr) == ("relu", 0.1)
    assert again.findChild(QComboBox, "activationCombo").currentText() == "relu"
    assert again.page.data_panel.discretize_check.isChecked()
    assert again.page.speed_combo.currentData() == 5
    again.resize(again.width(), 590)
    again.close()
    third = MainWindow(settings)
    qtbot.addWidget(third)
    # the height comes back (the width is clamped to the 800x600 offscreen screen)
    assert third.height() == 590


def test_unusable_saved_settings_fall_back_to_the_defaults(open_window, tmp_path):
    s = QSettings(str(tmp_path / "bad.ini"), QSettings.Format.IniFormat)
    s.setValue("playground/config", '{"optim": {"lr": -1}}')
    s.setValue("playground/points", "not json")
    w = open_window(s)
    assert w.controller.config == RunConfig()
    assert "defaults" in w.statusBar().currentMessage()


def shown_boxes(window) -> list[QMessageBox]:
    return [b for b in window.findChildren(QMessageBox) if b.isVisible()]


def test_help_and_about_open_without_blocking(window, qtbot):
    window.help_action.trigger()
    qtbot.waitUntil(lambda: len(shown_boxes(window)) == 1)
    text = shown_boxes(window)[0].text()
    assert "Space" in text and "Draw" in text
    window.about_action.trigger()
    qtbot.waitUntil(lambda: [b.windowTitle() for b in shown_boxes(window)] == ["About"])


def test_mnist_tab_has_a_page_and_hides_the_2d_toolbar(window, qtbot):
    tabs = window.findChild(QTabWidget, "mainTabs")
    window.controller.play()
    tabs.setCurrentIndex(1)
    page = tabs.currentWidget()
    assert isinstance(page, MnistPage) and page is window.mnist_page
    assert isinstance(page, Page) and page.title == "MNIST"
    assert isinstance(page.controller, MnistController) and page.controller.host.thread.isRunning()
    assert not window.toolbar.isVisible()
    assert not window.controller.is_running
    tabs.setCurrentIndex(0)
    assert window.toolbar.isVisible()


def test_the_mnist_page_is_built_when_its_tab_is_first_shown(window, qtbot):
    """Start-up builds only the page on screen: the MNIST tab holds a placeholder (and
    no MNIST thread runs) until the tab is opened; then its page keeps the tab."""
    tabs = window.findChild(QTabWidget, "mainTabs")
    assert tabs.widget(1).objectName() == "pagePlaceholder"
    assert window.findChild(MnistPage) is None
    assert tabs.tabText(1) == "MNIST" and len(window.pages) == 1
    tabs.setCurrentIndex(1)
    page = tabs.widget(1)
    assert isinstance(page, MnistPage) and tabs.currentIndex() == 1
    assert window.pages == [window.page, page] and window.mnist_page is page
    qtbot.waitUntil(lambda: page.data_info is not None, timeout=10000)
    tabs.setCurrentIndex(0)
    assert window.mnist_page is page and tabs.count() == 5
    assert tabs.widget(2).objectName() == "pagePlaceholder"  # Compare: not built yet
    assert tabs.widget(3).objectName() == "pagePlaceholder"  # Lab: not built yet
    assert tabs.widget(4).objectName() == "pagePlaceholder"  # Sweep: not built yet
